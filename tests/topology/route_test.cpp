// Routing: hop sequences, ECMP determinism and reachability.
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <gtest/gtest.h>
#include <set>
#include <stdexcept>

namespace twin::topology {
namespace {

using testing::load_text;

// Follows `hops` from src's vertex; true when every hop starts where the last ended and the
// walk ends at dst, going up then down (a valley-free path).
// A PXN route (cluster.hpp, pxn_proxy) first crosses NVLink to the proxy GPU: those two hops
// are followed, then the rest must be valley-free from the proxy.
::testing::AssertionResult is_path(const Cluster& c, int src, int dst, const std::vector<Hop>& hops) {
    VertexId at = c.gpu_vertex(src);
    bool descending = false;
    std::size_t first = 0;
    if (const int proxy = c.pxn_proxy(src, dst); proxy >= 0) {
        const auto nvlink = [&](std::size_t i, int gpu, bool up) {
            return i < hops.size() && hops[i].up == up && c.links()[hops[i].link].tier == LinkTier::ScaleUp &&
                   c.links()[hops[i].link].a == c.gpu_vertex(gpu);
        };
        if (!nvlink(0, src, true) || !nvlink(1, proxy, false)) {
            return ::testing::AssertionFailure() << "a PXN route starts with NVLink to the proxy";
        }
        at = c.gpu_vertex(proxy);
        first = 2;
    }
    for (std::size_t i = first; i < hops.size(); ++i) {
        const Hop& h = hops[i];
        const LinkInfo& l = c.links()[h.link];
        const VertexId from = h.up ? l.a : l.b;
        if (from != at) {
            return ::testing::AssertionFailure()
                   << "hop " << c.link_name(h.link) << " does not start at " << c.vertex_name(at);
        }
        if (h.up && descending) {
            return ::testing::AssertionFailure() << "goes up again after going down at " << c.link_name(h.link);
        }
        descending = descending || !h.up;
        at = h.up ? l.b : l.a;
    }
    if (at != c.gpu_vertex(dst)) {
        return ::testing::AssertionFailure() << "ends at " << c.vertex_name(at);
    }
    return ::testing::AssertionSuccess();
}

std::vector<LinkTier> tiers_of(const Cluster& c, const std::vector<Hop>& hops) {
    std::vector<LinkTier> out;
    for (const Hop& h : hops) {
        out.push_back(c.links()[h.link].tier);
    }
    return out;
}

class RouteThreeTier : public ::testing::Test {
protected:
    const Cluster c = load_text(testing::kThreeTier); // groups of 2 nodes, 2 groups per pod
    std::vector<Hop> hops;
};

TEST_F(RouteThreeTier, InsideANodeThroughTheScaleUpSwitch) {
    c.route(0, 5, hops);
    ASSERT_EQ(hops.size(), 2u);
    EXPECT_EQ(c.links()[hops[0].link].a, c.gpu_vertex(0));
    EXPECT_TRUE(hops[0].up);
    EXPECT_EQ(c.links()[hops[1].link].a, c.gpu_vertex(5));
    EXPECT_FALSE(hops[1].up);
    EXPECT_EQ(tiers_of(c, hops), (std::vector{LinkTier::ScaleUp, LinkTier::ScaleUp}));
    EXPECT_TRUE(is_path(c, 0, 5, hops));
}

TEST_F(RouteThreeTier, SameLeaf) {
    c.route(0, 8, hops); // node0/gpu0 -> node1/gpu0: both on leaf.g0.r0
    EXPECT_EQ(tiers_of(c, hops), (std::vector{LinkTier::Host, LinkTier::Access, LinkTier::Access, LinkTier::Host}));
    EXPECT_EQ(c.vertex_name(c.links()[hops[1].link].b), "leaf.g0.r0");
    EXPECT_TRUE(is_path(c, 0, 8, hops));
}

TEST_F(RouteThreeTier, CrossRailWithoutPxnGoesThroughASpine) {
    const Cluster cluster = load_text(testing::without_pxn(testing::kThreeTier));
    EXPECT_FALSE(cluster.pxn_enabled());
    EXPECT_EQ(cluster.pxn_proxy(0, 9), -1);
    cluster.route(0, 9, hops); // node0/gpu0 (rail 0) -> node1/gpu1 (rail 1)
    EXPECT_EQ(tiers_of(cluster, hops), (std::vector{LinkTier::Host, LinkTier::Access, LinkTier::Aggregation,
                                                    LinkTier::Aggregation, LinkTier::Access, LinkTier::Host}));
    EXPECT_EQ(cluster.vertex_name(cluster.links()[hops[4].link].b), "leaf.g0.r1");
    EXPECT_EQ(cluster.graph()[cluster.links()[hops[2].link].b].tier, 2);
    EXPECT_TRUE(is_path(cluster, 0, 9, hops));
}

// PXN (NCCL_PXN_DISABLE=0): node0/gpu0 -> node1/gpu1 first crosses NVLink to node0/gpu1 (the
// source node's GPU on rail 1), then node0/nic1 -> leaf.g0.r1 -> node1/nic1: one leaf, no spine.
TEST_F(RouteThreeTier, CrossRailWithPxnStaysOnTheDestinationsLeaf) {
    EXPECT_TRUE(c.rail_optimized());
    EXPECT_TRUE(c.pxn_enabled());
    EXPECT_EQ(c.pxn_proxy(0, 9), 1);
    c.route(0, 9, hops);
    EXPECT_EQ(tiers_of(c, hops), (std::vector{LinkTier::ScaleUp, LinkTier::ScaleUp, LinkTier::Host, LinkTier::Access,
                                              LinkTier::Access, LinkTier::Host}));
    EXPECT_EQ(c.vertex_name(c.links()[hops[1].link].a), "node0/gpu1");
    EXPECT_EQ(c.vertex_name(c.links()[hops[2].link].b), "node0/nic1");
    EXPECT_EQ(c.vertex_name(c.links()[hops[3].link].b), "leaf.g0.r1");
    EXPECT_TRUE(is_path(c, 0, 9, hops));
}

// Cross rail and cross leaf group (node0/gpu0 -> node2/gpu3): without PXN leaf.g0.r0 -> spine ->
// leaf.g1.r3; with PXN NVLink to node0/gpu3, then leaf.g0.r3 -> spine -> leaf.g1.r3. Neither
// needs a core (same pod); across pods (node4) both do.
TEST_F(RouteThreeTier, CrossRailAcrossGroupsWithPxnLeavesOnTheDestinationsRail) {
    c.route(0, 19, hops);
    EXPECT_EQ(tiers_of(c, hops),
              (std::vector{LinkTier::ScaleUp, LinkTier::ScaleUp, LinkTier::Host, LinkTier::Access,
                           LinkTier::Aggregation, LinkTier::Aggregation, LinkTier::Access, LinkTier::Host}));
    EXPECT_EQ(c.vertex_name(c.links()[hops[3].link].b), "leaf.g0.r3");
    EXPECT_EQ(c.vertex_name(c.links()[hops[6].link].b), "leaf.g1.r3");
    EXPECT_TRUE(is_path(c, 0, 19, hops));
}

TEST(RoutePxn, TwoTierCrossRailUsesNoSpineLinkWithPxnAndDoesWithout) {
    // 32-node unit: one leaf group, so a rail-local route never leaves its leaf.
    const Cluster with = load_text(testing::kSu32);
    const Cluster without = load_text(testing::without_pxn(testing::kSu32));
    for (int dst_node = 1; dst_node < 32; ++dst_node) {
        for (int rail = 1; rail < 8; ++rail) {
            const int dst = dst_node * 8 + rail;
            std::vector<Hop> a;
            std::vector<Hop> b;
            with.route(0, dst, a);
            without.route(0, dst, b);
            for (const Hop& h : a) {
                ASSERT_NE(with.links()[h.link].tier, LinkTier::Aggregation) << "0 -> " << dst;
            }
            ASSERT_EQ(tiers_of(without, b)[2], LinkTier::Aggregation) << "0 -> " << dst;
            EXPECT_EQ(with.pxn_proxy(0, dst), rail);
        }
    }
}

TEST(RoutePxn, OnlyOnRailOptimizedFabrics) {
    // Both Mini nodes' NICs on one switch: rails mean nothing there, and node types with one NIC
    // have a single rail, so PXN never applies.
    const Cluster c = load_text(testing::mini_explicit(2, R"(
      "switches": [{"name": "a", "switch": "QM9700", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "a", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "a", "cable": "NDR-DAC"}])"));
    EXPECT_TRUE(c.rail_optimized()); // one rail: trivially
    EXPECT_EQ(c.pxn_proxy(0, 3), -1);
    // Two DGX-H100 whose 8 NICs all go to one switch: not rail-optimized, so no PXN.
    const Cluster flat = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
      "fabric": {"type": "explicit", "switches": [{"name": "tor", "switch": "QM9700", "tier": 1}],
        "links": [)" + testing::all_nics_to("tor", 2, 8) +
                                   R"(]}}})");
    EXPECT_FALSE(flat.rail_optimized());
    EXPECT_EQ(flat.pxn_proxy(0, 9), -1);
    std::vector<Hop> hops;
    flat.route(0, 9, hops);
    EXPECT_EQ(hops.size(), 4u); // host, access, access, host: one switch
}

TEST(RouteSeed, TheSeedSaltsEcmp) {
    // Without PXN a cross-rail flow climbs to a spine: 32 equal-cost leaf uplinks each.
    const std::string text = testing::without_pxn(testing::kSu32);
    Cluster a = load_text(text);
    Cluster b = load_text(text);
    Cluster c = load_text(text);
    EXPECT_EQ(a.ecmp_salt(), 0u);
    a.set_ecmp_seed(1);
    b.set_ecmp_seed(1);
    c.set_ecmp_seed(2);
    EXPECT_EQ(a.ecmp_salt(), b.ecmp_salt());
    EXPECT_NE(a.ecmp_salt(), c.ecmp_salt());
    // Same seed, same routes; another seed moves most of the 31 flows to other uplinks (each stays
    // with probability 1/32).
    int moved = 0;
    for (int dst_node = 1; dst_node < 32; ++dst_node) {
        const int dst = dst_node * 8 + 1;
        std::vector<Hop> ha;
        std::vector<Hop> hb;
        std::vector<Hop> hc;
        a.route(0, dst, ha);
        b.route(0, dst, hb);
        c.route(0, dst, hc);
        EXPECT_EQ(ha, hb);
        moved += ha != hc ? 1 : 0;
    }
    EXPECT_GT(moved, 20);
}

TEST_F(RouteThreeTier, CrossLeafInAPodViaSpine) {
    c.route(0, 16, hops); // node0 (group 0) -> node2/gpu0 (group 1, same pod, same rail)
    EXPECT_EQ(hops.size(), 6u);
    EXPECT_EQ(c.graph()[c.links()[hops[2].link].b].group, 0); // a spine of pod 0
    EXPECT_TRUE(is_path(c, 0, 16, hops));
}

TEST_F(RouteThreeTier, CrossPodViaCore) {
    c.route(0, 32, hops); // node0 (pod 0) -> node4/gpu0 (pod 1)
    EXPECT_EQ(tiers_of(c, hops),
              (std::vector{LinkTier::Host, LinkTier::Access, LinkTier::Aggregation, LinkTier::Core, LinkTier::Core,
                           LinkTier::Aggregation, LinkTier::Access, LinkTier::Host}));
    EXPECT_EQ(c.graph()[c.links()[hops[3].link].b].tier, 3);
    EXPECT_TRUE(is_path(c, 0, 32, hops));
}

TEST_F(RouteThreeTier, AppendsToTheCallersVector) {
    c.route(0, 5, hops);
    c.route(0, 8, hops);
    EXPECT_EQ(hops.size(), 6u);
}

TEST_F(RouteThreeTier, AllPairsReachable) {
    for (int s = 0; s < c.gpu_count(); ++s) {
        for (int d = 0; d < c.gpu_count(); ++d) {
            if (s == d) {
                continue;
            }
            hops.clear();
            c.route(s, d, hops);
            ASSERT_TRUE(is_path(c, s, d, hops)) << s << " -> " << d;
            ASSERT_LE(hops.size(), c.pxn_proxy(s, d) >= 0 ? 10u : 8u); // PXN adds 2 NVLink hops
        }
    }
}

TEST_F(RouteThreeTier, SameGpuIsAProgrammerError) {
    EXPECT_THROW(c.route(3, 3, hops), std::logic_error);
    EXPECT_THROW(c.route(0, c.gpu_count(), hops), std::logic_error);
}

TEST(Route, EcmpIsDeterministicAndSpreads) {
    // 32-node unit: a leaf has 32 uplinks (8 parallel to each of 4 spines), all equal cost.
    // Without PXN, so that cross-rail flows climb to the spines.
    const Cluster a = load_text(testing::without_pxn(testing::kSu32));
    const Cluster b = load_text(testing::without_pxn(testing::kSu32));
    std::set<std::uint32_t> first_uplinks;
    std::set<VertexId> spines;
    for (int dst_node = 1; dst_node < 32; ++dst_node) {
        const int src = 0;
        const int dst = dst_node * 8 + 1; // rail 1: leaves differ, so the route climbs to a spine
        std::vector<Hop> ha;
        std::vector<Hop> hb;
        a.route(src, dst, ha);
        b.route(src, dst, hb);
        EXPECT_EQ(ha, hb);
        std::vector<Hop> again;
        a.route(src, dst, again);
        EXPECT_EQ(ha, again);
        ASSERT_EQ(ha.size(), 6u);
        first_uplinks.insert(ha[2].link);
        spines.insert(a.links()[ha[2].link].b);
    }
    EXPECT_GT(first_uplinks.size(), 10u); // 31 flows over 32 parallel choices
    EXPECT_EQ(spines.size(), 4u);
}

TEST(Route, ExplicitFabricUsesShortestPath) {
    // a - top - b, plus a longer detour a - x - y - b that must not be used.
    const Cluster c = load_text(testing::mini_explicit(2, R"(
      "switches": [{"name": "a", "switch": "QM9700", "tier": 1}, {"name": "b", "switch": "QM9700", "tier": 1},
                   {"name": "top", "switch": "QM9700", "tier": 2}, {"name": "x", "switch": "QM9700", "tier": 2},
                   {"name": "y", "switch": "QM9700", "tier": 2}],
      "links": [{"from": "node0/nic0", "to": "a", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "b", "cable": "NDR-DAC"},
                {"from": "a", "to": "top", "cable": "NDR-DAC"}, {"from": "b", "to": "top", "cable": "NDR-DAC"},
                {"from": "a", "to": "x", "cable": "NDR-DAC"}, {"from": "x", "to": "y", "cable": "NDR-DAC"},
                {"from": "y", "to": "b", "cable": "NDR-DAC"}])"));
    std::vector<Hop> hops;
    c.route(1, 2, hops);
    ASSERT_EQ(hops.size(), 6u);
    EXPECT_EQ(c.vertex_name(c.links()[hops[2].link].b), "top");
    EXPECT_TRUE(is_path(c, 1, 2, hops));
}

} // namespace
} // namespace twin::topology
