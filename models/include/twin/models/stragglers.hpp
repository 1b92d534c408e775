// The scenario's "stragglers": GPUs that compute slower than their type (a thermally limited
// part, a bad HBM stack, a noisy neighbour), as a what-if that breaks the cluster's symmetry.
//
//   "stragglers": [{"gpus": [17, 4242], "speed": 0.5},   // these GPUs at half speed
//                  {"fraction": 0.01, "speed": 0.9}]     // 1 % of the GPUs, drawn with the seed
//
// Model: a compute op of roofline time t takes t / speed on a straggler (speed in (0, 1]); its
// communication is unchanged. A "fraction" entry picks round(fraction x GPUs) distinct GPUs with
// the scenario's seed (stream "stragglers", a partial Fisher-Yates shuffle), so the same seed
// gives the same GPUs. Later entries override earlier ones for a GPU they both name. At most 64
// entries (a "fraction" entry costs O(GPUs)).
// A run folds the data-parallel replicas that are still identical and simulates the ones with a
// straggler (models/fold.hpp, "Partial folding").
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>

namespace twin::models {

// Reads the "stragglers" array and sets each named GPU's speed in `cluster`.
void apply_stragglers(const Value& value, std::uint64_t seed, topology::Cluster& cluster);

} // namespace twin::models
