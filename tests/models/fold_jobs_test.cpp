// Folding jobs of different data-parallel sizes (models/fold.hpp, "Definitions"; issue 18): the
// merged "dp" family has communicators of several sizes, each cut into M blocks of R_c = |c| / M
// positions. Expectations derived by hand from the small traces below.
#include "twin/models/fold.hpp"
#include "twin/models/scenario.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using namespace twin::models;
using nlohmann::json;

// A job of `dp` replicas of 8 ranks: "tp" of 8 (one node), "dp" of `dp` members at stride 8, so
// rank r of the job is replica r / 8 and position r / 8 of "dp" communicator r % 8.
json job(const std::string& name, int first, int dp) {
    const int ranks = 8 * dp;
    json trace = {
        {"schema_version", 1},
        {"name", name},
        {"ranks", ranks},
        {"groups", {{"tp", {{"size", 8}}}, {"dp", {{"size", dp}, {"stride", 8}}}}},
        {"classes",
         json::array({{{"name", "all"},
                       {"ranks", "all"},
                       {"program", json::array({{{"op", "all_reduce"}, {"group", "tp"}, {"size", "1MiB"}},
                                                {{"op", "all_reduce"}, {"group", "dp"}, {"size", "1MiB"}}})}}})}};
    return {{"name", name}, {"gpus", {{"first", first}}}, {"workload", {{"type", "trace"}, {"trace", trace}}}};
}

// `nodes` DGX-H100 on a rail-optimized leaf/spine running `jobs`.
Scenario scenario(int nodes, const json& jobs) {
    json s = json::parse(R"({"schema_version": 1, "name": "fold-jobs", "seed": 1,
      "topology": {"fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
        "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    s["topology"]["nodes"] = json::array({{{"type", "DGX-H100"}, {"count", nodes}}});
    s["jobs"] = jobs;
    return parse_scenario(s.dump(), "fold-jobs.json", ".");
}

TEST(FoldJobs, DataParallelSizesFourAndSixFoldIntoTwoBlocks) {
    // Job a: DP 4 on GPUs 0-31; job b: DP 6 on GPUs 32-79. gcd 2, so M = 2: a's communicators
    // have R = 2 positions per block, b's R = 3.
    const auto s = scenario(10, json::array({job("a", 0, 4), job("b", 32, 6)}));
    const auto fold = plan_fold(s.trace, s.cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 2);
    EXPECT_EQ(fold.replicas, 6); // the largest communicator's
    EXPECT_EQ(fold.block, 3);
    // Block 0: a's replicas 0-1 (ranks 0-15) and b's replicas 0-2 (ranks 32-55).
    for (int r = 0; r < 80; ++r) {
        const bool sim = r < 16 || (r >= 32 && r < 56);
        EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], sim ? 1 : 0) << r;
        EXPECT_EQ(fold.weight[static_cast<std::size_t>(r)], sim ? 2 : 0) << r;
    }
    // a: rank 5 (position 0) -> position 2 = rank 21; rank 13 (position 1) -> position 3 = rank 29.
    EXPECT_EQ(fold.image(s.trace, 5, 1), 21);
    EXPECT_EQ(fold.image(s.trace, 13, 1), 29);
    // b: rank 43 (communicator 3, position 1) -> position 4 = rank 32 + 4·8 + 3 = 67; rank 55
    // (position 2) -> position 5 = rank 79; and back.
    EXPECT_EQ(fold.image(s.trace, 43, 1), 67);
    EXPECT_EQ(fold.image(s.trace, 55, 1), 79);
    EXPECT_EQ(fold.image(s.trace, 67, 0), 43);
    EXPECT_EQ(fold.block_of(s.trace, 55), 0);
    EXPECT_EQ(fold.block_of(s.trace, 56), 1);
    EXPECT_EQ(fold.block_of(s.trace, 16), 1);
    // "dp" spans the blocks: a's 8 communicators wait for 2 simulated members, b's 8 for 3.
    const auto& dp = fold.simulated_members[static_cast<std::size_t>(fold.family)];
    ASSERT_EQ(dp.size(), 16U);
    EXPECT_EQ(dp[0], 2);
    EXPECT_EQ(dp[15], 3);
    // A tensor-parallel flow of b's replica 0 is imaged onto b's replica 3 (ranks + 24).
    CollectivePlan plan;
    plan.phases.resize(1);
    plan.phases[0].flows = {Flow{32, 33, twin::Bytes{100}}};
    const auto imaged = image_plan(plan, fold, s.trace);
    ASSERT_EQ(imaged.phases[0].flows.size(), 2U);
    EXPECT_EQ(imaged.phases[0].flows[1].src_gpu, 56);
    EXPECT_EQ(imaged.phases[0].flows[1].dst_gpu, 57);
}

TEST(FoldJobs, SizesWithGreatestCommonDivisorOneStayUnfolded) {
    // DP 4 and DP 3: no number of blocks > 1 divides both.
    const auto s = scenario(7, json::array({job("a", 0, 4), job("b", 32, 3)}));
    const auto fold = plan_fold(s.trace, s.cluster);
    EXPECT_FALSE(fold.active);
    EXPECT_EQ(fold.reason, "\"dp\" communicators differ in size (3, 4 replicas) and no number of blocks > 1 divides "
                           "every size (greatest common divisor 1)");
}

TEST(FoldJobs, AStragglerInOneJobSimulatesItsBlockForBothJobs) {
    // DP 4 (GPUs 0-31) and DP 8 (GPUs 32-95): M = 4, R = 1 for a, 2 for b. GPU 70 is b's position
    // 4 (block 2); blocks 1 and 3 fold onto block 0, block 2 is simulated for itself.
    auto s = scenario(12, json::array({job("a", 0, 4), job("b", 32, 8)}));
    s.cluster.set_gpu_speed(70, 0.5);
    const auto fold = plan_fold(s.trace, s.cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 4);
    EXPECT_EQ(fold.simulated_blocks, 2);
    EXPECT_EQ(fold.stand_in, (std::vector<std::int32_t>{0, 0, 2, 0}));
    for (int r = 0; r < 96; ++r) {
        const bool block0 = r < 8 || (r >= 32 && r < 48);
        const bool block2 = (r >= 16 && r < 24) || (r >= 64 && r < 80);
        EXPECT_EQ(fold.weight[static_cast<std::size_t>(r)], block0 ? 3 : block2 ? 1 : 0) << r;
    }
    EXPECT_EQ(fold.simulated_members[static_cast<std::size_t>(fold.family)][8], 4); // b's: positions 0, 1, 4, 5
}

TEST(FoldJobs, AFailedCheckTriesFewerBlocks) {
    // One job, DP 4, on nodes of alternating GPU types: with M = 4 replica 1 (a DGX-B200) would be
    // the image of replica 0 (a DGX-H100); with M = 2 block 0 (H100, B200) maps onto block 1
    // (H100, B200) and the run folds.
    json s = json::parse(R"({"schema_version": 1, "name": "mixed", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}, {"type": "DGX-B200", "count": 1},
                             {"type": "DGX-H100", "count": 1}, {"type": "DGX-B200", "count": 1}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
        "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    s["jobs"] = json::array({job("a", 0, 4)});
    const auto sc = parse_scenario(s.dump(), "mixed.json", ".");
    const auto fold = plan_fold(sc.trace, sc.cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 2);
    EXPECT_EQ(fold.image(sc.trace, 9, 1), 25);
}

} // namespace
