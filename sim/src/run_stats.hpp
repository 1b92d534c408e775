// What a run adds up, as it goes: each rank's time computing, communicating (exposed: not
// computing) and idle, the exposed communication by group family, per-op-name phase figures, per
// collective figures, the bottleneck tiers' credit for exposed time, and the RunResult assembled
// from them at the end. Plain C++ state, no SimGrid: the coordinator passes the current time.
//
//   compute_s        time with a compute op running (compute has priority)
//   communication_s  time in a started collective or transfer while not computing
//   idle_s           end - compute_s - communication_s
//   exposed[family] += weight x dt / (families communicating on the rank during dt)
//   bound_gpu_s[tier] = exposed GPU-seconds x credit[tier] / total credit, where each group adds
//                       to the tier of each phase's bottleneck: its duration x members x weight,
//                       shared over phases in proportion to their estimates; compute keeps its own
//                       (time beyond the full-clock roofline time is "throttling"); idle time is
//                       "bubble" while waiting on a transfer's peer (or, in a trace with transfers,
//                       after the rank's program), else "waiting"
// Per-rank figures count every GPU the rank stands for (weight in a folded run).
#pragma once

#include "engine_types.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/trace.hpp"
#include "twin/sim/results.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace twin::sim {

class RunStats {
public:
    // `record_collectives`: keep a CollectiveRecord of every collective (RunOptions).
    RunStats(const models::Trace& trace, const models::Fold& fold, bool record_collectives);

    // GPUs simulated rank `rank` stands for (1 + its images in a folded run).
    [[nodiscard]] double weight(int rank) const {
        return fold_.active ? static_cast<double>(fold_.weight[static_cast<std::size_t>(rank)]) : 1.0;
    }

    // `rank` starts (+1) or ends (-1) computing (`d_compute`) or a communication of group family
    // `family` (`d_comm`; families.size() for a transfer without one), or waiting for a transfer's
    // peer (`d_wait_p2p`), at `now`.
    void account(int rank, double now, int d_compute, int d_comm, int family = -1, int d_wait_p2p = 0);
    [[nodiscard]] bool computing(int rank) const { return ranks_[static_cast<std::size_t>(rank)].computing > 0; }
    // Compute wins over communication.
    [[nodiscard]] GpuState state(int rank) const {
        const auto& st = ranks_[static_cast<std::size_t>(rank)];
        return st.computing > 0 ? GpuState::Compute : st.communicating > 0 ? GpuState::Communicate : GpuState::Idle;
    }
    // When `rank`'s state last changed (it has been in state(rank) since).
    [[nodiscard]] double last_change(int rank) const { return ranks_[static_cast<std::size_t>(rank)].last_change; }
    void rank_ended(int rank, double now) { ranks_[static_cast<std::size_t>(rank)].activity.finish_s = now; }

    // A compute op of `duration` seconds ended; `full_speed`: its roofline time at full clock.
    void compute_done(const models::Op& op, int rank, double duration, double full_speed);
    // The index of collective `op`'s stats (by name, algorithm label and communicator size).
    int collective_stats(const models::Op& op, const std::string& algorithm, int members);
    // A flow group of `played` started (`analytic`: timed by the scale-up shortcut).
    void group_started(const Played& played, bool analytic);
    // A flow group of `op` with `members` ranks standing for `gpus` GPUs, started at `start`, ended
    // at `end`: it stands for `copies` groups. `stats` is its collective stats index (-1 for a transfer).
    void group_done(const Played& played, const models::Op& op, int stats, std::size_t members, double gpus,
                    double start, double end, std::int64_t copies);
    // Member `rank` of that group (its op `op` of `bytes` payload), there since `since`, is done.
    void member_done(const Played& played, const models::Op& op, int rank, double since, double start, double end,
                     double bytes);

    // The result at the end of the run (at `end`): the blocks' stats from ProgramState, the link
    // totals from PlanCache.
    RunResult finish(double end, const std::map<std::string, std::pair<std::int64_t, double>>& block_stats,
                     const LinkAccounting& links);

private:
    struct RankActivity {
        int computing = 0;
        int communicating = 0;
        double last_change = 0.0;
        GpuActivity activity;
        std::vector<int> active_families; // running collectives/transfers per family (+1: p2p)
        int waiting_p2p = 0;              // posted transfers not matched yet
    };

    std::size_t phase_of(const models::Op& op);
    // Per-op-name figures; returns the phase's bound split (GPU-seconds) for the caller to fill.
    std::map<std::string, double>& record_phase(const models::Op& op, int rank, double duration, double bytes);
    void attribute_bounds();

    const models::Trace& trace_;
    const models::Fold& fold_;
    bool record_collectives_ = false;
    RunResult result_;
    std::vector<RankActivity> ranks_;
    std::vector<double> exposed_by_family_; // GPU-seconds, by family (+ p2p)
    std::map<std::string, std::size_t> phase_index_;
    std::vector<std::vector<std::uint8_t>> phase_ranks_;
    std::map<std::string, int> collective_index_;
    std::map<std::string, double> comm_credit_;
    double bubble_gpu_s_ = 0.0;  // idle waiting on a pipeline transfer (see account)
    double waiting_gpu_s_ = 0.0; // idle waiting for collective peers, or with nothing to do
    bool has_p2p_ = false;       // the trace has transfers (a pipeline): idle after a program is bubble
};

} // namespace twin::sim
