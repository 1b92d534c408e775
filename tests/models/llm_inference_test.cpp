// The "llm-inference" workload (models/include/twin/models/llm_inference.hpp): the generated trace,
// per-op FLOPs and bytes derived by hand, the memory fit, every bad-input rule with its JSON
// pointer, and the serving metrics.
#include "twin/core/error.hpp"
#include "twin/models/llm_inference.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace {

using nlohmann::json;
using namespace twin::models;

// Llama-3 70B, TP 8, BF16 on one DGX H100: the bundled scenario's workload.
json valid_scenario() {
    return json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "llm-inference", "model": {"preset": "llama3-70b"},
        "parallelism": {"tp": 8, "pp": 1, "ep": 1}, "precision": "bf16",
        "requests": {"prompt_tokens": 2048, "output_tokens": 256, "rate_per_s": 4.0},
        "batch": {"max_batch": 32}}})");
}

// A tiny model whose numbers are easy by hand: l 2, h 64, a 4 (d 16), g 2, f 128, V 100, SwiGLU.
json tiny_scenario() {
    auto doc = valid_scenario();
    doc["workload"]["model"] = json::parse(R"({"name": "Tiny", "layers": 2, "hidden": 64, "heads": 4,
        "kv_heads": 2, "ffn": 128, "vocab": 100, "seq_length": 64, "activation": "swiglu"})");
    doc["workload"]["parallelism"] = {{"tp", 2}};
    doc["workload"]["requests"] = {{"prompt_tokens", 8}, {"output_tokens", 4}, {"rate_per_s", 1.0}};
    doc["workload"]["batch"] = {{"max_batch", 2}};
    return doc;
}

Scenario parse(const json& doc) {
    return parse_scenario(doc.dump(), "test.json", ".");
}

void expect_error(const json& doc, const std::string& pointer, const std::string& gist) {
    EXPECT_INPUT_ERROR(parse(doc), pointer, gist);
}

const Block& block(const Step& s) {
    return std::get<Block>(s);
}
const Op& op(const Step& s) {
    return std::get<Op>(s);
}

TEST(LlmInference, BundledShapeAndInfo) {
    const auto s = parse(valid_scenario());
    const Trace& t = s.trace;
    EXPECT_EQ(t.name, "Llama-3 70B inference, TP 8, BF16, batch 32 x (2048 + 256) tokens");
    EXPECT_EQ(t.ranks, 8);
    ASSERT_EQ(t.classes.size(), 1U);
    const auto& program = t.classes[0].program.body;
    ASSERT_EQ(program.size(), 2U);
    EXPECT_EQ(block(program[0]).name, "prefill");
    EXPECT_EQ(block(program[0]).repeat, 1);
    EXPECT_EQ(block(program[1]).name, "decode");
    EXPECT_EQ(block(program[1]).repeat, 256);
    // decode: 80 layers of (gemm, attention, all-reduce, gemm, all-reduce), then the logits.
    const auto& layers = block(block(program[1]).body[0]);
    EXPECT_EQ(layers.repeat, 80);
    ASSERT_EQ(layers.body.size(), 5U);
    EXPECT_EQ(op(layers.body[2]).name, "decode_tp_all_reduce");
    EXPECT_DOUBLE_EQ(op(layers.body[2]).collective.size.value(), 32.0 * 8192 * 2); // B·h·2 = 512 KiB
    EXPECT_EQ(op(block(program[1]).body[1]).name, "decode_logits");

    const auto& info = t.info;
    EXPECT_TRUE(info.present);
    EXPECT_EQ(info.kind, "llm-inference");
    EXPECT_EQ(info.model, "Llama-3 70B");
    EXPECT_DOUBLE_EQ(info.parameters, 70553706496.0);
    EXPECT_DOUBLE_EQ(info.tokens_per_step, 32.0 * 256);
    EXPECT_EQ(info.family_roles.at("tp"), "tp");
    EXPECT_DOUBLE_EQ(info.figures.at("prompt_tokens"), 2048);
    EXPECT_DOUBLE_EQ(info.figures.at("output_tokens"), 256);
    EXPECT_DOUBLE_EQ(info.figures.at("request_rate_per_s"), 4.0);
    EXPECT_DOUBLE_EQ(info.figures.at("batch"), 32);
    EXPECT_DOUBLE_EQ(info.figures.at("concurrency"), 0);
    EXPECT_DOUBLE_EQ(info.figures.at("gpus"), 8);
    EXPECT_DOUBLE_EQ(info.figures.at("decode_mean_kv_tokens"), 2048 + 128.5);
    // Memory per GPU: weights 70,553,706,496 x 2 B / 8 = 17,638,426,624 B; KV per token per GPU
    // 2·80·(8/8)·128·2 = 40,960 B, x 32 x 2304 tokens = 3,019,898,880 B. Usable: 0.9 x 81559 MiB.
    EXPECT_DOUBLE_EQ(info.figures.at("weights_per_gpu_bytes"), 17638426624.0);
    EXPECT_DOUBLE_EQ(info.figures.at("kv_cache_per_gpu_bytes"), 3019898880.0);
    EXPECT_DOUBLE_EQ(info.figures.at("hbm_usable_per_gpu_bytes"), 0.9 * 81559 * 1048576.0);
    // (0.9 x 81559 MiB − 17,638,426,624 B) / (40,960 x 2304 B) = 628.7
    EXPECT_DOUBLE_EQ(info.figures.at("max_batch_fit"), 628);
}

TEST(LlmInference, TinyModelOpsByHand) {
    const auto s = parse(tiny_scenario());
    const auto& program = s.trace.classes[0].program.body;
    // Prefill: T = 2 x 8 = 16 tokens. P_attn = 2h² + 2h²·g/a = 8192 + 4096 = 12288;
    // projections F = 2·16·12288 / 2 = 196,608 FLOP, D = 12288·2/2 + 16·2·(128 + (8·16 + 4·16)/2) = 19,456 B.
    const auto& prefill = block(block(program[0]).body[0]);
    EXPECT_EQ(prefill.repeat, 2);
    const auto& proj = op(prefill.body[0]).compute;
    EXPECT_DOUBLE_EQ(proj.flops.value(), 196608.0);
    EXPECT_DOUBLE_EQ(proj.bytes.value(), 12288.0 + 16 * 2 * (128 + 96));
    // Prefill attention: 2·n·P²·(a/t)·d = 2·2·64·2·16 = 8192 FLOP (causal).
    EXPECT_DOUBLE_EQ(op(prefill.body[1]).compute.flops.value(), 8192.0);
    // MLP: 2·16·(3·64·128)/2 = 393,216 FLOP.
    EXPECT_DOUBLE_EQ(op(prefill.body[3]).compute.flops.value(), 393216.0);
    EXPECT_DOUBLE_EQ(op(prefill.body[2]).collective.size.value(), 16 * 64 * 2);

    // Decode: T = 2, mean KV length c = 8 + (4 + 1)/2 = 10.5, a/t = 2 heads, g_r = 1 KV head.
    // F = 4·T·c·(a/t)·d = 4·2·10.5·2·16 = 2688 FLOP.
    // D = Q and O 2·2·2·2·16 = 256 + new K/V 2·2·1·16·2 = 128 + KV read 2·10.5·2·1·16·2 = 1344 → 1728 B.
    const auto& decode = block(program[1]);
    EXPECT_EQ(decode.repeat, 4);
    const auto& attn = op(block(decode.body[0]).body[1]).compute;
    EXPECT_DOUBLE_EQ(attn.flops.value(), 2688.0);
    EXPECT_DOUBLE_EQ(attn.bytes.value(), 1728.0);
    EXPECT_EQ(attn.precision, twin::topology::Precision::BF16);
    // Logits per decode step: 2·2·64·100/2 = 12,800 FLOP; weights 100·64·2/2 = 6400 B + 2·2·(64 + 50).
    const auto& logits = op(decode.body[1]).compute;
    EXPECT_DOUBLE_EQ(logits.flops.value(), 12800.0);
    EXPECT_DOUBLE_EQ(logits.bytes.value(), 6400.0 + 2 * 2 * 114);
}

TEST(LlmInference, Fp8HalvesWeightsAndKv) {
    auto doc = valid_scenario();
    doc["workload"]["precision"] = "fp8";
    const auto s = parse(doc);
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("weights_per_gpu_bytes"), 17638426624.0 / 2);
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("kv_cache_per_gpu_bytes"), 3019898880.0 / 2);
    EXPECT_EQ(s.trace.info.precision, twin::topology::Precision::FP8);
    const auto& layers = block(block(s.trace.classes[0].program.body[1]).body[0]);
    EXPECT_EQ(op(layers.body[0]).compute.precision, twin::topology::Precision::FP8);
    EXPECT_EQ(op(layers.body[1]).compute.precision, twin::topology::Precision::BF16);
}

TEST(LlmInference, PipelineStagesSendAndReceive) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"] = {{"tp", 4}, {"pp", 2}};
    const auto s = parse(doc);
    const Trace& t = s.trace;
    ASSERT_EQ(t.classes.size(), 2U);
    EXPECT_EQ(t.classes[0].name, "stage0");
    EXPECT_EQ(t.classes[1].ranks, (std::vector<int>{4, 5, 6, 7}));
    EXPECT_EQ(t.info.family_roles.at("pp"), "pp");
    // Stage 0 prefill: 2 micro-batches of 16 sequences, each 40 layers then a send of 16·2048·8192·2 B.
    const auto& mb0 = block(block(t.classes[0].program.body[0]).body[0]);
    EXPECT_EQ(mb0.repeat, 2);
    EXPECT_EQ(block(mb0.body[0]).repeat, 40);
    EXPECT_EQ(op(mb0.body[1]).kind, Op::Kind::Send);
    EXPECT_DOUBLE_EQ(op(mb0.body[1]).p2p.size.value(), 16.0 * 2048 * 8192 * 2);
    // Stage 1 decode: receive, layers, logits.
    const auto& mb1 = block(block(t.classes[1].program.body[1]).body[0]);
    EXPECT_EQ(op(mb1.body[0]).kind, Op::Kind::Recv);
    EXPECT_EQ(op(mb1.body[2]).name, "decode_logits");
    EXPECT_DOUBLE_EQ(t.info.figures.at("microbatches"), 2);
}

TEST(LlmInference, MoeExpertParallelAllToAll) {
    auto doc = tiny_scenario();
    doc["workload"]["model"]["moe"] = {{"experts", 4}, {"top_k", 2}, {"ffn", 32}};
    doc["workload"]["parallelism"] = {{"tp", 2}, {"ep", 2}};
    const auto s = parse(doc);
    EXPECT_EQ(s.trace.info.family_roles.at("ep"), "ep");
    const auto& layer = block(block(s.trace.classes[0].program.body[1]).body[0]);
    ASSERT_EQ(layer.body.size(), 7U);
    EXPECT_EQ(op(layer.body[3]).name, "decode_ep_dispatch");
    EXPECT_EQ(op(layer.body[5]).name, "decode_ep_combine");
    // (T/ep)·top_k·h·2·(ep−1)/ep = (2/2)·2·64·2·(1/2) = 128 B
    EXPECT_DOUBLE_EQ(op(layer.body[3]).collective.size.value(), 128.0);
    // Decode MLP weights: router h·E = 256 + touched experts (1 − (1 − 2/4)²) = 3/4 of 4·3·64·32
    // = 18,432 → 18,688 params x 2 B / tp 2 = 18,688 B, + activations 2·2·(128 + 2·64/2) = 768 B.
    EXPECT_DOUBLE_EQ(op(layer.body[4]).compute.bytes.value(), 18688.0 + 768.0);
}

TEST(LlmInference, ClosedLoopConcurrency) {
    auto doc = valid_scenario();
    doc["workload"].erase("batch");
    doc["workload"]["requests"].erase("rate_per_s");
    doc["workload"]["concurrency"] = 16;
    const auto s = parse(doc);
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("batch"), 16);
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("concurrency"), 16);
    EXPECT_DOUBLE_EQ(s.trace.info.figures.at("request_rate_per_s"), 0);
}

TEST(LlmInferenceErrors, HeadsNotDivisibleByTp) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"]["tp"] = 3;
    expect_error(doc, "/workload/parallelism/tp", "tp (3) must divide the model's attention heads (64)");
}

TEST(LlmInferenceErrors, KvHeadsAndTpMustDivide) {
    // h 96, 12 heads, 6 KV heads: tp 4 divides the heads, but neither 4 | 6 nor 6 | 4.
    auto doc = tiny_scenario();
    doc["workload"]["model"]["hidden"] = 96;
    doc["workload"]["model"]["heads"] = 12;
    doc["workload"]["model"]["kv_heads"] = 6;
    doc["workload"]["parallelism"]["tp"] = 4;
    expect_error(doc, "/workload/parallelism/tp", "tp (4) and the model's kv_heads (6) must divide one another");
    // 2 KV heads on tp 4 are replicated: accepted, 1 KV head per rank.
    doc["workload"]["model"]["kv_heads"] = 2;
    EXPECT_EQ(parse(doc).trace.ranks, 4);
}

TEST(LlmInferenceErrors, TooManyGpus) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"]["pp"] = 2;
    expect_error(doc, "/workload/parallelism", "tp x pp = 16 GPUs, but the cluster has only 8");
}

TEST(LlmInferenceErrors, PpMustDivideLayers) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"] = {{"tp", 2}, {"pp", 3}};
    expect_error(doc, "/workload/parallelism/pp", "pp (3) must divide the model's layers (80)");
}

TEST(LlmInferenceErrors, EpNeedsMoe) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"]["ep"] = 2;
    expect_error(doc, "/workload/parallelism/ep", "needs a mixture-of-experts model");
}

TEST(LlmInferenceErrors, EpMustDivideTpAndExperts) {
    auto doc = tiny_scenario();
    doc["workload"]["model"]["moe"] = {{"experts", 3}, {"top_k", 1}};
    doc["workload"]["parallelism"] = {{"tp", 2}, {"ep", 2}};
    expect_error(doc, "/workload/parallelism/ep", "ep (2) must divide the model's experts (3)");
    doc["workload"]["parallelism"] = {{"tp", 2}, {"ep", 4}};
    expect_error(doc, "/workload/parallelism/ep", "ep (4) must divide tp (2)");
}

TEST(LlmInferenceErrors, DoesNotFit) {
    auto doc = valid_scenario();
    doc["workload"]["batch"]["max_batch"] = 700;
    expect_error(doc, "/workload",
                 "Llama-3 70B does not fit on H100-SXM with tp 8 x pp 1: weights 16.4 GiB + KV cache 61.5 GiB (batch "
                 "700 x 2304 tokens) = 78.0 GiB per GPU > 71.7 GiB usable (0.9 x 79.6 GiB of H100-SXM); 6.3 GiB "
                 "over; the largest batch that fits is 628");
}

TEST(LlmInferenceErrors, WeightsAloneDoNotFit) {
    auto doc = valid_scenario();
    doc["workload"]["parallelism"]["tp"] = 1;
    expect_error(doc, "/workload", "the weights alone do not fit: raise tp or pp, or use fp8");
}

TEST(LlmInferenceErrors, BadRequests) {
    for (const char* key : {"prompt_tokens", "output_tokens"}) {
        auto doc = valid_scenario();
        doc["workload"]["requests"][key] = 0;
        expect_error(doc, std::string("/workload/requests/") + key, "");
        doc["workload"]["requests"][key] = -5;
        expect_error(doc, std::string("/workload/requests/") + key, "");
    }
    for (double rate : {0.0, -1.0}) {
        auto doc = valid_scenario();
        doc["workload"]["requests"]["rate_per_s"] = rate;
        expect_error(doc, "/workload/requests/rate_per_s", "");
    }
    auto doc = valid_scenario();
    doc["workload"]["requests"]["output_tokens"] = 7000;
    expect_error(doc, "/workload/requests/prompt_tokens",
                 "prompt_tokens + output_tokens = 9048 exceeds the model's seq_length (8192)");
    doc = valid_scenario();
    doc["workload"]["requests"].erase("rate_per_s");
    expect_error(doc, "/workload/requests/rate_per_s", "missing required key");
}

TEST(LlmInferenceErrors, UnknownPrecision) {
    auto doc = valid_scenario();
    doc["workload"]["precision"] = "fp16";
    expect_error(doc, "/workload/precision", "");
}

TEST(LlmInferenceErrors, Fp8OnA100) {
    auto doc = valid_scenario();
    doc["topology"]["nodes"][0]["type"] = "DGX-A100";
    doc["workload"]["precision"] = "fp8";
    expect_error(doc, "/workload/precision", "A100-SXM-80GB has no fp8 peak FLOP rate");
}

TEST(LlmInferenceErrors, BatchOrConcurrency) {
    auto doc = valid_scenario();
    doc["workload"]["concurrency"] = 8;
    expect_error(doc, "/workload/concurrency", "not both");
    doc["workload"].erase("batch");
    expect_error(doc, "/workload/requests/rate_per_s", "cannot be combined with \"concurrency\"");
    doc["workload"].erase("concurrency");
    expect_error(doc, "/workload/batch", "missing required key \"batch\"");
    doc = valid_scenario();
    doc["workload"]["batch"]["max_batch"] = 0;
    expect_error(doc, "/workload/batch/max_batch", "");
}

TEST(LlmInferenceErrors, UnknownKeys) {
    auto doc = valid_scenario();
    doc["workload"]["speculative"] = true;
    expect_error(doc, "/workload/speculative", "unknown key");
    doc = valid_scenario();
    doc["workload"]["parallelism"]["dp"] = 2;
    expect_error(doc, "/workload/parallelism/dp", "unknown key");
    doc = valid_scenario();
    doc["workload"]["model"]["preset"] = "llama9";
    expect_error(doc, "/workload/model/preset", "unknown model preset");
}

WorkloadInfo serving_info(double rate, double concurrency) {
    WorkloadInfo info;
    info.present = true;
    info.kind = "llm-inference";
    info.figures = {
        {"batch", 4}, {"output_tokens", 10}, {"request_rate_per_s", rate}, {"concurrency", concurrency}, {"gpus", 8}};
    return info;
}

// B 4, O 10, prefill 1 s, decode 3 s: cycle S 4 s, capacity μ = 1 request/s.
TEST(ServingMetrics, OpenLoopByHand) {
    // λ = 0.5: ρ = 0.5; W_b = min(3 / 1, 4 / 2) = 2 s; W_q = 0.5/0.5 · 4/(2·4) = 0.5 s; TTFT 3.5 s.
    const auto m = serving_metrics(serving_info(0.5, 0), 1.0, 3.0);
    EXPECT_DOUBLE_EQ(m.capacity_requests_per_s, 1.0);
    EXPECT_DOUBLE_EQ(m.utilisation, 0.5);
    EXPECT_FALSE(m.saturated);
    EXPECT_DOUBLE_EQ(m.batch_wait_s, 2.0);
    EXPECT_DOUBLE_EQ(m.queue_wait_s, 0.5);
    EXPECT_DOUBLE_EQ(m.ttft_s, 3.5);
    EXPECT_DOUBLE_EQ(m.tpot_s, 0.3);
    EXPECT_DOUBLE_EQ(m.e2e_latency_s, 6.5);
    EXPECT_DOUBLE_EQ(m.requests_per_s, 0.5);
    EXPECT_DOUBLE_EQ(m.tokens_per_s, 5.0);
    EXPECT_DOUBLE_EQ(m.tokens_per_s_per_gpu, 0.625);
}

TEST(ServingMetrics, SaturatedIsCapacityLimited) {
    // λ = 2: ρ = 2; W_b = min(3/4, 2) = 0.75 s; no finite queue wait.
    const auto m = serving_metrics(serving_info(2.0, 0), 1.0, 3.0);
    EXPECT_TRUE(m.saturated);
    EXPECT_DOUBLE_EQ(m.utilisation, 2.0);
    EXPECT_DOUBLE_EQ(m.queue_wait_s, 0.0);
    EXPECT_DOUBLE_EQ(m.ttft_s, 1.75);
    EXPECT_DOUBLE_EQ(m.requests_per_s, 1.0);
    EXPECT_DOUBLE_EQ(m.tokens_per_s, 10.0);
}

TEST(ServingMetrics, ClosedLoopHasNoWait) {
    const auto m = serving_metrics(serving_info(0, 4), 1.0, 3.0);
    EXPECT_FALSE(m.saturated);
    EXPECT_DOUBLE_EQ(m.ttft_s, 1.0);
    EXPECT_DOUBLE_EQ(m.requests_per_s, 1.0);
    EXPECT_DOUBLE_EQ(m.tokens_per_s, 10.0);
}

WorkloadInfo continuous_info(double rate, double concurrency, double overhead, double beta) {
    WorkloadInfo info = serving_info(rate, concurrency);
    info.figures["continuous_batching"] = 1;
    info.figures["step_overhead_s"] = overhead;
    info.figures["decode_step_per_sequence_s"] = beta;
    return info;
}

// Static batching with a framework overhead of 10 ms per iteration: decode 3 + 10·0.01 s.
TEST(ServingMetrics, StaticOverheadPerIteration) {
    WorkloadInfo info = serving_info(0.5, 0);
    info.figures["step_overhead_s"] = 0.01;
    const auto s = serving_metrics(info, 1.0, 3.0);
    EXPECT_DOUBLE_EQ(s.tpot_s, 0.31);
    EXPECT_DOUBLE_EQ(s.capacity_requests_per_s, 4.0 / (1.01 + 3.1));
    EXPECT_DOUBLE_EQ(s.mean_batch, 4.0);
}

// Continuous batching, B 4, O 10, prefill of 4 prompts 1 s (t_pf 0.25 s), decode iteration at
// batch 4 t_B = 0.3 s, β = 0.01 s per sequence, no overhead, λ = 0.5/s:
//   u = 0.125, n = 0.5·10·(0.3 − 0.04)/(1 − 0.125 − 0.05) = 1.3/0.825, μ = 4/(1 + 3) = 1/s,
//   τ = (0.3 + 0.01(n − 4))/0.875, W_q = 0.125·0.25/(2·0.875), TTFT = τ/2 + W_q + 0.25.
TEST(ServingMetrics, ContinuousBatchingByHand) {
    const auto m = serving_metrics(continuous_info(0.5, 0, 0.0, 0.01), 1.0, 3.0);
    const double n = 1.3 / 0.825;
    const double tau = (0.3 + 0.01 * (n - 4)) / 0.875;
    EXPECT_DOUBLE_EQ(m.capacity_requests_per_s, 1.0);
    EXPECT_DOUBLE_EQ(m.utilisation, 0.5);
    EXPECT_FALSE(m.saturated);
    EXPECT_NEAR(m.mean_batch, n, 1e-12);
    EXPECT_NEAR(m.tpot_s, tau, 1e-12);
    EXPECT_NEAR(m.mean_batch, 0.5 * 10 * m.tpot_s, 1e-12); // Little's law
    EXPECT_NEAR(m.queue_wait_s, 0.125 * 0.25 / 1.75, 1e-12);
    EXPECT_NEAR(m.ttft_s, tau / 2 + 0.125 * 0.25 / 1.75 + 0.25, 1e-12);
    EXPECT_NEAR(m.e2e_latency_s, m.ttft_s + 10 * tau, 1e-12);
    EXPECT_DOUBLE_EQ(m.tokens_per_s, 5.0);
    // The overhead lengthens every iteration: 2 ms more per step, a larger running batch.
    const auto o = serving_metrics(continuous_info(0.5, 0, 0.002, 0.01), 1.0, 3.0);
    EXPECT_GT(o.tpot_s, m.tpot_s);
    EXPECT_GT(o.mean_batch, m.mean_batch);
    EXPECT_DOUBLE_EQ(o.capacity_requests_per_s, 4.0 / (1.0 + 10 * 0.302));
}

TEST(ServingMetrics, ContinuousSaturatedAndClosedLoop) {
    // λ = 2 > μ = 1: the batch is full, τ = 0.3 / (1 − 1·0.25) = 0.4 s, rate μ.
    const auto m = serving_metrics(continuous_info(2.0, 0, 0.0, 0.01), 1.0, 3.0);
    EXPECT_TRUE(m.saturated);
    EXPECT_DOUBLE_EQ(m.mean_batch, 4.0);
    EXPECT_DOUBLE_EQ(m.tpot_s, 0.4);
    EXPECT_DOUBLE_EQ(m.requests_per_s, 1.0);
    EXPECT_DOUBLE_EQ(m.queue_wait_s, 0.0);
    // Closed loop of 4 clients: X = 4 / (τ/2 + 0.25 + 10 τ) with τ = 0.3 / (1 − 0.25·X).
    const auto c = serving_metrics(continuous_info(0, 4, 0.0, 0.01), 1.0, 3.0);
    EXPECT_NEAR(c.requests_per_s, 4.0 / (c.tpot_s / 2 + 0.25 + 10 * c.tpot_s), 1e-9);
    EXPECT_NEAR(c.tpot_s, 0.3 / (1 - 0.25 * c.requests_per_s), 1e-9);
    EXPECT_NEAR(c.ttft_s, c.tpot_s / 2 + 0.25, 1e-12);
}

TEST(LlmInference, ContinuousBatchingFigures) {
    const auto s = parse(valid_scenario());
    const auto& f = s.trace.info.figures;
    EXPECT_DOUBLE_EQ(f.at("continuous_batching"), 1.0);
    EXPECT_DOUBLE_EQ(f.at("step_overhead_s"), 0.002);
    // Per sequence a decode iteration reads its KV cache, 80 layers x 2176.5 tokens x 2 x 1 KV head
    // x 128 x 2 B = 89.1 MB at 3350 GB/s x 0.9 = 29.6 us, plus its activations (a few us).
    EXPECT_GT(f.at("decode_step_per_sequence_s"), 29.5e-6);
    EXPECT_LT(f.at("decode_step_per_sequence_s"), 34e-6);
    auto doc = valid_scenario();
    doc["workload"]["batching"] = "static";
    doc["workload"]["step_overhead"] = "0s";
    const auto t = parse(doc);
    EXPECT_DOUBLE_EQ(t.trace.info.figures.at("continuous_batching"), 0.0);
    EXPECT_DOUBLE_EQ(t.trace.info.figures.at("step_overhead_s"), 0.0);
}

TEST(LlmInferenceErrors, BatchingAndOverhead) {
    auto doc = valid_scenario();
    doc["workload"]["batching"] = "dynamic";
    expect_error(doc, "/workload/batching", "dynamic");
    doc = valid_scenario();
    doc["workload"]["step_overhead"] = "2s";
    expect_error(doc, "/workload/step_overhead", "at most 1 s");
    doc["workload"]["step_overhead"] = "-1ms";
    expect_error(doc, "/workload/step_overhead", "");
}

TEST(ServingMetrics, RejectsBadInput) {
    EXPECT_THROW((void)serving_metrics(serving_info(1, 0), 0.0, 1.0), std::invalid_argument);
    EXPECT_THROW((void)serving_metrics(serving_info(1, 0), 1.0, -1.0), std::invalid_argument);
    WorkloadInfo training;
    training.present = true;
    training.kind = "llm-training";
    EXPECT_THROW((void)serving_metrics(training, 1.0, 1.0), std::invalid_argument);
}

} // namespace
