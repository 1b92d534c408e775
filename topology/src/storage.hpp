// Reading the topology's "storage" object (twin/topology/storage.hpp): read_storage() checks
// every key before anything is built; storage_node_bandwidth() fills B_node from the built cluster.
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::topology::detail {

// `has_fabric`: the topology has a compute fabric (a converged storage network needs one).
[[nodiscard]] StorageFabric read_storage(Object storage, const Catalog& catalog, bool has_fabric);
// Sets storage.nodes and storage.node_bandwidth from the cluster (separate: the storage NICs;
// converged: the compute access links of each node, the smallest node's sum).
void storage_node_bandwidth(StorageFabric& storage, const Cluster& cluster);

} // namespace twin::topology::detail
