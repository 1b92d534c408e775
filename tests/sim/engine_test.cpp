// Hand-derived integration tests: each runs one tiny scenario through SimGrid (one test per
// process, see tests/CMakeLists.txt) and compares with a time derived in the comment.
#include "sim_test_util.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>

using twin::test::one_node_scenario;
using twin::test::run_text;
using twin::test::star_scenario;

namespace {
constexpr double kGiB = 1073741824.0;

double rel_err(double got, double want) {
    return std::abs(got - want) / want;
}
} // namespace

// 1 GiB from GPU 0 to GPU 1 inside a node: the route is GPU0 -> NVSwitch -> GPU1, two links of
// 100 GB/s (per direction) with 1 us each (half the 2 us hop). Nothing else shares them:
//   T = 2 us + 2^30 B / 1e11 B/s = 0.010739418 s
TEST(Engine, OneTransferOverNvlink) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "p2p", "ranks": 2,
      "classes": [{"name": "s", "ranks": [0], "program": [{"op": "send", "peer": {"rank": 1}, "size": "1GiB"}]},
                  {"name": "r", "ranks": [1], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "1GiB"}]}]})"));
    const double want = 2e-6 + kGiB / 1e11;
    EXPECT_LT(rel_err(r.simulated_time_s, want), 1e-6) << r.simulated_time_s;
    EXPECT_DOUBLE_EQ(r.gpus[0].communication_s, r.simulated_time_s);
}

// 1 GiB from node 0 to node 1 through the switch: GPU -> NIC (host link 20 GB/s), NIC -> switch
// (10 GB/s), switch -> NIC, NIC -> GPU. Bottleneck 10 GB/s. Latency: 2 x host (500 ns + 1/2 NIC
// 1 us) + 2 x access (100 ns + 1/2 NIC + 1/2 switch 1 us) = 2 x 1 us + 2 x 1.1 us = 4.2 us.
//   T = 4.2 us + 2^30 / 1e10 = 0.1073783824 s
TEST(Engine, OneTransferAcrossTheFabric) {
    const auto r = run_text(star_scenario(2, R"({"schema_version": 1, "name": "p2p", "ranks": 2,
      "classes": [{"name": "s", "ranks": [0], "program": [{"op": "send", "peer": {"rank": 1}, "size": "1GiB"}]},
                  {"name": "r", "ranks": [1], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "1GiB"}]}]})"));
    const double want = 4.2e-6 + kGiB / 1e10;
    EXPECT_LT(rel_err(r.simulated_time_s, want), 1e-6) << r.simulated_time_s;
}

// Ring all-reduce (Simple protocol) of S = 1 GiB on n = 8 GPUs of one node: B = 100 GB/s. Latency
// per NCCL's model (models/src/collective_tuning.hpp): base 8.4 us + 2(n-1) = 14 NVLink steps of
// 3.4 us, plus the physical route latency of the flows (2 us, paid once by the flow model):
//   T = 2(n-1)/n * S/B + 8.4 us + 14 * 3.4 us + 2 us = 0.0187904819 + 58.0e-6 = 0.0188484819 s
TEST(Engine, RingAllReduceInsideANode) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "ar", "ranks": 8,
      "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "all_reduce", "group": "all", "size": "1GiB", "algorithm": "ring", "protocol": "simple"}]}]})"));
    const double want = 1.75 * kGiB / 1e11 + 8.4e-6 + 14 * 3.4e-6 + 2e-6;
    EXPECT_LT(rel_err(r.simulated_time_s, want), 1e-6) << r.simulated_time_s;
    ASSERT_EQ(r.collectives.size(), 1u);
    EXPECT_EQ(r.collectives[0].algorithm, "ring/simple");
}

// Ring all-reduce (Simple) across n = 4 single-GPU nodes on one switch: B = 10 GB/s (access
// links), S = 256 MiB. All 2(n-1) = 6 steps cross the fabric: base 8.4 us + 6 x 9.6 us (NCCL's NET
// ring step), plus the route latency 4.2 us (as in OneTransferAcrossTheFabric):
//   T = 2*3/4 * 2^28 / 1e10 + 8.4 us + 57.6 us + 4.2 us = 0.0402653184 + 70.2e-6 s
TEST(Engine, RingAllReduceAcrossNodes) {
    const auto r = run_text(star_scenario(4, R"({"schema_version": 1, "name": "ar", "ranks": 4,
      "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "all_reduce", "group": "all", "size": "256MiB", "algorithm": "ring", "protocol": "simple"}]}]})"));
    const double want = 1.5 * 268435456.0 / 1e10 + 8.4e-6 + 6 * 9.6e-6 + 4.2e-6;
    EXPECT_LT(rel_err(r.simulated_time_s, want), 1e-6) << r.simulated_time_s;
}

// Roofline: 50 TFLOP at 100 TFLOPS = 0.5 s against 100 GB at 1 TB/s = 0.1 s: compute-bound, 0.5 s.
// Then 1 TFLOP with 400 GB: 0.01 s vs 0.4 s: memory-bound, 0.4 s. Total 0.9 s.
TEST(Engine, ComputeFollowsTheRoofline) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "c", "ranks": 1,
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "compute", "name": "gemm", "flops": "50TFLOP", "bytes": "100GB"},
        {"op": "compute", "name": "elementwise", "flops": "1TFLOP", "bytes": "400GB"}]}]})"));
    EXPECT_NEAR(r.simulated_time_s, 0.9, 1e-12);
    EXPECT_NEAR(r.gpus[0].compute_s, 0.9, 1e-12);
    EXPECT_EQ(r.bound_gpu_s.at("compute"), 0.9);
}

// GPUs 0 and 1 both send 1 GiB to GPU 2 at once: both flows cross GPU 2's NVLink (down), 100 GB/s,
// so each gets 50 GB/s and both end together: T = 2 us + 2^30 / 5e10 = 0.021476837 s.
TEST(Engine, TwoFlowsShareOneBottleneckFairly) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "share", "ranks": 3,
      "classes": [
        {"name": "s", "ranks": [[0, 1]], "program": [{"op": "send", "peer": {"rank": 2}, "size": "1GiB"}]},
        {"name": "r", "ranks": [2], "program": [
          {"op": "recv", "name": "from0", "peer": {"rank": 0}, "size": "1GiB"},
          {"op": "recv", "name": "from1", "peer": {"rank": 1}, "size": "1GiB", "after": []}]}]})"));
    const double want = 2e-6 + kGiB / 5e10;
    EXPECT_LT(rel_err(r.simulated_time_s, want), 1e-6) << r.simulated_time_s;
    EXPECT_DOUBLE_EQ(r.gpus[0].finish_s, r.gpus[1].finish_s);
}

// Compute and an all-reduce that do not depend on each other overlap: the step takes the longer
// of the two, and the GPU counts the overlap as compute.
TEST(Engine, IndependentStepsOverlap) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "ov", "ranks": 8,
      "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "compute", "name": "bwd", "flops": "10TFLOP", "bytes": "1GB"},
        {"op": "all_reduce", "name": "grads", "group": "all", "size": "1GiB", "after": []}]}]})"));
    EXPECT_NEAR(r.simulated_time_s, 0.1, 1e-12); // compute 0.1 s > all-reduce 0.0188 s
    EXPECT_NEAR(r.gpus[3].compute_s, 0.1, 1e-12);
    EXPECT_NEAR(r.gpus[3].communication_s, 0.0, 1e-12);
}

// Repeat blocks run their body `repeat` times in sequence.
TEST(Engine, RepeatBlocksMultiplyTime) {
    const auto r = run_text(one_node_scenario(R"({"schema_version": 1, "name": "rep", "ranks": 2,
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"repeat": 3, "body": [{"repeat": 2, "body": [{"op": "compute", "flops": "1TFLOP", "bytes": "1GB"}]}]}]}]})"));
    EXPECT_NEAR(r.simulated_time_s, 0.06, 1e-12); // 6 x 10 ms
    ASSERT_EQ(r.phases.size(), 1u);
    EXPECT_EQ(r.phases[0].count, 12);
}

namespace {
std::string error_of(const std::string& text) {
    return twin::test::error_of([&] { (void)run_text(text); });
}
} // namespace

TEST(Engine, DeadlockIsAnInputErrorNamingTheStep) {
    const auto msg = error_of(one_node_scenario(R"({"schema_version": 1, "name": "dl", "ranks": 2,
      "classes": [{"name": "a", "ranks": [0], "program": [{"op": "recv", "peer": {"rank": 1}, "size": "1MB"}]},
                  {"name": "b", "ranks": [1], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "1MB"}]}]})"));
    EXPECT_NE(msg.find("deadlock"), std::string::npos) << msg;
    EXPECT_NE(msg.find("test.json: /workload/trace/classes/"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/program/0: deadlock: rank"), std::string::npos) << msg;
}

TEST(Engine, MismatchedCollectivesAreAnInputError) {
    const auto msg = error_of(one_node_scenario(R"({"schema_version": 1, "name": "mm", "ranks": 2,
      "groups": {"all": {}},
      "classes": [{"name": "a", "ranks": [0], "program": [{"op": "all_reduce", "group": "all", "size": "1MB"}]},
                  {"name": "b", "ranks": [1], "program": [{"op": "all_gather", "group": "all", "size": "1MB"}]}]})"));
    EXPECT_NE(msg.find("test.json: /workload/trace/classes/"), std::string::npos) << msg;
    EXPECT_NE(msg.find("but another member called"), std::string::npos) << msg;
}

// Two all-reduces at once, in communicators {0, 2} and {1, 3}: nodes 0 and 1 hang off switch a,
// nodes 2 and 3 off switch b, and a single 10 GB/s cable joins a and b. A 2-member ring all-reduce
// sends S from each member to the other, so both communicators push S through a -> b (and b -> a)
// at the same time: each gets 5 GB/s. With S = 100 MB the bandwidth term is 0.02 s, twice what
// either would take alone; the per-link report carries both (2 S per direction on a <-> b).
TEST(Engine, ConcurrentCollectivesShareALinkAndTheReportShowsIt) {
    const std::string text =
        std::string(R"({"schema_version": 1, "name": "t", "seed": 1,)") + twin::test::kTestCatalog + R"(,
      "topology": {"nodes": [{"type": "T1", "count": 4}],
        "fabric": {"type": "explicit",
          "switches": [{"name": "a", "switch": "TS", "tier": 1}, {"name": "b", "switch": "TS", "tier": 1}],
          "links": [{"from": "node0/nic0", "to": "a", "cable": "TC"}, {"from": "node1/nic0", "to": "a", "cable": "TC"},
                    {"from": "node2/nic0", "to": "b", "cable": "TC"}, {"from": "node3/nic0", "to": "b", "cable": "TC"},
                    {"from": "a", "to": "b", "cable": "TC"}]}},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "two", "ranks": 4,
        "groups": {"pairs": {"members": [[0, 2], [1, 3]]}},
        "classes": [{"name": "w", "ranks": "all", "program": [
          {"op": "all_reduce", "group": "pairs", "size": "100MB", "algorithm": "ring", "protocol": "simple"}]}]}}})";
    const auto scenario = twin::models::parse_scenario(text, "test.json", ".");
    const auto r = twin::sim::run_scenario(scenario);
    // Bandwidth term 2 x 100 MB / 10 GB/s; latency terms are microseconds.
    EXPECT_NEAR(r.simulated_time_s, 0.02, 0.0002) << r.simulated_time_s;
    std::size_t shared = scenario.cluster.links().size();
    for (std::size_t i = 0; i < scenario.cluster.links().size(); ++i) {
        if (scenario.cluster.links()[i].tier == twin::topology::LinkTier::Aggregation) {
            shared = i;
        }
    }
    ASSERT_LT(shared, scenario.cluster.links().size());
    EXPECT_DOUBLE_EQ(r.link_bytes_up[shared], 2 * 100e6);
    EXPECT_DOUBLE_EQ(r.link_bytes_down[shared], 2 * 100e6);
}

// A requested algorithm that cannot run is bad input at the op's "algorithm": the test GPU "T"
// has no NVLink SHARP ("nvls" is false by default).
TEST(Engine, UnsupportedAlgorithmIsAnInputError) {
    const auto msg = error_of(one_node_scenario(R"({"schema_version": 1, "name": "nv", "ranks": 8,
      "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [
        {"op": "all_reduce", "group": "all", "size": "1MB", "algorithm": "nvls"}]}]})"));
    EXPECT_NE(msg.find("test.json: /workload/trace/classes/0/program/0/algorithm: algorithm \"nvls\" cannot run"),
              std::string::npos)
        << msg;
}
