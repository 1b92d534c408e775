// The run report: versioned JSON (format_version 1), a readable summary for stdout, and a CSV of
// link utilisation. Keys carry their units (_s, _bytes, _bytes_per_s). Everything is sorted and
// printed with fixed rules, so the same scenario and seed give byte-identical files.
#pragma once

#include "twin/core/output_set.hpp"
#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::sim {

inline constexpr int kReportFormatVersion = 1;

[[nodiscard]] nlohmann::json report_json(const models::Scenario& scenario, const RunResult& result);
[[nodiscard]] std::string report_text(const models::Scenario& scenario, const RunResult& result);
// One row per link and direction: id, name, tier, direction, bandwidth, bytes, utilisation.
[[nodiscard]] std::string links_csv(const models::Scenario& scenario, const RunResult& result);

// The files of a run's result set.
[[nodiscard]] const std::vector<std::string>& output_file_names();

// Adds report.json, links.csv and power.csv (power time series) to `set` and swaps the set in as a
// whole (twin/core/output_set.hpp: the previous set stays until then; never a mix). Returns the
// paths written.
std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& scenario,
                                                 const RunResult& result);

// The scenario file as report.json names it: its file name alone, so the report is the same from any
// working directory (paths inside a scenario are relative to its folder, so the name identifies it
// there).
[[nodiscard]] std::string report_file_name(const models::Scenario& scenario);

} // namespace twin::sim
