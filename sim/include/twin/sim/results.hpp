// What a run is given and how it is watched (RunOptions, ActivityObserver). What it produces is
// plain data in the SimGrid-free report library (twin/report/run_result.hpp); the names are
// brought in here so sim code reads them as twin::sim::RunResult etc.
#pragma once

#include "twin/report/run_result.hpp"
#include "twin/topology/limits.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace twin::sim {

using report::BlockStats;
using report::ClassSeries;
using report::CollectiveRecord;
using report::CollectiveStats;
using report::DomainPower;
using report::FoldSummary;
using report::GpuActivity;
using report::LinkLoad;
using report::PhaseStats;
using report::PowerPoint;
using report::PowerResult;
using report::PowerStats;
using report::RunResult;
using report::ThrottleEvent;
using report::TierSeries;
using report::Timeline;
using report::TimelineOp;
using report::TimelineSlice;
using report::TimeSeries;
using report::Violation;

// What a GPU is doing, for power accounting. Compute wins over communication (a GPU that computes
// while a collective runs in the background draws compute power).
enum class GpuState : std::uint8_t { Idle, Compute, Communicate };

// Watches the GPUs' activity while a run goes (power and cooling accounting, throttling). The
// engine calls it from its event loop, in simulated-time order; it never calls SimGrid.
class ActivityObserver {
public:
    virtual ~ActivityObserver() = default;
    // Rank `rank` changed state at `time_s`. For Compute, `sm_activity` in (0, 1] is the share of
    // the op's time the tensor cores are busy (roofline flops time / op time: 1 when compute-bound,
    // less when memory-bound); 0 otherwise. Called once per rank at time 0 with Idle (or the first
    // state), then on every change and at every new compute op. Ranks without a program (and GPUs
    // outside the trace) are never reported: they idle the whole run.
    virtual void state_changed(int rank, double time_s, GpuState state, double sm_activity) = 0;
    // Speed of a compute op starting now on `rank`, in (0, 1]: 1 at full clock, less when the GPU
    // is throttled (power cap, heat). The op's roofline time is divided by it.
    virtual double compute_speed(int /*rank*/, double /*time_s*/) { return 1.0; }
    // Folded runs (README, "Shortcuts") simulate one rank for a set of GPUs that behave the same
    // way. Before the run, the engine calls this once for every simulated rank that stands for
    // other GPUs too: `gpus` (ascending) includes `rank`; those GPUs get `rank`'s states. Without
    // a call a rank stands for itself (rank r is GPU r).
    virtual void stands_for(int /*rank*/, const std::vector<int>& /*gpus*/) {}
    // Called once when the run ends, at the simulated end time.
    virtual void finished(double /*time_s*/) {}
};

struct RunOptions {
    bool record_collectives = false;
    // Not owned; may be null. Sees every rank's state changes (see ActivityObserver).
    ActivityObserver* observer = nullptr;
    // Take no shortcut: run every flow group through SimGrid, even collectives that stay inside one
    // scale-up domain (otherwise timed analytically), and every rank's program (no folding of
    // data-parallel replicas). See README, "Shortcuts".
    bool unfolded = false;
    // Keep the scale-up shortcut but simulate every rank (no folding).
    bool no_fold = false;
    // In a run that is not folded (and neither `unfolded` nor `no_fold`), a collective with a phase
    // of at least this many flows is timed by the fluid solver instead of SimGrid flows (README,
    // "Shortcuts", fluid-timed collectives); 0: never.
    std::int64_t fluid_min_flows = 1024;
    // Called now and then (at most about twice a wall-clock second) with the share of the
    // simulated ranks' operations done, in [0, 1], and the simulated time reached. May be empty.
    std::function<void(double done, double simulated_s)> progress;
    // Budgets: the operations the engine may execute (topology/limits.hpp, checked before it
    // starts: sim/budget.hpp), and a wall-clock deadline past which the engine throws
    // TimeLimitExceeded at its next event (none when empty).
    std::int64_t max_ops = topology::Limits{}.max_ops;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    // Time series (RunResult::series): the narrowest bin width and the most bins kept.
    double bin_s = 1e-6;
    std::size_t max_bins = 4096;
    // Timeline (RunResult::timeline): record the first `timeline_ranks` simulated ranks' ops (0: no
    // timeline), at most `timeline_max_slices` slices (then RunResult::timeline.truncated).
    int timeline_ranks = 0;
    std::size_t timeline_max_slices = 2'000'000;
};

} // namespace twin::sim
