// The power, cooling and energy part of the run report (README.md, "Power and cooling"): the
// "power" object of report.json, summary lines for the text report, and power.csv (the time
// series). Keys carry units (_w, _j, _s, _w_per_s); same run, same bytes.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace twin::sim {

// Lists in the JSON are capped so that a 100k-GPU report stays readable; counts are complete.
inline constexpr std::size_t kPowerListMax = 100;

[[nodiscard]] nlohmann::json power_json(const models::Scenario& scenario, const RunResult& result);
// Lines for report_text, from the "power" object of report_json.
[[nodiscard]] std::string power_text(const nlohmann::json& power);
// time_s,bin_s,it_mean_w,it_min_w,it_max_w,facility_mean_w,cooling_mean_w: one row per series bin.
[[nodiscard]] std::string power_csv(const RunResult& result);

} // namespace twin::sim
