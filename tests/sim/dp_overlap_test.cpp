// Data-parallel overlap as the engine runs it (models/src/llm_training_dp.cpp): two one-GPU nodes
// on one switch (sim_test_util.hpp: 100 TFLOPS GPUs, 10 GB/s NICs), dp = 2, 4 layers of
// h = 1024 at s = 16384, one micro-batch. A layer's parameters P = 12h² + 2h (bf16: S = 2P bytes,
// 25.2 MB); its backward compute (~50 ms) is far longer than any collective of one layer (a
// 2-rank ring all-reduce moves S per rank: 2.5 ms at 10 GB/s; an all-gather S/2: 1.26 ms).
// Exposed data-parallel communication per GPU (communicating while not computing), S/B = 2.5 ms:
//   zero 0, overlap.grad_reduce, a layer per bucket: buckets 1-3 run beside the next layer's
//     backward, only the last one's all-reduce is exposed: S / B. Without it one all-reduce of the
//     4 layers after the backward: 4 S / B.
//   zero 1 (reduce-scatter of the last bucket exposed, S/2 / B), overlap.param_gather: the first
//     layer's all-gather (S/2 / B) before the first forward, the others beside the forward: S / B
//     in all; without it the stage's all-gather after the optimizer, 4 S/2 / B: 2.5 S / B.
// One simulation per test (SimGrid: one engine per process).
// Latencies (a few us per collective) and route latencies are the same count on both sides.
#include "sim_test_util.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/trace_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

constexpr double kH = 1024;
constexpr double kLayerBytes = (12 * kH * kH + 2 * kH) * 2;
constexpr double kNic = 10e9;

double exposed_dp_s(const json& overlap, int zero) {
    json w = {{"type", "llm-training"},
              {"model", {{"layers", 4}, {"hidden", 1024}, {"heads", 16}, {"vocab", 128}, {"seq_length", 16384}}},
              {"parallelism", {{"tp", 1}, {"pp", 1}, {"dp", 2}, {"zero", zero}}},
              {"batch", {{"global_batch", 2}, {"micro_batch", 1}}},
              {"overlap", overlap}};
    const auto doc = twin::Document::parse(w.dump(), "w.json");
    const auto c = twin::models::read_training_config(doc.root().as_object());
    const auto trace = twin::models::generate_training_trace(c, "w.json");
    const auto r = twin::test::run_text(twin::test::star_scenario(2, twin::models::trace_to_json(trace).dump()));
    return r.exposed_by_family_gpu_s.at("dp") / r.ranks;
}

constexpr double kS = kLayerBytes / kNic;

TEST(DpOverlap, GradientBucketsHideAllButTheLast) {
    EXPECT_NEAR(exposed_dp_s({{"grad_reduce", true}, {"bucket_params", 1}}, 0), kS, 0.02 * kS);
}

TEST(DpOverlap, GradientsAfterTheFlushWithoutOverlap) {
    EXPECT_NEAR(exposed_dp_s({{"grad_reduce", false}}, 0), 4 * kS, 0.02 * kS);
}

TEST(DpOverlap, ParameterGatherBesideTheForward) {
    EXPECT_NEAR(exposed_dp_s({{"param_gather", true}, {"bucket_params", 1}}, 1), kS, 0.02 * kS);
}

TEST(DpOverlap, ParameterGatherAfterTheOptimizer) {
    EXPECT_NEAR(exposed_dp_s({{"param_gather", false}, {"bucket_params", 1}}, 1), 2.5 * kS, 0.02 * kS);
}

} // namespace
