// Plans as the network plays them (see Played, engine_types.hpp): a collective instance or a
// transfer becomes a plan analysed once per distinct request — routed, its per-phase estimates,
// bottleneck tiers and link bytes counted — and, in a folded run, its images solved by the fluid
// model, which gives the rate caps the simulated flows are played with. Plain C++ state, no SimGrid:
// the coordinator asks for the plan of what starts, and for the caps of the launches it is about
// to hand SimGrid.
//
// Folded plans. The images of the simulated block's flows (and, in a spanning collective, the
// flows from GPUs outside the block) are not handed to SimGrid: by symmetry they move in lockstep
// with the simulated ones. Each phase of the whole plan is solved once, in isolation, by
// FluidSolver (the sharing SimGrid would apply); the simulated flows are then played with a rate
// limit that makes each end when it would among all the flows, and the phase lasts at least as
// long as its slowest flow, image or not. Contention with other groups running at the same time
// is modelled among simulated flows only (their images' share of links that simulated flows cross
// is not seen); tests/cli/fold_test.cpp bounds the error. Folded groups that start at the same
// instant share the fabric with each other's images: their first phases are solved together, once
// per combination of plans (caps_for).
//
// Fluid-timed collectives. In a run that is not folded, a collective with a phase of many flows
// (fluid_min_flows) is timed the same way with no flow simulated: each phase is solved by
// FluidSolver (with the first phases of the fluid-timed groups that start at the same instant)
// and lasts as long as its slowest flow; SimGrid plays none of its flows. Why: SimGrid 3.32
// re-solves the whole connected set of flows at every flow end (lmm::MaxMin::do_solve, reached
// through the recursive update_modified_cnst_set_rec), and the flows of an all-GPU collective on
// an oversubscribed fabric form one set whose flows end one by one (ECMP collisions give them
// many different rates): a 1 GiB NVLS-tree all-reduce took 7.4 s of wall time at 512 GPUs, 26.5 s at
// 1,024 and 214 s at 2,048 on a 1:7 fabric. What it costs: the group does not see traffic of
// groups that started before it, nor they its own (as images in a folded run).
#pragma once

#include "engine_types.hpp"
#include "fluid.hpp"
#include "link_accounting.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace twin::sim {

using CapsPtr = std::shared_ptr<const std::vector<PhaseCaps>>;

// A folded group about to be handed to SimGrid.
struct Launch {
    std::uint64_t id = 0;
    std::shared_ptr<Played> played;
    const models::Op* op = nullptr; // for the error when a cap is not finite
};

class PlanCache {
public:
    // `fluid_min_flows` > 0: in a run that is not folded, collectives with a phase of at least that
    // many flows are fluid-timed (see "Fluid-timed collectives" above).
    PlanCache(const topology::Cluster& cluster, const models::Trace& trace, const models::Fold& fold,
              std::int64_t fluid_min_flows);

    // The plan of collective `op` of communicator `comm` of group family `family` (its `members`),
    // shared by every instance with the same (communicator, kind, size, algorithm, protocol, root).
    const std::shared_ptr<Played>& collective(const models::Op& op, int family, int comm,
                                              const std::vector<int>& members);
    // The plan of transfer `op` from `src` to `dst`, shared per (src, dst, bytes).
    const std::shared_ptr<Played>& transfer(const models::Op& op, int src, int dst);

    // The caps to play each launch of `batch` with (folded plans, started at the same instant).
    // Sorts `batch` in the order to play it; caps[k] is batch[k]'s.
    const std::vector<CapsPtr>& caps_for(std::vector<Launch>& batch);

    // The run's link bytes: every plan's bytes times its launches. Call once, at the end.
    const LinkAccounting& link_totals();
    // Each plan's link bytes per launch, in creation order (Played::index).
    [[nodiscard]] std::vector<const LinkBytes*> plan_bytes() const;

private:
    std::shared_ptr<Played> play(models::CollectivePlan plan, bool images, const models::Op& op);
    void fold_plan(Played& played, bool play_none);
    [[nodiscard]] bool fluid_timed(const models::CollectivePlan& plan) const;
    const PhaseCaps& isolated_caps(Played& played, std::size_t p);
    CapsPtr caps_alone(Played& played);
    std::vector<CapsPtr> solve_jointly(const std::vector<Launch>& batch);
    static PhaseCaps caps_of(const FoldedPhase& fl, const double* latency, const double* times);

    const topology::Cluster& cluster_;
    const models::Trace& trace_;
    const models::Fold& fold_;
    std::int64_t fluid_min_flows_;
    LinkAccounting accounting_;
    models::CollectivePlanner planner_;
    FluidSolver fluid_;
    std::map<std::tuple<int, int, int, double, int, int, int>, std::shared_ptr<Played>> plan_cache_;
    std::map<std::tuple<int, int, double>, std::shared_ptr<Played>> transfer_cache_; // (src, dst, bytes)
    std::vector<std::shared_ptr<Played>> all_played_;                                // in creation order
    std::map<std::vector<std::size_t>, std::vector<CapsPtr>> joint_caps_;            // by the batch's plan indices
    std::vector<CapsPtr> alone_;      // caps_for's answer for a batch of one
    FluidPhase fluid_phase_;          // scratch for solve_jointly
    std::vector<double> fluid_times_; // scratch: fluid_ solves into it
};

} // namespace twin::sim
