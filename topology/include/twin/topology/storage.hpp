// The optional storage and front-end network of a cluster (the topology's "storage" object,
// topology/README.md "Storage network"): storage servers (targets of a parallel file system such
// as Lustre, VAST or DDN EXAScaler, each with its stated read and write bandwidth and source),
// reached either over a network of their own or over the compute NICs.
//
//   separate   each node has its own storage NICs ("nic" x "nics_per_node"), cabled to storage
//              switches that share nothing with the compute fabric:
//                B_node = nics_per_node x ports x port_bandwidth x NIC efficiency
//   converged  storage traffic leaves by the node's compute NICs and crosses the compute fabric:
//                B_node = sum over the node's compute access links of bandwidth x efficiency
//              (the same links the collectives use, so storage traffic competes with them)
//   B_net = N x min_n B_node / oversubscription   (N nodes; "oversubscription" >= 1 of the
//           storage path between the node side and the servers, default 1)
//   B_servers = M x B_server (read or write), M = servers.count
// All bandwidths in bytes/s, per direction. What the workload does with them (checkpoint and data
// loading times) is models/storage_traffic.hpp.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/units.hpp"

#include <cstdint>
#include <string>

namespace twin::topology {

enum class StorageNetwork : std::uint8_t { Separate, Converged };
inline constexpr auto kStorageNetworkNames =
    enum_names<StorageNetwork>({{StorageNetwork::Separate, "separate"}, {StorageNetwork::Converged, "converged"}});

struct StorageServers {
    int count = 0;
    BytesPerSecond read_bandwidth;  // per server
    BytesPerSecond write_bandwidth; // per server
    std::string system;             // what the servers are ("DDN AI400X2"), for the report
    std::string source;             // where the per-server bandwidth comes from
};

struct StorageFabric {
    bool present = false;
    StorageNetwork network = StorageNetwork::Separate;
    StorageServers servers;
    std::string nic;       // separate: the storage NIC type; "" when converged
    int nics_per_node = 0; // separate only
    double oversubscription = 1.0;
    int nodes = 0;
    BytesPerSecond node_bandwidth; // B_node, the smallest over the nodes
    std::string pointer;           // JSON pointer of the "storage" object, for later errors

    [[nodiscard]] BytesPerSecond network_bandwidth() const {
        return node_bandwidth * (static_cast<double>(nodes) / oversubscription);
    }
};

} // namespace twin::topology
