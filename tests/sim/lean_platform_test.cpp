// Lean SimGrid platform (sim/src/platform.hpp; issue 18): hosts and one-direction links are
// created on first use, so a folded run creates them only for the GPUs and cable directions its
// SimGrid flows touch. One engine per process: each test runs alone (gtest_discover_tests).
//
// The cluster: 4 T1 nodes (1 GPU, 1 NIC) on one switch (star_scenario). A fabric route from GPU a
// to GPU b crosses 4 cables: a's host link (GPU to NIC) and a's NIC cable up, b's NIC cable and b's
// host link down. 8 cables, 16 one-direction links in all. Ranks = GPUs; "dp" pairs ranks {0, 2}
// and {1, 3}, so replica 0 is ranks {0, 1} and replica 1 ranks {2, 3}; "tp" is {0, 1}, {2, 3}
// (inside a replica). Folded, block 0 (ranks 0, 1) is simulated and ranks 2, 3 are its images.
#include "platform.hpp"
#include "sim_test_util.hpp"

#include <gtest/gtest.h>
#include <string>

namespace {

using twin::test::star_scenario;

std::string trace(bool dp_all_reduce) {
    std::string program = R"({"op": "all_reduce", "group": "tp", "size": "100MB", "algorithm": "ring",
                              "protocol": "simple"})";
    if (dp_all_reduce) {
        program += R"(, {"op": "all_reduce", "group": "dp", "size": "100MB", "algorithm": "ring",
                         "protocol": "simple"})";
    }
    return R"({"schema_version": 1, "name": "lean", "ranks": 4,
      "groups": {"tp": {"members": [[0, 1], [2, 3]]}, "dp": {"members": [[0, 2], [1, 3]]}},
      "classes": [{"name": "w", "ranks": "all", "program": [)" +
           program + "]}]}";
}

twin::sim::RunResult run(bool dp_all_reduce, bool no_fold) {
    const auto scenario = twin::models::parse_scenario(star_scenario(4, trace(dp_all_reduce)), "test.json", ".");
    twin::sim::RunOptions options;
    options.no_fold = no_fold;
    return twin::sim::run_scenario(scenario, options);
}

// Folded, tp only: SimGrid plays the ring 0 -> 1 -> 0 of block 0 (images 2 <-> 3 are solved by
// the fluid solver). Hosts g0 (also the coordinator's) and g1; links: both directions of the 4
// cables of GPUs 0 and 1 = 8 of 16.
TEST(LeanPlatform, FoldedRunCreatesOnlyTheSimulatedBlock) {
    const auto r = run(false, false);
    ASSERT_EQ(r.fold.simulated_ranks, 2) << "the test needs a folded run";
    const auto counts = twin::sim::last_platform_counts();
    EXPECT_EQ(counts.hosts, 2);
    EXPECT_EQ(counts.links, 8);
}

// The same trace with every rank simulated: all 4 hosts and all 16 links.
TEST(LeanPlatform, UnfoldedRunCreatesEverything) {
    const auto r = run(false, true);
    const auto counts = twin::sim::last_platform_counts();
    EXPECT_EQ(counts.hosts, 4);
    EXPECT_EQ(counts.links, 16);
    EXPECT_GT(r.simulated_time_s, 0.0);
}

// Folded with a dp all-reduce (spanning): its flows out of simulated GPUs are played, 0 -> 2 and
// 1 -> 3, so GPUs 2 and 3 get hosts (destinations), and their cables get their down direction
// only: 8 + 2 x 2 = 12 links; the up directions of GPUs 2 and 3's cables (the flows 2 -> 0 and
// 3 -> 1, sources not simulated) are never created.
TEST(LeanPlatform, SpanningFlowsCreateTheirDestinationsOnly) {
    const auto r = run(true, false);
    ASSERT_EQ(r.fold.simulated_ranks, 2) << "the test needs a folded run";
    const auto counts = twin::sim::last_platform_counts();
    EXPECT_EQ(counts.hosts, 4);
    EXPECT_EQ(counts.links, 12);
}

} // namespace
