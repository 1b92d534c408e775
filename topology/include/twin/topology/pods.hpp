// Pods of a rail-optimized fat-tree, as the report and the time series group fabric links:
//   3-tier: a pod is a spine group; an access link (NIC -> leaf) and a leaf-spine link belong to
//           the pod of their leaf's spines, a spine-core link to its spine's pod;
//   2-tier: a "leaf group" (scalable unit) is the group of the leaf; access and leaf-spine links
//           belong to their leaf's group.
// Host and scale-up links belong to no pod (-1); an explicit fabric has no groups (all -1).
#pragma once

#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace twin::topology {

struct FabricPods {
    std::vector<std::int32_t> pod_of_link; // by link id; -1: none
    std::string kind;                      // "pod" (3-tier) or "leaf group" (2-tier)
};

[[nodiscard]] FabricPods fabric_pods(const Cluster& cluster);

} // namespace twin::topology
