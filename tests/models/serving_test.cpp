// Request-level serving (models/include/twin/models/serving.hpp): the scheduler and the event loop
// on hand-set iteration costs, expectations derived by hand in each test; the generator; the
// request mode of the "llm-inference" loader and its bad-input rules with their JSON pointers.
#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/serving.hpp"
#include "twin_test/input_error.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using namespace twin::models;

constexpr double kO = 0.01; // step overhead, s
constexpr double kG = 1e-4; // G(T) = kG·T, s
constexpr double kS = 0.02; // one 100-token prefill alone: kO + 100·kG

// G(T) = kG·T exactly (linear through the origin), no attention terms, overhead kO.
ServingSetup setup(std::vector<ServingRequest> reqs) {
    ServingSetup s;
    s.spec.requests = std::move(reqs);
    s.spec.slo_ttft_s = 1.0;
    s.spec.slo_tpot_s = 1.0;
    s.kv_blocks = 1 << 20;
    s.cost.grid_tokens = {1.0, 1e6};
    s.cost.grid_s = {kG, kG * 1e6};
    s.cost.overhead_s = kO;
    s.gpus_per_replica = 8;
    s.gpu_busy_w = 700.0;
    s.gpu_idle_w = 100.0;
    return s;
}

ServingSummary run(const ServingSetup& s, int replicas = 1) {
    return simulate_serving(s, s.cost, replicas).summary;
}

TEST(Serving, OneRequestAloneTtftIsItsPrefill) {
    // TTFT = o + G(100) = 0.02 s; each of the 9 decodes alone o + G(1) = 0.0101 s.
    const auto m = run(setup({{0.5, 100, 10}}));
    EXPECT_NEAR(m.ttft_s.p50, kS, 1e-12);
    EXPECT_NEAR(m.tpot_s.p99, kO + kG, 1e-12);
    EXPECT_NEAR(m.e2e_s.mean, kS + 9 * (kO + kG), 1e-12);
    EXPECT_EQ(m.iterations, 10);
    EXPECT_EQ(m.preemptions, 0);
    // Busy the whole makespan: utilisation 1, energy 8 GPUs x 700 W x e2e / 10 tokens.
    EXPECT_NEAR(m.gpu_utilisation, 1.0, 1e-12);
    EXPECT_NEAR(m.energy_per_output_token_j, 8 * 700.0 * m.e2e_s.mean / 10.0, 1e-9);
}

TEST(Serving, ChunkedPrefillSplitsByTheBudget) {
    // Budget 64: chunks 64 + 36 in two iterations, 2 o + 100 G. Attention pairs 64·32 + 36·(64 + 18)
    // = 5000 = 100²/2, as one unchunked prefill: with α_p = 1e-6 s both add 5 ms.
    auto s = setup({{0.0, 100, 1}});
    s.spec.max_num_batched_tokens = 64;
    s.spec.max_num_seqs = 4;
    s.cost.prefill_pair_s = 1e-6;
    EXPECT_NEAR(run(s).ttft_s.p50, 2 * kO + 100 * kG + 5000e-6, 1e-12);
    s.spec.max_num_batched_tokens = 128;
    EXPECT_NEAR(run(s).ttft_s.p50, kO + 100 * kG + 5000e-6, 1e-12);
}

TEST(Serving, DecodesJoinAndScalesApply) {
    // Two requests at 0 (events at one instant are all handled before a replica plans) share the prefill: o + 200 G;
    // decode scale 2 doubles the per-token part.
    auto s = setup({{0.0, 100, 2}, {0.0, 100, 2}});
    s.cost.decode_scale = 2.0;
    s.cost.decode_kv_token_s = 1e-6; // contexts 101 each
    const auto m = run(s);
    EXPECT_NEAR(m.ttft_s.p99, kO + 200 * kG, 1e-12);
    EXPECT_NEAR(m.tpot_s.p50, kO + 2.0 * (2 * kG + 202e-6), 1e-12);
}

TEST(Serving, ReplicasShareTheBurst) {
    // Two requests at 0: one replica prefills both together (o + 200 G), two replicas one each.
    auto s = setup({{0.0, 100, 1}, {0.0, 100, 1}});
    EXPECT_NEAR(run(s, 1).ttft_s.p99, kO + 200 * kG, 1e-12);
    EXPECT_NEAR(run(s, 2).ttft_s.p99, kS, 1e-12);
    s.spec.balancer = LoadBalancer::LeastLoaded;
    EXPECT_NEAR(run(s, 2).ttft_s.p99, kS, 1e-12);
}

TEST(Serving, QueueAtLowLoadIsMD1) {
    // One sequence at a time, one output token: an M/D/1 queue with service S = 0.02 s. At ρ = 0.5
    // the Pollaczek-Khinchine mean wait is ρS / (2(1 − ρ)) = 0.01 s, so TTFT = 0.03 s.
    const json doc = json::parse(R"({"requests": {"synthetic": {"count": 20000, "seed": 7, "rate_per_s": 25,
        "prompt_tokens": 100, "output_tokens": 1}}, "scheduler": {"max_num_seqs": 1, "max_num_batched_tokens": 128}})");
    const auto d = twin::Document::parse(doc.dump(), "t.json");
    TransformerConfig model;
    model.seq = 4096;
    auto s = setup({});
    const auto spec = read_serving_spec(d.root(), model, ".");
    s.spec.requests = spec.requests;
    s.spec.max_num_seqs = 1;
    s.spec.max_num_batched_tokens = 128;
    const auto m = run(s);
    EXPECT_NEAR(m.ttft_s.mean, 0.03, 0.03 * 0.05);
    EXPECT_NEAR(m.gpu_utilisation, 0.5, 0.02);
}

TEST(Serving, TinyKvCachePreempts) {
    // Two requests of 16 + 40 tokens, blocks of 16: each holds at most 16 + 39 = 55 tokens = 4
    // blocks. 8 blocks never preempt; with 7 the second is preempted (recompute) and still finishes.
    auto s = setup({{0.0, 16, 40}, {0.0, 16, 40}});
    s.kv_blocks = 8;
    const auto enough = run(s);
    EXPECT_EQ(enough.preemptions, 0);
    EXPECT_NEAR(enough.peak_kv_occupancy, 1.0, 1e-12);
    s.kv_blocks = 7;
    const auto tight = run(s);
    EXPECT_GE(tight.preemptions, 1);
    EXPECT_EQ(tight.requests, 2);
    EXPECT_GT(tight.e2e_s.p99, enough.e2e_s.p99);
    EXPECT_GT(tight.e2e_s.p99, 0.0);
}

TEST(Serving, DisaggregationPaysTheKvTransfer) {
    // Prefill pool: TTFT = o + 100 G. Transfer ℓ + 100 tokens x 1 MB / 1 GB/s = 1 ms + 100 ms. Then
    // two decodes of o + G on the decode pool: e2e = TTFT + t_x + 2(o + G), TPOT = (t_x + 2(o + G))/2.
    auto s = setup({{0.0, 100, 3}});
    s.spec.prefill_replicas = 1;
    s.spec.decode_replicas = 1;
    s.kv_bytes_per_token_per_gpu = 1e6;
    s.transfer_bandwidth_bytes_per_s = 1e9;
    s.transfer_latency_s = 1e-3;
    const auto m = run(s);
    const double tx = 0.101;
    EXPECT_NEAR(m.ttft_s.p50, kS, 1e-12);
    EXPECT_NEAR(m.mean_kv_transfer_s, tx, 1e-12);
    EXPECT_NEAR(m.e2e_s.p50, kS + tx + 2 * (kO + kG), 1e-12);
    EXPECT_NEAR(m.tpot_s.p50, (tx + 2 * (kO + kG)) / 2, 1e-12);
    EXPECT_EQ(m.replicas, 2);
    EXPECT_EQ(m.gpus, 16);
}

TEST(Serving, CapacityIsTheSmallestReplicaCount) {
    // 8 requests at 0, one sequence at a time, one token each: the k-th on a replica waits k·S.
    // TTFT ≤ 2.5 S for all: round-robin over r replicas puts ceil(8/r) on one, so r = 4 (3 fails).
    std::vector<ServingRequest> reqs(8, ServingRequest{0.0, 100, 1});
    auto s = setup(reqs);
    s.spec.max_num_seqs = 1;
    s.spec.max_num_batched_tokens = 128;
    s.spec.slo_ttft_s = 2.5 * kS;
    s.spec.slo_attainment = 1.0;
    s.spec.capacity_max_replicas = 16;
    const auto c = capacity_search(s, s.cost);
    EXPECT_TRUE(c.met);
    EXPECT_EQ(c.replicas, 4);
    EXPECT_EQ(c.gpus, 32);
    EXPECT_NEAR(c.at.ttft_s.p99, 2 * kS, 1e-12);
    // Bisection from 16 (meets): 8 and 4 meet, 2 (4 a replica) and 3 (3 a replica) fail.
    std::vector<int> probed;
    for (const auto& p : c.explored) {
        probed.push_back(p.replicas);
        EXPECT_EQ(p.gpus, 8 * p.replicas);
        EXPECT_EQ(p.meets, p.replicas >= 4);
    }
    EXPECT_EQ(probed, (std::vector<int>{2, 3, 4, 8, 16}));
    // Two replicas: 8 requests in 4 x S, of which 4 (the first two on each) meet.
    EXPECT_NEAR(c.explored[0].goodput_requests_per_s, 4.0 / (4 * kS), 1e-9);
    EXPECT_NEAR(c.explored[0].slo_attainment, 0.5, 1e-12);
    s.spec.capacity_max_replicas = 3;
    EXPECT_FALSE(capacity_search(s, s.cost).met);
}

TEST(Serving, CalibrationReproducesTheAnchor) {
    auto s = setup({{0.0, 100, 1}});
    s.anchor_batch = 4;
    s.anchor_prompt = 100;
    s.anchor_decode_context = 150;
    s.cost.prefill_pair_s = 1e-7;
    s.cost.decode_kv_token_s = 1e-8;
    const auto c = calibrate_cost(s, 0.5, 0.03);
    EXPECT_NEAR(c.prefill_scale * c.prefill_roofline_s(400, 400 * 50, 0), 0.5, 1e-12);
    EXPECT_NEAR(c.decode_scale * c.decode_roofline_s(0, 4, 600), 0.03, 1e-12);
}

ServingSpec spec_of(const std::string& text) {
    const auto doc = twin::Document::parse(text, "t.json");
    TransformerConfig model;
    model.seq = 4096;
    return read_serving_spec(doc.root(), model, ".");
}

TEST(Serving, GeneratorIsSeededAndBursty) {
    const std::string base = R"({"requests": {"synthetic": {"count": 4000, "rate_per_s": 10, "arrival": "%A",
        "seed": %S, "cv": 3, "prompt_tokens": {"distribution": "uniform", "min": 10, "max": 20},
        "output_tokens": {"distribution": "lognormal", "mean": 50, "sigma": 0.5, "max": 200}}}})";
    const auto make = [&](const std::string& arrival, int seed) {
        std::string t = base;
        t.replace(t.find("%A"), 2, arrival);
        t.replace(t.find("%S"), 2, std::to_string(seed));
        return spec_of(t);
    };
    const auto a = make("gamma", 1);
    const auto b = make("gamma", 1);
    const auto c = make("gamma", 2);
    ASSERT_EQ(a.requests.size(), 4000U);
    EXPECT_EQ(a.requests.back().arrival_s, b.requests.back().arrival_s);
    EXPECT_NE(a.requests.back().arrival_s, c.requests.back().arrival_s);
    // Mean rate ≈ 10/s; gamma with cv 3 has inter-arrival variance cv² / λ² (9x Poisson's).
    double sum = 0.0, sq = 0.0, out = 0.0;
    double prev = 0.0;
    for (const auto& q : a.requests) {
        const double gap = q.arrival_s - prev;
        prev = q.arrival_s;
        sum += gap;
        sq += gap * gap;
        EXPECT_GE(q.prompt_tokens, 10);
        EXPECT_LE(q.prompt_tokens, 20);
        out += static_cast<double>(q.output_tokens);
    }
    const double mean = sum / 4000.0;
    EXPECT_NEAR(mean, 0.1, 0.015);
    EXPECT_NEAR(std::sqrt(sq / 4000.0 - mean * mean) / mean, 3.0, 0.5);
    EXPECT_NEAR(out / 4000.0, 50.0, 2.0);
    // On-off: nothing arrives in the off windows.
    std::string t = base;
    t.replace(t.find(R"("arrival": "%A")"), 15, R"("arrival": "on-off", "on_s": 1, "off_s": 4)");
    t.replace(t.find("%S"), 2, "3");
    t.replace(t.find(R"("cv": 3, )"), 9, "");
    for (const auto& q : spec_of(t).requests) {
        EXPECT_LT(std::fmod(q.arrival_s, 5.0), 1.0);
    }
}

// Request mode on one DGX H100 (the bundled scenario's shape, a tiny trace).
json request_scenario() {
    return json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "llm-inference", "model": {"preset": "llama3-70b"},
        "parallelism": {"tp": 8}, "precision": "fp8",
        "serving": {"requests": {"synthetic": {"count": 20, "seed": 1, "rate_per_s": 2,
          "prompt_tokens": 1000, "output_tokens": 100}},
          "scheduler": {"max_num_batched_tokens": 2048, "max_num_seqs": 64}}}})");
}

Scenario parse(const json& doc) {
    return parse_scenario(doc.dump(), "test.json", ".");
}

TEST(Serving, LoaderBuildsTheSetup) {
    const auto s = parse(request_scenario());
    ASSERT_TRUE(s.trace.info.serving);
    const auto& setup = *s.trace.info.serving;
    // Anchor: mean lengths, B = 64 (fits); KV: 80 layers x 2 x 1 KV head x 128 x 1 byte per GPU.
    EXPECT_EQ(s.trace.name, "Llama-3 70B inference, TP 8, FP8, batch 64 x (1000 + 100) tokens");
    EXPECT_DOUBLE_EQ(setup.kv_bytes_per_token_per_gpu, 80.0 * 2 * 128);
    // Blocks from 0.9 x 80 GB - 70.6e9 / 8 bytes of weights.
    EXPECT_GT(setup.kv_blocks, 100000);
    EXPECT_EQ(setup.cost.grid_tokens.back(), 65536.0);
    for (std::size_t i = 1; i < setup.cost.grid_s.size(); ++i) {
        EXPECT_GE(setup.cost.grid_s[i], setup.cost.grid_s[i - 1]);
    }
}

TEST(Serving, LoaderRejectsBadInput) {
    auto doc = request_scenario();
    auto& sv = doc["workload"]["serving"];
    sv["requests"]["synthetic"]["prompt_tokens"] = -5;
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving/requests/synthetic/prompt_tokens", "");
    doc = request_scenario();
    doc["workload"]["serving"]["scheduler"]["chunked_prefill"] = false;
    doc["workload"]["serving"]["scheduler"]["max_num_batched_tokens"] = 512;
    doc["workload"]["serving"]["scheduler"]["max_num_seqs"] = 8;
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving/scheduler/max_num_batched_tokens",
                       "without chunked prefill the budget (512) must hold a whole prompt");
    doc = request_scenario();
    doc["workload"]["serving"]["scheduler"]["max_num_batched_tokens"] = 32;
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving/scheduler/max_num_batched_tokens",
                       "must be at least max_num_seqs (64)");
    doc = request_scenario();
    doc["workload"]["serving"]["scheduler"]["kv_blocks"] = 10;
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving", "less than the longest request (1100 tokens)");
    doc = request_scenario();
    doc["workload"]["serving"]["replicas"] = 2;
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving", "need 16 GPUs, but the cluster has 8");
    doc = request_scenario();
    doc["workload"]["serving"]["replicas"] = 1;
    doc["workload"]["serving"]["disaggregation"] = {{"prefill_replicas", 1}, {"decode_replicas", 1}};
    EXPECT_INPUT_ERROR(parse(doc), "/workload/serving/replicas", "not both");
    doc = request_scenario();
    doc["workload"]["precision"] = "fp4";
    EXPECT_INPUT_ERROR(parse(doc), "/workload/precision", "H100-SXM has no fp4 peak FLOP rate");
    doc = request_scenario();
    doc["workload"]["batch"] = {{"max_batch", 4}};
    EXPECT_INPUT_ERROR(parse(doc), "/workload/batch", "unknown key");
}

TEST(Serving, Fp8KvHalvesTheBytesSoMoreFitsBeforePreemption) {
    // Llama-3 70B, TP 8: 80 layers x 2 (K, V) x 1 KV head per GPU x 128 x (2 bytes bf16, 1 fp8).
    auto doc = request_scenario();
    doc["workload"]["precision"] = "bf16";
    const auto bf16 = parse(doc);
    const auto fp8 = parse(request_scenario());
    const double e16 = bf16.trace.info.serving->kv_bytes_per_token_per_gpu;
    const double e8 = fp8.trace.info.serving->kv_bytes_per_token_per_gpu;
    EXPECT_DOUBLE_EQ(e16, 80.0 * 2 * 128 * 2);
    EXPECT_DOUBLE_EQ(e8, e16 / 2);
    // From memory: the fp8 weights are half too, so more than twice the blocks.
    EXPECT_GT(fp8.trace.info.serving->kv_blocks, 2 * bf16.trace.info.serving->kv_blocks);
    // One KV budget of 8 fp8 blocks of 16 tokens: 8 blocks in fp8, 4 in bf16. The burst of two
    // 16 + 40 token requests (4 blocks each, TinyKvCachePreempts) fits in fp8 and preempts in bf16.
    const double budget = 8 * 16 * e8;
    auto s = setup({{0.0, 16, 40}, {0.0, 16, 40}});
    s.kv_blocks = static_cast<std::int64_t>(budget / (16 * e8));
    EXPECT_EQ(s.kv_blocks, 8);
    EXPECT_EQ(run(s).preemptions, 0);
    s.kv_blocks = static_cast<std::int64_t>(budget / (16 * e16));
    EXPECT_EQ(s.kv_blocks, 4);
    EXPECT_GE(run(s).preemptions, 1);
}

TEST(Serving, JsonlTraceErrorsNameTheLine) {
    const auto dir = std::filesystem::temp_directory_path() / "clustertwin_serving_test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "t.jsonl");
        f << R"({"arrival_s": 0.5, "prompt_tokens": 10, "output_tokens": 5})"
          << "\n\n"
          << R"({"arrival_s": 0.2, "prompt_tokens": 10, "output_tokens": 5})"
          << "\n";
    }
    const auto d = twin::Document::parse(R"({"requests": {"file": "t.jsonl"}})", "s.json");
    TransformerConfig model;
    model.seq = 4096;
    const auto e = twin::test::input_error_of([&] { (void)read_serving_spec(d.root(), model, dir); });
    EXPECT_EQ(e.file(), (dir / "t.jsonl").string() + ":3");
    EXPECT_EQ(e.pointer(), "/arrival_s");
    EXPECT_NE(e.message().find("arrivals must not decrease"), std::string::npos) << e.message();
    {
        std::ofstream f(dir / "t.jsonl");
        f << R"({"arrival_s": 0.5, "prompt_tokens": 10, "output_tokens": 5})"
          << "\n"
          << R"({"arrival_s": 0.7, "prompt_tokens": 10, "output_tokens": 6})"
          << "\n";
    }
    const auto spec = read_serving_spec(d.root(), model, dir);
    ASSERT_EQ(spec.requests.size(), 2U);
    EXPECT_EQ(spec.requests[1].output_tokens, 6);
    std::filesystem::remove_all(dir);
}

} // namespace
