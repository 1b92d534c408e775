// The files of a run's result set: report.json (the RunReport), and three CSVs at full resolution
// from the RunResult itself (every link, every bin: more than the report holds):
//   links.csv   one row per link and direction: id, direction, from, to, tier, bandwidth, latency,
//               bytes, utilization (bytes / (bandwidth x simulated time)), peak_utilization (the
//               highest rate one flow group drove through it / bandwidth; 0 when not recorded)
//   power.csv   the power time series: time_s, bin_s, IT mean/min/max, facility and cooling mean (W)
//   series.csv  the time series at the run's resolution: time_s, bin_s, per link tier
//               <tier>_util_mean and <tier>_util_max (then per pod <tier>_pod<N>_util_mean and
//               <tier>_pod<N>_util_max, when the fabric has two or more), per rank class <class>_compute,
//               <class>_communication and <class>_idle (shares of the class's GPU time)
// Fields are quoted per RFC 4180 where needed (a switch named `leaf,"A"` survives). Numbers are
// printed shortest round-trip; same run, same bytes.
#pragma once

#include "twin/core/output_set.hpp"
#include "twin/models/scenario.hpp"
#include "twin/report/run_report.hpp"
#include "twin/report/run_result.hpp"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace twin::report {

[[nodiscard]] std::string links_csv(const models::Scenario& scenario, const RunResult& result);
// The same text handed to `write` in chunks of about 1 MiB (write_outputs streams it to the file).
void write_links_csv(const models::Scenario& scenario, const RunResult& result,
                     const std::function<void(std::string_view)>& write);
[[nodiscard]] std::string power_csv(const RunResult& result);
[[nodiscard]] std::string series_csv(const RunResult& result);

// The report as JSON or text, built from a run (to_json / format_text of build_report).
[[nodiscard]] nlohmann::json report_json(const models::Scenario& scenario, const RunResult& result);
[[nodiscard]] std::string report_text(const models::Scenario& scenario, const RunResult& result);

// The files of a run's result set: report.json, links.csv, power.csv, series.csv, racks.csv
// (racks_csv.hpp), nodes.csv (nodes_csv.hpp).
[[nodiscard]] const std::vector<std::string>& output_file_names();

// Adds the files of output_file_names() to `set` and swaps the set in as a whole
// (twin/core/output_set.hpp: the previous set stays until then; never a mix). Returns the paths
// written, in the order of output_file_names().
std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& scenario,
                                                 const RunResult& result, const RunReport& report);
std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& scenario,
                                                 const RunResult& result);

// The scenario file as report.json names it: its file name alone, so the report is the same from
// any working directory (paths inside a scenario are relative to its folder, so the name identifies
// it there).
[[nodiscard]] std::string report_file_name(const models::Scenario& scenario);

} // namespace twin::report
