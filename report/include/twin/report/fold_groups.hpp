// Partial folding in the report (models/fold.hpp, "Partial folding"): which groups of replica
// blocks were folded onto which simulated block. In report.json, the "folded data-parallel
// replicas" shortcut lists them as "groups" when more than one block was simulated (a symmetric
// run folds everything onto block 0 and has no "groups"), in the order of their simulated blocks,
// with "grouping" next to them saying which equivalence made the groups ("exact": identical
// speeds at every place; "slowest synchronisation class": models/fold.hpp):
//   {"simulated_replicas": [8, 15],  // the simulated block's replicas (first, last; of the largest
//                                    // data-parallel communicators when jobs' sizes differ)
//    "blocks": 3,                    // blocks it stands for, itself included
//    "stragglers": 1,                // GPUs of the simulated block slower than their type
//    "slowest_speed": 0.5}           // their lowest speed (1 without stragglers)
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace twin {
class Value;
} // namespace twin

namespace twin::report {

struct FoldGroup {
    int first_replica = 0;
    int last_replica = 0;
    int blocks = 1;
    int stragglers = 0;
    double slowest_speed = 1.0;
};

[[nodiscard]] nlohmann::json fold_groups_to_json(const std::vector<FoldGroup>& groups);
// Reads "groups" back (every key checked).
[[nodiscard]] std::vector<FoldGroup> fold_groups_from_json(const Value& v);

} // namespace twin::report
