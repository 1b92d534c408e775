// Reading what a build-out needs from a scenario file: the catalog, the topology and the optional
// "floorplan" section. The workload and the rest are not read (`clustertwin validate` checks the
// whole file), so a BOM of a 100k-GPU hall does not build its workload.
#pragma once

#include "twin/buildout/floorplan.hpp"
#include "twin/topology/cluster.hpp"
#include "twin/topology/limits.hpp"

#include <filesystem>
#include <string_view>

namespace twin::buildout {

struct BuildoutInput {
    topology::Cluster cluster;
    FloorPlan floorplan;
};

[[nodiscard]] BuildoutInput load_buildout(const std::filesystem::path& scenario, const topology::Limits& limits = {});
[[nodiscard]] BuildoutInput parse_buildout(std::string_view text, const std::string& file_name,
                                           const topology::Limits& limits = {});

} // namespace twin::buildout
