// The topology's "storage" network: per-node bandwidth of a separate and a converged network,
// and bad input naming its pointer.
#include "topology_test_util.hpp"

#include <gtest/gtest.h>
#include <string>

namespace twin::topology {
namespace {

using testing::load_text;

// Two DGX-H100 on a 2-tier QM9700 fat-tree, with `storage` as the topology's "storage" object.
std::string two_nodes(const std::string& storage) {
    return R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                   "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]},
        "storage": )" +
           storage + "}}";
}

const std::string kServers =
    R"("servers": {"count": 4, "read_bandwidth": "90GB/s", "write_bandwidth": "65GB/s", "system": "DDN AI400X2",
                   "source": "DDN AI400X2 datasheet"})";

TEST(Storage, AbsentByDefault) {
    const Cluster c = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})");
    EXPECT_FALSE(c.storage().present);
}

TEST(Storage, SeparateNetworkUsesItsOwnNics) {
    const Cluster c = load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7", "nics_per_node": 2,
                                              "oversubscription": 2, )" +
                                          kServers + "}"));
    const StorageFabric& s = c.storage();
    ASSERT_TRUE(s.present);
    EXPECT_EQ(s.network, StorageNetwork::Separate);
    EXPECT_EQ(s.servers.count, 4);
    EXPECT_DOUBLE_EQ(s.servers.read_bandwidth.value(), 90e9);
    EXPECT_DOUBLE_EQ(s.servers.write_bandwidth.value(), 65e9);
    EXPECT_EQ(s.servers.system, "DDN AI400X2");
    // B_node = 2 NICs x 1 port x 400 Gb/s (50 GB/s) x ConnectX-7 efficiency 0.94 = 94 GB/s.
    EXPECT_EQ(s.nodes, 2);
    EXPECT_NEAR(s.node_bandwidth.value(), 94e9, 1);
    // B_net = 2 nodes x 94 GB/s / oversubscription 2 = 94 GB/s.
    EXPECT_NEAR(s.network_bandwidth().value(), 94e9, 1);
    // The compute fabric is unchanged: no storage NIC or link is added to the graph.
    const Cluster plain = load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                   "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    EXPECT_EQ(c.links().size(), plain.links().size());
}

TEST(Storage, ConvergedNetworkSharesTheComputeNics) {
    const Cluster c = load_text(two_nodes(R"({"network": "converged", )" + kServers + "}"));
    const StorageFabric& s = c.storage();
    ASSERT_TRUE(s.present);
    EXPECT_EQ(s.network, StorageNetwork::Converged);
    // 8 access links per node of min(NDR-DAC, NIC, leaf port) = 50 GB/s x 0.94 (InfiniBand, t = 1).
    EXPECT_NEAR(s.node_bandwidth.value(), 8 * 47e9, 1e3);
    EXPECT_NEAR(s.network_bandwidth().value(), 2 * 8 * 47e9, 1e3);
}

TEST(Storage, BadInputNamesThePointer) {
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "shared", )" + kServers + "}")), "/topology/storage/network",
                       "expected one of");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", )" + kServers + "}")), "/topology/storage/nic",
                       "missing required key");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", "nic": "NoSuchNic", )" + kServers + "}")),
                       "/topology/storage/nic", "unknown NIC type");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "converged", "nic": "ConnectX-7", )" + kServers + "}")),
                       "/topology/storage/nic", "converged one uses the nodes' compute NICs");
    EXPECT_INPUT_ERROR(
        load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7", "nics_per_node": 0, )" + kServers + "}")),
        "/topology/storage/nics_per_node", "");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7", "oversubscription": 0.5, )" +
                                           kServers + "}")),
                       "/topology/storage/oversubscription", "");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7",
        "servers": {"count": 0, "read_bandwidth": "1GB/s", "write_bandwidth": "1GB/s", "source": "x"}})")),
                       "/topology/storage/servers/count", "");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7",
        "servers": {"count": 1, "read_bandwidth": "1GB/s", "write_bandwidth": "fast", "source": "x"}})")),
                       "/topology/storage/servers/write_bandwidth", "");
    EXPECT_INPUT_ERROR(load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7",
        "servers": {"count": 1, "read_bandwidth": "1GB/s", "write_bandwidth": "1GB/s"}})")),
                       "/topology/storage/servers/source", "missing required key");
    EXPECT_INPUT_ERROR(
        load_text(two_nodes(R"({"network": "separate", "nic": "ConnectX-7", "speed": 1, )" + kServers + "}")),
        "/topology/storage/speed", "");
    // A converged network needs the compute fabric's NICs.
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}],
        "storage": {"network": "converged", )" +
                                 kServers + "}}}"),
                       "/topology/storage/network", "has no \"fabric\"");
}

} // namespace
} // namespace twin::topology
