// Power and cooling equations; see twin/models/power.hpp for the model, its units and sources.
#include "twin/models/power.hpp"

#include <algorithm>
#include <cmath>

namespace twin::models {

std::string_view cooling_name(CoolingType t) {
    return kCoolingNames.name_of(t, "air");
}

double compute_load(const GpuPowerParams& p, double sm_activity) {
    const double a = std::clamp(sm_activity, 0.0, 1.0);
    return p.memory_bound_share + (1.0 - p.memory_bound_share) * a;
}

Watts gpu_power(const GpuPowerParams& p, double load, double clock) {
    return p.idle + (p.tdp - p.idle) * (load * clock * clock * clock);
}

double clock_for_power(const GpuPowerParams& p, Watts budget) {
    const double range = (p.tdp - p.idle).value();
    if (!(range > 0) || budget >= p.tdp) {
        return 1.0;
    }
    return std::cbrt(std::clamp((budget - p.idle).value() / range, 0.0, 1.0));
}

double min_clock(const GpuPowerParams& p) {
    return std::max(kMinClock, clock_for_power(p, p.min_limit));
}

double thermal_clock(Watts capacity, Watts static_heat, Watts gpu_dynamic, double min_clock) {
    if (!(gpu_dynamic.value() > 0) || capacity >= static_heat + gpu_dynamic) {
        return 1.0;
    }
    const double ratio = std::max(0.0, (capacity - static_heat).value() / gpu_dynamic.value());
    return std::clamp(std::cbrt(ratio), min_clock, 1.0);
}

Watts capacity_at_inlet(Watts capacity, double inlet_c) {
    return capacity * std::clamp((kReturnLimitC - inlet_c) / (kReturnLimitC - kDesignInletC), 0.0, 1.0);
}

double default_design_pue(CoolingType t) {
    switch (t) {
    case CoolingType::Air:
        return 1.5;
    case CoolingType::RearDoor:
        return 1.35;
    case CoolingType::Liquid:
        return 1.15;
    }
    return 1.5;
}

Watts default_rack_capacity(CoolingType t) {
    switch (t) {
    case CoolingType::Air:
        return Watts(30e3);
    case CoolingType::RearDoor:
        return Watts(50e3);
    case CoolingType::Liquid:
        return Watts(100e3);
    }
    return Watts(30e3);
}

double temperature_coefficient(CoolingType t) {
    switch (t) {
    case CoolingType::Air:
        return 0.02;
    case CoolingType::RearDoor:
        return 0.015;
    case CoolingType::Liquid:
        return 0.01;
    }
    return 0.02;
}

double min_design_pue(double conversion_efficiency) {
    return 1.0 / conversion_efficiency + kFixedShare;
}

PueModel pue_model(CoolingType t, double design_pue, double conversion_efficiency, std::optional<double> outside_c,
                   Watts design_it) {
    PueModel m;
    m.conversion_efficiency = conversion_efficiency;
    m.fixed_share = kFixedShare;
    m.cooling_share = std::max(0.0, design_pue - min_design_pue(conversion_efficiency));
    if (outside_c) {
        m.temperature_factor = std::max(0.0, 1.0 + temperature_coefficient(t) * (*outside_c - kReferenceOutsideC));
    }
    m.design_it = design_it;
    return m;
}

Watts facility_power(const PueModel& m, Watts it) {
    return it / m.conversion_efficiency + it * (m.cooling_share * m.temperature_factor) + m.design_it * m.fixed_share;
}

double kilowatt_hours(Joules e) {
    return e.value() / 3.6e6;
}

double energy_cost(Joules e, double price_per_kwh) {
    return kilowatt_hours(e) * price_per_kwh;
}

double co2_kg(Joules e, double grid_g_per_kwh) {
    return kilowatt_hours(e) * grid_g_per_kwh / 1000.0;
}

} // namespace twin::models
