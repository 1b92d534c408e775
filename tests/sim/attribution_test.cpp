// What holds a step up, and when (sim/src/run_recorder.hpp, RunResult::bound_gpu_s): hand-built
// traces on the test catalog (sim_test_util.hpp: 100 TFLOPS GPUs, NVLink 100 GB/s with a 2 us hop,
// 10 GB/s fabric), expected numbers derived in the comments. One simulation per test (process).
#include "sim_test_util.hpp"

#include <gtest/gtest.h>
#include <numeric>

namespace {

using twin::sim::RunOptions;
using twin::sim::RunResult;

RunResult run_with(const std::string& text, const RunOptions& options) {
    return twin::sim::run_scenario(twin::models::parse_scenario(text, "test.json", "."), options);
}

double total(const RunResult& r) {
    double sum = 0.0;
    for (const auto& [k, v] : r.bound_gpu_s) {
        sum += v;
    }
    return sum;
}

double at(const std::map<std::string, double>& m, const std::string& k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
}

// Three pipeline stages on one node, one micro-batch: each computes 1 TFLOP (10 ms) and sends
// 1 MB to the next (2 us + 1e6 / 1e11 s = 12 us over NVLink).
//   stage 0: compute [0, 10 ms], send [10, 10.012], done: bubble 20.012 ms until the end
//   stage 1: waits for the recv 10 ms (bubble), recv [10, 10.012], compute, send, done: 10 ms tail
//   stage 2: waits 20.012 ms, recv, compute [20.024, 30.024]
//   T = 30.024 ms; compute 3 x 10 ms; bubble 2 x 20.012 + 10 ms... = 60.036 ms - (see below)
// Bubble per stage: s0 = T - 10.012 = 20.012; s1 = 10 + (T - 20.024) = 20.0; s2 = 20.012 ms.
// Communication: s0 12 us, s1 2 x 12 us, s2 12 us. Bubble (60.024 ms) > compute (30 ms): the
// step is bound by the bubble.
const char* kPipeline = R"({"schema_version": 1, "name": "pp", "ranks": 3,
  "classes": [
    {"name": "s0", "ranks": [0], "program": [{"op": "compute", "name": "fwd", "flops": "1TFLOP"},
                                            {"op": "send", "name": "act", "peer": {"rank": 1}, "size": "1MB"}]},
    {"name": "s1", "ranks": [1], "program": [{"op": "recv", "name": "act", "peer": {"rank": 0}, "size": "1MB"},
                                            {"op": "compute", "name": "fwd", "flops": "1TFLOP"},
                                            {"op": "send", "name": "act", "peer": {"rank": 2}, "size": "1MB"}]},
    {"name": "s2", "ranks": [2], "program": [{"op": "recv", "name": "act", "peer": {"rank": 1}, "size": "1MB"},
                                            {"op": "compute", "name": "fwd", "flops": "1TFLOP"}]}]})";

TEST(Attribution, PipelineBubbleLargerThanComputeIsTheBound) {
    RunOptions o;
    o.timeline_ranks = 3;
    const auto r = run_with(twin::test::one_node_scenario(kPipeline), o);
    const double t = 0.030024;
    ASSERT_NEAR(r.simulated_time_s, t, 1e-12);
    EXPECT_NEAR(at(r.bound_gpu_s, "compute"), 0.030, 1e-12);
    EXPECT_NEAR(at(r.bound_gpu_s, "bubble"), 0.020012 + 0.020 + 0.020012, 1e-12);
    EXPECT_NEAR(at(r.bound_gpu_s, "waiting"), 0.0, 1e-15);
    // Everything adds up to 3 GPUs x T.
    EXPECT_NEAR(total(r), 3 * t, 1e-12);
    // The transfers' phase: stage 1 and 2 waited at their recv for 10 and 20.012 ms.
    for (const auto& p : r.phases) {
        if (p.kind == "recv") {
            EXPECT_NEAR(at(p.bound_gpu_s, "bubble"), 0.010 + 0.020012, 1e-12);
        }
    }

    // Timeline: stage 1's recv arrived at 0, started at 10 ms (the send), ended 12 us later.
    ASSERT_EQ(r.timeline.ranks, (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(r.timeline.slices.size(), 7U); // 2 + 3 + 2 ops
    bool found = false;
    for (const auto& s : r.timeline.slices) {
        const auto& op = r.timeline.ops[s.op];
        if (s.rank == 1 && op.kind == "recv") {
            found = true;
            EXPECT_DOUBLE_EQ(s.arrive_s, 0.0);
            EXPECT_NEAR(s.start_s, 0.010, 1e-12);
            EXPECT_NEAR(s.end_s, 0.010012, 1e-12);
            EXPECT_EQ(op.bytes, 1e6);
        }
    }
    EXPECT_TRUE(found);
    for (std::size_t i = 1; i < r.timeline.slices.size(); ++i) {
        EXPECT_LE(r.timeline.slices[i - 1].end_s, r.timeline.slices[i].end_s);
    }

    // Series: shares of each class add up to 1 in every bin; stage 2 idles first, computes last.
    const auto& s = r.series;
    ASSERT_EQ(s.classes.size(), 3U);
    ASSERT_GT(s.bins, 2U);
    EXPECT_EQ(s.bins, static_cast<std::size_t>(std::ceil(r.simulated_time_s / s.bin_s)));
    for (const auto& c : s.classes) {
        ASSERT_EQ(c.compute.size(), s.bins);
        for (std::size_t i = 0; i < s.bins; ++i) {
            EXPECT_NEAR(c.compute[i] + c.communication[i] + c.idle[i], 1.0, 1e-9) << c.name << " bin " << i;
        }
    }
    EXPECT_DOUBLE_EQ(s.classes[2].idle.front(), 1.0);
    EXPECT_DOUBLE_EQ(s.classes[2].compute.back(), 1.0);
    EXPECT_DOUBLE_EQ(s.classes[0].compute.front(), 1.0);
}

// Ring all-reduce of 256 MiB across 4 single-GPU nodes on one switch (engine_test.cpp
// RingAllReduceAcrossNodes: T = 0.0402653184 + 70.2e-6 s). Every GPU communicates the whole step,
// the bottleneck is the 10 GB/s access link: the step is bound by "access". Each access link
// carries 2(n-1)/n x S = 1.5 x 2^28 B each way over T: mean utilisation of the tier (4 links x 2
// directions x 10 GB/s) is 1.5 x 2^28 x 8 / (8e10 x T) = 0.998...; the host tier (20 GB/s) half of it.
TEST(Attribution, FabricBoundAllReduceIsBoundByItsTier) {
    const auto r = run_with(twin::test::star_scenario(4, R"({"schema_version": 1, "name": "ar", "ranks": 4,
      "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "all_reduce", "name": "grads", "group": "all", "size": "256MiB", "algorithm": "ring",
         "protocol": "simple"}]}]})"),
                            RunOptions{});
    const double t = r.simulated_time_s;
    EXPECT_NEAR(total(r), 4 * t, 1e-12);
    EXPECT_GT(at(r.bound_gpu_s, "access"), 0.99 * 4 * t);
    ASSERT_EQ(r.phases.size(), 1U);
    EXPECT_GT(at(r.phases[0].bound_gpu_s, "access"), 0.99 * 4 * t);

    const auto& s = r.series;
    const auto access = std::find_if(s.tiers.begin(), s.tiers.end(), [](const auto& x) { return x.tier == "access"; });
    ASSERT_NE(access, s.tiers.end());
    EXPECT_DOUBLE_EQ(access->capacity_bytes_per_s, 8e10);
    const double mean = 1.5 * 268435456.0 * 8 / (8e10 * t);
    double integral = 0.0;
    for (std::size_t i = 0; i < s.bins; ++i) {
        integral += access->mean[i] * std::min(s.bin_s, t - static_cast<double>(i) * s.bin_s);
        EXPECT_LE(access->mean[i], access->max[i] + 1e-12);
    }
    EXPECT_NEAR(integral / t, mean, 1e-9);
    EXPECT_NEAR(access->max[s.bins / 2], mean, 1e-9); // one group in flight: constant rate
    // links.csv's peak: each access link carried 1.5 x 2^28 B up over T.
    const double peak = *std::max_element(r.link_peak_rate_up.begin(), r.link_peak_rate_up.end());
    EXPECT_NEAR(peak, 1.5 * 268435456.0 / t, 1e-3);
}

// Two ranks of one node: rank 0 computes 10 ms then joins an all-reduce; rank 1 joins at once and
// waits 10 ms for it ("waiting", not a bubble: no transfers in the trace). The all-reduce of 8 B
// then takes its latency.
TEST(Attribution, WaitingForACollectivePeer) {
    const auto r = run_with(twin::test::one_node_scenario(R"({"schema_version": 1, "name": "w", "ranks": 2,
      "groups": {"all": {}},
      "classes": [{"name": "late", "ranks": [0], "program": [{"op": "compute", "flops": "1TFLOP"},
                     {"op": "all_reduce", "name": "sync", "group": "all", "size": "8B"}]},
                  {"name": "early", "ranks": [1], "program": [
                     {"op": "all_reduce", "name": "sync", "group": "all", "size": "8B"}]}]})"),
                            RunOptions{});
    const double t = r.simulated_time_s;
    EXPECT_NEAR(at(r.bound_gpu_s, "waiting"), 0.010, 1e-12);
    EXPECT_NEAR(at(r.bound_gpu_s, "bubble"), 0.0, 1e-15);
    EXPECT_NEAR(total(r), 2 * t, 1e-12);
    for (const auto& p : r.phases) {
        if (p.name == "sync") {
            EXPECT_NEAR(at(p.bound_gpu_s, "waiting"), 0.010, 1e-12);
        }
    }
}

} // namespace

namespace {

// Per-pod series add up to their tier's: every access, leaf-spine and spine-core byte belongs to
// exactly one pod (topology/pods.hpp), so per bin sum over pods of mean x capacity equals the
// tier's. The bundled 4-SU SuperPOD has four leaf groups.
TEST(Attribution, PodSeriesAddUpToTheirTier) {
    const auto s = twin::models::load_scenario(std::string(TWIN_SOURCE_DIR) + "/scenarios/superpod-4su-h100-ndr.json");
    const auto r = twin::sim::run_scenario(s);
    const auto& series = r.series;
    EXPECT_EQ(series.pod_kind, "leaf group");
    for (const std::string tier : {"access", "leaf-spine"}) {
        const twin::sim::TierSeries* whole = nullptr;
        std::vector<const twin::sim::TierSeries*> pods;
        for (const auto& ts : series.tiers) {
            if (ts.tier == tier) {
                (ts.pod < 0 ? whole : pods.emplace_back()) = &ts;
            }
        }
        ASSERT_NE(whole, nullptr) << tier;
        ASSERT_EQ(pods.size(), 4U) << tier;
        double moved = 0.0;
        for (std::size_t i = 0; i < series.bins; ++i) {
            double sum = 0.0, cap = 0.0;
            for (const auto* p : pods) {
                sum += p->mean[i] * p->capacity_bytes_per_s;
                cap += p->capacity_bytes_per_s;
            }
            EXPECT_NEAR(sum, whole->mean[i] * whole->capacity_bytes_per_s, 1e-6 * whole->capacity_bytes_per_s);
            EXPECT_DOUBLE_EQ(cap, whole->capacity_bytes_per_s);
            moved += whole->mean[i];
        }
        EXPECT_GT(moved, 0.0) << tier;
    }
}

} // namespace
