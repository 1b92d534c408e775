// Budgets of a run, checked before the engine starts: the work (operations executed) and the
// wall-clock time limit (see topology/limits.hpp for every budget and its default).
#pragma once

#include "twin/models/trace.hpp"
#include "twin/sim/results.hpp"
#include "twin/topology/cluster.hpp"

#include <stdexcept>

namespace twin::sim {

// Thrown by the engine when RunOptions::time_limit_s of wall-clock time has passed. The run
// stops at its next event; nothing is written. The CLI prints one line and exits 3.
class TimeLimitExceeded : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Operations the engine would execute: each simulated rank's program with every repeat
// expanded, summed over the simulated ranks (all ranks unless the run folds). Saturates at
// INT64_MAX.
[[nodiscard]] std::int64_t estimate_ops(const topology::Cluster& cluster, const models::Trace& trace,
                                        const RunOptions& options);

// Throws InputError naming the trace file and the largest rank class when the estimate is above
// options.max_ops.
void check_budget(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options);

} // namespace twin::sim
