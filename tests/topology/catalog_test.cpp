// The bundled catalog and the catalog format's checks.
#include "topology_test_util.hpp"
#include "twin/topology/catalog.hpp"

#include <gtest/gtest.h>

namespace twin::topology {
namespace {

using testing::load_text;

TEST(Catalog, BuiltinHasTheBundledEntriesWithSources) {
    const Catalog c = Catalog::builtin();
    for (const char* g : {"A100-SXM-80GB", "H100-SXM", "H200-SXM", "B200"}) {
        ASSERT_TRUE(c.gpus.contains(g)) << g;
        EXPECT_FALSE(c.gpus.at(g).source.empty());
    }
    for (const char* s : {"QM9700", "SN5600", "SN5600-400G", "NVSwitch-gen3", "NVSwitch-gen4"}) {
        ASSERT_TRUE(c.switches.contains(s)) << s;
    }
    EXPECT_TRUE(c.nics.contains("ConnectX-7"));
    EXPECT_TRUE(c.cables.contains("PCIe5-x16"));
}

TEST(Catalog, H100NumbersAreDensePerDirection) {
    const Catalog catalog = Catalog::builtin(); // a reference into a temporary would dangle (ASan)
    const GpuType& h100 = catalog.gpus.at("H100-SXM");
    EXPECT_DOUBLE_EQ(h100.peak_flops.at(Precision::BF16).value(), 989.4e12);
    EXPECT_DOUBLE_EQ(h100.peak_flops.at(Precision::FP8).value(), 1978.9e12);
    EXPECT_DOUBLE_EQ(h100.scaleup_bandwidth.value(), 450e9); // 900 GB/s bidirectional
    EXPECT_DOUBLE_EQ(h100.max_power.value(), 700.0);
    EXPECT_GT(h100.compute_efficiency, 0.0);
    EXPECT_LE(h100.compute_efficiency, 1.0);
}

TEST(Catalog, SwitchesAndSplitPorts) {
    const Catalog c = Catalog::builtin();
    EXPECT_EQ(c.switches.at("QM9700").radix, 64);
    EXPECT_DOUBLE_EQ(c.switches.at("QM9700").port_bandwidth.value(), 50e9);
    EXPECT_EQ(c.switches.at("SN5600").radix, 64);
    EXPECT_DOUBLE_EQ(c.switches.at("SN5600").port_bandwidth.value(), 100e9);
    EXPECT_EQ(c.switches.at("SN5600-400G").radix, 128);
    EXPECT_DOUBLE_EQ(c.switches.at("SN5600-400G").port_bandwidth.value(), 50e9);
    EXPECT_DOUBLE_EQ(c.nics.at("ConnectX-7").port_bandwidth.value(), 50e9);
}

struct NodeCase {
    const char* node;
    const char* gpu;
    int nics;
    int scaleup_switches;
};

TEST(Catalog, EveryBundledNodeTypeLoadsAsOneNode) {
    for (const auto& nc : {NodeCase{"DGX-A100", "A100-SXM-80GB", 8, 6}, NodeCase{"DGX-H100", "H100-SXM", 8, 4},
                           NodeCase{"HGX-H200", "H200-SXM", 8, 4}, NodeCase{"DGX-B200", "B200", 8, 2}}) {
        SCOPED_TRACE(nc.node);
        const Catalog catalog = Catalog::builtin();
        const NodeType& nt = catalog.nodes.at(nc.node);
        EXPECT_EQ(nt.gpu, nc.gpu);
        EXPECT_EQ(nt.gpus, 8);
        EXPECT_EQ(static_cast<int>(nt.nic_rails.size()), nc.nics);
        EXPECT_EQ(nt.nic_rails.back(), nc.nics - 1);
        EXPECT_EQ(nt.scaleup_switches, nc.scaleup_switches);
        EXPECT_FALSE(nt.source.empty());
        const Cluster c =
            testing::load_text(std::string(R"({"topology": {"nodes": [{"type": ")") + nc.node + R"(", "count": 1}]}})");
        EXPECT_EQ(c.gpu_count(), 8);
        EXPECT_EQ(c.gpu_type(7).name, nc.gpu);
    }
}

TEST(Catalog, ScenarioEntriesAddAndOverride) {
    const Cluster c = testing::load_text(R"({
      "catalog": {
        "gpus": {"H100-SXM": {"peak_flops": {"bf16": "900TFLOPS"}, "hbm_capacity": "80GiB",
                              "hbm_bandwidth": "3TB/s", "scaleup_bandwidth": "450GB/s",
                              "scaleup_latency": "1us", "idle_power": "80W", "max_power": "700W"}},
        "nodes": {"Mini": {"gpu": "H100-SXM", "gpus": 2, "nic": "ConnectX-7", "nics": 1,
                           "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 1,
                           "host_link": "PCIe5-x16", "other_power": "1kW"}}
      },
      "topology": {"nodes": [{"type": "Mini", "count": 1}]}})");
    EXPECT_DOUBLE_EQ(c.gpu_type(0).peak_flops.at(Precision::BF16).value(), 900e12);
    EXPECT_DOUBLE_EQ(c.gpu_type(0).compute_efficiency, 1.0); // default
    EXPECT_EQ(c.gpu_count(), 2);
    EXPECT_EQ(c.nic_of_gpu(1), 0);
}

// --- bad input: every rule names the file and the JSON pointer ---

constexpr const char* kOneNode = R"(, "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})";

std::string with_catalog(const std::string& catalog) {
    return R"({"catalog": )" + catalog + kOneNode;
}

TEST(CatalogErrors, UnknownKey) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nics": {"X": {"port_bandwidth": "400Gbps", "latency": "1us",
                                         "power": "20W", "colour": "red"}}})")),
                       "/catalog/nics/X/colour", "unknown key");
}

TEST(CatalogErrors, UnknownSection) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"routers": {}})")), "/catalog/routers", "unknown key");
}

TEST(CatalogErrors, MissingField) {
    EXPECT_INPUT_ERROR(
        load_text(with_catalog(R"({"switches": {"S": {"radix": 64, "latency": "1us", "power": "1kW"}}})")),
        "/catalog/switches/S/port_bandwidth", "missing required key");
}

TEST(CatalogErrors, BadUnit) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"cables": {"C": {"bandwidth": "400Gbs", "latency": "5ns"}}})")),
                       "/catalog/cables/C/bandwidth", "not a valid bandwidth");
}

TEST(CatalogErrors, BareNumberForQuantity) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"cables": {"C": {"bandwidth": 400, "latency": "5ns"}}})")),
                       "/catalog/cables/C/bandwidth", "string with a unit");
}

TEST(CatalogErrors, ZeroRadix) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"switches": {"S": {"radix": 0, "port_bandwidth": "400Gbps",
                                         "latency": "1us", "power": "1kW"}}})")),
                       "/catalog/switches/S/radix", "expected an integer in [1, 65536]");
}

TEST(CatalogErrors, EfficiencyOutOfRange) {
    EXPECT_INPUT_ERROR(
        load_text(with_catalog(R"({"gpus": {"G": {"peak_flops": {"bf16": "1PFLOPS"}, "hbm_capacity": "80GB",
        "hbm_bandwidth": "3TB/s", "scaleup_bandwidth": "450GB/s", "scaleup_latency": "1us",
        "idle_power": "80W", "max_power": "700W", "compute_efficiency": 1.5}}})")),
        "/catalog/gpus/G/compute_efficiency", "<= 1");
}

TEST(CatalogErrors, UnknownPrecision) {
    EXPECT_INPUT_ERROR(
        load_text(with_catalog(R"({"gpus": {"G": {"peak_flops": {"bf17": "1PFLOPS"}, "hbm_capacity": "80GB",
        "hbm_bandwidth": "3TB/s", "scaleup_bandwidth": "450GB/s", "scaleup_latency": "1us",
        "idle_power": "80W", "max_power": "700W"}}})")),
        "/catalog/gpus/G/peak_flops/bf17", "unknown precision");
}

TEST(CatalogErrors, MalformedEntry) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nics": {"X": "ConnectX-7"}})")), "/catalog/nics/X",
                       "expected an object");
}

TEST(CatalogErrors, GpuTypeNotInCatalog) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nodes": {"N": {"gpu": "H900", "gpus": 1, "other_power": "1kW"}}})")),
                       "/catalog/nodes/N/gpu", "unknown GPU type \"H900\"");
}

TEST(CatalogErrors, MultiGpuNodeNeedsScaleUpSwitch) {
    EXPECT_INPUT_ERROR(
        load_text(with_catalog(R"({"nodes": {"N": {"gpu": "H100-SXM", "gpus": 4, "other_power": "1kW"}}})")),
        "/catalog/nodes/N/scaleup_switch", "needs a scale-up switch");
}

TEST(CatalogErrors, ScaleUpSwitchesTooSmallForTheGpus) {
    // 8 x 450 GB/s = 3600 GB/s > 1 x 64 ports x 25 GB/s = 1600 GB/s.
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nodes": {"N": {"gpu": "H100-SXM", "gpus": 8,
        "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 1, "other_power": "1kW"}}})")),
                       "/catalog/nodes/N/scaleup_switches", "need 3600 GB/s");
}

TEST(CatalogErrors, NicNeedsCountAndHostLink) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nodes": {"N": {"gpu": "H100-SXM", "gpus": 1, "nic": "ConnectX-7",
        "host_link": "PCIe5-x16", "other_power": "1kW"}}})")),
                       "/catalog/nodes/N/nics", "missing required key \"nics\"");
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nodes": {"N": {"gpu": "H100-SXM", "gpus": 1, "nic": "ConnectX-7",
        "nics": 2, "host_link": "PCIe5-x16", "other_power": "1kW"}}})")),
                       "/catalog/nodes/N/nics", "expected an integer in [1, 1]");
}

// "nic_rails" says which rail each NIC is cabled to; the rail-k leaf of a group gets the NIC on
// rail k, whatever its index in the node.
constexpr const char* kSwappedRails = R"({
  "catalog": {"nodes": {"Swapped": {"gpu": "H100-SXM", "gpus": 2, "nic": "ConnectX-7", "nics": 2,
                                    "nic_rails": [1, 0], "scaleup_switch": "NVSwitch-gen3",
                                    "scaleup_switches": 1, "host_link": "PCIe5-x16", "other_power": "1kW"}}},
  "topology": {"nodes": [{"type": "Swapped", "count": 2}],
               "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                          "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})";

TEST(Catalog, NicRailsPlaceEachNicOnItsRail) {
    const Cluster c = testing::load_text(kSwappedRails);
    const auto& g = c.graph();
    const auto nic0 = c.nodes()[0].nics[0];
    EXPECT_EQ(g[nic0].rail, 1);
    // NIC 0 (rail 1) of node 0 connects to the rail-1 leaf.
    bool found = false;
    for (const auto& e : g.edges(nic0)) {
        const auto other = e.neighbour;
        if (g[other].kind == VertexKind::Switch) {
            EXPECT_EQ(g[other].rail, 1);
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

TEST(CatalogErrors, NicRailsMustCoverEveryRail) {
    std::string text = kSwappedRails;
    text.replace(text.find("[1, 0]"), 6, "[1, 1]");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/nodes/Swapped/nic_rails", "rail 0 has no NIC, but rail 1 has one");
    text = kSwappedRails;
    text.replace(text.find("[1, 0]"), 6, "[0]");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/nodes/Swapped/nic_rails", "expected 2 rails");
    text = kSwappedRails;
    text.replace(text.find("[1, 0]"), 6, "[0, 2]");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/nodes/Swapped/nic_rails/1", "expected an integer in [0, 1]");
}

TEST(Catalog, NicsMayShareARail) {
    std::string text = kSwappedRails;
    text.replace(text.find("[1, 0]"), 6, "[0, 0]");
    const Cluster c = testing::load_text(text);
    EXPECT_EQ(c.catalog().nodes.at("Swapped").rail_count(), 1);
    EXPECT_EQ(c.graph()[c.nodes()[1].nics[1]].rail, 0);
}

} // namespace
} // namespace twin::topology
