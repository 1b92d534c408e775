// What the engine hands SimGrid is finite: SimGrid aborts on a non-finite duration ("timeout is
// not finite!") and counts a comm's bytes in an unsigned 64-bit integer. Each check throws an
// InputError at the op's pointer in `file`, never an abort. Durations longer than kMaxDurationS come
// only from rates at their floors (topology/bounds.hpp) and amounts at their ceilings.
#pragma once

#include "flow_player.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/models/trace.hpp"

#include <string>
#include <vector>

namespace twin::sim {

inline constexpr double kMaxDurationS = 1e9; // about 31.7 years
inline constexpr double kMaxFlowBytes = 9.2e18;

// `seconds` (a compute op's time, a latency, a phase) lies in [0, kMaxDurationS]; `what` names it.
void check_duration(double seconds, const std::string& file, const models::Op& op, const char* what);
// The plan's latencies are durations and every flow's bytes lie in [0, kMaxFlowBytes].
void check_plan(const models::CollectivePlan& plan, const std::string& file, const models::Op& op);
// Each phase's shortest time is a duration and every flow rate is finite.
void check_caps(const std::vector<PhaseCaps>& caps, const std::string& file, const models::Op& op);

} // namespace twin::sim
