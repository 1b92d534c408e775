// The run report: versioned JSON (format_version 1), a readable summary for stdout, and a CSV of
// link utilisation. Keys carry their units (_s, _bytes, _bytes_per_s). Everything is sorted and
// printed with fixed rules, so the same scenario and seed give byte-identical files.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace twin::sim {

inline constexpr int kReportFormatVersion = 1;

[[nodiscard]] nlohmann::json report_json(const models::Scenario& scenario, const RunResult& result);
[[nodiscard]] std::string report_text(const models::Scenario& scenario, const RunResult& result);
// One row per link and direction: id, name, tier, direction, bandwidth, bytes, utilisation.
[[nodiscard]] std::string links_csv(const models::Scenario& scenario, const RunResult& result);

// Writes `text` to `path` under a temporary name and renames it into place, so a reader never
// sees a half-written file. Throws InputError naming the path when it cannot be written.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// Writes report.json, links.csv and power.csv (power time series) into `dir` (created if needed). Each file is written
// to a temporary name and renamed into place, so a failed run never leaves a half-written report. Returns the paths
// written.
std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir, const models::Scenario& scenario,
                                                 const RunResult& result);

} // namespace twin::sim
