// The groups of a partially folded run for the report (twin/report/fold_groups.hpp): one per
// simulated block, with the blocks it stands for and its stragglers. Empty when block 0 alone
// stands for every block (a symmetric fold), so symmetric reports do not change.
#pragma once

#include "twin/models/fold.hpp"
#include "twin/models/trace.hpp"
#include "twin/report/fold_groups.hpp"
#include "twin/topology/cluster.hpp"

#include <vector>

namespace twin::sim {

[[nodiscard]] std::vector<report::FoldGroup> fold_groups(const models::Trace& trace, const models::Fold& fold,
                                                         const topology::Cluster& cluster);

} // namespace twin::sim
