// FP4 inference (models/src/llm_inference.cpp): NVFP4 weights (0.5625 B per element), an FP8 KV
// cache, GEMMs timed at the GPU's FP4 peak, and the error on a GPU without FP4. Numbers by hand.
#include "twin/core/error.hpp"
#include "twin/models/compute.hpp"
#include "twin/models/llm_inference.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;
using namespace twin::models;
using twin::topology::Precision;

// Llama-3 70B, TP 8, FP4 on one DGX B200 (dense FP4 9000 TFLOP/s, hw.b200.fp4_dense).
json fp4_scenario(const std::string& node = "DGX-B200") {
    json doc = json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-B200", "count": 1}]},
      "workload": {"type": "llm-inference", "model": {"preset": "llama3-70b"},
        "parallelism": {"tp": 8, "pp": 1, "ep": 1}, "precision": "fp4",
        "requests": {"prompt_tokens": 2048, "output_tokens": 256, "rate_per_s": 4.0},
        "batch": {"max_batch": 32}}})");
    doc["topology"]["nodes"][0]["type"] = node;
    return doc;
}

Scenario parse(const json& doc) {
    return parse_scenario(doc.dump(), "test.json", ".");
}

const Block& block(const Step& s) {
    return std::get<Block>(s);
}
const Op& op(const Step& s) {
    return std::get<Op>(s);
}

TEST(LlmInferenceFp4, WeightsKvAndGemmsAtFp4) {
    const auto s = parse(fp4_scenario());
    EXPECT_EQ(s.trace.info.precision, Precision::FP4);
    // Weights: 70,553,706,496 x 0.5625 B / 8 = 4,960,807,488 B (NVFP4: 4 bits + an FP8 scale per 16).
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("weights_per_gpu_bytes"), 4960807488.0);
    // KV cache in FP8: 2·80·(8/8)·128·1 = 20,480 B per token per GPU x 32 x 2304 = 1,509,949,440 B.
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("kv_cache_per_gpu_bytes"), 1509949440.0);
    const auto& layers = block(block(s.trace.classes[0].program.body[1]).body[0]);
    const ComputeOp& gemm = op(layers.body[0]).compute;
    EXPECT_EQ(gemm.precision, Precision::FP4);
    EXPECT_EQ(op(layers.body[1]).compute.precision, Precision::BF16); // attention stays bf16
    // The roofline uses the FP4 peak: F / (9000 TFLOP/s x 0.75 x op efficiency).
    const auto& gpu = s.cluster.gpu_type(0);
    const ComputeTime t = compute_time(gpu, gemm);
    EXPECT_DOUBLE_EQ(t.flops_time.value(), gemm.flops.value() / (9000e12 * 0.75 * gemm.efficiency));
    ComputeOp as_fp8 = gemm;
    as_fp8.precision = Precision::FP8;
    EXPECT_DOUBLE_EQ(compute_time(gpu, as_fp8).flops_time.value(), 2 * t.flops_time.value());
}

TEST(LlmInferenceFp4, Gb300UsesItsFp4Peak) {
    // One GB300 NVL72 rack, TP 8: 15,000 TFLOP/s dense FP4 per GPU.
    auto doc = fp4_scenario("GB300-NVL72");
    const auto s = parse(doc);
    const auto& layers = block(block(s.trace.classes[0].program.body[1]).body[0]);
    const ComputeOp& gemm = op(layers.body[0]).compute;
    EXPECT_DOUBLE_EQ(compute_time(s.cluster.gpu_type(0), gemm).flops_time.value(),
                     gemm.flops.value() / (15000e12 * 0.75 * gemm.efficiency));
}

TEST(LlmInferenceFp4Errors, GpuWithoutFp4NamesThePointer) {
    EXPECT_INPUT_ERROR(parse(fp4_scenario("DGX-H100")), "/workload/precision",
                       "H100-SXM has no fp4 peak FLOP rate (GPU 0; it has: bf16, fp16, fp8)");
    EXPECT_INPUT_ERROR(parse(fp4_scenario("GH200-NVL32")), "/workload/precision", "GH200 has no fp4 peak FLOP rate");
    auto doc = fp4_scenario();
    doc["workload"]["precision"] = "fp6";
    EXPECT_INPUT_ERROR(parse(doc), "/workload/precision", "");
}

} // namespace
