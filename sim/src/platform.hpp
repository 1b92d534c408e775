// The SimGrid platform built programmatically from the cluster graph (no XML): a host per GPU,
// two SimGrid links per cable (one per direction, each with the cable's per-direction bandwidth
// times the link's efficiency — the share NCCL traffic gets — and its latency), and one netzone of our own whose routes
// are computed on the fly by topology::Cluster::route — no route table.
//
// Lean (issue 18): hosts and links are created on first use, not up front. A folded 1M-GPU run
// plays the flows of a few hundred GPUs in SimGrid (the images are solved by the fluid solver on
// the topology graph), so a host per GPU and two links per cable (16M links) were most of its
// memory. A host is created when an actor is first placed on its GPU (a flow's source or
// destination, or GPU 0 for the coordinator); a link when a route first crosses its cable in that
// direction (ClusterZone::get_local_route), so no route can need a missing one. SimGrid refuses
// new content in a sealed netzone and seals the root netzone when the simulation starts, so the
// routing zone is not attached to the root: the root is an empty zone that only carries the
// models (network, CPU, host), and ours takes those models, is never sealed, and seals each host
// and link it creates. Hosts and links have no order-dependent state (LMM orders constraints by
// when flows first use them, not by when they were created), so results do not depend on it:
// the bundled scenarios' reports are byte-identical to the eager platform's.
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

class ClusterZone; // platform.cpp

// Copies share one zone; the zone (its hosts and links) goes with the last copy, which must go
// before the SimGrid engine does (execute() in engine.cpp).
struct Platform {
    std::shared_ptr<RouteQueue> routes; // used only under adaptive routing
    std::shared_ptr<ClusterZone> zone;

    // GPU `gpu`'s host, created on first use (from maestro or from an actor).
    [[nodiscard]] simgrid::s4u::Host* host(int gpu) const;
    // SimGrid hosts and (one-direction) links created so far.
    [[nodiscard]] std::int64_t host_count() const;
    [[nodiscard]] std::int64_t link_count() const;
};

// The SimGrid hosts and one-direction links the last platform of this process created (SimGrid
// allows one engine per process); read by tests after a run.
struct PlatformCounts {
    std::int64_t hosts = 0;
    std::int64_t links = 0;
};
[[nodiscard]] PlatformCounts last_platform_counts();

// Creates the root netzone and the cluster's zone. Call once, after the Engine exists and before
// actors are created.
Platform build_platform(const topology::Cluster& cluster);

} // namespace twin::sim
