// Progress of a collective sweep (SweepSpec::progress): the share of the work done, reported at
// most twice a wall-clock second and once at the end. In the fluid sweep the work is the cases;
// in a SimGrid sweep it is the flows, counted as SimGrid ends them, so progress moves during one
// long collective too.
#pragma once

#include "twin/sim/sweep.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace twin::sim {

class SweepProgress {
public:
    // The clock is read on every `check_every`-th call to add (a power of two).
    SweepProgress(std::function<void(double)> report, double total, std::int64_t check_every);
    void add(double work); // `work` more done
    void at(double work);  // `work` done in all
    void finish();         // reports 1

private:
    std::function<void(double)> report_;
    double total_ = 0.0;
    double done_ = 0.0;
    std::int64_t calls_ = 0;
    std::int64_t mask_ = 0;
    std::chrono::steady_clock::time_point last_{};
};

// Plans every case of a SimGrid sweep (the algorithm and protocol `variants` at each size) to
// count its flows, and counts the comms SimGrid completes from now on.
[[nodiscard]] std::shared_ptr<SweepProgress>
watch_simgrid_flows(const topology::Cluster& cluster, const SweepSpec& spec,
                    const std::vector<std::pair<models::Algorithm, models::Protocol>>& variants);

} // namespace twin::sim
