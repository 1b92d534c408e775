// Collective decomposition: which flows each algorithm produces, and how many bytes they carry.
#include "twin/core/json_reader.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/load.hpp"

#include <gtest/gtest.h>

namespace twin::models {
namespace {

// Two DGX H100 nodes (16 GPUs, 8 rails) on one leaf group.
topology::Cluster two_nodes() {
    const auto doc = Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 2}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}})",
                                     "test.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

std::vector<int> iota(int from, int n) {
    std::vector<int> v;
    for (int i = 0; i < n; ++i) {
        v.push_back(from + i);
    }
    return v;
}

TEST(CollectivePlan, RingAllReduceInsideANode) {
    const auto c = two_nodes();
    const auto plan = plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(8e6), 0, c);
    EXPECT_EQ(plan.algorithm, "ring");
    ASSERT_EQ(plan.phases.size(), 1u);
    const auto& p = plan.phases[0];
    EXPECT_EQ(p.steps, 14); // 2(n-1)
    ASSERT_EQ(p.flows.size(), 8u);
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(p.flows[i].src_gpu, i);
        EXPECT_EQ(p.flows[i].dst_gpu, (i + 1) % 8);
        EXPECT_DOUBLE_EQ(p.flows[i].bytes.value(), 2.0 * 7 / 8 * 8e6);
    }
}

TEST(CollectivePlan, OneGpuPerNodeIsAFlatRingAcrossNodes) {
    const auto c = two_nodes();
    const auto plan = plan_collective(CollectiveKind::AllGather, {3, 11}, Bytes(4e6), 0, c);
    EXPECT_EQ(plan.algorithm, "ring");
    ASSERT_EQ(plan.phases.size(), 1u);
    EXPECT_EQ(plan.phases[0].steps, 1);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 2e6); // (n-1)/n * S
}

// All-reduce over both nodes: reduce-scatter in node (7/8 S per flow, 7 steps), all-reduce of
// S/8 across the 2 nodes per rail (2*1/2 * S/8 per flow, 2 steps), all-gather in node.
TEST(CollectivePlan, HierarchicalAllReduce) {
    const auto c = two_nodes();
    const double s = 16e6;
    const auto plan = plan_collective(CollectiveKind::AllReduce, iota(0, 16), Bytes(s), 0, c);
    EXPECT_EQ(plan.algorithm, "hierarchical-ring");
    ASSERT_EQ(plan.phases.size(), 3u);
    EXPECT_EQ(plan.phases[0].flows.size(), 16u);
    EXPECT_EQ(plan.phases[0].steps, 7);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 7.0 / 8 * s);
    const auto& inter = plan.phases[1];
    EXPECT_EQ(inter.steps, 2);
    ASSERT_EQ(inter.flows.size(), 16u); // 8 rails x 2-member rings
    for (const auto& f : inter.flows) {
        EXPECT_EQ(c.local_index(f.src_gpu), c.local_index(f.dst_gpu)); // stays on its rail
        EXPECT_NE(c.node_of_gpu(f.src_gpu), c.node_of_gpu(f.dst_gpu));
        EXPECT_DOUBLE_EQ(f.bytes.value(), s / 8);
    }
    EXPECT_EQ(plan.phases[2].label, "intra-node all-gather");
}

TEST(CollectivePlan, UnevenGroupsFallBackToAFlatRing) {
    const auto c = two_nodes();
    const auto plan = plan_collective(CollectiveKind::ReduceScatter, {0, 1, 8}, Bytes(3e6), 0, c);
    EXPECT_EQ(plan.algorithm, "ring");
    EXPECT_EQ(plan.phases[0].flows.size(), 3u);
}

TEST(CollectivePlan, BroadcastIsAChainFromTheRoot) {
    const auto c = two_nodes();
    const auto plan = plan_collective(CollectiveKind::Broadcast, {0, 1, 2, 3}, Bytes(1e6), 2, c);
    ASSERT_EQ(plan.phases[0].flows.size(), 3u);
    EXPECT_EQ(plan.phases[0].flows[0].src_gpu, 2);
    EXPECT_EQ(plan.phases[0].flows[2].dst_gpu, 1);
    EXPECT_EQ(plan.phases[0].steps, 3);
}

TEST(CollectivePlan, AllToAllIsDirect) {
    const auto c = two_nodes();
    const auto plan = plan_collective(CollectiveKind::AllToAll, {0, 1, 2, 3}, Bytes(3e6), 0, c);
    EXPECT_EQ(plan.algorithm, "direct");
    ASSERT_EQ(plan.phases[0].flows.size(), 12u);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 1e6);
}

TEST(CollectivePlan, BusBandwidthFactors) {
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllReduce, 8), 1.75);
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllGather, 8), 0.875);
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::Broadcast, 8), 1.0);
}

} // namespace
} // namespace twin::models
