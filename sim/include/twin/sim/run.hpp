// Runs a validated scenario through SimGrid and returns what happened.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

namespace twin::sim {

// SimGrid allows one engine per process: call this at most once per process.
// Throws InputError for problems only visible while running (a deadlocked trace, mismatched
// collectives or transfers), naming the trace file and the step's JSON pointer.
[[nodiscard]] RunResult run_scenario(const models::Scenario& scenario);

} // namespace twin::sim
