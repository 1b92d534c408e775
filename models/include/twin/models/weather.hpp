// Weather: the chain outside air temperature -> coolant supply / GPU inlet air -> GPU temperature ->
// GPU clock, over one day of hourly outside temperatures (the facility section's "weather" key,
// README.md "Weather over a day"), and what it does to the simulated step's time and power.
//
// Outside temperature T_out(h), h = 0..23 (hour of day, C): 24 given values, or a sinusoid between
// T_min and T_max peaking at hour h_pk (dry-bulb temperature lags the sun and peaks mid-afternoon):
//   T_out(h) = (T_max + T_min)/2 + (T_max - T_min)/2 * cos(2 pi (h - h_pk) / 24)
//
// Coolant supply T_sup (C) from a heat-rejection plant with approach dT_ap (K) to the outside air and
// a supply setpoint T_set (C):
//   dry cooler (economized, no compressor): T_sup = max(T_set, T_out + dT_ap)  (floats up when hot)
//   chiller (compressor trim):              T_sup = T_set                       (holds the setpoint)
//   economizer hour: T_out + dT_ap <= T_set (the dry cooler or the chiller's free-cooling coil alone
//   reaches the setpoint; a chiller's compressor is off).
// dT_ap lumps the dry cooler's approach to the dry bulb (~5 K) and the CDU's liquid-to-liquid
// heat-exchanger approach (~3 K): default 8 K (assumption, stated). T_set defaults: direct liquid
// 25 C (pwr.cdu.range: secondary loop ~25 C supply / ~45 C return); air and rear-door halls 18 C
// chilled water (assumption; with the CRAH approach below it gives a 24 C inlet, inside ASHRAE TC 9.9's
// recommended 18-27 C).
//
// What the GPU's cooler sees, T_cool (C):
//   direct liquid (cold plate):  T_cool = T_sup
//   air / rear-door (the GPU breathes room air from CRAH units or the door's coil):
//                                T_cool = T_sup + dT_crah,  dT_crah = 6 K (coil approach; assumption)
//
// GPU temperature (C) at a steady power P (W), with a die-to-coolant thermal resistance R_th (C/W):
//   T_gpu = T_cool + R_th * P,   P = P_full(c) = P_idle + (P_tdp' - P_idle) * c^3  (power.hpp, u = 1)
// P_tdp' is the TDP or the power cap (whichever is lower): the heat sink's time constant (tens of
// seconds) is longer than a compute phase but the die's is not, so we take the full-load draw, not
// the step's mean (conservative). R_th defaults: air and rear-door 0.06 C/W (an H100 SXM at 700 W
// and a 25 C inlet: 67 C), direct liquid 0.03 C/W (a B200 at 1,000 W on 25 C coolant: 55 C);
// assumptions, stated, no public measurement to fit them on.
//
// Clock (relative to the clock at full power): the GPU's thermal controller slows the clock when the
// die reaches the slowdown threshold T_slow and holds it there (pwr.gpu.thermal, H100/H800 SXM:
// slowdown 89 C, shutdown 92 C, max operating 87 C; defaults for every GPU type):
//   c_w = 1                                             when T_cool + R_th * P_full(c_cap) <= T_slow
//   c_w = max(c_min, cbrt(((T_slow - T_cool)/R_th - P_idle) / (P_tdp - P_idle)))   otherwise
// (c_min as in power.hpp). With several GPU types the lowest c_w holds the step up. The hour is
// "over shutdown" when even c_min leaves T_gpu above T_shut (the GPU would shut down; the series
// keeps c_min and counts the hour).
//
// Step time and power at hour h (first order; the simulated step ran at the design conditions):
// a GPU's time that scales with its clock, S = (compute + throttling + bubble + waiting) GPU-seconds
// per rank of the run's attribution (RunResult::bound_gpu_s), stretches by c_run / c_h with
// c_h = min(c_run, c_w), c_run = compute / (compute + throttling) the run's own mean clock; exposed
// communication does not:
//   T_h = T_0 + S * (c_run / c_h - 1)
// exact for a step of compute alone; an upper bound when slower compute hides more communication.
// IT energy: GPUs compute C = (compute + throttling)/ranks seconds each, at a dynamic power that goes as
// the cube of the clock for 1/clock as long, so their dynamic compute energy scales by (c_h/c_run)^2;
// everything draws its idle power through the extra time:
//   E_h = E_0 + P_IT,idle * (T_h - T_0) - E_dc * (1 - (c_h/c_run)^2)
//   E_dc = min(E_0 - P_IT,idle * T_0, N * (P_tdp - P_idle) * C * c_run^3)   (at most all dynamic energy)
//   P_IT(h) = E_h / T_h;  P_fac(h) from power.hpp's PUE model at T_out(h).
// Sources for the effect: Llama 3 (Meta, "The Llama 3 Herd of Models", 2024, §3.3.4) reports a 1-2 %
// diurnal throughput swing on 16k H100s from mid-day temperatures acting on DVFS.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/models/power.hpp"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace twin::models {

enum class PlantType { DryCooler, Chiller };
inline constexpr auto kPlantNames =
    enum_names<PlantType>({{PlantType::DryCooler, "dry-cooler"}, {PlantType::Chiller, "chiller"}});

inline constexpr int kHoursPerDay = 24;
inline constexpr double kDefaultApproachC = 8.0;
inline constexpr double kDefaultCrahApproachC = 6.0;
inline constexpr double kDefaultSlowdownC = 89.0;     // pwr.gpu.thermal
inline constexpr double kDefaultShutdownC = 92.0;     // pwr.gpu.thermal
inline constexpr double kDefaultMaxOperatingC = 87.0; // pwr.gpu.thermal

struct WeatherSpec {
    std::array<double, kHoursPerDay> outside_c{}; // T_out(h), C
    PlantType plant = PlantType::DryCooler;
    double approach_c = kDefaultApproachC; // dT_ap, K
    double supply_setpoint_c = 25.0;       // T_set, C
    double crah_approach_c = 0.0;          // dT_crah, K (0 for direct liquid)
    double thermal_resistance_c_per_w = 0.03;
    double slowdown_c = kDefaultSlowdownC;
    double shutdown_c = kDefaultShutdownC;
    double max_operating_c = kDefaultMaxOperatingC;
};

// Defaults by cooling type (see above).
[[nodiscard]] PlantType default_plant(CoolingType t);
[[nodiscard]] double default_supply_setpoint_c(CoolingType t);
[[nodiscard]] double default_crah_approach_c(CoolingType t);
[[nodiscard]] double default_thermal_resistance(CoolingType t);

// Reads facility.weather (keys in README.md, "Weather over a day"); bad input throws InputError at
// the key's pointer. `cooling` is the facility's cooling type (defaults and the air-only key).
[[nodiscard]] WeatherSpec read_weather(const Value& v, CoolingType cooling);

// T_out(h) of the sinusoid above.
[[nodiscard]] double sinusoid_c(double min_c, double max_c, double peak_hour, int hour);

// One GPU type's thermal state at a cooler temperature.
struct GpuThermal {
    double clock = 1.0; // c_w
    double gpu_c = 0.0; // T_gpu at that clock, full load
    bool over_shutdown = false;
};
// T_sup for an outside temperature; T_cool adds the CRAH approach.
[[nodiscard]] double coolant_supply_c(const WeatherSpec& w, double outside_c);
[[nodiscard]] bool economizer_hour(const WeatherSpec& w, double outside_c);
// c_w and T_gpu of a GPU (`full_power`: P_tdp' = min(TDP, power cap)).
[[nodiscard]] GpuThermal gpu_thermal(const WeatherSpec& w, const GpuPowerParams& g, Watts full_power, double cool_c);

// What the day's arithmetic needs from the simulated run.
struct RunBaseline {
    double step_s = 0.0;                       // T_0
    int ranks = 0;                             // N (GPUs with a program)
    std::map<std::string, double> bound_gpu_s; // RunResult::bound_gpu_s
    double it_energy_j = 0.0;                  // E_0
    double it_idle_w = 0.0;                    // P_IT,idle
    double gpu_dynamic_w = 0.0;                // sum over the N GPUs of P_tdp - P_idle
    std::vector<GpuPowerParams> gpu_params;    // per GPU type
    std::vector<Watts> full_power;             // P_tdp' per GPU type
    PueModel pue;                              // of the run (its temperature factor is replaced per hour)
    CoolingType cooling = CoolingType::Air;
    double design_pue = 1.5;
};

struct WeatherHour {
    int hour = 0;
    double outside_c = 0.0;
    double coolant_c = 0.0;   // T_sup
    double gpu_inlet_c = 0.0; // T_cool
    double gpu_c = 0.0;       // hottest GPU type's T_gpu
    double clock = 1.0;       // c_h (vs full clock)
    bool economizer = false;
    double step_s = 0.0;
    double relative_throughput = 1.0; // T_0 / T_h
    double it_mean_w = 0.0;
    double facility_mean_w = 0.0;
};

struct WeatherDay {
    std::vector<WeatherHour> hours; // 24
    double step_min_s = 0.0, step_max_s = 0.0;
    double throughput_swing = 0.0; // 1 - step_min / step_max
    int throttled_hours = 0;       // c_w < 1
    int economizer_hours = 0;
    int hours_above_max_operating = 0; // T_gpu > T_max_op
    int hours_over_shutdown = 0;
    double it_energy_per_day_j = 0.0;       // sum over hours of P_IT(h) * 3600 s
    double facility_energy_per_day_j = 0.0; // sum over hours of P_fac(h) * 3600 s
};

[[nodiscard]] WeatherDay weather_day(const WeatherSpec& w, const RunBaseline& run);

} // namespace twin::models
