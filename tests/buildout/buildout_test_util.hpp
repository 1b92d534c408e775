// Scenario texts for build-out tests: SuperPOD-style rail-optimized fabrics of DGX H100 (32 nodes
// per scalable unit, 8 rails of NDR 400G, QM9700 leaves/spines/cores).
#pragma once

#include "twin/buildout/bom.hpp"
#include "twin/buildout/load.hpp"

#include <fmt/format.h>
#include <string>

namespace twin::buildout::testing {

// `sus` scalable units; 3 tiers (pods of 4 SUs) above 8 SUs as the reference architecture does.
// `floorplan`: the text of a "floorplan" value, or "" for none.
inline std::string superpod(int sus, const std::string& floorplan = "") {
    const bool three = sus > 8;
    const std::string tiers = three ? R"([{"switch": "QM9700", "uplink_cable": "NDR-optical"},
                    {"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}])"
                                    : R"([{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}])";
    return fmt::format(R"({{"schema_version": 1, "name": "su{}", "seed": 1,
      "topology": {{"nodes": [{{"type": "DGX-H100", "count": {}}}], "racks": {{"nodes_per_rack": 4}},
        "fabric": {{"type": "rail-optimized-fat-tree", "access_cable": "NDR-optical",
                   "nodes_per_leaf_group": 32{}, "tiers": {}}}}}{}}})",
                       sus, 32 * sus, three ? R"(, "leaf_groups_per_pod": 4)" : "", tiers,
                       floorplan.empty() ? "" : ", \"floorplan\": " + floorplan);
}

inline BuildoutInput load(const std::string& text) {
    return parse_buildout(text, "test.json");
}

} // namespace twin::buildout::testing
