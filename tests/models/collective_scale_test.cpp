// Ring, double binary tree and NVLS+Tree all-reduce across 2, 16, 64 and 256 DGX-H100 nodes on
// NDR InfiniBand, and GB200 NVL72 NVLS (issue 14 items 1-2): the planner's estimate against
// numbers derived by hand from the model's equations (collective_ring.cpp, collective_tree.cpp,
// collective_nvls.cpp, collective_tuning.hpp).
//
// Common numbers: n = 8 m GPUs; NIC 50 GB/s x 0.94 = 47 GB/s, 8 rails -> 376 GB/s per node;
// NVLink 450 x 0.822 = 369.9 GB/s; eta(8) = 0.536624 + 8 x 0.00882 = 0.607184 (NVLS algbw 273.2);
// S = 8 GiB; busbw = 2 (n-1)/n S / T. Route latencies (a few us) are below the tolerance.
//   ring:      T = 2 (n-1)/n S / 376 + 8.4 + (2(n-1) - 2(m-1)) x 3.4 + 2(m-1) x 9.6 us
//   tree:      T = S / 188 + 2 (7 x 28 + log2 m x 50) us       (per NIC 2 S/8 each way, m > 2)
//              T = 1.75 S / 369.9 + 2 (196 + 50) us           (m = 2: S/8 per NIC, NVLink chains bind)
//   nvls_tree: T = max(S / (273.2 x 0.8393), b) + 25 + 2 log2 m x 50 us,  b = S/188 (m > 2), S/376 (m = 2)
//   m     ring busbw   tree busbw   nvls_tree busbw
//   2       374.9        391.6         428.6
//   16      367.4        366.7         369.6
//   64      343.8        367.3         370.2
//   256     273.6        366.3         369.2
#include "twin/core/json_reader.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/load.hpp"

#include <gtest/gtest.h>

namespace twin::models {
namespace {

topology::Cluster cluster(const std::string& node, int count, bool fabric) {
    std::string text = R"({"nodes": [{"type": ")" + node + R"(", "count": )" + std::to_string(count) + "}]";
    if (fabric) {
        text += R"(, "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]})";
    }
    const auto doc = Document::parse(text + "}", "test.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

std::vector<int> all_gpus(const topology::Cluster& c) {
    std::vector<int> v;
    for (int i = 0; i < c.gpu_count(); ++i) {
        v.push_back(i);
    }
    return v;
}

double busbw_gbs(const topology::Cluster& c, double s, Algorithm a, Protocol p = Protocol::Auto) {
    const auto members = all_gpus(c);
    const auto plan = plan_collective(CollectiveKind::AllReduce, members, Bytes(s), 0, c, a, p);
    return s / plan.estimate_s * busbw_factor(CollectiveKind::AllReduce, static_cast<int>(members.size())) / 1e9;
}

Algorithm auto_choice(const topology::Cluster& c, double s) {
    return plan_collective(CollectiveKind::AllReduce, all_gpus(c), Bytes(s), 0, c).algorithm;
}

constexpr double kS = 8.0 * 1024 * 1024 * 1024;

struct Scale {
    int nodes;
    double ring, tree, nvls_tree; // busbw [GB/s], table above
};

void PrintTo(const Scale& s, std::ostream* os) {
    *os << s.nodes << " nodes";
}

class CollectiveScale : public ::testing::TestWithParam<Scale> {};

TEST_P(CollectiveScale, RingTreeAndNvlsTreeBusBandwidth) {
    const auto& e = GetParam();
    const auto c = cluster("DGX-H100", e.nodes, true);
    EXPECT_NEAR(busbw_gbs(c, kS, Algorithm::Ring, Protocol::Simple) / e.ring, 1.0, 0.005);
    EXPECT_NEAR(busbw_gbs(c, kS, Algorithm::Tree, Protocol::Simple) / e.tree, 1.0, 0.005);
    EXPECT_NEAR(busbw_gbs(c, kS, Algorithm::NvlsTree) / e.nvls_tree, 1.0, 0.005);
    // NVLS+Tree is the fastest at 8 GiB on every scale (NCCL's default on H100 with NVLS).
    EXPECT_EQ(auto_choice(c, kS), Algorithm::NvlsTree);
}

INSTANTIATE_TEST_SUITE_P(Nodes, CollectiveScale,
                         ::testing::Values(Scale{2, 374.9, 391.6, 428.6}, Scale{16, 367.4, 366.7, 369.6},
                                           Scale{64, 343.8, 367.3, 370.2}, Scale{256, 273.6, 366.3, 369.2}),
                         [](const ::testing::TestParamInfo<Scale>& p) { return std::to_string(p.param.nodes); });

// Ring (Simple) against tree (Simple), the two without NVLS:
//   2 nodes: ring S/200.5 + 122.8 us, tree S/211.4 + 492 us -> the tree wins above
//            369.2 us / (1/200.5 - 1/211.4 per GB/s) = 1.44 GB.
//   16 nodes: same bandwidth term but ring's S/376 x 2 (n-1)/n is 1/128 smaller; ring latency 1058 us,
//            tree 792 us -> the tree wins below 266 us x 376 GB/s x 128 / 2 = 6.4 GB.
//   64 nodes: ring latency 4264 us vs tree 992 us -> the tree wins below ~315 GB (always, here).
TEST(CollectiveScaleCrossover, RingAgainstTree) {
    const auto two = cluster("DGX-H100", 2, true);
    EXPECT_GT(busbw_gbs(two, 1e9, Algorithm::Ring, Protocol::Simple),
              busbw_gbs(two, 1e9, Algorithm::Tree, Protocol::Simple));
    EXPECT_LT(busbw_gbs(two, 2e9, Algorithm::Ring, Protocol::Simple),
              busbw_gbs(two, 2e9, Algorithm::Tree, Protocol::Simple));
    const auto sixteen = cluster("DGX-H100", 16, true);
    EXPECT_LT(busbw_gbs(sixteen, 4e9, Algorithm::Ring, Protocol::Simple),
              busbw_gbs(sixteen, 4e9, Algorithm::Tree, Protocol::Simple));
    EXPECT_GT(busbw_gbs(sixteen, 16e9, Algorithm::Ring, Protocol::Simple),
              busbw_gbs(sixteen, 16e9, Algorithm::Tree, Protocol::Simple));
    const auto sixty_four = cluster("DGX-H100", 64, true);
    EXPECT_LT(busbw_gbs(sixty_four, 32e9, Algorithm::Ring, Protocol::Simple),
              busbw_gbs(sixty_four, 32e9, Algorithm::Tree, Protocol::Simple));
}

// NVL72 (72 GPUs, one NVLink domain, NVLink5 at 900 GB/s): NVLS T = 25 + 72 x 7.624 + S / 435.48 us
// (collective_tuning.hpp, fitted on these two points): 512 MiB -> 1806.7 us, busbw 586.0;
// 8 GiB -> 20299 us, busbw 834.6. At 64 MiB NVLS takes 728 us but ring/LL128 10 + 142 x 1.9 +
// 2 x 71/72 x 64 MiB / (0.92 x 900 x 0.822) = 474 us: the fill hands mid sizes to the ring.
TEST(CollectiveScaleNvl72, NvlsCurveRisesWithSize) {
    const auto c = cluster("GB200-NVL72", 1, false);
    const double mib = 1024.0 * 1024;
    EXPECT_NEAR(busbw_gbs(c, 512 * mib, Algorithm::Auto) / 586.06, 1.0, 0.005);
    EXPECT_NEAR(busbw_gbs(c, kS, Algorithm::Auto) / 834.57, 1.0, 0.005);
    EXPECT_EQ(auto_choice(c, 512 * mib), Algorithm::Nvls);
    EXPECT_EQ(auto_choice(c, kS), Algorithm::Nvls);
    const auto mid = plan_collective(CollectiveKind::AllReduce, all_gpus(c), Bytes(64 * mib), 0, c);
    EXPECT_EQ(mid.algorithm, Algorithm::Ring);
    EXPECT_EQ(mid.protocol, Protocol::LL128);
    const auto nvls = plan_collective(CollectiveKind::AllReduce, all_gpus(c), Bytes(64 * mib), 0, c, Algorithm::Nvls);
    EXPECT_NEAR(nvls.base_latency_s, (25 + 72 * 7.624) * 1e-6, 1e-9);
    EXPECT_NEAR(nvls.estimate_s, 728e-6, 2e-6);
}

// 8 x H100 NVLS keeps Hopper's fit and no fill (its 2-4 GB points absorb it): base latency 25 us.
TEST(CollectiveScaleNvl72, HopperNvlsHasNoFill) {
    const auto c = cluster("DGX-H100", 1, false);
    const auto plan = plan_collective(CollectiveKind::AllReduce, all_gpus(c), Bytes(1e9), 0, c, Algorithm::Nvls);
    EXPECT_NEAR(plan.base_latency_s, 25e-6, 1e-12);
}

} // namespace
} // namespace twin::models
