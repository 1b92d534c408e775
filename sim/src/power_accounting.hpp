// Event-driven power and cooling accounting of a run (README.md, "Power and cooling"; equations in
// twin/models/power.hpp).
//
// Every GPU draws a constant power between the engine's state changes (P(state, clock)), so rack,
// row, hall, CDU and total IT power are piecewise constant: each change updates a handful of levels
// in O(1) and the energy of the segment that just ended is integrated exactly (sum of W x s); no
// time step. Several changes at one instant leave zero-length levels that count for nothing.
//
// Throttling: a cooling domain (rack, CDU, plant) with a capacity C throttles when a compute op
// starts on one of its GPUs at time t and the domain's heat (its IT power) just before t, H(t-),
// exceeds C. From then on (thermal time constants are minutes, far longer than a step) every compute
// op started on its GPUs runs at the domain's throttled clock c_th, i.e. takes 1/c_th as long, and
// its GPUs draw P(state, c_th). Ops already running keep their clock. A power cap sets the clock
// c_cap of every op (min with c_th). A folded rank (stands_for) moves the power of all the GPUs
// it stands for and runs at the lowest clock of their domains.
//
// Ramps: with a window w (facility timeline.ramp_window), the fastest ramp is
// max over t of |P(t) - P(t - w)| / w (the slope of the w-wide moving average), with P(t) = P(0)
// for t < 0; a short history of the last w seconds of IT levels gives it exactly in O(1) amortised.
//
// Time series: at most N bins of equal width b = 1 us x 2^k, the smallest such that the run fits
// (bins are merged pairwise as the run grows), each with the mean (exact energy / width), lowest
// and highest held IT level.
#pragma once

#include "twin/models/facility.hpp"
#include "twin/models/nameplate.hpp"
#include "twin/sim/results.hpp"
#include "twin/topology/cluster.hpp"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace twin::sim {

class PowerAccounting final : public ActivityObserver {
public:
    PowerAccounting(const topology::Cluster& cluster, const models::Facility& facility);

    void state_changed(int rank, double time_s, GpuState state, double sm_activity) override;
    double compute_speed(int rank, double time_s) override;
    void stands_for(int rank, const std::vector<int>& gpus) override;
    void finished(double time_s) override;

    // Valid after finished().
    [[nodiscard]] const PowerResult& result() const { return result_; }

    // A piecewise-constant power level with its statistics (public for tests of the arithmetic).
    struct Level {
        double w = 0.0;      // current level
        double since = 0.0;  // when it began
        double before = 0.0; // the level held just before `since`
        double energy = 0.0; // J, over committed segments
        double peak = 0.0, min = 0.0;
        bool held = false;                            // some level lasted > 0 s
        std::array<double, 2> limit{-1.0, -1.0};      // two limits checked on held levels (< 0: none)
        std::array<double, 2> first_over{-1.0, -1.0}; // when a held level first exceeded each (< 0: never)
        // Adds `dw` at time t (t >= since). Returns true when a segment [since_old, t) was committed.
        bool add(double t, double dw);
        void close(double t);
        [[nodiscard]] double level_before(double t) const { return t > since ? w : before; }
    };

private:
    struct Thermal {
        const models::CoolingDomain* spec = nullptr;
        bool throttled = false;
    };
    struct Group {
        int rack = 0;
        int count = 1;
    };

    // A folded rank's GPUs in one rack, and one change of a representative domain (power_classes.hpp).
    struct Entry {
        std::uint8_t family = 0; // 0 racks, 1 rows, 2 halls, 3 CDUs
        std::int32_t index = 0;
        std::int32_t count = 0;
    };

    void compile(); // the equivalent domains of a folded run, at its first event
    [[nodiscard]] std::vector<Level>& family(std::size_t f);
    [[nodiscard]] int domain_of_rack(std::size_t f, int rack) const;
    [[nodiscard]] std::size_t rep(std::size_t f, std::size_t d) const {
        return rep_[f].empty() ? d : static_cast<std::size_t>(rep_[f][d]);
    }
    bool quick_clock(std::size_t c, double t, double& clock);
    void change(int rank, double t, double dw_per_gpu);
    void total_segment(double a, double b, double level);
    double domain_clock(Thermal& d, const Level& heat, const char* kind, int id, double t);

    const models::Facility& facility_;
    models::PowerPlan plan_;
    models::Nameplate nameplate_;      // sized on the nodes' maximum power (models/nameplate.hpp)
    std::vector<double> gpu_w_;        // current draw per rank
    std::vector<double> clock_;        // clock of the rank's current / next compute op
    std::vector<std::int32_t> custom_; // index into custom_groups_ (-1: the rank's own GPU)
    std::vector<std::vector<Group>> custom_groups_;
    std::vector<std::int32_t> group_of_rack_; // scratch for stands_for (-1 between calls)
    // Equivalent domains (power_classes.hpp), set by compile(): per family its representatives
    // (empty: every domain alone); per folded rank the changes of its representative domains, the
    // counts it adds to the total (one per group, in group order), and its distinct representative
    // racks and CDUs (for the clock).
    bool compiled_ = false;
    std::vector<std::uint8_t> covered_; // per GPU: a folded rank stands for it
    std::array<std::vector<std::int32_t>, 4> rep_;
    std::vector<std::vector<Entry>> entries_;
    std::vector<std::vector<std::int32_t>> total_counts_;
    std::vector<std::vector<std::int32_t>> rack_reps_, cdu_reps_;
    std::vector<Level> racks_, rows_, halls_, cdus_;
    Level total_;
    std::vector<Thermal> rack_thermal_, cdu_thermal_;
    Thermal plant_thermal_;
    // Ramp history: IT levels (start, end, level) that may still fall inside the lag window.
    struct Seg {
        double a, b, w;
    };
    std::vector<Seg> history_;
    std::size_t history_head_ = 0;
    double max_lag_diff_ = 0.0;
    // Series bins.
    struct Bin {
        double energy = 0.0, min = 0.0, max = 0.0;
        bool used = false;
    };
    std::vector<Bin> bins_;
    double bin_s_ = 0.0;
    PowerResult result_;
};

} // namespace twin::sim
