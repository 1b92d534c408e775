// Per-phase link accounting: routes every flow of a phase once (ECMP, or load-aware under
// adaptive routing), adds the bytes it puts on the wire to each directed link, and finds the
// phase's bottleneck for the bound attribution in the report.
//
//   wire bytes of a flow      = bytes x byte_factor (protocol overhead is on the wire too)
//   effective bandwidth of l  = bandwidth(l) x efficiency(l); a spraying pool's total at its
//                               representative (Cluster::slot_bandwidth, "routing": "spray")
//   phase estimate            = max over links of (wire bytes on l / effective bandwidth of l)
//                               + extra_latency + largest route latency
//   bound                     = tier of the link attaining the max, or "latency" when the
//                               latency terms exceed it
#pragma once

#include "fluid.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/cluster.hpp"

#include <string>
#include <utility>
#include <vector>

namespace twin::sim {

// The hops of each flow of one phase, flattened: flow i uses hops[begin[i] .. begin[i+1]).
struct PhaseRoutes {
    std::vector<topology::Hop> hops;
    std::vector<std::uint32_t> begin;
};

// Wire bytes by directed link slot (2 x link id + 1 for down).
using LinkBytes = std::vector<std::pair<std::uint32_t, double>>;

// Sorts by slot and merges repeated slots.
void merge_link_bytes(LinkBytes& link_bytes);

struct PhaseSummary {
    double estimate_s = 0.0;
    std::string bound;
};

[[nodiscard]] inline double effective_bandwidth(const topology::LinkInfo& link) {
    return link.bandwidth.value() * link.efficiency;
}

class LinkAccounting {
public:
    explicit LinkAccounting(const topology::Cluster& cluster);

    // `routes` receives the chosen routes under adaptive routing (the simulator must then use
    // exactly these); it is left empty under ECMP, where routing is a pure function of the pair.
    // The wire bytes the phase puts on each directed link are added to `link_bytes` (slot =
    // 2 x link + 1 for the down direction; unsorted, a slot may repeat). All of it is a pure
    // function of the phase, so a plan played many times is analysed once.
    // With `fluid`, every flow's directed slots and wire bytes are appended to it and its route
    // latency (seconds) to `latency`, as routed here: a folded plan's fluid solve needs them, and
    // routing each of a million-GPU plan's image flows once more cost as much as this pass.
    PhaseSummary analyse(const models::CollectivePhase& phase, PhaseRoutes& routes, LinkBytes& link_bytes,
                         FluidPhase* fluid = nullptr, std::vector<double>* latency = nullptr);

    // Adds `times` x the bytes of `link_bytes` to the run's totals. Bytes on a spraying pool's
    // representative are shared among the pool's links in proportion to their bandwidth.
    void add(const LinkBytes& link_bytes, double times);

    [[nodiscard]] const std::vector<double>& bytes_up() const {
        spread_pools();
        return bytes_up_;
    }
    [[nodiscard]] const std::vector<double>& bytes_down() const {
        spread_pools();
        return bytes_down_;
    }

private:
    void spread_pools() const; // pooled_ onto the pools' links

    const topology::Cluster& cluster_;
    mutable std::vector<double> bytes_up_;
    mutable std::vector<double> bytes_down_;
    mutable std::vector<double> pooled_; // bytes per spraying pool, not yet spread
    mutable bool pooled_dirty_ = false;
    std::vector<double> load_; // per directed link (2 * link + down), bytes of the current phase
    std::vector<std::size_t> touched_;
    std::vector<topology::Hop> hops_;
};

} // namespace twin::sim
