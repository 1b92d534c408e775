// The power, cooling and energy section of a run report (README.md, "Power and cooling"), as a
// plain value: the "power" object of report.json. Powers in W, energies in J, times in s.
//
//   facility power = slope x IT power + fixed (models/power.hpp), so facility swings and ramps are
//   the IT ones times the slope; PUE = facility mean / IT mean.
//   energy per step = the facility energy of the simulated run (one step of a generated workload);
//   per token = facility energy / tokens per step; a training run of T tokens takes
//   T / tokens per step steps of the simulated step time.
#pragma once

#include "twin/models/weather.hpp"
#include "twin/report/power_result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::report {

// Lists in the report are capped so that a 100k-GPU report stays readable; counts are complete.
inline constexpr std::size_t kPowerListMax = 100;

struct PowerModelReport {
    bool facility_section = false; // the scenario has a "facility" section
    double design_pue = 1.0;
    double conversion_efficiency = 1.0;
    std::optional<double> gpu_power_cap_w;
    double memory_bound_share = 0.0;
    double communication_share = 0.0;
    double ramp_window_s = 0.0;
};

struct EnergyReport {
    double it_j = 0.0;
    double facility_j = 0.0;
    double per_step_j = 0.0;
    std::optional<double> per_token_j;  // none without tokens per step
    std::optional<double> tokens_per_j; // none without tokens or energy
    std::string currency;
    std::optional<double> cost; // none without a price per kWh
    std::optional<double> co2_kg;
};

struct TrainingRunReport {
    double tokens = 0.0;
    double steps = 0.0;
    double time_s = 0.0;
    double days = 0.0;
    double facility_mean_w = 0.0;
    double energy_j = 0.0;
    std::optional<double> cost;
    std::optional<double> co2_kg;
};

struct CoolingReport {
    std::string type; // "air", "liquid", ... (models::cooling_name)
    bool capacities_given = false;
    std::optional<double> rack_capacity_w, cdu_capacity_w, plant_capacity_w;
    std::optional<double> inlet_temperature_c, outside_temperature_c;
    // Smallest capacity - peak over the domains with a capacity.
    std::optional<double> rack_headroom_w, cdu_headroom_w, plant_headroom_w;
    std::int64_t compute_ops = 0;
    std::int64_t throttled_compute_ops = 0;
    std::int64_t throttled_domains = 0;
    std::vector<ThrottleEvent> throttles; // the first kPowerListMax
};

// The domains of one level (racks, rows, halls, CDUs): how many, and the hottest by peak (ties:
// lowest id). Racks and CDUs carry their capacity (DomainPower::capacity_w < 0: unlimited).
struct DomainListReport {
    std::int64_t count = 0;
    std::vector<DomainPower> hottest;
};

struct PowerSeriesPoint {
    double time_s = 0.0;
    double it_mean_w = 0.0;
    double it_min_w = 0.0;
    double it_max_w = 0.0;
    double facility_mean_w = 0.0;
};

struct PowerReport {
    PowerModelReport model;
    PowerStats it;
    PowerStats facility;
    double pue_mean = 0.0;
    double it_idle_w = 0.0;
    double it_max_w = 0.0;
    double network_w = 0.0;
    // Sized on maximum power, typical beside it; absent only in reports written before it existed.
    std::optional<NameplateResult> nameplate;
    double largest_swing_w = 0.0;
    double fastest_ramp_w_per_s = 0.0;
    double facility_largest_swing_w = 0.0;
    double facility_fastest_ramp_w_per_s = 0.0;
    EnergyReport energy;
    std::optional<TrainingRunReport> training_run; // with a training token count and tokens per step
    std::optional<double> feed_w;                  // limits
    std::optional<double> rack_power_w;
    CoolingReport cooling;
    DomainListReport racks;
    double rack_peak_w_max = 0.0;
    DomainListReport rows, halls, cdus;
    std::int64_t violation_count = 0;
    std::vector<Violation> violations; // the first kPowerListMax
    double series_bin_s = 0.0;
    std::vector<PowerSeriesPoint> series;
    // With facility.weather: the step time and power of each hour of the day (models/weather.hpp).
    std::optional<models::WeatherDay> weather;
};

} // namespace twin::report
