// The cluster the folding tests run on (fold_test.cpp, fold_classes_test.cpp).
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/load.hpp"

namespace twin::models::testing {

// 4 DGX-H100 (32 GPUs) on a non-blocking rail-optimized leaf/spine.
inline topology::Cluster four_nodes() {
    const auto doc = Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 4}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}})",
                                     "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

} // namespace twin::models::testing
