// The run report: versioned JSON (format_version 1), a readable summary for stdout, and a CSV of
// link utilisation. Keys carry their units (_s, _bytes, _bytes_per_s). Everything is sorted and
// printed with fixed rules, so the same scenario and seed give byte-identical files.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

namespace twin::sim {

inline constexpr int kReportFormatVersion = 1;

[[nodiscard]] nlohmann::json report_json(const models::Scenario& scenario, const RunResult& result);
[[nodiscard]] std::string report_text(const models::Scenario& scenario, const RunResult& result);
// One row per link and direction: id, name, tier, direction, bandwidth, bytes, utilisation.
[[nodiscard]] std::string links_csv(const models::Scenario& scenario, const RunResult& result);

// Writes report.json and links.csv into `dir` (created if needed). Each file is written to a
// temporary name and renamed into place, so a failed run never leaves a half-written report.
// Returns the paths written.
std::vector<std::filesystem::path> write_outputs(const std::filesystem::path& dir, const models::Scenario& scenario,
                                                 const RunResult& result);

} // namespace twin::sim
