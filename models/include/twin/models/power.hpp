// Power, cooling and facility equations: what a GPU draws in each state, what a power cap or a
// thermal limit does to its clock and speed, facility power (PUE) from IT power, and energy cost.
// Pure functions of plain numbers; the event-driven accounting over a run is in sim/ (README,
// "Power and cooling").
//
// GPU draw (W), piecewise constant between the engine's state changes:
//   P(state, c) = P_idle + (P_tdp - P_idle) * u(state) * c^3
//   u(Idle) = 0,  u(Communicate) = s_comm,  u(Compute, a) = s_mem + (1 - s_mem) * a
// where a in (0, 1] is the op's SM activity (roofline flops time / op time: 1 compute-bound, less
// memory-bound), s_mem in [0, 1] the share of the dynamic range a fully memory-bound op still draws
// (HBM and SMs waiting on it; default 0.6) and s_comm in [0, 1] that of a communication phase (NCCL
// kernels on a few SMs, NVLink and copy engines; default 0.3). P_idle and P_tdp (max_power) come
// from the catalog (hw.h100.tdp: 700 W; DESIGN.md: idle ~70-100 W for an H100). s_mem and s_comm
// are assumptions to calibrate against measured traces; they are scenario inputs.
//
// Clock c in (0, 1] (relative to the clock at TDP). Dynamic CMOS power is C V^2 f and, inside the
// DVFS range, V scales with f, so dynamic power goes as f^3 (cube law; e.g. Hennessy & Patterson,
// "Computer Architecture", 6th ed., §1.5). Compute speed is taken as proportional to the clock, for
// memory-bound ops too (conservative: HBM does not slow with the SM clock).
//   power cap P_cap (min_power_limit <= P_cap <= P_tdp):
//       c_cap = cbrt((P_cap - P_idle) / (P_tdp - P_idle))      (the clock at which u = 1 draws P_cap)
//   thermal limit of a cooling domain (rack, CDU, plant) with capacity C (W of heat), static heat S
//   (everything but the GPUs' dynamic power, at its full value) and GPU dynamic power D (all its
//   GPUs at u = 1, c = 1):
//       c_th = cbrt((C - S) / D)   clamped to [c_min, 1],   c_min = max(0.1, cbrt((P_min - P_idle) / (P_tdp - P_idle)))
//   i.e. the clock at which the domain's heat equals its capacity when every GPU computes: the
//   steady state a GPU's thermal controller settles to (H100: slowdown at 89 C, pwr.gpu.thermal).
//   The floor of 10 % of the clock (an assumption) keeps a GPU without a minimum power limit in the
//   catalog from stopping; no cap or throttle runs a GPU slower than c_min.
//
// Cooling capacity vs supply temperature: a rack sheds heat Q = m' c_p (T_return - T_supply); at the
// design flow the capacity C given for the design supply temperature (25 C) falls linearly to 0 as
// the supply warms to the return limit (45 C; pwr.cdu.range: secondary loop ~25 C supply, ~45 C
// return; ASHRAE TC 9.9 air inlet classes allow up to 27 C recommended):
//       C(T_in) = C * clamp((45 - T_in) / (45 - 25), 0, 1)
//
// Facility power (W) from IT power P_IT (all IT power becomes heat):
//   P_fac = P_IT / eta + k_cool * f(T_out) * P_IT + k_fix * P_IT,design
//   eta      power distribution efficiency (transformers, UPS, PDUs), default 0.95
//   k_fix    fixed overhead (lighting, controls, idle UPS) = 0.02 of the design IT load
//   k_cool   cooling power per W of heat, set so that PUE = PUE_design at design load and 20 C:
//            k_cool = PUE_design - 1/eta - k_fix
//   f(T)     = max(0, 1 + k_T * (T_out - 20 C)): chillers and fans work harder as the outside
//            warms; k_T = 0.02/C air, 0.015/C rear-door, 0.01/C direct liquid (warm water is
//            cooled by dry coolers most of the year). Assumptions, stated; without an outside
//            temperature f = 1.
//   PUE_design defaults: air 1.5, rear-door heat exchanger 1.35, direct liquid (cold plate) 1.15
//   (pwr.pue.dlc_vs_air: air 1.5-1.6, RDHx 1.3-1.4, DLC 1.1-1.2; pwr.pue.google 1.1 fleet).
//   PUE(t) = P_fac / P_IT rises at part load because of k_fix.
//
// Default rack cooling capacities when a cooling section names a type but no capacity: air 30 kW,
// rear-door 50 kW, direct liquid 100 kW (pwr.pue.dlc_vs_air: air ~20-30 kW/rack ceiling, RDHx
// 30-50, DLC 50-100+).
//
// Energy: E = integral of P dt (J); cost = E / 3.6e6 * price per kWh; CO2 (kg) = E / 3.6e6 * grid
// intensity (g/kWh) / 1000; tokens per joule = tokens / E_facility.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/units.hpp"

#include <optional>
#include <string_view>

namespace twin::models {

enum class CoolingType { Air, RearDoor, Liquid };
inline constexpr auto kCoolingNames = enum_names<CoolingType>(
    {{CoolingType::Air, "air"}, {CoolingType::RearDoor, "rear-door"}, {CoolingType::Liquid, "liquid"}});
[[nodiscard]] std::string_view cooling_name(CoolingType t); // kCoolingNames

struct GpuPowerParams {
    Watts idle;                       // P_idle
    Watts tdp;                        // P_tdp (catalog max_power)
    Watts min_limit;                  // P_min (catalog min_power_limit), idle <= P_min <= tdp
    double memory_bound_share = 0.6;  // s_mem in [0, 1]
    double communication_share = 0.3; // s_comm in [0, 1]
};

// u(Compute, a) = s_mem + (1 - s_mem) * a, with a clamped to [0, 1].
[[nodiscard]] double compute_load(const GpuPowerParams& p, double sm_activity);
// P = P_idle + (P_tdp - P_idle) * load * clock^3.
[[nodiscard]] Watts gpu_power(const GpuPowerParams& p, double load, double clock);
// The clock in [0, 1] at which a fully loaded GPU draws `budget`: cbrt((budget - P_idle) / (P_tdp -
// P_idle)), 1 when budget >= P_tdp (or P_tdp == P_idle), 0 when budget <= P_idle.
[[nodiscard]] double clock_for_power(const GpuPowerParams& p, Watts budget);
// c_min: the clock at the lowest power cap, at least kMinClock.
inline constexpr double kMinClock = 0.1;
[[nodiscard]] double min_clock(const GpuPowerParams& p);
// c_th = clamp(cbrt((C - S) / D), c_min, 1); 1 when D <= 0 or C >= S + D.
[[nodiscard]] double thermal_clock(Watts capacity, Watts static_heat, Watts gpu_dynamic, double min_clock);

// Capacity at supply temperature `inlet_c` (C(T_in) above); `capacity` is the design value at 25 C.
[[nodiscard]] Watts capacity_at_inlet(Watts capacity, double inlet_c);
inline constexpr double kDesignInletC = 25.0;
inline constexpr double kReturnLimitC = 45.0;

[[nodiscard]] double default_design_pue(CoolingType t);
[[nodiscard]] Watts default_rack_capacity(CoolingType t);
// k_T of f(T) above, per degree C.
[[nodiscard]] double temperature_coefficient(CoolingType t);

struct PueModel {
    double conversion_efficiency = 0.95; // eta in (0, 1]
    double fixed_share = 0.02;           // k_fix
    double cooling_share = 0.0;          // k_cool
    double temperature_factor = 1.0;     // f(T_out)
    Watts design_it;                     // P_IT,design (the cluster's max IT power)
};
inline constexpr double kFixedShare = 0.02;
inline constexpr double kReferenceOutsideC = 20.0;
// The lowest design PUE the model can represent: 1/eta + k_fix.
[[nodiscard]] double min_design_pue(double conversion_efficiency);
// k_cool from PUE_design (must be >= min_design_pue), f(T_out) from the outside temperature.
[[nodiscard]] PueModel pue_model(CoolingType t, double design_pue, double conversion_efficiency,
                                 std::optional<double> outside_c, Watts design_it);
// P_fac = P_IT / eta + k_cool * f * P_IT + k_fix * P_IT,design.
[[nodiscard]] Watts facility_power(const PueModel& m, Watts it);

// Energy in kWh, cost and CO2.
[[nodiscard]] double kilowatt_hours(Joules e);
[[nodiscard]] double energy_cost(Joules e, double price_per_kwh);
[[nodiscard]] double co2_kg(Joules e, double grid_g_per_kwh);

} // namespace twin::models
