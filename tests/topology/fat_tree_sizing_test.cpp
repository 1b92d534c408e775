// The rail-optimized fat-tree's sizing arithmetic alone (topology/src/fat_tree_sizing.hpp): plain
// numbers in, tier sizes out, every expected number derived by hand from the rules in that header.
// Bandwidths are in units of one 400G port (50 GB/s) here; only their ratios matter.
#include "fat_tree_sizing.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>

namespace twin::topology::detail {
namespace {

FatTreeTierSpec tier(const char* pointer, std::int64_t radix = 64, double oversubscription = 1.0) {
    FatTreeTierSpec t;
    t.switch_name = "S64";
    t.radix = radix;
    t.oversubscription = oversubscription;
    t.pointer = pointer;
    return t;
}

// DGX-H100-like nodes: 8 rails, one 400G NIC port per rail; switches of 64 x 400G ports.
FatTreeSizingInput dgx(std::int64_t nodes, int tiers) {
    FatTreeSizingInput in;
    in.file = "test.json";
    in.nodes = nodes;
    in.rails = 8;
    in.nic_ports = 1;
    in.access_bw = 1.0;
    in.up1_bw = 1.0;
    in.up2_bw = 1.0;
    in.tiers = {tier("/f/tiers/0"), tier("/f/tiers/1")};
    if (tiers == 3) {
        in.tiers.push_back(tier("/f/tiers/2"));
    }
    return in;
}

GivenCount given(std::int64_t v, const char* pointer) {
    return GivenCount{v, pointer, std::to_string(v)};
}

// A DGX SuperPOD scalable unit: 32 nodes. Group size N: the largest with d + u <= 64, d = N x 1,
// u = ceil(N / 1) = N: N = 32 (32 + 32 = 64). 1 group, 8 leaves (one per rail).
// Spines: ceil(L x u / 64) = ceil(8 x 32 / 64) = 4; each spine takes 8 x 32 / 4 = 64 ports.
TEST(FatTreeSizing, SuperPodScalableUnit) {
    const FatTreeSize z = size_rail_fat_tree(dgx(32, 2));
    EXPECT_EQ(z.group_size, 32);
    EXPECT_EQ(z.groups, 1);
    EXPECT_EQ(z.leaves, 8);
    EXPECT_EQ(z.leaf_down, 32);
    EXPECT_EQ(z.leaf_up, 32);
    EXPECT_EQ(z.spines_per_pod, 4);
    EXPECT_EQ(z.spines, 4);
    EXPECT_EQ(z.pods, 1);
    EXPECT_EQ(z.cores, 0);
}

// 2:1 at the leaves, groups of 32 given: u = ceil(32 x 1 / (2 x 1)) = 16 uplinks; spines
// ceil(8 x 16 / 64) = 2.
TEST(FatTreeSizing, OversubscribedLeaves) {
    FatTreeSizingInput in = dgx(32, 2);
    in.tiers[0].oversubscription = 2.0;
    in.nodes_per_leaf_group = given(32, "/f/nodes_per_leaf_group");
    const FatTreeSize z = size_rail_fat_tree(in);
    EXPECT_EQ(z.leaf_down, 32);
    EXPECT_EQ(z.leaf_up, 16);
    EXPECT_EQ(z.spines, 2);
}

// 4 SUs (128 nodes) as 2 tiers: N = 32, 4 groups, 32 leaves; spines ceil(32 x 32 / 64) = 16 but
// a leaf has 32 uplinks (16 <= 32: fine) and each spine needs 32 x 32 / 16 = 64 ports: fits.
// With 1 node per group, 128 groups x 8 rails = 1024 leaves > 64 spine ports: refused.
TEST(FatTreeSizing, TwoTiersUpToTheSpineRadix) {
    const FatTreeSize z = size_rail_fat_tree(dgx(128, 2));
    EXPECT_EQ(z.groups, 4);
    EXPECT_EQ(z.leaves, 32);
    EXPECT_EQ(z.spines, 16);
    FatTreeSizingInput small_groups = dgx(128, 2);
    small_groups.nodes_per_leaf_group = given(1, "/f/nodes_per_leaf_group");
    EXPECT_INPUT_ERROR(size_rail_fat_tree(small_groups), "/f/tiers/1/switch",
                       "1024 leaves (128 groups x 8 rails) need spines with at least 1024 ports (one per leaf); S64 "
                       "has 64");
}

// 3 tiers, 256 nodes: N = 32 (as above), 8 groups, 64 leaves; spines per pod default u = 32.
// A spine of a pod of P groups: d2 = ceil(P x 8 x 32 / 32) = 8P down, u2 = 8P up (1:1):
// 16P <= 64 gives P = 4, so 2 pods of 4 groups, d2 = u2 = 32; 64 spines in all.
// Cores per core group: ceil(pods x u2 / 64) = ceil(2 x 32 / 64) = 1, taking 2 x 32 = 64 ports;
// 32 core groups (one per spine position) of 1 core: 32 cores.
TEST(FatTreeSizing, ThreeTiersInPods) {
    const FatTreeSize z = size_rail_fat_tree(dgx(256, 3));
    EXPECT_EQ(z.group_size, 32);
    EXPECT_EQ(z.groups, 8);
    EXPECT_EQ(z.leaves, 64);
    EXPECT_EQ(z.spines_per_pod, 32);
    EXPECT_EQ(z.groups_per_pod, 4);
    EXPECT_EQ(z.pods, 2);
    EXPECT_EQ(z.spine_down, 32);
    EXPECT_EQ(z.spine_up, 32);
    EXPECT_EQ(z.spines, 64);
    EXPECT_EQ(z.cores_per_group, 1);
    EXPECT_EQ(z.cores, 32);
}

// A leaf of radix 1 cannot take even one node: d = 1, u = 1, 2 ports.
TEST(FatTreeSizing, LeafTooSmallForOneNode) {
    FatTreeSizingInput in = dgx(4, 2);
    in.tiers[0].radix = 1;
    EXPECT_INPUT_ERROR(size_rail_fat_tree(in), "/f/tiers/0/switch",
                       "a leaf needs 2 ports for even one node (1 NIC port(s) per rail + 1 up at 1:1); S64 has 1");
}

// "leaf_groups_per_pod" must lie in [1, leaf groups]; 256 nodes make 8 groups.
TEST(FatTreeSizing, PodSizeAboveTheGroups) {
    FatTreeSizingInput in = dgx(256, 3);
    in.leaf_groups_per_pod = given(9, "/f/leaf_groups_per_pod");
    EXPECT_INPUT_ERROR(size_rail_fat_tree(in), "/f/leaf_groups_per_pod", "expected an integer in [1, 8], got 9");
}

// Spine count given above the uplinks of a leaf (32): a leaf could not reach every spine.
TEST(FatTreeSizing, MoreSpinesThanLeafUplinks) {
    FatTreeSizingInput in = dgx(32, 2);
    in.tiers[1].count = given(33, "/f/tiers/1/count");
    EXPECT_INPUT_ERROR(size_rail_fat_tree(in), "/f/tiers/1/count",
                       "33 spines: a leaf has only 32 uplinks, so it cannot reach every spine");
}

} // namespace
} // namespace twin::topology::detail
