// Node power in the catalog (topology/src/node_power.cpp): full load, nameplate maximum and
// typical power, extra (front-end / storage) NICs, the hardware being bought now, and switches
// with mixed port speeds. Expectations derived by hand in the comments.
#include "topology_test_util.hpp"
#include "twin/topology/catalog.hpp"

#include <gtest/gtest.h>
#include <string>

namespace twin::topology {
namespace {

using testing::load_text;

Cluster one_node(const std::string& type) {
    return load_text(R"({"topology": {"nodes": [{"type": ")" + type + R"(", "count": 1}]}})");
}

TEST(NodePower, Gb200Nvl72TypicalAndMaximum) {
    const Catalog cat = Catalog::builtin();
    const NodePower p = node_power(cat, cat.nodes.at("GB200-NVL72"));
    // Full load: 72 x 1200 W + 72 x 25 W (CX-7) + 36 x 150 W (BlueField-3) + 26.4 kW = 120 kW, the
    // typical figure (hw.gb200.nvl72.power_typ); maximum: the 132 kW power shelf (hw.gb200.nvl72.power_shelf).
    EXPECT_DOUBLE_EQ(p.full.value(), 120000.0);
    EXPECT_DOUBLE_EQ(p.typical.value(), 120000.0);
    EXPECT_DOUBLE_EQ(p.max.value(), 132000.0);
    const Summary s = summarize(one_node("GB200-NVL72"));
    EXPECT_DOUBLE_EQ(s.it_power_max.value(), 132000.0);
    EXPECT_DOUBLE_EQ(s.it_power_typical.value(), 120000.0);
    EXPECT_EQ(s.nics, 72);
    EXPECT_EQ(s.extra_nics, 36);
}

TEST(NodePower, EveryBuiltinNodeCarriesTypicalAndMaximum) {
    const Catalog cat = Catalog::builtin();
    for (const auto& [name, nt] : cat.nodes) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(nt.max_power.has_value());
        ASSERT_TRUE(nt.typical_power.has_value());
        const NodePower p = node_power(cat, nt);
        EXPECT_LE(p.full.value(), p.max.value());
        EXPECT_LE(p.typical.value(), p.max.value());
        EXPECT_DOUBLE_EQ(p.max.value(), nt.max_power->value());
        EXPECT_FALSE(nt.source.empty());
        const Cluster c = one_node(name);
        EXPECT_EQ(c.gpu_count(), nt.gpus);
        // Extra NICs are not on the compute fabric: the node's NIC vertices are the compute NICs.
        EXPECT_EQ(c.nodes()[0].nics.size(), nt.nic_rails.size());
    }
}

TEST(NodePower, SystemMaximaByHand) {
    const Catalog cat = Catalog::builtin();
    // sys.dgxh100.power_max: 8 x 700 + 8 x 25 + 2 x 25 (storage CX-7) + 4350 = 10.2 kW.
    EXPECT_DOUBLE_EQ(node_power(cat, cat.nodes.at("DGX-H100")).full.value(), 10200.0);
    // sys.dgxb200.power_max: 8 x 1000 + 8 x 25 + 2 x 150 (BlueField-3) + 5800 = 14.3 kW.
    EXPECT_DOUBLE_EQ(node_power(cat, cat.nodes.at("DGX-B200")).max.value(), 14300.0);
    // sys.dgxb300.power: 8 x 1100 + 8 x 35 (CX-8) + 2 x 150 + 5120 = 14.5 kW.
    EXPECT_DOUBLE_EQ(node_power(cat, cat.nodes.at("DGX-B300")).full.value(), 14500.0);
    // GB300 NVL72 at the 132 kW shelf: 72 x 1400 + 72 x 35 + 18 x 150 + 25980 = 132 kW.
    EXPECT_DOUBLE_EQ(node_power(cat, cat.nodes.at("GB300-NVL72")).full.value(), 132000.0);
    // GH200 NVL32: 32 x 1000 (module, Grace included) + 32 x 25 + 9 kW = 41.8 kW.
    EXPECT_DOUBLE_EQ(node_power(cat, cat.nodes.at("GH200-NVL32")).max.value(), 41800.0);
}

TEST(Catalog, HardwareBeingBoughtNow) {
    const Catalog c = Catalog::builtin();
    for (const char* g : {"B300", "GB300", "GH200"}) {
        ASSERT_TRUE(c.gpus.contains(g)) << g;
        EXPECT_FALSE(c.gpus.at(g).source.empty());
    }
    // Dense FP4: B300 105 PF / 8 (HGX B300), GB300 1080 PF / 72; GH200 has none (Hopper).
    EXPECT_DOUBLE_EQ(c.gpus.at("B300").peak_flops.at(Precision::FP4).value(), 13125e12);
    EXPECT_DOUBLE_EQ(c.gpus.at("GB300").peak_flops.at(Precision::FP4).value(), 15000e12);
    EXPECT_FALSE(c.gpus.at("GH200").peak_flops.contains(Precision::FP4));
    EXPECT_TRUE(c.gpus.at("GB300").liquid_only);
    EXPECT_DOUBLE_EQ(c.nics.at("ConnectX-8").port_bandwidth.value(), 100e9); // 800 Gb/s
    EXPECT_EQ(c.switches.at("Quantum-X800").radix, 144);
    EXPECT_DOUBLE_EQ(c.switches.at("Spectrum-X800").port_bandwidth.value(), 100e9);
    EXPECT_DOUBLE_EQ(c.cables.at("1.6T-optical").bandwidth.value(), 200e9);
    EXPECT_EQ(c.nodes.at("GB300-NVL72").rail_count(), 4);
    EXPECT_EQ(c.nodes.at("GH200-NVL32").gpus, 32);
}

// A scenario node with front-end and storage NICs beside its compute NICs.
constexpr const char* kExtraNics = R"({"catalog": {"nodes": {"N": {"gpu": "H100-SXM", "gpus": 8,
    "nic": "ConnectX-7", "nics": 8, "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 4,
    "host_link": "PCIe5-x16", "other_power": "1kW",
    "extra_nics": [{"role": "frontend", "nic": "BlueField-3-DPU", "count": 2},
                   {"role": "storage", "nic": "ConnectX-7-2port", "count": 2}]EXTRA}}},
  "topology": {"nodes": [{"type": "N", "count": 1}]}})";

std::string extra_nics(const std::string& extra) {
    std::string s = kExtraNics;
    s.replace(s.find("EXTRA"), 5, extra);
    return s;
}

TEST(NodePower, ExtraNicsDrawPowerButStayOffTheComputeFabric) {
    const Cluster c = load_text(extra_nics(""));
    const NodeType& nt = c.catalog().nodes.at("N");
    ASSERT_EQ(nt.extra_nics.size(), 2u);
    EXPECT_EQ(nt.extra_nics[0].role, "frontend");
    EXPECT_EQ(nt.extra_nics[1].nic, "ConnectX-7-2port");
    // 10 NICs on a node of 8 GPUs; the graph has the 8 compute NICs.
    EXPECT_EQ(c.nodes()[0].nics.size(), 8u);
    // Full load = max = typical: 8 x 700 + 8 x 25 + 2 x 150 + 2 x 25 + 1000 = 7150 W.
    const Summary s = summarize(c);
    EXPECT_DOUBLE_EQ(s.it_power_max.value(), 7150.0);
    EXPECT_DOUBLE_EQ(s.it_power_typical.value(), 7150.0);
    EXPECT_EQ(s.extra_nics, 4);
    // A nameplate above full load and a typical draw below it.
    const Summary t = summarize(load_text(extra_nics(R"(, "max_power": "8kW", "typical_power": "6.5kW")")));
    EXPECT_DOUBLE_EQ(t.it_power_max.value(), 8000.0);
    EXPECT_DOUBLE_EQ(t.it_power_typical.value(), 6500.0);
}

TEST(NodePowerErrors, EachKeyWithItsPointer) {
    // Power shelves must carry the node's maximum: 2 x 3.5 kW = 7 kW < 7,150 W full load.
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "power_shelves": {"count": 2, "capacity": "3.5kW"})")),
                       "/catalog/nodes/N/power_shelves", "carry 7000 W, below the node's maximum power 7150 W");
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "power_shelves": {"count": 0, "capacity": "33kW"})")),
                       "/catalog/nodes/N/power_shelves/count", "");
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "power_shelves": {"count": 1, "capacity": "33kW", "x": 1})")),
                       "/catalog/nodes/N/power_shelves/x", "unknown key");
    EXPECT_EQ(load_text(extra_nics(R"(, "power_shelves": {"count": 1, "capacity": "33kW"})"))
                  .catalog()
                  .nodes.at("N")
                  .power_shelves,
              1);
    EXPECT_EQ(Catalog::builtin().nodes.at("GB200-NVL72").power_shelves, 4);
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "max_power": "7kW")")), "/catalog/nodes/N/max_power",
                       "below the node's full-load power 7150 W");
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "max_power": "8kW", "typical_power": "9kW")")),
                       "/catalog/nodes/N/typical_power", "above the node's maximum power 8000 W");
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "typical_power": "7.2kW")")), "/catalog/nodes/N/typical_power",
                       "no max_power given");
    EXPECT_INPUT_ERROR(load_text(extra_nics(R"(, "typical_power": "0W")")), "/catalog/nodes/N/typical_power", "");
    std::string bad = extra_nics("");
    bad.replace(bad.find("\"frontend\""), 10, "\"compute\"");
    EXPECT_INPUT_ERROR(load_text(bad), "/catalog/nodes/N/extra_nics/0/role", "");
    bad = extra_nics("");
    bad.replace(bad.find("\"BlueField-3-DPU\""), 17, "\"CX-9\"");
    EXPECT_INPUT_ERROR(load_text(bad), "/catalog/nodes/N/extra_nics/0/nic", "unknown NIC type \"CX-9\"");
    bad = extra_nics("");
    bad.replace(bad.find("\"count\": 2"), 10, "\"count\": 0");
    EXPECT_INPUT_ERROR(load_text(bad), "/catalog/nodes/N/extra_nics/0/count", "");
    bad = extra_nics("");
    bad.replace(bad.find("\"count\": 2"), 10, "\"count\": 2, \"speed\": 1");
    EXPECT_INPUT_ERROR(load_text(bad), "/catalog/nodes/N/extra_nics/0/speed", "unknown key");
}

// Mixed port speeds: 4 DGX-A100 (8 x 200G ConnectX-6 on 8 rails) under leaves that take 200G down
// and send 400G up. Per leaf: 4 NICs x 25 GB/s = 100 GB/s down; at 1:1, ceil(100 / 50) = 2 uplinks
// of 50 GB/s (an all-200G leaf would need 4). 8 leaves x 2 = 16 uplinks into one QM9700.
TEST(MixedPortSpeeds, LeafTakes200GDownAnd400GUp) {
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-A100", "count": 4}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "HDR-DAC", "nodes_per_leaf_group": 4,
                 "tiers": [{"switch": "QM9700-200G-400G", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    int access = 0;
    int up = 0;
    for (const auto& l : c.links()) {
        if (l.tier == LinkTier::Access) {
            ++access;
            EXPECT_DOUBLE_EQ(l.bandwidth.value(), 25e9);
        } else if (l.tier == LinkTier::Aggregation) {
            ++up;
            EXPECT_DOUBLE_EQ(l.bandwidth.value(), 50e9);
        }
    }
    EXPECT_EQ(access, 32);
    EXPECT_EQ(up, 16);
    const Catalog cat = Catalog::builtin();
    EXPECT_DOUBLE_EQ(cat.switches.at("QM9700-200G-400G").port_speed(true).value(), 50e9);
    EXPECT_DOUBLE_EQ(cat.switches.at("QM9700-200G-400G").port_speed(false).value(), 25e9);
    EXPECT_DOUBLE_EQ(cat.switches.at("QM9700").port_speed(true).value(), 50e9);
}

} // namespace
} // namespace twin::topology
