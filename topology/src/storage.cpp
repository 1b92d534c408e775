// The storage network's keys (topology/README.md, "Storage network") and its per-node bandwidth;
// equations in twin/topology/storage.hpp:
//   separate   B_node = nics_per_node x ports x port_bandwidth x efficiency of the "nic" type
//   converged  B_node = min over nodes of sum over the node's access links of bandwidth x efficiency
// Units: bytes/s per direction.
#include "storage.hpp"

#include "lookup.hpp"
#include "twin/topology/bounds.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>

namespace twin::topology::detail {

StorageFabric read_storage(Object o, const Catalog& catalog, bool has_fabric) {
    StorageFabric s;
    s.present = true;
    s.pointer = o.self().pointer();
    const Value network = o.at("network");
    s.network = read_enum(network, kStorageNetworkNames);
    if (s.network == StorageNetwork::Separate) {
        s.nic = find_entry(catalog.nics, o.at("nic"), "NIC type").name;
        s.nics_per_node = 1;
        if (auto v = o.find("nics_per_node")) {
            s.nics_per_node = static_cast<int>(v->as_integer(1, 64));
        }
    } else {
        for (const char* key : {"nic", "nics_per_node"}) {
            if (o.has(key)) {
                o.fail_at(key, fmt::format("\"{}\" is for a separate storage network; a converged one uses the "
                                           "nodes' compute NICs",
                                           key));
            }
        }
        if (!has_fabric) {
            network.fail("a converged storage network shares the compute fabric's NICs, but the topology has no "
                         "\"fabric\"; use \"separate\" with a storage \"nic\"");
        }
    }
    if (auto v = o.find("oversubscription")) {
        s.oversubscription = v->as_ratio();
    }
    {
        Object servers = o.at("servers").as_object();
        s.servers.count = static_cast<int>(servers.at("count").as_integer(1, 100'000));
        s.servers.read_bandwidth = read_bandwidth(servers.at("read_bandwidth"));
        s.servers.write_bandwidth = read_bandwidth(servers.at("write_bandwidth"));
        if (auto v = servers.find("system")) {
            s.servers.system = v->as_string();
        }
        s.servers.source = servers.at("source").as_string();
        if (s.servers.source.empty()) {
            servers.fail_at("source", "say where the per-server bandwidth comes from (datasheet, benchmark)");
        }
        servers.finish();
    }
    o.finish();
    return s;
}

void storage_node_bandwidth(StorageFabric& s, const Cluster& cluster) {
    const auto nodes = cluster.nodes().size();
    s.nodes = static_cast<int>(nodes);
    if (s.network == StorageNetwork::Separate) {
        const NicType& nic = cluster.catalog().nics.at(s.nic);
        s.node_bandwidth = nic.port_bandwidth * (static_cast<double>(s.nics_per_node) * nic.ports * nic.efficiency);
        return;
    }
    std::vector<double> per_node(nodes, 0.0);
    for (const auto& l : cluster.links()) {
        if (l.tier == LinkTier::Access) {
            per_node[static_cast<std::size_t>(cluster.graph()[l.a].node)] += l.bandwidth.value() * l.efficiency;
        }
    }
    s.node_bandwidth = BytesPerSecond(per_node.empty() ? 0.0 : *std::min_element(per_node.begin(), per_node.end()));
}

} // namespace twin::topology::detail
