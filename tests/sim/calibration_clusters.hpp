// Clusters of the calibration cases (tests/calibration/*.json): `node` x `nodes` from the bundled
// catalog on a rail-optimized fat-tree of the named kind.
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/load.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace twin::test {

inline std::string calibration_fabric_json(const std::string& kind) {
    if (kind == "hdr-ib") {
        return R"("fabric": {"type": "rail-optimized-fat-tree", "access_cable": "HDR-DAC",
                  "tiers": [{"switch": "QM8700", "uplink_cable": "HDR-optical"}, {"switch": "QM8700"}]})";
    }
    if (kind == "hdr-ib-3tier") {
        return R"("fabric": {"type": "rail-optimized-fat-tree", "access_cable": "HDR-DAC",
                  "tiers": [{"switch": "QM8700", "uplink_cable": "HDR-optical"},
                            {"switch": "QM8700", "uplink_cable": "HDR-optical"}, {"switch": "QM8700"}]})";
    }
    if (kind == "ndr-ib") {
        return R"("fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                  "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]})";
    }
    if (kind == "roce") {
        return R"("fabric": {"type": "rail-optimized-fat-tree", "technology": "roce", "access_cable": "NDR-DAC",
                  "tiers": [{"switch": "SN5600-400G", "uplink_cable": "NDR-optical"}, {"switch": "SN5600-400G"}]})";
    }
    throw std::invalid_argument("unknown fabric kind " + kind);
}

inline topology::Cluster calibration_cluster(const nlohmann::json& c, const std::string& file_name) {
    std::string text = fmt::format(R"({{"nodes": [{{"type": "{}", "count": {}}}])", c.at("node").get<std::string>(),
                                   c.at("nodes").get<int>());
    if (c.contains("fabric")) {
        text += ", " + calibration_fabric_json(c.at("fabric").get<std::string>());
    }
    text += "}";
    const auto doc = Document::parse(text, file_name);
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

} // namespace twin::test
