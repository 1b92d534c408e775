// Runs a validated scenario through SimGrid and returns what happened.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

namespace twin::sim {

// SimGrid allows one engine per process: call this at most once per process.
// Throws InputError for problems only visible while running (a deadlocked trace, mismatched
// collectives or transfers), naming the trace file and the step's JSON pointer.
[[nodiscard]] RunResult run_scenario(const models::Scenario& scenario, const RunOptions& options = {});
// The same for a cluster and a trace built in code (the collective sweep).
[[nodiscard]] RunResult run_trace(const topology::Cluster& cluster, const models::Trace& trace,
                                  const RunOptions& options = {});

} // namespace twin::sim
