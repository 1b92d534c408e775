// Reading what a build-out needs from a scenario file: the catalog, the topology and the optional
// "floorplan" section. The workload and the rest are not read (`clustertwin validate` checks the
// whole file), so a BOM of a 100k-GPU hall does not build its workload.
#pragma once

#include "twin/buildout/cost.hpp"
#include "twin/buildout/floorplan.hpp"
#include "twin/buildout/schedule.hpp"
#include "twin/topology/cluster.hpp"
#include "twin/topology/limits.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace twin::buildout {

struct BuildoutInput {
    topology::Cluster cluster;
    FloorPlan floorplan;
};

// Named input files resolve against `base_dir` (load_buildout: the scenario's folder).
[[nodiscard]] BuildoutInput load_buildout(const std::filesystem::path& scenario, const topology::Limits& limits = {});
[[nodiscard]] BuildoutInput parse_buildout(std::string_view text, const std::string& file_name,
                                           const topology::Limits& limits = {},
                                           const std::filesystem::path& base_dir = {});

// The "floorplan" section of a scenario file alone (`run` and `validate` have loaded the cluster).
[[nodiscard]] FloorPlan load_floorplan(const std::filesystem::path& scenario);

// The input files the floor plan names, read and checked: a file that cannot be read is an
// InputError at the naming key (/floorplan/prices), a bad one at the pointer in that file.
struct NamedInputs {
    std::optional<PriceTable> prices;
    std::optional<ScheduleInput> schedule;
};
[[nodiscard]] NamedInputs load_named_inputs(const FloorPlan& plan);

} // namespace twin::buildout
