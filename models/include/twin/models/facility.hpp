// The scenario's "facility" section (README.md, "Power and cooling") and the static power plan of
// a cluster in it: which rack, row, hall and CDU each node's power lands in, and each cooling
// domain's static heat, GPU dynamic range and throttled clock (equations in power.hpp).
//
//   "facility": {
//     "feed": "150MW",                     facility power feed (limit on facility power), > 0
//     "rack_power_limit": "40kW",          per-rack IT power limit, > 0
//     "conversion_efficiency": 0.95,       power distribution efficiency eta, (0, 1]
//     "layout": {"racks_per_row": 16, "rows_per_hall": 8},   rows_per_hall absent: one hall
//     "cooling": {"type": "air" | "rear-door" | "liquid",
//                 "rack_capacity": "30kW",        heat one rack can shed at 25 C supply, > 0
//                 "cdu_capacity": "1.5MW", "racks_per_cdu": 16,   coolant distribution units
//                 "plant_capacity": "140MW",      chillers / dry coolers: heat of the whole site
//                 "inlet_temperature_c": 25,      supply temperature (derates capacities)
//                 "outside_temperature_c": 30,    raises cooling power (PUE)
//                 "pue": 1.15},                   design PUE at full load and 20 C outside, >= 1
//     "gpu": {"power_cap": "600W", "memory_bound_share": 0.6, "communication_share": 0.3},
//     "energy": {"price_per_kwh": 0.08, "currency": "USD", "grid_co2_g_per_kwh": 380,
//                "training_tokens": 1e13},
//     "timeline": {"ramp_window": "10ms", "points": 200},
//     "weather": {...a day of outside temperatures and the cooling chain; weather.hpp...}}
//
// Without a facility section: one hall, rows of 16 racks, cooling by the GPUs' needs (liquid for a
// liquid-only GPU, else air) with its default PUE and no capacity limits (nothing throttles), no
// power cap, no limits to check. With a cooling section, capacities not given default to the
// type's typical rack ceiling (power.hpp); a liquid-only GPU needs type "liquid" and an explicit
// rack_capacity.
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/models/power.hpp"
#include "twin/models/weather.hpp"
#include "twin/topology/cluster.hpp"

#include <optional>
#include <string>
#include <vector>

namespace twin::models {

struct CoolingSpec {
    CoolingType type = CoolingType::Air;
    bool given = false;                 // a cooling section was present (capacities apply)
    std::optional<Watts> rack_capacity; // at 25 C supply
    std::optional<Watts> cdu_capacity;
    int racks_per_cdu = 0; // 0: racks_per_row
    std::optional<Watts> plant_capacity;
    std::optional<double> inlet_c;
    std::optional<double> outside_c;
    double design_pue = 1.5;
};

struct EnergySpec {
    std::optional<double> price_per_kwh;
    std::string currency = "USD";
    std::optional<double> grid_co2_g_per_kwh;
    std::optional<double> training_tokens;
};

struct Facility {
    bool present = false;
    std::optional<Watts> feed;
    std::optional<Watts> rack_power_limit;
    double conversion_efficiency = 0.95;
    int racks_per_row = 16;
    int rows_per_hall = 0; // 0: one hall
    CoolingSpec cooling;
    std::optional<Watts> gpu_power_cap;
    double memory_bound_share = 0.6;
    double communication_share = 0.3;
    EnergySpec energy;
    Seconds ramp_window = Seconds(0.01);
    int series_points = 200;
    std::optional<WeatherSpec> weather; // the day's outside temperatures (weather.hpp)
};

// Reads the optional "facility" object, checking it against the cluster (power cap within every
// GPU type's [min_power_limit, max_power], liquid-only GPUs need liquid cooling with a capacity) and
// the workload (training_tokens needs tokens per step). Without `v`, the defaults above.
[[nodiscard]] Facility load_facility(const std::optional<Value>& v, const topology::Cluster& cluster,
                                     double tokens_per_step);

// A cooling domain (rack, CDU, plant): the heat it can shed and what its GPUs do to it.
struct CoolingDomain {
    std::optional<Watts> capacity; // after inlet derating; none: unlimited
    Watts static_heat;             // everything at full (non-GPU) or idle (GPU) power
    Watts gpu_dynamic;             // sum over its GPUs of P_tdp - P_idle
    double throttled_clock = 1.0;  // c_th (power.hpp); 1 without a capacity
};

// Static power plan of a cluster in a facility.
struct PowerPlan {
    int racks = 0, rows = 0, halls = 0, cdus = 0;
    std::vector<int> rack_of_gpu; // by GPU index
    std::vector<int> row_of_rack, hall_of_rack, cdu_of_rack;
    std::vector<GpuPowerParams> gpu_params; // one per GPU type of the cluster
    std::vector<int> params_of_gpu;         // index into gpu_params, by GPU
    std::vector<double> cap_clock;          // c_cap per gpu_params entry (1 without a cap)
    std::vector<CoolingDomain> rack_cooling, cdu_cooling;
    CoolingDomain plant;
    Watts network;    // fabric switches + optics (not in any rack; in hall 0)
    Watts it_max;     // nameplate: every node at its maximum power + network (summary's it_power_max)
    Watts it_typical; // every node at its typical power + network (summary's it_power_typical)
    Watts it_idle;    // every GPU idle, everything else at full power
    PueModel pue;
};

[[nodiscard]] PowerPlan plan_power(const topology::Cluster& cluster, const Facility& facility);

} // namespace twin::models
