// Building clusters: counts, ids, link parameters, for each fabric kind.
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <gtest/gtest.h>
#include <set>

namespace twin::topology {
namespace {

using testing::load_text;

int links_of_tier(const Cluster& c, LinkTier t) {
    int n = 0;
    for (const auto& l : c.links()) {
        n += l.tier == t ? 1 : 0;
    }
    return n;
}

int switches_of_tier(const Cluster& c, int tier) {
    int n = 0;
    for (int i = 0; i < c.switch_count(); ++i) {
        n += c.graph()[c.switch_vertex(i)].tier == tier ? 1 : 0;
    }
    return n;
}

TEST(Load, OneNodeWithoutFabric) {
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})");
    // 8 GPUs + 1 scale-up switch + 8 NICs; 8 scale-up links + 8 host links; no fabric.
    EXPECT_EQ(c.gpu_count(), 8);
    EXPECT_EQ(c.graph().num_vertices(), 17u);
    EXPECT_EQ(c.links().size(), 16u);
    EXPECT_EQ(c.switch_count(), 0);
    ASSERT_EQ(c.nodes().size(), 1u);
    EXPECT_EQ(c.nodes()[0].first_gpu, 0);
    EXPECT_EQ(c.graph()[c.nodes()[0].scaleup_switch].kind, VertexKind::ScaleUpSwitch);
    // Vertex order inside a node: GPUs, scale-up switch, NICs.
    EXPECT_EQ(c.gpu_vertex(7), 7u);
    EXPECT_EQ(c.nodes()[0].scaleup_switch, 8u);
    EXPECT_EQ(c.nodes()[0].nics[0], 9u);
    EXPECT_EQ(c.vertex_name(c.gpu_vertex(3)), "node0/gpu3");
    EXPECT_EQ(c.nic_of_gpu(3), 3);
    EXPECT_EQ(c.rail_of_gpu(3), 3);
    // Scale-up link: 450 GB/s, half of the 750 ns NVLink hop; host link: min(PCIe 63 GB/s, NIC 50 GB/s).
    const LinkInfo& up = c.links()[0];
    EXPECT_EQ(up.tier, LinkTier::ScaleUp);
    EXPECT_DOUBLE_EQ(up.bandwidth.value(), 450e9);
    EXPECT_NEAR(up.latency.value(), 375e-9, 1e-15);
    const LinkInfo& host = c.links()[8];
    EXPECT_EQ(host.tier, LinkTier::Host);
    EXPECT_EQ(c.cable(8), "PCIe5-x16");
    EXPECT_EQ(c.cable(0), ""); // a scale-up link has no cable type
    EXPECT_DOUBLE_EQ(host.bandwidth.value(), 50e9);
    EXPECT_NEAR(host.latency.value(), 500e-9 + 300e-9, 1e-15); // PCIe + half the NIC's 600 ns
}

TEST(Load, TwoTierScalableUnitCounts) {
    // 32 DGX-H100, QM9700 (64 x 400G), 1:1. A leaf takes N nodes' rail-r NICs (N down ports) and
    // N uplinks; the largest N with 2N <= 64 is 32, so one leaf group of all 32 nodes: 8 leaves
    // (one per rail), each 32 down + 32 up. Spines: 8 x 32 uplinks / 64 ports = 4, and each leaf
    // sends 32 / 4 = 8 parallel links to each spine (spines: 8 leaves x 8 = 64 ports, full).
    // Vertices: 32 x (8 GPUs + 1 NVSwitch + 8 NICs) = 544, + 12 switches = 556.
    // Links: 256 scale-up + 256 host + 256 access + 8 x 32 leaf-spine = 1024.
    const Cluster c = load_text(testing::kSu32);
    EXPECT_EQ(c.gpu_count(), 256);
    EXPECT_EQ(c.graph().num_vertices(), 556u);
    EXPECT_EQ(switches_of_tier(c, 1), 8);
    EXPECT_EQ(switches_of_tier(c, 2), 4);
    EXPECT_EQ(c.links().size(), 1024u);
    EXPECT_EQ(links_of_tier(c, LinkTier::ScaleUp), 256);
    EXPECT_EQ(links_of_tier(c, LinkTier::Host), 256);
    EXPECT_EQ(links_of_tier(c, LinkTier::Access), 256);
    EXPECT_EQ(links_of_tier(c, LinkTier::Aggregation), 256);
    EXPECT_EQ(c.nodes()[7].rack, 1);
    EXPECT_EQ(c.nodes()[5].first_gpu, 40);
    // Every leaf reaches every spine with 8 links; every switch uses all 64 ports.
    for (int i = 0; i < c.switch_count(); ++i) {
        EXPECT_EQ(c.links_of(c.switch_vertex(i)).size(), 64u) << c.vertex_name(c.switch_vertex(i));
    }
    const VertexId leaf3 = c.switch_vertex(3);
    EXPECT_EQ(c.vertex_name(leaf3), "leaf.g0.r3");
    EXPECT_EQ(c.graph()[leaf3].rail, 3);
    std::map<VertexId, int> per_spine;
    for (std::uint32_t l : c.links_of(leaf3)) {
        if (c.links()[l].tier == LinkTier::Aggregation) {
            ++per_spine[c.links()[l].b];
        }
    }
    EXPECT_EQ(per_spine.size(), 4u);
    for (const auto& [spine, n] : per_spine) {
        EXPECT_EQ(n, 8) << c.vertex_name(spine);
    }
    // NIC k of every node is on rail k's leaf; access latency = 10 ns DAC + (600 + 200) / 2 ns.
    const auto& access = c.links()[c.links_of(c.nodes()[31].nics[3]).back()];
    EXPECT_EQ(access.tier, LinkTier::Access);
    EXPECT_EQ(access.b, leaf3);
    EXPECT_NEAR(access.latency.value(), 410e-9, 1e-15);
    EXPECT_EQ(c.link_name(c.links_of(c.nodes()[0].nics[3]).back()), "node0/nic3 <-> leaf.g0.r3");
}

TEST(Load, OversubscribedLeavesHaveHalfTheUplinks) {
    // 2:1 with 32 nodes per leaf group: 32 down ports need 32 x 50 / (2 x 50) = 16 uplinks (48 of
    // 64 ports used); spines = 8 x 16 / 64 = 2, each leaf sends 8 links to each; 128 leaf-spine links.
    const Cluster c = load_text(testing::kSu32Oversubscribed);
    EXPECT_EQ(switches_of_tier(c, 1), 8);
    EXPECT_EQ(switches_of_tier(c, 2), 2);
    EXPECT_EQ(links_of_tier(c, LinkTier::Aggregation), 128);
    EXPECT_EQ(c.links_of(c.switch_vertex(0)).size(), 48u);
    EXPECT_EQ(c.links_of(c.switch_vertex(8)).size(), 64u);
}

TEST(Load, ThreeTierPodsAndPlanes) {
    // 8 nodes, groups of 2 -> 4 groups x 8 rails = 32 leaves, each 2 down + 2 up. Spines per pod
    // default to a leaf's uplinks (2); a pod of 2 groups has 16 leaves, so a spine has 16 x 2 / 2 =
    // 16 down + 16 up. 2 pods -> 4 spines. Cores per core group = 2 pods x 16 / 64 -> 1; 2 groups -> 2 cores
    // with 2 x 16 = 32 ports each. Links: 64 access, 32 x 2 = 64 leaf-spine, 4 x 16 = 64 spine-core.
    const Cluster c = load_text(testing::kThreeTier);
    EXPECT_EQ(switches_of_tier(c, 1), 32);
    EXPECT_EQ(switches_of_tier(c, 2), 4);
    EXPECT_EQ(switches_of_tier(c, 3), 2);
    EXPECT_EQ(links_of_tier(c, LinkTier::Access), 64);
    EXPECT_EQ(links_of_tier(c, LinkTier::Aggregation), 64);
    EXPECT_EQ(links_of_tier(c, LinkTier::Core), 64);
    EXPECT_EQ(c.vertex_name(c.switch_vertex(32 + 3)), "spine.g1.1");
    EXPECT_EQ(c.graph()[c.switch_vertex(32 + 3)].group, 1);
    EXPECT_EQ(c.vertex_name(c.switch_vertex(37)), "core.1");
    // Plane 1 (spine 1 of each pod) uses core 1 only.
    for (VertexId spine : {c.switch_vertex(33), c.switch_vertex(35)}) {
        for (std::uint32_t l : c.links_of(spine)) {
            if (c.links()[l].tier == LinkTier::Core) {
                EXPECT_EQ(c.links()[l].b, c.switch_vertex(37));
            }
        }
    }
    EXPECT_EQ(c.links_of(c.switch_vertex(36)).size(), 32u);
}

TEST(Load, DefaultThreeTierSizingFillsTheSwitches) {
    // 512 DGX-H100 on QM9700 at 1:1: groups of 32 nodes (16 groups, 128 leaves, 32 uplinks each),
    // 32 spines per pod of 64 - 32 = 32 leaves, i.e. 4 groups per pod -> 4 pods, 128 spines;
    // cores per core group = 4 x 32 / 64 = 2, 64 cores.
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 512}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"},
                           {"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    EXPECT_EQ(switches_of_tier(c, 1), 128);
    EXPECT_EQ(switches_of_tier(c, 2), 128);
    EXPECT_EQ(switches_of_tier(c, 3), 64);
    EXPECT_EQ(links_of_tier(c, LinkTier::Core), 128 * 32);
}

TEST(Load, ExplicitFabric) {
    // Two Mini nodes (2 GPUs, 1 NIC), each NIC on its own leaf, leaves joined by 2 links to a spine.
    const Cluster c = load_text(testing::mini_explicit(2, R"(
      "switches": [{"name": "a", "switch": "QM9700", "tier": 1}, {"name": "b", "switch": "QM9700", "tier": 1},
                   {"name": "top", "switch": "SN5600", "tier": 2}],
      "links": [{"from": "node0/nic0", "to": "a", "cable": "NDR-DAC"},
                {"from": "b", "to": "node1/nic0", "cable": "NDR-DAC"},
                {"from": "top", "to": "a", "cable": "800G-optical", "count": 2},
                {"from": "b", "to": "top", "cable": "800G-optical", "count": 2}])"));
    EXPECT_EQ(c.switch_count(), 3);
    EXPECT_EQ(c.vertex_name(c.switch_vertex(2)), "top");
    EXPECT_EQ(c.switch_type(2), "SN5600");
    EXPECT_EQ(links_of_tier(c, LinkTier::Access), 2);
    EXPECT_EQ(links_of_tier(c, LinkTier::Aggregation), 4);
    // "b" -> "node1/nic0" is stored NIC-first; "top" -> "a" leaf-first (lower tier is end a).
    const auto& l1 = c.links()[c.links_of(c.nodes()[1].nics[0]).back()];
    EXPECT_EQ(c.vertex_name(l1.a), "node1/nic0");
    const auto& up = c.links()[c.links_of(c.switch_vertex(0)).back()];
    EXPECT_EQ(c.vertex_name(up.a), "a");
    EXPECT_EQ(c.vertex_name(up.b), "top");
    // min(800G cable, 400G QM9700 port, 800G SN5600 port) = 50 GB/s; 150 ns + (200 + 600) / 2 ns.
    EXPECT_DOUBLE_EQ(up.bandwidth.value(), 50e9);
    EXPECT_NEAR(up.latency.value(), 550e-9, 1e-15);
}

TEST(Load, MixedNodeGroupsNumberNodeMajor) {
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2},
      {"type": "DGX-B200", "count": 2}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    EXPECT_EQ(c.gpu_count(), 32);
    EXPECT_EQ(c.node_of_gpu(17), 2);
    EXPECT_EQ(c.local_index(17), 1);
    EXPECT_EQ(c.gpu_type(17).name, "B200");
    EXPECT_EQ(c.nodes()[3].type, "DGX-B200");
}

TEST(Load, ReadmeExample) {
    // The complete example of topology/README.md (less "schema_version", read by the scenario reader).
    const Cluster c = load_text(R"({
  "catalog": {"cables": {"AOC-30m": {"bandwidth": "400Gbps", "latency": "160ns", "power": "18W"}}},
  "topology": {
    "name": "4 SU",
    "nodes": [{"type": "DGX-H100", "count": 96}, {"type": "DGX-B200", "count": 32}],
    "racks": {"nodes_per_rack": 4},
    "fabric": {
      "type": "rail-optimized-fat-tree",
      "access_cable": "NDR-DAC",
      "nodes_per_leaf_group": 32,
      "leaf_groups_per_pod": 2,
      "tiers": [
        {"switch": "QM9700", "oversubscription": "1:1", "uplink_cable": "AOC-30m"},
        {"switch": "QM9700", "oversubscription": 1, "uplink_cable": "NDR-optical", "count": 32},
        {"switch": "QM9700", "count": 64}
      ]
    }
  }
})");
    EXPECT_EQ(c.gpu_count(), 1024);
    EXPECT_EQ(c.cable(c.links_of(c.switch_vertex(0)).back()), "AOC-30m");
    EXPECT_EQ(summarize(c).tiers.at(2).switches, 64);
}

} // namespace
} // namespace twin::topology
