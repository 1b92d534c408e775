// Spraying pools ("routing": "spray"): see spray_pools.cpp.
#pragma once

#include "cluster_index.hpp"

namespace twin::topology::detail {

// Fills ix.spray_rep, spray_pool_* from the cluster's switch-switch links (after build_tables()).
void build_spray_pools(const Cluster& cluster, ClusterIndex& ix);

} // namespace twin::topology::detail
