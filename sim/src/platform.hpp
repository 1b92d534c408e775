// The SimGrid platform built programmatically from the cluster graph (no XML): one host per GPU,
// two SimGrid links per cable (one per direction, each with the cable's per-direction bandwidth
// times the link's efficiency — the share NCCL traffic gets — and its latency), and one netzone of our own whose routes
// are computed on the fly by topology::Cluster::route — no route table, so building is linear in the size of the
// cluster.
#pragma once

#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <simgrid/s4u/Host.hpp>
#include <vector>

namespace twin::sim {

// Routes chosen by the engine (adaptive routing depends on the phase's load, which the zone does
// not know). The engine pushes a route right before it starts the comm for that pair; the zone
// consumes routes per (src, dst) in FIFO order, which is the order comms are started in.
class RouteQueue {
public:
    void push(int src, int dst, const topology::Hop* begin, const topology::Hop* end);
    bool pop(int src, int dst, std::vector<topology::Hop>& out);

private:
    std::map<std::uint64_t, std::deque<std::vector<topology::Hop>>> queues_;
};

// SimGrid's network/weight-S as run.cpp sets it: flows' sharing penalties are dominated by
// weight-S x sum of 1/bandwidth over the route (FluidSolver reproduces this sharing).
inline constexpr double kSimGridWeightS = 1e12;

struct Platform {
    std::vector<simgrid::s4u::Host*> hosts; // by GPU index
    std::shared_ptr<RouteQueue> routes;     // used only under adaptive routing
};

// Creates the root netzone. Call once, after the Engine exists and before actors are created.
Platform build_platform(const topology::Cluster& cluster);

} // namespace twin::sim
