// The scenario's "failed_links": fabric cables that are down, as a what-if that breaks the
// fabric's symmetry.
//
//   "failed_links": [["spine.g0.3", "core.12"], ["leaf.g1.r0", "spine.g1.5"]]
//
// Each entry names the two fabric switches of a switch-to-switch cable (the names of `clustertwin
// info` and of the report's busiest links; the first cable between them when there are parallel
// ones). Model: the cable is taken out of routing as if it were uncabled (Cluster::fail_link):
// every route takes the shortest paths that remain, ECMP hashing over the equal-cost next hops
// that remain, so a spine that lost one of its u uplinks spreads its upward traffic over u - 1
// and the core behind it reaches that pod through other spines. The link still exists (its
// bytes stay 0). At most 256 entries. Refused: a cable that is not between two fabric switches, spray routing (its
// pools are built over every cable), and a failure that cuts the fabric in two.
// A folded run needs nothing more: each image flow is routed like any flow, so the fluid solver
// sees the detour of every image (models/fold.hpp, "ECMP").
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::topology {

// Reads the "failed_links" array and fails each named cable of `cluster`.
void apply_failed_links(const Value& value, Cluster& cluster);

} // namespace twin::topology
