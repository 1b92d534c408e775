// Isolated flow times of one phase: the time each flow of a set started together takes when
// nothing else is on the network, under exactly the sharing SimGrid applies (run.cpp sets CM02
// without TCP factors or cross-traffic). Used by folded runs, where the images of a simulated
// block's flows are not handed to SimGrid: their effect on the simulated flows is computed here
// once per plan (see plan_cache.hpp, "Folded plans").
//
// Model (SimGrid 3.32, CM02, src/kernel/resource/models/network_cm02.cpp and lmm/maxmin.cpp):
//   flow f on route L_f has sharing penalty  p_f = lat_f + weight_S x sum_{l in L_f} 1 / B_l
//   (lat_f = sum of link latencies; B_l = effective bandwidth of directed link l, bytes/s)
//   and rates come from weighted max-min fairness with weight 1 / p_f: on the bottleneck link
//   l* = argmin_l  C_l / sum_{f on l, unfixed} (1 / p_f)   (C_l: capacity left)
//   each unfixed flow on l* gets  rate_f = (C_l* / sum 1/p) / p_f;  repeat until all are fixed
//   (progressive filling). When flows end the rest are re-shared (event-driven; no time step).
//   The transfer time T_f excludes lat_f (SimGrid waits the latency before a flow shares links).
//
// Connected sets (flows linked by shared links, directly or through others) are solved one by one.
// A folded run's phases hold thousands of sets that are copies of each other (the images of one
// transfer, each in its own part of the fabric), so a set's solution is remembered under its
// shape: its links' bandwidths in local order, and per flow its bytes, weight and links by their
// place in that order. A set of the same shape runs exactly the same arithmetic (the same order of
// links and flows, the same tie-breaks), so copying its times is bit for bit the same as solving it.
// Sets of up to 1,024 flows are remembered, 64 MB of shapes at most (fluid.cpp).
#pragma once

#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace twin::sim {

// Flows of one phase, flattened: flow i uses the directed link slots (2 x link + 1 for down)
// slots[begin[i] .. begin[i+1]) and carries bytes[i] (wire bytes).
struct FluidPhase {
    std::vector<std::uint32_t> slots;
    std::vector<std::uint32_t> begin; // size flows + 1
    std::vector<double> bytes;
};

class FluidSolver {
public:
    // `weight_s`: SimGrid's network/weight-S (the engine sets it in run.cpp).
    FluidSolver(const topology::Cluster& cluster, double weight_s);

    // Transfer time of each flow (seconds from start to its last byte, latency excluded).
    void solve(const FluidPhase& phase, std::vector<double>& times);

    // Relative tolerance on end times (default 0: exact, one event per distinct end). With t > 0
    // the flows that would end within a factor (1 + t) of the next end end with it: a set takes
    // at most ln(last end / first end) / t events, and every end time (so a phase's duration) is
    // short by at most about t of it — the bytes a flow has left then are dropped, and its share
    // of each link is freed at most t x now early. A large phase whose flows end one by one
    // (a 100,000-GPU tree all-reduce: 200,000 distinct ends) needs it.
    void set_tolerance(double t) {
        tolerance_ = t;
        memo_.clear();
        memo_words_ = 0;
    }

    // Called after every event of a solve with the flows ended so far and the phase's flows (for
    // progress reports on large phases). May be empty.
    void set_progress(std::function<void(std::size_t ended, std::size_t flows)> progress) {
        progress_ = std::move(progress);
    }

private:
    void run_set(std::vector<double>& times); // the events of one connected set of flows
    bool recall(std::vector<double>& times);  // a set of a shape solved before: its times copied
    void remember(const std::vector<double>& times);
    void share();         // rates of the set's active flows (progressive filling)
    void share_indexed(); // the same, faster on large sets (with a tolerance)
    [[nodiscard]] bool before(std::uint32_t a, std::uint32_t b) const; // heap order of local slots
    void sift_up(std::size_t k);
    void sift_down(std::size_t k);
    void remove_at(std::size_t k);
    std::uint32_t find(std::uint32_t slot); // union-find over local slots

    // A flow's state (fixed_).
    static constexpr std::uint8_t kFree = 0;  // active, rate not fixed yet in this round
    static constexpr std::uint8_t kFixed = 1; // active, rate fixed
    static constexpr std::uint8_t kDone = 2;  // finished

    struct Entry {
        double level; // capacity left per unit of weight (a lower bound, see share())
        std::uint32_t slot;
    };

    const topology::Cluster& cluster_;
    double weight_s_;
    double tolerance_ = 0.0;
    std::function<void(std::size_t, std::size_t)> progress_;
    std::size_t ended_ = 0; // flows ended in the current solve
    const FluidPhase* phase_ = nullptr;
    // Per flow.
    std::vector<double> weight_, remaining_, rate_;
    std::vector<std::uint32_t> active_;
    std::vector<std::uint8_t> fixed_;
    std::vector<std::uint32_t> local_;      // per hop of the phase: local index of its slot
    std::vector<std::uint32_t> slot_index_; // per directed slot of the cluster: local index (scratch)
    // Per local slot.
    std::vector<std::uint32_t> touched_; // its directed slot
    std::vector<double> bandwidth_, capacity_, weight_sum_;
    std::vector<std::uint32_t> unfixed_;
    std::vector<std::uint32_t> on_begin_, on_flows_; // flows on each (CSR)
    std::vector<Entry> heap_;
    // share_indexed: a binary heap of local slots by level, and each slot's position in it.
    std::vector<std::uint32_t> heap_slots_, pos_;
    std::vector<double> level_;
    std::vector<std::uint32_t> parent_;    // union-find: local slots of one connected set
    std::vector<std::uint32_t> set_slots_; // local slots of the set being solved
    // Sets solved before, by shape (see the top); bounded, cleared when full.
    struct ShapeHash {
        std::size_t operator()(const std::vector<std::uint64_t>& key) const;
    };
    std::vector<std::uint64_t> shape_;     // the current set's shape
    std::vector<std::uint32_t> set_flows_; // its flows, in order
    std::vector<std::uint32_t> set_pos_;   // per local slot: its place in set_slots_
    std::unordered_map<std::vector<std::uint64_t>, std::vector<double>, ShapeHash> memo_;
    std::size_t memo_words_ = 0; // shapes and times held
};

} // namespace twin::sim
