// The SimGrid platform built programmatically from the cluster graph (no XML): one host per GPU,
// two SimGrid links per cable (one per direction, each with the cable's per-direction bandwidth
// and latency), and one netzone of our own whose routes are computed on the fly by
// topology::Cluster::route — no route table, so building is linear in the size of the cluster.
#pragma once

#include <simgrid/s4u/Host.hpp>
#include <vector>

#include "twin/topology/cluster.hpp"

namespace twin::sim {

struct Platform {
    std::vector<simgrid::s4u::Host*> hosts; // by GPU index
};

// Creates the root netzone. Call once, after the Engine exists and before actors are created.
Platform build_platform(const topology::Cluster& cluster);

} // namespace twin::sim
