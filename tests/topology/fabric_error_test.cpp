// Every bad-input rule of the "topology" object: the exception names test.json and the pointer.
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <gtest/gtest.h>

namespace twin::topology {
namespace {

using testing::load_text;
using testing::mini_explicit;

// A 2-tier fabric of `nodes` DGX-H100 with extra keys spliced into the fabric object.
std::string su(int nodes, const std::string& extra, const std::string& spine = R"({"switch": "QM9700"})",
               const std::string& leaf_extra = "") {
    return R"({"topology": {"nodes": [{"type": "DGX-H100", "count": )" + std::to_string(nodes) +
           R"(}], "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", )" + extra +
           R"("tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical")" + leaf_extra + "}, " + spine + "]}}}";
}

TEST(TopologyErrors, UnknownKey) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}], "colour": 1}})"),
                       "/topology/colour", "unknown key \"colour\"");
    EXPECT_INPUT_ERROR(load_text(su(2, "", R"({"switch": "QM9700", "speed": 1})")), "/topology/fabric/tiers/1/speed",
                       "unknown key");
}

TEST(TopologyErrors, MissingField) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100"}]}})"), "/topology/nodes/0/count",
                       "missing required key \"count\"");
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}],
                           "fabric": {"type": "rail-optimized-fat-tree", "tiers": []}}})"),
                       "/topology/fabric/access_cable", "missing required key");
}

TEST(TopologyErrors, ZeroOrNegativeSizes) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 0}]}})"),
                       "/topology/nodes/0/count", "expected an integer in [1, ");
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}],
                           "racks": {"nodes_per_rack": -4}}})"),
                       "/topology/racks/nodes_per_rack", "expected an integer in [1, ");
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": []}})"), "/topology/nodes", "at least one node group");
    EXPECT_INPUT_ERROR(load_text(su(4, R"("nodes_per_leaf_group": 0, )")), "/topology/fabric/nodes_per_leaf_group",
                       "expected an integer in [1, 4]");
}

TEST(TopologyErrors, BadRatio) {
    EXPECT_INPUT_ERROR(load_text(su(2, "", R"({"switch": "QM9700"})", R"(, "oversubscription": "1:2")")),
                       "/topology/fabric/tiers/0/oversubscription", "expected a ratio >= 1");
}

TEST(TopologyErrors, UnknownNodeTypeAndSwitchType) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H900", "count": 1}]}})"),
                       "/topology/nodes/0/type", "unknown node type \"DGX-H900\"");
    EXPECT_INPUT_ERROR(load_text(su(2, "", R"({"switch": "QM9999"})")), "/topology/fabric/tiers/1/switch",
                       "unknown switch type \"QM9999\"");
}

TEST(TopologyErrors, SeveralNodesNeedAFabric) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}]}})"), "/topology/fabric",
                       "2 nodes need a scale-out fabric");
}

TEST(TopologyErrors, UnknownFabricTypeAndTierCount) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
                           "fabric": {"type": "dragonfly"}}})"),
                       "/topology/fabric/type", "expected one of rail-optimized-fat-tree, explicit");
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
                           "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                                      "tiers": [{"switch": "QM9700"}]}}})"),
                       "/topology/fabric/tiers", "expected 2 tiers");
    EXPECT_INPUT_ERROR(load_text(su(2, R"("leaf_groups_per_pod": 1, )")), "/topology/fabric/leaf_groups_per_pod",
                       "only in a 3-tier fabric");
    EXPECT_INPUT_ERROR(load_text(su(2, "", R"({"switch": "QM9700", "uplink_cable": "NDR-DAC"})")),
                       "/topology/fabric/tiers/1/uplink_cable", "the top tier has none");
}

TEST(TopologyErrors, LeafGroupTooLargeForTheLeaf) {
    // 40 nodes per group at 1:1 need 40 down + 40 up ports; a QM9700 has 64.
    EXPECT_INPUT_ERROR(load_text(su(40, R"("nodes_per_leaf_group": 40, )")), "/topology/fabric/nodes_per_leaf_group",
                       "a leaf needs 80 ports (40 down to 40 nodes x 1 NIC port(s) per rail + 40 up at 1:1); "
                       "QM9700 has 64");
}

TEST(TopologyErrors, NodeWithMoreNicPortsThanALeafTakes) {
    const std::string text = R"({"catalog": {
        "nics": {"Wide": {"port_bandwidth": "400Gbps", "ports": 16, "latency": "1us", "power": "30W"}},
        "switches": {"Tiny": {"radix": 16, "port_bandwidth": "400Gbps", "latency": "1us", "power": "100W"}},
        "nodes": {"W": {"gpu": "H100-SXM", "gpus": 1, "nic": "Wide", "nics": 1, "host_link": "PCIe5-x16",
                        "other_power": "1kW"}}},
      "topology": {"nodes": [{"type": "W", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                   "tiers": [{"switch": "Tiny", "uplink_cable": "NDR-DAC"}, {"switch": "Tiny"}]}}})";
    EXPECT_INPUT_ERROR(load_text(text), "/topology/fabric/tiers/0/switch",
                       "a leaf needs 32 ports for even one node (16 NIC port(s) per rail + 16 up at 1:1); Tiny has 16");
}

TEST(TopologyErrors, TwoTiersWithMoreLeavesThanSpinePorts) {
    // Groups of 4 nodes: 40 nodes -> 10 groups x 8 rails = 80 leaves > 64 spine ports.
    EXPECT_INPUT_ERROR(load_text(su(40, R"("nodes_per_leaf_group": 4, )")), "/topology/fabric/tiers/1/switch",
                       "80 leaves (10 groups x 8 rails) need spines with at least 80 ports (one per leaf); QM9700 "
                       "has 64");
}

TEST(TopologyErrors, ExplicitSpineCountTooSmall) {
    // 8 leaves x 32 uplinks = 256 spine ports; 2 spines x 64 = 128.
    EXPECT_INPUT_ERROR(load_text(su(32, "", R"({"switch": "QM9700", "count": 2})")), "/topology/fabric/tiers/1/count",
                       "each spine needs 128 ports (8 leaves x 32 uplinks over 2 spines); QM9700 has 64");
    EXPECT_INPUT_ERROR(load_text(su(32, "", R"({"switch": "QM9700", "count": 33})")), "/topology/fabric/tiers/1/count",
                       "a leaf has only 32 uplinks");
}

TEST(TopologyErrors, CoresNotAMultipleOfPlanes) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 8}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "nodes_per_leaf_group": 2, "leaf_groups_per_pod": 2,
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"},
                           {"switch": "QM9700", "uplink_cable": "NDR-optical"},
                           {"switch": "QM9700", "count": 3}]}}})"),
                       "/topology/fabric/tiers/2/count", "3 cores is not a multiple of the 2 spines per pod");
}

TEST(TopologyErrors, NodeTypeWithoutNicInAFabric) {
    EXPECT_INPUT_ERROR(
        load_text(R"({"catalog": {"nodes": {"Solo": {"gpu": "H100-SXM", "gpus": 1, "other_power": "1kW"}}},
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}, {"type": "Solo", "count": 1}],
        "fabric": {"type": "explicit", "switches": [], "links": []}}})"),
        "/topology/nodes/1/type", "node type \"Solo\" has no NIC");
}

TEST(TopologyErrors, ExplicitSwitchOverRadix) {
    const std::string fabric = R"(
      "switches": [{"name": "s", "switch": "Two", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "s", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "s", "cable": "NDR-DAC"},
                {"from": "node2/nic0", "to": "s", "cable": "NDR-DAC"}])";
    std::string text = mini_explicit(3, fabric);
    text.insert(text.find(R"("nodes": {"Mini")"),
                R"("switches": {"Two": {"radix": 2, "port_bandwidth": "400Gbps", "latency": "1us", "power": "1W"}}, )");
    EXPECT_INPUT_ERROR(load_text(text), "/topology/fabric/links/2", "switch s (Two) needs more than its 2 ports");
}

TEST(TopologyErrors, ExplicitNicOverItsPorts) {
    EXPECT_INPUT_ERROR(load_text(mini_explicit(1, R"("switches": [{"name": "s", "switch": "QM9700", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "s", "cable": "NDR-DAC", "count": 2}])")),
                       "/topology/fabric/links/0", "node0/nic0 (ConnectX-7) needs more than its 1 ports");
}

TEST(TopologyErrors, DanglingNic) {
    EXPECT_INPUT_ERROR(load_text(mini_explicit(2, R"("switches": [{"name": "s", "switch": "QM9700", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "s", "cable": "NDR-DAC"}])")),
                       "/topology/fabric/links", "node1/nic0 has 0 of its 1 ports connected (dangling NIC port)");
}

TEST(TopologyErrors, SwitchWithoutLinks) {
    EXPECT_INPUT_ERROR(load_text(mini_explicit(2, R"("switches": [{"name": "s", "switch": "QM9700", "tier": 1},
                                                       {"name": "idle", "switch": "QM9700", "tier": 2}],
      "links": [{"from": "node0/nic0", "to": "s", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "s", "cable": "NDR-DAC"}])")),
                       "/topology/fabric/switches/1", "switch idle has no links");
}

TEST(TopologyErrors, UnreachableGpu) {
    EXPECT_INPUT_ERROR(load_text(mini_explicit(2, R"("switches": [{"name": "a", "switch": "QM9700", "tier": 1},
                                                       {"name": "b", "switch": "QM9700", "tier": 1}],
      "links": [{"from": "node0/nic0", "to": "a", "cable": "NDR-DAC"},
                {"from": "node1/nic0", "to": "b", "cable": "NDR-DAC"}])")),
                       "/topology/fabric/links", "GPU node1/gpu0 cannot reach GPU node0/gpu0");
}

TEST(TopologyErrors, ExplicitBadEndpoints) {
    const std::string sw = R"("switches": [{"name": "s", "switch": "QM9700", "tier": 1}], )";
    EXPECT_INPUT_ERROR(
        load_text(mini_explicit(1, sw + R"("links": [{"from": "node0/nic0", "to": "t", "cable": "NDR-DAC"}])")),
        "/topology/fabric/links/0/to", "unknown endpoint \"t\"");
    EXPECT_INPUT_ERROR(
        load_text(mini_explicit(1, sw + R"("links": [{"from": "node3/nic0", "to": "s", "cable": "NDR-DAC"}])")),
        "/topology/fabric/links/0/from", "no NIC \"node3/nic0\"");
    EXPECT_INPUT_ERROR(load_text(mini_explicit(1, R"("switches": [{"name": "s", "switch": "QM9700", "tier": 1},
                                                       {"name": "s", "switch": "QM9700", "tier": 2}], "links": [])")),
                       "/topology/fabric/switches/1/name", "duplicate switch name");
    EXPECT_INPUT_ERROR(
        load_text(mini_explicit(1, R"("switches": [{"name": "s", "switch": "QM9700", "tier": 4}], "links": [])")),
        "/topology/fabric/switches/0/tier", "expected an integer in [1, 3]");
}

} // namespace
} // namespace twin::topology
