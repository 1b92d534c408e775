// Times one collective alone on an idle fabric without SimGrid: the collective sweep's shortcut
// (README, "Shortcuts"; `clustertwin collective` without --no-fold or --unfolded).
//
// A sweep case runs alone (each case starts when the previous one ended), so the engine would
// play its plan phase by phase on an otherwise idle network:
//   T = base_latency + sum over phases p of ( max_f (lat_f + T_f) + extra_latency_p )
// where lat_f is the sum of the latencies on flow f's route and T_f its transfer time under
// SimGrid's sharing of the phase's flows (CM02 weighted max-min, event by event). FluidSolver
// (fluid.hpp) computes T_f with that very rule, for every flow of the phase: nothing is played in
// SimGrid, so a 100,000-GPU all-reduce (200,000 flows a phase) costs a routing pass and one solve,
// and no symmetry is assumed (an asymmetric group is solved the same way).
// Differences from the engine's SimGrid run: SimGrid starts a flow's sharing after its latency,
// here all flows of a phase share from the phase's start; SimGrid carries whole bytes (the engine
// truncates a flow's bytes to an integer), here exact bytes. Both matter only where latency
// dominates; tests/cli/sweep_fold_test.cpp compares both ways.
//
// Reuse across sizes: weighted max-min rates do not depend on the bytes, so when every flow of a
// plan carries c times the bytes of a plan solved before with the same flows (same phases, same
// source and destination per flow), every T_f is c times the earlier one. A size ladder of one
// algorithm is then routed and solved once (ring, tree and hierarchical plans scale with the size).
//
// Collectives whose members share one node are timed by the planner's isolated estimate, as the
// engine's scale-up shortcut does (README, "Shortcuts"), unless `analytic_scale_up` is false.
#pragma once

#include "fluid.hpp"
#include "link_accounting.hpp"
#include "platform.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace twin::sim {

struct FluidCase {
    std::string label; // "ring/simple": what ran
    double time_s = 0.0;
    bool analytic = false;  // timed by the scale-up estimate
    std::int64_t flows = 0; // flows of the plan (all phases)
    bool reused = false;    // scaled from an earlier solve of the same flows
};

class FluidCollectiveTimer {
public:
    FluidCollectiveTimer(const topology::Cluster& cluster, bool analytic_scale_up);

    // Called while a phase is solved with the share of its flows ended (large phases take seconds).
    void set_progress(std::function<void(double)> progress);

    // Throws models::UnsupportedAlgorithm when the algorithm/protocol cannot run.
    FluidCase time(models::CollectiveKind kind, const std::vector<int>& members, double size_bytes,
                   models::Algorithm algorithm, models::Protocol protocol);

private:
    // One solved phase: its flows (source, destination), wire bytes, route latency and transfer time.
    struct SolvedPhase {
        std::vector<std::uint64_t> pairs; // src << 32 | dst
        std::vector<double> bytes, latency, times;
    };
    double solve_phase(const models::CollectivePhase& phase, SolvedPhase& out);
    static bool same_flows(const models::CollectivePhase& phase, const SolvedPhase& solved);
    // c such that every flow carries c x the solved bytes, or a negative number when none does.
    static double scale_of(const models::CollectivePhase& phase, const SolvedPhase& solved);

    const topology::Cluster& cluster_;
    bool analytic_scale_up_;
    models::CollectivePlanner planner_;
    LinkAccounting accounting_;
    FluidSolver fluid_;
    FluidPhase scratch_;
    PhaseRoutes routes_;
    LinkBytes link_bytes_;
    std::vector<topology::Hop> hops_;
    std::vector<SolvedPhase> solved_; // phases solved so far, oldest first (few: one per algorithm)
};

} // namespace twin::sim
