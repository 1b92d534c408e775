// Partial folding's coarse equivalence (models/fold.hpp, "Partial folding"; src/fold_partial.cpp):
// past the cap on exact groups, blocks are grouped by (synchronisation class of their slowest GPU,
// its speed) and each group is stood for by its slowest member. Groups and stand-ins derived by hand.
#include "fold_test_util.hpp"
#include "twin/models/fold.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;
using twin::models::testing::four_nodes;

// TP 2 x DP 8 x PP 2 = 32 ranks: tp {2j, 2j+1}, dp stride 2, pp stride 16. Replica (= block) m
// holds ranks 2m, 2m+1 (stage 0) and 16+2m, 17+2m (stage 1). Stage 1 receives from stage 0 (pp is
// send/recv only), each stage all-reduces over tp, then every rank over dp.
Trace tp2_pp2_dp8() {
    const json compute = {{"op", "compute"}, {"name", "c"}, {"flops", "1TFLOP"}};
    const json tp = {{"op", "all_reduce"}, {"name", "tp"}, {"group", "tp"}, {"size", "1MiB"}};
    const json dp = {{"op", "all_reduce"}, {"name", "dp"}, {"group", "dp"}, {"size", "1MiB"}};
    const json send = {{"op", "send"}, {"name", "a"}, {"peer", {{"group", "pp"}, {"to", "next"}}}, {"size", "1MiB"}};
    const json recv = {{"op", "recv"}, {"name", "a"}, {"peer", {{"group", "pp"}, {"to", "prev"}}}, {"size", "1MiB"}};
    const json j{
        {"schema_version", 1},
        {"name", "tp2-pp2-dp8"},
        {"ranks", 32},
        {"groups",
         {{"tp", {{"size", 2}}}, {"dp", {{"size", 8}, {"stride", 2}}}, {"pp", {{"size", 2}, {"stride", 16}}}}},
        {"classes", json::array({{{"name", "stage0"}, {"ranks", {{0, 15}}}, {"program", {compute, tp, send, dp}}},
                                 {{"name", "stage1"}, {"ranks", {{16, 31}}}, {"program", {recv, compute, tp, dp}}}})}};
    const auto doc = Document::parse(j.dump(), "trace.json");
    return load_trace(doc.root().as_object());
}

TEST(FoldClasses, TensorGroupsAreTheClassesPipelinePeersAreNot) {
    const auto trace = tp2_pp2_dp8();
    const auto fold = plan_fold(trace, four_nodes());
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 8);
    // Block 0 = ranks 0, 1 (stage 0) and 16, 17 (stage 1): one class per stage.
    EXPECT_EQ(sync_classes(fold, trace, {0, 1, 16, 17}), (std::vector<int>{0, 0, 1, 1}));
}

// Speeds per block (positions: stage-0 TP 0, TP 1, stage-1 TP 0, TP 1), with the coarse key
// (class of the slowest GPU, lowest class on ties; its speed) and the delay sum over classes of
// (1 / slowest speed - 1) (gpu: the sum over GPUs):
//   0: healthy                         key none      delay 0
//   1: rank 3 at 0.9                   key (0, 0.9)  delay 1/9
//   2: ranks 4, 5 at 0.9               key (0, 0.9)  delay 1/9, gpu 2/9
//   3: rank 6 and rank 22 at 0.9       key (0, 0.9)  delay 2/9 (tie on speed: class 0)
//   4: rank 24 at 0.8                  key (1, 0.8)  delay 1/4
//   5: rank 26 at 0.9                  key (1, 0.9)  delay 1/9
//   6: rank 12 at 0.8, rank 28 at 0.9  key (0, 0.8)
//   7: healthy                         key none
// Exact grouping: 7 groups ({0, 7} and each other block alone). Past a cap of 2: the coarse
// groups {0, 7} (stand-in 0), {1, 2, 3} (stand-in 3, the largest delay), {4}, {5}, {6}.
TEST(FoldClasses, PastTheCapBlocksGroupBySlowestClassAndTheSlowestMemberStandsIn) {
    auto cluster = four_nodes();
    for (const int r : {3, 4, 5, 6, 22, 26, 28}) {
        cluster.set_gpu_speed(r, 0.9);
    }
    cluster.set_gpu_speed(24, 0.8);
    cluster.set_gpu_speed(12, 0.8);
    const auto trace = tp2_pp2_dp8();
    const auto exact = plan_fold(trace, cluster);
    ASSERT_TRUE(exact.active) << exact.reason;
    EXPECT_EQ(exact.grouping, "exact");
    EXPECT_EQ(exact.simulated_blocks, 7);

    const auto fold = plan_fold(trace, cluster, 2);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.grouping, "slowest synchronisation class");
    EXPECT_EQ(fold.simulated_blocks, 5);
    EXPECT_EQ(fold.stand_in, (std::vector<std::int32_t>{0, 3, 3, 3, 4, 5, 6, 0}));
    EXPECT_EQ(fold.images[0], (std::vector<std::int32_t>{7}));
    EXPECT_EQ(fold.images[3], (std::vector<std::int32_t>{1, 2}));
    EXPECT_TRUE(fold.images[1].empty());
    for (int m = 0; m < 8; ++m) {
        const bool stands_in = m == 0 || m == 3 || m == 4 || m == 5 || m == 6;
        const int weight = m == 0 ? 2 : m == 3 ? 3 : stands_in ? 1 : 0;
        for (const int r : {2 * m, 2 * m + 1, 16 + 2 * m, 17 + 2 * m}) {
            EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], stands_in ? 1 : 0) << r;
            EXPECT_EQ(fold.weight[static_cast<std::size_t>(r)], weight) << r;
        }
    }
    // The dp collective waits for the 5 simulated members of each communicator.
    EXPECT_EQ(fold.simulated_members[static_cast<std::size_t>(fold.family)][0], 5);
}

// Block 0 with a straggler and block 1 with two in the same class at the same speed: equal
// delay (1/9), block 1's GPU sum is larger (2/9), so block 1 stands for block 0, whose ranks are
// then not simulated; the healthy blocks 2..7 fold onto block 2. Exact grouping would leave 3
// groups ({0}, {1}, {2..7}): a cap of 1 forces the coarse one.
TEST(FoldClasses, BlockZeroNeedNotStandIn) {
    auto cluster = four_nodes();
    for (const int r : {0, 2, 3}) {
        cluster.set_gpu_speed(r, 0.9);
    }
    const auto trace = tp2_pp2_dp8();
    EXPECT_EQ(plan_fold(trace, cluster).simulated_blocks, 3);
    const auto fold = plan_fold(trace, cluster, 1);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.stand_in, (std::vector<std::int32_t>{1, 1, 2, 2, 2, 2, 2, 2}));
    EXPECT_EQ(fold.images[1], (std::vector<std::int32_t>{0}));
    EXPECT_EQ(fold.images[2], (std::vector<std::int32_t>{3, 4, 5, 6, 7}));
    for (int r = 0; r < 32; ++r) {
        const int m = (r % 16) / 2;
        EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], m == 1 || m == 2 ? 1 : 0) << r;
    }
    EXPECT_EQ(fold.weight[2], 2);
    EXPECT_EQ(fold.weight[20], 6);
    EXPECT_EQ(fold.weight[0], 0);
}

} // namespace
