// Collective decomposition: which flows each algorithm produces, how many bytes they carry, the
// latencies and factors of the contract (collective_plan.hpp), and the Auto choice.
#include "twin/core/json_reader.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>

namespace twin::models {
namespace {

// `count` DGX-H100 nodes (8 GPUs, 8 rails each) on an NDR fat-tree (or DGX-A100 on HDR).
topology::Cluster dgx(int count, const std::string& node = "DGX-H100") {
    const bool a100 = node == "DGX-A100";
    const auto doc =
        Document::parse(R"({"nodes": [{"type": ")" + node + R"(", "count": )" + std::to_string(count) +
                            (a100 ? R"(}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "HDR-DAC",
                 "tiers": [{"switch": "QM8700", "uplink_cable": "HDR-optical"}, {"switch": "QM8700"}]}})"
                                  : R"(}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}})"),
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

double total_extra(const CollectivePlan& p) {
    double t = 0;
    for (const auto& ph : p.phases) {
        t += ph.extra_latency_s;
    }
    return t;
}

TEST(CollectivePlan, RingAllReduceInsideANode) {
    const auto c = dgx(2);
    const auto plan =
        plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(8e6), 0, c, Algorithm::Ring, Protocol::Simple);
    EXPECT_EQ(plan.algorithm, Algorithm::Ring);
    EXPECT_EQ(plan.protocol, Protocol::Simple);
    ASSERT_EQ(plan.phases.size(), 1u);
    const auto& p = plan.phases[0];
    EXPECT_EQ(p.steps, 14); // 2(n-1)
    EXPECT_DOUBLE_EQ(p.byte_factor, 1.0);
    ASSERT_EQ(p.flows.size(), 8u);
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(p.flows[i].src_gpu, i);
        EXPECT_EQ(p.flows[i].dst_gpu, (i + 1) % 8);
        EXPECT_DOUBLE_EQ(p.flows[i].bytes.value(), 2.0 * 7 / 8 * 8e6);
    }
    // NCCL ring/Simple: base 8.4 us, 14 NVLink steps of 3.4 us.
    EXPECT_NEAR(plan.base_latency_s, 8.4e-6, 1e-12);
    EXPECT_NEAR(p.extra_latency_s, 14 * 3.4e-6, 1e-12);
    // Estimate: 14 MB at 450 x 0.822 GB/s + latencies + one NVLink hop (750 ns).
    EXPECT_NEAR(plan.estimate_s, 14e6 / 369.9e9 + 8.4e-6 + 14 * 3.4e-6 + 0.75e-6, 0.2e-6);
}

TEST(CollectivePlan, ProtocolsScaleBytesAndLatency) {
    const auto c = dgx(2);
    const auto ll =
        plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(8e6), 0, c, Algorithm::Ring, Protocol::LL);
    EXPECT_DOUBLE_EQ(ll.phases[0].byte_factor, 4.0); // ring LL all-reduce: 1/4 of the bandwidth
    EXPECT_NEAR(ll.base_latency_s + total_extra(ll), (3.6 + 14 * 0.47) * 1e-6, 1e-12);
    const auto ll128 =
        plan_collective(CollectiveKind::AllGather, iota(0, 8), Bytes(8e6), 0, c, Algorithm::Ring, Protocol::LL128);
    EXPECT_DOUBLE_EQ(ll128.phases[0].byte_factor, 1.0 / 0.92);
    EXPECT_NEAR(ll128.base_latency_s + total_extra(ll128), (10.0 + 7 * 1.9) * 1e-6, 1e-12);
    const auto ll_ag =
        plan_collective(CollectiveKind::AllGather, iota(0, 8), Bytes(8e6), 0, c, Algorithm::Ring, Protocol::LL);
    EXPECT_DOUBLE_EQ(ll_ag.phases[0].byte_factor, 3.0); // single-node all-gather: 1/3
}

// Multi-node ring (NCCL: one channel per rail): 2 nodes x 8, V = 2*15/16 S. GPU k sends 7/8 V to
// GPU k+1 of its node and V/8 to GPU k of the other node.
TEST(CollectivePlan, MultiNodeRingUsesEveryRail) {
    const auto c = dgx(2);
    const double s = 16e6;
    const double v = 2.0 * 15 / 16 * s;
    const auto plan =
        plan_collective(CollectiveKind::AllReduce, iota(0, 16), Bytes(s), 0, c, Algorithm::Ring, Protocol::Simple);
    ASSERT_EQ(plan.phases.size(), 1u);
    const auto& p = plan.phases[0];
    EXPECT_EQ(p.steps, 30);
    ASSERT_EQ(p.flows.size(), 32u);
    int inter = 0;
    for (const auto& f : p.flows) {
        if (c.node_of_gpu(f.src_gpu) == c.node_of_gpu(f.dst_gpu)) {
            EXPECT_EQ(c.local_index(f.dst_gpu), (c.local_index(f.src_gpu) + 1) % 8);
            EXPECT_DOUBLE_EQ(f.bytes.value(), 7.0 / 8 * v);
        } else {
            ++inter;
            EXPECT_EQ(c.local_index(f.src_gpu), c.local_index(f.dst_gpu));
            EXPECT_DOUBLE_EQ(f.bytes.value(), v / 8);
        }
    }
    EXPECT_EQ(inter, 16);
    // 28 NVLink steps of 3.4 us + 2 NET steps of 9.6 us.
    EXPECT_NEAR(p.extra_latency_s, (28 * 3.4 + 2 * 9.6) * 1e-6, 1e-12);
}

TEST(CollectivePlan, OneGpuPerNodeIsAFlatRingAcrossNodes) {
    const auto c = dgx(2);
    const auto plan = plan_collective(CollectiveKind::AllGather, {3, 11}, Bytes(4e6), 0, c, Algorithm::Ring);
    EXPECT_EQ(plan.algorithm, Algorithm::Ring);
    ASSERT_EQ(plan.phases.size(), 1u);
    EXPECT_EQ(plan.phases[0].steps, 1);
    ASSERT_EQ(plan.phases[0].flows.size(), 2u);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 2e6); // (n-1)/n * S
}

TEST(CollectivePlan, UnevenGroupsUseAFlatRingInCommunicatorOrder) {
    const auto c = dgx(2);
    const auto plan = plan_collective(CollectiveKind::ReduceScatter, {0, 1, 8}, Bytes(3e6), 0, c);
    EXPECT_EQ(plan.algorithm, Algorithm::Ring);
    ASSERT_EQ(plan.phases[0].flows.size(), 3u);
    EXPECT_EQ(plan.phases[0].flows[1].src_gpu, 1);
    EXPECT_EQ(plan.phases[0].flows[1].dst_gpu, 8);
    EXPECT_THROW(
        (void)plan_collective(CollectiveKind::ReduceScatter, {0, 1, 8}, Bytes(3e6), 0, c, Algorithm::Hierarchical),
        UnsupportedAlgorithm);
}

// Hierarchical all-reduce over both nodes: reduce-scatter in node (7/8 S per flow, 7 steps),
// all-reduce of S/8 across the 2 nodes per rail (2*1/2 * S/8 per flow, 2 steps), all-gather in node.
TEST(CollectivePlan, HierarchicalAllReduce) {
    const auto c = dgx(2);
    const double s = 16e6;
    const auto plan = plan_collective(CollectiveKind::AllReduce, iota(0, 16), Bytes(s), 0, c, Algorithm::Hierarchical);
    EXPECT_EQ(plan.algorithm, Algorithm::Hierarchical);
    EXPECT_EQ(plan.protocol, Protocol::Simple);
    ASSERT_EQ(plan.phases.size(), 3u);
    EXPECT_EQ(plan.phases[0].flows.size(), 16u);
    EXPECT_EQ(plan.phases[0].steps, 7);
    EXPECT_NEAR(plan.phases[0].extra_latency_s, 7 * 3.4e-6, 1e-12);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 7.0 / 8 * s);
    const auto& inter = plan.phases[1];
    EXPECT_EQ(inter.steps, 2);
    EXPECT_NEAR(inter.extra_latency_s, 2 * 9.6e-6, 1e-12);
    ASSERT_EQ(inter.flows.size(), 16u); // 8 rails x 2-member rings
    for (const auto& f : inter.flows) {
        EXPECT_EQ(c.local_index(f.src_gpu), c.local_index(f.dst_gpu)); // stays on its rail
        EXPECT_NE(c.node_of_gpu(f.src_gpu), c.node_of_gpu(f.dst_gpu));
        EXPECT_DOUBLE_EQ(f.bytes.value(), s / 8);
    }
    EXPECT_EQ(plan.phases[2].label, "intra-node all-gather");
}

// Double binary tree over 4 nodes: tree 0 is 0-2, 2-1, 2-3 (in-order), tree 1 its mirror 3-1, 1-2, 1-0.
TEST(CollectivePlan, DoubleBinaryTreeEdges) {
    const auto c = dgx(4);
    const double s = 64e6;
    const auto plan =
        plan_collective(CollectiveKind::AllReduce, iota(0, 32), Bytes(s), 0, c, Algorithm::Tree, Protocol::Simple);
    ASSERT_EQ(plan.phases.size(), 1u);
    std::map<std::pair<int, int>, double> inter; // (src node, dst node) -> bytes on rail 0
    std::map<int, double> nvlink_out;            // GPU -> bytes sent inside its node
    for (const auto& f : plan.phases[0].flows) {
        const int a = c.node_of_gpu(f.src_gpu);
        const int b = c.node_of_gpu(f.dst_gpu);
        if (a != b) {
            EXPECT_EQ(c.local_index(f.src_gpu), c.local_index(f.dst_gpu));
            if (c.local_index(f.src_gpu) == 0) {
                inter[{a, b}] += f.bytes.value();
            }
        } else {
            nvlink_out[f.src_gpu] += f.bytes.value();
        }
    }
    // Per rail S/8; each tree carries half; edge 1-2 is in both trees.
    const double half = s / 8 / 2;
    const std::map<std::pair<int, int>, double> expected{
        {{0, 2}, half}, {{2, 0}, half}, {{1, 2}, 2 * half}, {{2, 1}, 2 * half}, {{3, 2}, half},
        {{2, 3}, half}, {{3, 1}, half}, {{1, 3}, half},     {{0, 1}, half},     {{1, 0}, half}};
    EXPECT_EQ(inter, expected);
    // Chains: every GPU sends 7/8 S up and 7/8 S down its node's chains.
    for (const auto& [gpu, bytes] : nvlink_out) {
        EXPECT_DOUBLE_EQ(bytes, 2 * 7.0 / 8 * s) << gpu;
    }
    // Latency: tree/Simple base 0 + 2 (7 x 28 + log2(4) x 50) us.
    EXPECT_NEAR(plan.base_latency_s + total_extra(plan), 2 * (7 * 28 + 2 * 50) * 1e-6, 1e-12);
    EXPECT_GE(plan.phases[0].byte_factor, 1.0);
}

// The tree's bandwidth follows from its flows (no 0.9 x ring rule): at 4 nodes each rail's NIC sends
// 2 S/8 each way (interior in one tree), so algbw = 8 x 47 / 2 = 188 GB/s, the same NIC bound as the
// ring's busbw / 2; latency 2 (7 x 28 + 2 x 50) = 592 us of ~21 ms.
TEST(CollectivePlan, TreeBandwidthIsItsPerNicVolume) {
    const auto c = dgx(4);
    const double s = 4e9;
    const auto tree =
        plan_collective(CollectiveKind::AllReduce, iota(0, 32), Bytes(s), 0, c, Algorithm::Tree, Protocol::Simple);
    EXPECT_DOUBLE_EQ(tree.phases[0].byte_factor, 1.0);
    EXPECT_NEAR(tree.estimate_s, s / 188e9 + 592e-6, 5e-6);
}

TEST(CollectivePlan, NvlsInsideANode) {
    const auto c = dgx(1);
    const auto plan = plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(1e9), 0, c, Algorithm::Nvls);
    EXPECT_EQ(plan.protocol, Protocol::Simple);
    ASSERT_EQ(plan.phases.size(), 1u);
    ASSERT_EQ(plan.phases[0].flows.size(), 8u);
    EXPECT_DOUBLE_EQ(plan.phases[0].flows[0].bytes.value(), 1e9); // S each way per GPU
    // byte_factor = scaleup_efficiency / eta(8) = 0.822 / (0.536624 + 8 x 0.008820).
    EXPECT_NEAR(plan.phases[0].byte_factor, 0.822 / (0.536624 + 8 * 0.008820), 1e-9);
    EXPECT_NEAR(plan.base_latency_s, 25e-6, 1e-12);
}

// NVLS+Tree runs both parts at once (one phase): T = max(a / u, b). On 2 DGX-H100 over NDR the NVLS
// part binds: a / u = S / (450 x 0.607184 x 0.8393) = S / 229.3 GB/s against b = S/8 / 47 = S / 376.
TEST(CollectivePlan, NvlsTreeOverlapsNodeAndFabric) {
    const auto c = dgx(2);
    const double s = 1e9;
    const auto plan = plan_collective(CollectiveKind::AllReduce, iota(0, 16), Bytes(s), 0, c, Algorithm::NvlsTree);
    ASSERT_EQ(plan.phases.size(), 1u);
    EXPECT_EQ(plan.phases[0].flows.size(), 16u + 16u); // NVLS ring per node + both directions per rail
    EXPECT_DOUBLE_EQ(plan.phases[0].byte_factor, 1.0);
    const double eta8 = 0.536624 + 8 * 0.008820;
    EXPECT_NEAR(plan.phases[0].flows[0].bytes.value(), s * 0.822 / (eta8 * 0.8393), 1e3);
    // 25 us NVLS + 2 log2(2) x 50 us, then the NVLS part at 229.3 GB/s.
    EXPECT_NEAR(plan.estimate_s, s / (450e9 * eta8 * 0.8393) + 125e-6, 5e-6);
}

TEST(CollectivePlan, UnsupportedAlgorithmsSayWhy) {
    const auto c = dgx(2);
    const auto a100 = dgx(2, "DGX-A100");
    const auto message = [](auto&& f) {
        try {
            f();
        } catch (const UnsupportedAlgorithm& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    EXPECT_EQ(message([&] {
                  (void)plan_collective(CollectiveKind::AllGather, iota(0, 16), Bytes(1e6), 0, c, Algorithm::Tree);
              }),
              "algorithm \"tree\" cannot run this all_gather over 16 GPUs on 2 node(s): tree runs all_reduce only");
    EXPECT_EQ(message([&] {
                  (void)plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(1e6), 0, a100, Algorithm::Nvls);
              }),
              "algorithm \"nvls\" cannot run this all_reduce over 8 GPUs on 1 node(s): nvls needs NVLink SHARP, which "
              "GPU type \"A100-SXM-80GB\" lacks (\"nvls\": false in the catalog)");
    EXPECT_EQ(message([&] {
                  (void)plan_collective(CollectiveKind::AllReduce, iota(0, 16), Bytes(1e6), 0, c, Algorithm::Nvls);
              }),
              "algorithm \"nvls\" cannot run this all_reduce over 16 GPUs on 2 node(s): nvls runs inside one node; "
              "across nodes use nvls_tree");
    EXPECT_THROW((void)plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(1e6), 0, c, Algorithm::Tree),
                 UnsupportedAlgorithm);
    EXPECT_THROW((void)plan_collective(CollectiveKind::Broadcast, iota(0, 8), Bytes(1e6), 0, c, Algorithm::Ring),
                 UnsupportedAlgorithm);
    EXPECT_THROW(
        (void)plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(1e6), 0, c, Algorithm::Nvls, Protocol::LL),
        UnsupportedAlgorithm);
}

TEST(CollectivePlan, ApplicableAlgorithms) {
    const auto c = dgx(2);
    using P = std::pair<Algorithm, Protocol>;
    const auto one_node = applicable_algorithms(CollectiveKind::AllReduce, iota(0, 8), c);
    EXPECT_EQ(one_node, (std::vector<P>{{Algorithm::Ring, Protocol::Simple},
                                        {Algorithm::Ring, Protocol::LL128},
                                        {Algorithm::Ring, Protocol::LL},
                                        {Algorithm::Nvls, Protocol::Simple}}));
    const auto two_nodes = applicable_algorithms(CollectiveKind::AllReduce, iota(0, 16), c);
    EXPECT_EQ(two_nodes.size(), 3u + 3u + 1u + 1u); // ring x3, tree x3, nvls_tree, hierarchical
    EXPECT_EQ(applicable_algorithms(CollectiveKind::AllToAll, iota(0, 4), c),
              (std::vector<P>{{Algorithm::Direct, Protocol::Simple}, {Algorithm::Pairwise, Protocol::Simple}}));
    EXPECT_EQ(applicable_algorithms(CollectiveKind::Broadcast, iota(0, 4), c),
              (std::vector<P>{{Algorithm::Pipeline, Protocol::Simple}}));
}

// Small messages are latency-bound: LL inside a node, the tree (log2 m inter-node steps) across
// 16 nodes; large ones bandwidth-bound: NVLS in a node, NVLS+Tree across nodes (NIC-bound like the
// ring, S/188 GB/s, with 25 + 8 x 50 = 425 us of latency against the ring's 1058 us).
TEST(CollectivePlan, AutoChoosesByMessageSize) {
    const auto one = dgx(1);
    auto p = plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(8), 0, one);
    EXPECT_EQ(p.algorithm, Algorithm::Ring);
    EXPECT_EQ(p.protocol, Protocol::LL);
    p = plan_collective(CollectiveKind::AllReduce, iota(0, 8), Bytes(1024.0 * 1024 * 1024), 0, one);
    EXPECT_EQ(p.algorithm, Algorithm::Nvls);

    const auto sixteen = dgx(16);
    p = plan_collective(CollectiveKind::AllReduce, iota(0, 128), Bytes(8), 0, sixteen);
    EXPECT_EQ(p.algorithm, Algorithm::Tree);
    EXPECT_EQ(p.protocol, Protocol::LL);
    // At 1 GiB: NVLS+Tree 425 us + S/188 = 6.14 ms; ring/LL128 556 us + S/174.3 = 6.72 ms.
    p = plan_collective(CollectiveKind::AllReduce, iota(0, 128), Bytes(1024.0 * 1024 * 1024), 0, sixteen);
    EXPECT_EQ(p.algorithm, Algorithm::NvlsTree);
    const auto big = plan_collective(CollectiveKind::AllReduce, iota(0, 128), Bytes(4e9), 0, sixteen);
    EXPECT_EQ(big.algorithm, Algorithm::NvlsTree);
    // Auto's estimate is the smallest of all candidates.
    for (const auto& [a, pr] : applicable_algorithms(CollectiveKind::AllReduce, iota(0, 128), sixteen)) {
        const auto q =
            plan_collective(CollectiveKind::AllReduce, iota(0, 128), Bytes(1024.0 * 1024 * 1024), 0, sixteen, a, pr);
        EXPECT_GE(q.estimate_s, p.estimate_s) << algorithm_name(a) << " " << protocol_name(pr);
    }
}

TEST(CollectivePlan, BroadcastIsAPipelinedChainFromTheRoot) {
    const auto c = dgx(2);
    const double s = 8e6;
    const auto plan = plan_collective(CollectiveKind::Broadcast, {0, 1, 2, 3}, Bytes(s), 2, c);
    EXPECT_EQ(plan.algorithm, Algorithm::Pipeline);
    ASSERT_EQ(plan.phases[0].flows.size(), 3u);
    EXPECT_EQ(plan.phases[0].flows[0].src_gpu, 2);
    EXPECT_EQ(plan.phases[0].flows[2].dst_gpu, 1);
    EXPECT_EQ(plan.phases[0].steps, 3);
    // Fill: (n-2) chunks of 512 KiB at 369.9 GB/s, plus 3 NVLink steps of 3.4 us.
    EXPECT_NEAR(plan.phases[0].extra_latency_s, 2 * 524288 / 369.9e9 + 3 * 3.4e-6, 1e-8);
}

TEST(CollectivePlan, AllToAllDirectAndPairwise) {
    const auto c = dgx(2);
    const auto direct = plan_collective(CollectiveKind::AllToAll, {0, 1, 2, 3}, Bytes(3e6), 0, c);
    EXPECT_EQ(direct.algorithm, Algorithm::Direct);
    ASSERT_EQ(direct.phases.size(), 1u);
    ASSERT_EQ(direct.phases[0].flows.size(), 12u);
    EXPECT_DOUBLE_EQ(direct.phases[0].flows[0].bytes.value(), 1e6);
    const auto pw = plan_collective(CollectiveKind::AllToAll, {0, 1, 2, 3}, Bytes(3e6), 0, c, Algorithm::Pairwise);
    ASSERT_EQ(pw.phases.size(), 3u);
    for (int k = 1; k <= 3; ++k) {
        const auto& ph = pw.phases[static_cast<std::size_t>(k - 1)];
        ASSERT_EQ(ph.flows.size(), 4u);
        for (int i = 0; i < 4; ++i) {
            EXPECT_EQ(ph.flows[static_cast<std::size_t>(i)].dst_gpu, (i + k) % 4);
            EXPECT_DOUBLE_EQ(ph.flows[static_cast<std::size_t>(i)].bytes.value(), 1e6);
        }
    }
    EXPECT_GT(pw.estimate_s, direct.estimate_s);
}

TEST(CollectivePlan, BusBandwidthFactors) {
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllReduce, 8), 1.75);
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllGather, 8), 0.875);
    EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::Broadcast, 8), 1.0);
}

} // namespace
} // namespace twin::models
