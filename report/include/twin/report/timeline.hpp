// The timeline of a run as a Chrome trace-event JSON file (the "JSON Object Format" of the
// Trace Event Format document; opens in Perfetto UI, chrome://tracing and speedscope).
//
// What is written (README.md, "Timeline"):
// - process 1 "ranks": per recorded rank a track "rank N (class)" with its compute ops and a track
//   "rank N comm" with its collectives and transfers, each preceded by a "wait: <op>" slice for the
//   time the rank spent at the rendezvous (arrived, peers not yet there); counters
//   "<class> activity" with the class's compute / communication / idle shares per bin.
// - process 2 "fabric": a counter "<tier> utilisation" per link tier, mean and max per bin, and
//   where the fabric has pods (leaf groups) one per pod and tier ("<tier> utilisation, pod N").
// - process 3 "power": counters "IT power (MW)" and "facility power (MW)", mean / min / max per bin
//   (facility = facility_slope x IT + facility_fixed_w).
// Times: "ts" and "dur" in microseconds with 3 decimals. Slice times are rounded once to a grid of
// 0.125 us, exact in decimal and in binary floating point, so a slice's end is exactly ts + dur in
// every viewer and adjacent slices meet exactly; counter times are whole ns.
//
// Track rule: on one track no two slices overlap (so nesting is trivially consistent). A rank
// computing while a collective is in flight has the two on its two tracks; where a rank has more
// ops of one sort in flight at once (two collectives, a send and a recv), the later-arriving one
// goes to the first track of that sort that is free by its arrival ("rank N comm 2", ...):
// first-fit in order of arrival, which uses the fewest tracks.
//
// Output is deterministic: events in a fixed order (metadata, then slices track by track in time
// order, then counters), fixed number formats, no dependence on the run's wall time.
//
// Written with fmt into one std::string (no JSON DOM): about 200 bytes per slice.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_result.hpp"

#include <string>

namespace twin::report {

[[nodiscard]] std::string timeline_json(const models::Scenario& s, const RunResult& r);

} // namespace twin::report
