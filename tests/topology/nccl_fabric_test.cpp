// Issue #3 (fabrics that match NCCL): GB200 NVL72 racks with NICs sharing rails, the "rails" and
// "planes" keys of the rail-optimized fat-tree, fabric technology and per-link efficiency,
// adaptive routing, and their bad inputs.
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <set>

namespace twin::topology {
namespace {

using testing::load_text;
using testing::mini_explicit;

// `racks` GB200 NVL72 racks, 2 tiers of Q3400 (144 x 800G): NICs at 400G (NDR-DAC), uplinks at
// 800G (XDR-optical). `extra` goes into the fabric object.
std::string nvl72(int racks, const std::string& extra) {
    return R"({"topology": {"nodes": [{"type": "GB200-NVL72", "count": )" + std::to_string(racks) +
           R"(}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", )" + extra +
           R"("tiers": [{"switch": "Q3400", "uplink_cable": "XDR-optical"}, {"switch": "Q3400"}]}}})";
}

// 2-tier QM9700 fabric of `count` nodes of `type` (a catalog "nodes" entry may come with `catalog`).
std::string fabric_of(const std::string& type, int count, const std::string& extra, const std::string& catalog = "") {
    return "{" + catalog + R"("topology": {"nodes": [{"type": ")" + type + R"(", "count": )" + std::to_string(count) +
           R"(}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", )" + extra +
           R"("tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})";
}

// H100 nodes with 8 NICs of 2 x 200G ports (for 2 planes) and the same with 1 x 200G (ConnectX-6).
const std::string kPlaneCatalog = R"("catalog": {
  "nics": {"CX-2x200": {"port_bandwidth": "200Gbps", "ports": 2, "latency": "600ns", "power": "25W"}},
  "nodes": {"H100-2port": {"gpu": "H100-SXM", "gpus": 8, "nic": "CX-2x200", "nics": 8,
                           "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 4, "host_link": "PCIe5-x16",
                           "other_power": "4400W"},
            "H100-1port": {"gpu": "H100-SXM", "gpus": 8, "nic": "ConnectX-6", "nics": 8,
                           "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 4, "host_link": "PCIe5-x16",
                           "other_power": "4400W"}}}, )";

std::string c_name(const Cluster& c, int switch_index) {
    return c.vertex_name(c.switch_vertex(switch_index));
}

std::map<LinkTier, int> links_by_tier(const Cluster& c) {
    std::map<LinkTier, int> out;
    for (const auto& l : c.links()) {
        ++out[l.tier];
    }
    return out;
}

std::map<int, int> switches_by_tier(const Cluster& c) {
    std::map<int, int> out;
    for (int i = 0; i < c.switch_count(); ++i) {
        ++out[c.graph()[c.switch_vertex(i)].tier];
    }
    return out;
}

// --- catalog ---------------------------------------------------------------------------------

TEST(NcclCatalog, Gb200AndEfficiencies) {
    const Catalog cat = Catalog::builtin();
    const GpuType& gb = cat.gpus.at("GB200");
    EXPECT_DOUBLE_EQ(gb.peak_flops.at(Precision::BF16).value(), 2500e12);
    EXPECT_DOUBLE_EQ(gb.peak_flops.at(Precision::FP8).value(), 5000e12);
    EXPECT_DOUBLE_EQ(gb.peak_flops.at(Precision::FP4).value(), 10000e12);
    EXPECT_DOUBLE_EQ(gb.hbm_capacity.value(), 186e9);
    EXPECT_DOUBLE_EQ(gb.scaleup_bandwidth.value(), 900e9);
    EXPECT_DOUBLE_EQ(gb.max_power.value(), 1200);
    EXPECT_TRUE(gb.nvls);
    EXPECT_DOUBLE_EQ(cat.gpus.at("H100-SXM").scaleup_efficiency, 0.822);
    EXPECT_TRUE(cat.gpus.at("H100-SXM").nvls);
    EXPECT_DOUBLE_EQ(cat.gpus.at("A100-SXM-80GB").scaleup_efficiency, 0.775);
    EXPECT_FALSE(cat.gpus.at("A100-SXM-80GB").nvls);
    EXPECT_DOUBLE_EQ(cat.nics.at("ConnectX-7").efficiency, 0.94);
    EXPECT_DOUBLE_EQ(cat.nics.at("ConnectX-6").efficiency, 0.96);
    EXPECT_DOUBLE_EQ(cat.nics.at("ConnectX-8").port_bandwidth.value(), 100e9);
    EXPECT_DOUBLE_EQ(cat.nics.at("BlueField-3-SuperNIC").port_bandwidth.value(), 50e9);
    EXPECT_EQ(cat.switches.at("Q3400").radix, 144);
    EXPECT_DOUBLE_EQ(cat.switches.at("Q3400").port_bandwidth.value(), 100e9);
    EXPECT_DOUBLE_EQ(cat.cables.at("XDR-DAC").bandwidth.value(), 100e9);
    EXPECT_DOUBLE_EQ(cat.cables.at("XDR-optical").bandwidth.value(), 100e9);
    EXPECT_DOUBLE_EQ(cat.cables.at("PCIe6-x16").bandwidth.value(), 128e9);
    // Defaults when a catalog entry leaves them out.
    EXPECT_DOUBLE_EQ(GpuType{}.scaleup_efficiency, 1.0);
    EXPECT_FALSE(GpuType{}.nvls);
    EXPECT_DOUBLE_EQ(NicType{}.efficiency, 1.0);
}

TEST(NcclCatalog, Nvl72IsOneScaleUpDomainWith72NicsOn4Rails) {
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "GB200-NVL72", "count": 1}]}})");
    ASSERT_EQ(c.gpu_count(), 72);
    ASSERT_EQ(c.nodes().size(), 1u);
    EXPECT_EQ(c.nodes()[0].nics.size(), 72u);
    const NodeType& nt = c.catalog().nodes.at("GB200-NVL72");
    EXPECT_EQ(nt.rail_count(), 4);
    EXPECT_EQ(nt.scaleup_switches, 18);
    std::map<int, int> per_rail;
    for (VertexId nic : c.nodes()[0].nics) {
        ++per_rail[c.graph()[nic].rail];
    }
    EXPECT_EQ(per_rail, (std::map<int, int>{{0, 18}, {1, 18}, {2, 18}, {3, 18}}));
    // GPU i sends through NIC i, on rail i mod 4.
    EXPECT_EQ(c.nic_of_gpu(13), 13);
    EXPECT_EQ(c.rail_of_gpu(13), 1);
    // Any two of the 72 GPUs talk over NVLink: one scale-up hop each way.
    std::vector<Hop> hops;
    c.route(0, 71, hops);
    ASSERT_EQ(hops.size(), 2u);
    EXPECT_EQ(c.links()[hops[0].link].tier, LinkTier::ScaleUp);
    EXPECT_EQ(c.links()[hops[1].link].tier, LinkTier::ScaleUp);
    // 120 kW typical (72 x 1200 W + 72 x 25 W + 36 x 150 W + 26.4 kW), 132 kW maximum (power shelf).
    EXPECT_NEAR(summarize(c).it_power_typical.value(), 120e3, 1);
    EXPECT_NEAR(summarize(c).it_power_max.value(), 132e3, 1);
    EXPECT_DOUBLE_EQ(summarize(c).scaleup_bandwidth_per_gpu.value(), 900e9);
}

// --- NICs sharing rails ----------------------------------------------------------------------

TEST(NcclRails, EightNvl72RacksOnA800G400GFabric) {
    // 4 racks per leaf group: a leaf has 4 racks x 18 NICs of its rail = 72 down ports at 400G and
    // u = 72 x 50 / 100 = 36 up at 800G (108 of 144 ports); 2 groups x 4 rails = 8 leaves;
    // S = ceil(8 x 36 / 144) = 2 spines, each 8 x 36 / 2 = 144 ports (full).
    const Cluster c = load_text(nvl72(8, R"("nodes_per_leaf_group": 4, "rails": 4, )"));
    EXPECT_EQ(c.gpu_count(), 576);
    EXPECT_EQ(switches_by_tier(c), (std::map<int, int>{{1, 8}, {2, 2}}));
    const auto links = links_by_tier(c);
    EXPECT_EQ(links.at(LinkTier::Access), 576);
    EXPECT_EQ(links.at(LinkTier::Aggregation), 8 * 36);
    const Summary s = summarize(c);
    ASSERT_EQ(s.tiers.size(), 2u);
    EXPECT_EQ(s.tiers[0].ports_used, 8 * (72 + 36));
    EXPECT_EQ(s.tiers[1].ports_used, 2 * 144);
    EXPECT_DOUBLE_EQ(s.tiers[0].oversubscription, 1.0);
    // Leaf of rail 1 in group 1 holds NIC 1, 5, ... of racks 4..7.
    const VertexId nic = c.nodes()[5].nics[9]; // rail 1
    const auto at = c.links_of(nic);
    std::vector<std::uint32_t> access;
    std::copy_if(at.begin(), at.end(), std::back_inserter(access),
                 [&](std::uint32_t l) { return c.links()[l].tier == LinkTier::Access; });
    ASSERT_EQ(access.size(), 1u);
    EXPECT_EQ(c.vertex_name(c.links()[access[0]].b), "leaf.g1.r1");
    EXPECT_DOUBLE_EQ(c.links()[access[0]].bandwidth.value(), 50e9);
    // Rack 0 GPU 0 -> rack 4 GPU 0 (same rail, other group): through a spine.
    std::vector<Hop> hops;
    c.route(0, 4 * 72, hops);
    ASSERT_EQ(hops.size(), 6u);
    EXPECT_EQ(c.links()[hops[2].link].tier, LinkTier::Aggregation);
    // Rack 0 GPU 0 -> rack 1 GPU 4 (rail 0, same group): one leaf.
    hops.clear();
    c.route(0, 72 + 4, hops);
    ASSERT_EQ(hops.size(), 4u);
    EXPECT_EQ(c.vertex_name(c.links()[hops[1].link].b), "leaf.g0.r0");
}

TEST(NcclRails, DefaultGroupFitsTheLeaf) {
    // 18 N down + ceil(9 N) up <= 144 -> N = 5 racks per leaf group.
    const Cluster c = load_text(nvl72(8, ""));
    EXPECT_EQ(switches_by_tier(c).at(1), 8);
    EXPECT_EQ(c.vertex_name(c.links()[c.links_of(c.nodes()[5].nics[0]).back()].b), "leaf.g1.r0");
    EXPECT_EQ(c.vertex_name(c.links()[c.links_of(c.nodes()[4].nics[0]).back()].b), "leaf.g0.r0");
}

// --- link efficiency -------------------------------------------------------------------------

double efficiency_of(const Cluster& c, LinkTier tier) {
    for (const auto& l : c.links()) {
        if (l.tier == tier) {
            return l.efficiency;
        }
    }
    ADD_FAILURE() << "no " << link_tier_name(tier) << " link";
    return 0;
}

TEST(NcclEfficiency, PerTierOnInfiniBand) {
    const Cluster c = load_text(testing::kThreeTier);
    EXPECT_EQ(c.technology(), "infiniband");
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::ScaleUp), 0.822);
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::Host), 1.0);
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::Access), 0.94);
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::Aggregation), 0.94);
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::Core), 0.94);
    const Summary s = summarize(c);
    EXPECT_EQ(s.technology, "infiniband");
    EXPECT_DOUBLE_EQ(s.scaleout_effective_bandwidth_per_gpu.value(), 47e9); // 50 GB/s x 0.94
    const std::string text = format_summary(s);
    EXPECT_NE(text.find("infiniband, ecmp routing"), std::string::npos) << text;
    EXPECT_NE(text.find("47.0 GB/s"), std::string::npos) << text;
}

TEST(NcclEfficiency, RoceSpectrumXAndOverride) {
    const double roce = 330.0 / 376.0;
    const Cluster r = load_text(fabric_of("DGX-H100", 2, R"("technology": "roce", )"));
    EXPECT_EQ(r.technology(), "roce");
    EXPECT_DOUBLE_EQ(efficiency_of(r, LinkTier::Access), 0.94 * roce);
    EXPECT_DOUBLE_EQ(efficiency_of(r, LinkTier::Aggregation), 0.94 * roce);
    EXPECT_DOUBLE_EQ(efficiency_of(r, LinkTier::ScaleUp), 0.822);
    EXPECT_NEAR(summarize(r).scaleout_effective_bandwidth_per_gpu.value(), 41.25e9, 1); // 330 / 8 GB/s

    const Cluster x = load_text(fabric_of("DGX-H100", 2, R"("technology": "spectrum-x", )"));
    EXPECT_DOUBLE_EQ(efficiency_of(x, LinkTier::Access), 0.94);

    const Cluster o = load_text(fabric_of("DGX-H100", 2, R"("technology": "roce", "link_efficiency": 0.8, )"));
    EXPECT_DOUBLE_EQ(efficiency_of(o, LinkTier::Access), 0.8);
    EXPECT_DOUBLE_EQ(efficiency_of(o, LinkTier::Aggregation), 0.8);
    EXPECT_DOUBLE_EQ(efficiency_of(o, LinkTier::ScaleUp), 0.822); // not a fabric link
    EXPECT_DOUBLE_EQ(efficiency_of(o, LinkTier::Host), 1.0);
}

TEST(NcclEfficiency, SwitchLinksTakeTheSmallestNicEfficiency) {
    // DGX-A100 (ConnectX-6, 0.96) and DGX-H100 (ConnectX-7, 0.94) on one fabric.
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-A100", "count": 2},
      {"type": "DGX-H100", "count": 2}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
      "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    std::set<double> access_a100;
    std::set<double> access_h100;
    for (const auto& l : c.links()) {
        if (l.tier == LinkTier::Access) {
            (c.graph()[l.a].node < 2 ? access_a100 : access_h100).insert(l.efficiency);
        } else if (l.tier == LinkTier::Aggregation) {
            EXPECT_DOUBLE_EQ(l.efficiency, 0.94);
        } else if (l.tier == LinkTier::ScaleUp) {
            EXPECT_DOUBLE_EQ(l.efficiency, c.graph()[l.a].node < 2 ? 0.775 : 0.822);
        }
    }
    EXPECT_EQ(access_a100, (std::set<double>{0.96}));
    EXPECT_EQ(access_h100, (std::set<double>{0.94}));
}

TEST(NcclEfficiency, ExplicitFabricsTakeTechnologyToo) {
    const Cluster c = load_text(mini_explicit(2, R"("technology": "roce", "routing": "adaptive",
      "switches": [{"name": "s", "switch": "QM9700", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "s", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "s", "cable": "NDR-DAC"}])"));
    EXPECT_EQ(c.technology(), "roce");
    EXPECT_TRUE(c.adaptive_routing());
    EXPECT_DOUBLE_EQ(efficiency_of(c, LinkTier::Access), 0.94 * 330.0 / 376.0);
}

// --- planes ----------------------------------------------------------------------------------

TEST(NcclPlanes, TwoPlanesDoubleTheFabric) {
    // 2-port NICs on 2 planes vs the same nodes with 1-port NICs of the same port speed: 64 nodes,
    // leaf groups of 32 (32 down + 16 up at 200G:400G), 16 leaves and 8 spines per plane.
    const Cluster one = load_text(fabric_of("H100-1port", 64, "", kPlaneCatalog));
    const Cluster two = load_text(fabric_of("H100-2port", 64, R"("planes": 2, )", kPlaneCatalog));
    auto doubled = switches_by_tier(one);
    for (auto& [tier, n] : doubled) {
        n *= 2;
    }
    EXPECT_EQ(switches_by_tier(two), doubled);
    const auto l1 = links_by_tier(one);
    const auto l2 = links_by_tier(two);
    EXPECT_EQ(l2.at(LinkTier::Access), 2 * l1.at(LinkTier::Access));
    EXPECT_EQ(l2.at(LinkTier::Aggregation), 2 * l1.at(LinkTier::Aggregation));
    EXPECT_EQ(l2.at(LinkTier::ScaleUp), l1.at(LinkTier::ScaleUp));
    // Names carry the plane only with planes > 1.
    EXPECT_EQ(c_name(one, 0), "leaf.g0.r0");
    EXPECT_EQ(c_name(two, 0), "p0.leaf.g0.r0");
    EXPECT_EQ(c_name(two, static_cast<int>(doubled.at(1) / 2)), "p1.leaf.g0.r0");
    EXPECT_EQ(c_name(two, two.switch_count() - 1), "p1.spine." + std::to_string(doubled.at(2) / 2 - 1));
}

TEST(NcclPlanes, PlanesAreSeparate) {
    const Cluster c = load_text(fabric_of("H100-2port", 64, R"("planes": 2, )", kPlaneCatalog));
    const auto& g = c.graph();
    for (const auto& l : c.links()) {
        if (l.tier == LinkTier::Aggregation) {
            EXPECT_EQ(g[l.a].plane, g[l.b].plane) << c.vertex_name(l.a) << " <-> " << c.vertex_name(l.b);
        }
    }
    // Port q of every NIC goes to plane q.
    for (const auto& node : c.nodes()) {
        for (VertexId nic : node.nics) {
            std::vector<int> planes;
            for (std::uint32_t l : c.links_of(nic)) {
                if (c.links()[l].tier == LinkTier::Access) {
                    planes.push_back(g[c.links()[l].b].plane);
                }
            }
            ASSERT_EQ(planes, (std::vector<int>{0, 1}));
        }
    }
    // Every route stays in one plane, and ECMP uses both.
    std::set<int> used;
    std::vector<Hop> hops;
    for (int src = 0; src < 32; ++src) {
        hops.clear();
        c.route(8 * src, 8 * 40, hops); // node src (group 0) -> node 40 (group 1), rail 0: via a spine
        std::set<int> planes;
        for (const Hop& h : hops) {
            const auto& l = c.links()[h.link];
            if (g[l.b].kind == VertexKind::Switch) {
                planes.insert(g[l.b].plane);
            }
        }
        ASSERT_EQ(planes.size(), 1u);
        used.insert(*planes.begin());
    }
    EXPECT_EQ(used, (std::set<int>{0, 1}));
}

TEST(NcclPlanes, ThreeTiersWithPlanes) {
    const std::string text = "{" + kPlaneCatalog + R"("topology": {"nodes": [{"type": "H100-2port", "count": 8}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", "planes": 2,
                 "nodes_per_leaf_group": 2, "leaf_groups_per_pod": 2,
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"},
                           {"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})";
    const Cluster c = load_text(text);
    const auto by_tier = switches_by_tier(c);
    EXPECT_EQ(by_tier.at(1) % 2, 0);
    EXPECT_EQ(by_tier.at(1), 2 * 4 * 8); // 2 planes x 4 groups x 8 rails
    EXPECT_GT(by_tier.at(3), 0);
    for (const auto& l : c.links()) {
        if (l.tier == LinkTier::Core) {
            EXPECT_EQ(c.graph()[l.a].plane, c.graph()[l.b].plane);
        }
    }
    EXPECT_EQ(c_name(c, c.switch_count() - 1).substr(0, 8), "p1.core.");
    std::vector<Hop> hops;
    c.route(0, 8 * 7, hops); // node 0 -> node 7: other pod, through a core
    ASSERT_EQ(hops.size(), 8u);
    EXPECT_EQ(c.links()[hops[3].link].tier, LinkTier::Core);
    EXPECT_EQ(c.graph()[c.links()[hops[1].link].b].plane, c.graph()[c.links()[hops[3].link].b].plane);
}

// --- adaptive routing ------------------------------------------------------------------------

// 4 Mini nodes (2 GPUs, 1 NIC each): nodes 0, 1 on leaf a, nodes 2, 3 on leaf b; each leaf has 2
// parallel links to the one spine, so a -> spine and spine -> b have 2 equal-cost choices each.
std::string two_paths(const std::string& routing) {
    return mini_explicit(4, routing + R"("switches": [{"name": "a", "switch": "QM9700", "tier": 1},
      {"name": "b", "switch": "QM9700", "tier": 1}, {"name": "top", "switch": "QM9700", "tier": 2}],
      "links": [{"from": "node0/nic0", "to": "a", "cable": "NDR-DAC"}, {"from": "node1/nic0", "to": "a", "cable": "NDR-DAC"},
                {"from": "node2/nic0", "to": "b", "cable": "NDR-DAC"}, {"from": "node3/nic0", "to": "b", "cable": "NDR-DAC"},
                {"from": "a", "to": "top", "cable": "NDR-optical", "count": 2},
                {"from": "b", "to": "top", "cable": "NDR-optical", "count": 2}])");
}

std::uint32_t uplink_of(const Cluster& c, const std::vector<Hop>& hops) {
    for (const Hop& h : hops) {
        if (c.links()[h.link].tier == LinkTier::Aggregation && h.up) {
            return h.link;
        }
    }
    ADD_FAILURE() << "no uplink";
    return 0;
}

TEST(NcclAdaptive, SpreadsTwoFlowsWhereEcmpCollides) {
    const Cluster c = load_text(two_paths(R"("routing": "adaptive", )"));
    ASSERT_TRUE(c.adaptive_routing());
    // Flows node0 -> node2 and node1 -> node3 share no NIC, only the leaf-spine tier. Find a pair
    // of GPU choices that the ECMP hash puts on the same uplink (2 choices: about half of them).
    int f1_src = -1;
    int f1_dst = -1;
    int f2_src = -1;
    int f2_dst = -1;
    std::vector<Hop> h1;
    std::vector<Hop> h2;
    for (int mask = 0; mask < 16 && f1_src < 0; ++mask) {
        const int s1 = 0 + (mask & 1);
        const int d1 = 4 + ((mask >> 1) & 1);
        const int s2 = 2 + ((mask >> 2) & 1);
        const int d2 = 6 + ((mask >> 3) & 1);
        h1.clear();
        h2.clear();
        c.route(s1, d1, h1);
        c.route(s2, d2, h2);
        if (uplink_of(c, h1) == uplink_of(c, h2)) {
            f1_src = s1;
            f1_dst = d1;
            f2_src = s2;
            f2_dst = d2;
        }
    }
    ASSERT_GE(f1_src, 0) << "no ECMP collision among 16 pairs";
    std::vector<double> load(2 * c.links().size(), 0.0);
    std::vector<Hop> a1;
    std::vector<Hop> a2;
    c.route_adaptive(f1_src, f1_dst, 1e6, load, a1);
    c.route_adaptive(f2_src, f2_dst, 1e6, load, a2);
    EXPECT_EQ(a1, h1); // the first flow sees no load: the ECMP path
    EXPECT_NE(uplink_of(c, a1), uplink_of(c, a2));
    // No directed switch link carries both flows; every hop of both carries its bytes.
    for (std::size_t l = 0; l < c.links().size(); ++l) {
        if (c.links()[l].tier == LinkTier::Aggregation) {
            EXPECT_LE(load[2 * l], 1e6);
            EXPECT_LE(load[2 * l + 1], 1e6);
        }
    }
    double total = 0;
    for (double x : load) {
        total += x;
    }
    EXPECT_DOUBLE_EQ(total, 1e6 * static_cast<double>(a1.size() + a2.size()));
}

TEST(NcclAdaptive, DeterministicAndDefaultIsEcmp) {
    const Cluster ecmp = load_text(two_paths(""));
    EXPECT_FALSE(ecmp.adaptive_routing());
    const Cluster c1 = load_text(two_paths(R"("routing": "adaptive", )"));
    const Cluster c2 = load_text(two_paths(R"("routing": "adaptive", )"));
    std::vector<double> l1(2 * c1.links().size(), 0.0);
    std::vector<double> l2(2 * c2.links().size(), 0.0);
    std::vector<Hop> h1;
    std::vector<Hop> h2;
    for (int round = 0; round < 3; ++round) {
        for (int s = 0; s < 4; ++s) {
            for (int d = 4; d < 8; ++d) {
                c1.route_adaptive(s, d, 1.0 + s, l1, h1);
                c2.route_adaptive(s, d, 1.0 + s, l2, h2);
            }
        }
    }
    EXPECT_EQ(h1, h2);
    EXPECT_EQ(l1, l2);
    std::vector<Hop> e1;
    std::vector<Hop> e2;
    ecmp.route(1, 6, e1);
    ecmp.route(1, 6, e2);
    EXPECT_EQ(e1, e2);
}

TEST(NcclAdaptive, PicksTheLessLoadedPlane) {
    const Cluster c = load_text(fabric_of("H100-2port", 4, R"("planes": 2, "routing": "adaptive", )", kPlaneCatalog));
    std::vector<double> load(2 * c.links().size(), 0.0);
    std::vector<Hop> a;
    std::vector<Hop> b;
    c.route_adaptive(0, 8, 1.0, load, a);  // node0/gpu0 -> node1/gpu0, both through NIC 0
    c.route_adaptive(0, 16, 1.0, load, b); // node0/gpu0 -> node2/gpu0
    ASSERT_GE(a.size(), 3u);
    ASSERT_GE(b.size(), 3u);
    const auto plane_of = [&](const std::vector<Hop>& h) { return c.graph()[c.links()[h[1].link].b].plane; };
    EXPECT_NE(plane_of(a), plane_of(b));
    EXPECT_EQ(c.graph()[c.links()[a[a.size() - 2].link].b].plane, plane_of(a)); // same plane at both ends
}

// --- bad input -------------------------------------------------------------------------------

TEST(NcclErrors, FabricKeys) {
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("technology": "omnipath", )")),
                       "/topology/fabric/technology",
                       "unknown value \"omnipath\": expected one of infiniband, roce, spectrum-x");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("routing": "random", )")), "/topology/fabric/routing",
                       "expected one of ecmp, adaptive");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("pxn": "off", )")), "/topology/fabric/pxn",
                       "expected true or false");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("link_efficiency": 0, )")),
                       "/topology/fabric/link_efficiency", "expected a number > 0");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("link_efficiency": 1.5, )")),
                       "/topology/fabric/link_efficiency", "expected a number <= 1");
    EXPECT_INPUT_ERROR(load_text(mini_explicit(1, R"("technology": "token-ring", "switches": [], "links": [])")),
                       "/topology/fabric/technology", "unknown value");
}

TEST(NcclErrors, RailsThatDoNotMatchTheNics) {
    EXPECT_INPUT_ERROR(load_text(nvl72(2, R"("rails": 8, )")), "/topology/fabric/rails",
                       "\"rails\": 8, but node type \"GB200-NVL72\" has its 72 NICs on 4 rails (nic_rails)");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("rails": 4, )")), "/topology/fabric/rails",
                       "\"rails\": 4, but node type \"DGX-H100\" has its 8 NICs on 8 rails");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("rails": 0, )")), "/topology/fabric/rails",
                       "expected an integer in [1, ");
}

TEST(NcclErrors, MorePlanesThanNicPorts) {
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("planes": 2, )")), "/topology/fabric/planes",
                       "2 planes need one NIC port per plane, but node type \"DGX-H100\" has ConnectX-7 with 1 port");
    EXPECT_INPUT_ERROR(load_text(fabric_of("DGX-H100", 2, R"("planes": 0, )")), "/topology/fabric/planes",
                       "expected an integer in [1, 16]");
}

TEST(NcclErrors, CatalogEfficiencies) {
    const auto gpu = [](const std::string& extra) {
        return R"({"catalog": {"gpus": {"X": {"peak_flops": {"bf16": "1PFLOPS"}, "hbm_capacity": "80GB",
          "hbm_bandwidth": "3TB/s", "scaleup_bandwidth": "450GB/s", "scaleup_latency": "1us", "idle_power": "70W",
          "max_power": "700W", )" +
               extra + R"(}}}, "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})";
    };
    EXPECT_INPUT_ERROR(load_text(gpu(R"("scaleup_efficiency": 1.2)")), "/catalog/gpus/X/scaleup_efficiency",
                       "expected a number <= 1");
    EXPECT_INPUT_ERROR(load_text(gpu(R"("scaleup_efficiency": 0)")), "/catalog/gpus/X/scaleup_efficiency",
                       "expected a number > 0");
    EXPECT_INPUT_ERROR(load_text(gpu(R"("nvls": "yes")")), "/catalog/gpus/X/nvls", "expected");
    EXPECT_INPUT_ERROR(
        load_text(R"({"catalog": {"nics": {"N": {"port_bandwidth": "400Gbps", "latency": "1us", "power": "1W",
      "efficiency": -0.5}}}, "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})"),
        "/catalog/nics/N/efficiency", "expected a number > 0");
    EXPECT_INPUT_ERROR(
        load_text(R"({"catalog": {"nics": {"N": {"port_bandwidth": "400Gbps", "latency": "1us", "power": "1W",
      "efficiency": 2}}}, "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})"),
        "/catalog/nics/N/efficiency", "expected a number <= 1");
}

} // namespace
} // namespace twin::topology
