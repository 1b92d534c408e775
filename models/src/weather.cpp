// Weather: reading facility.weather and the chain outside air -> coolant -> GPU temperature -> clock.
// Equations, units, defaults and sources in twin/models/weather.hpp.
#include "twin/models/weather.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numbers>

namespace twin::models {

PlantType default_plant(CoolingType t) {
    return t == CoolingType::Liquid ? PlantType::DryCooler : PlantType::Chiller;
}

double default_supply_setpoint_c(CoolingType t) {
    return t == CoolingType::Liquid ? 25.0 : 18.0;
}

double default_crah_approach_c(CoolingType t) {
    return t == CoolingType::Liquid ? 0.0 : kDefaultCrahApproachC;
}

double default_thermal_resistance(CoolingType t) {
    return t == CoolingType::Liquid ? 0.03 : 0.06;
}

double sinusoid_c(double min_c, double max_c, double peak_hour, int hour) {
    const double phase = 2.0 * std::numbers::pi * (static_cast<double>(hour) - peak_hour) / kHoursPerDay;
    return 0.5 * (max_c + min_c) + 0.5 * (max_c - min_c) * std::cos(phase);
}

namespace {

constexpr double kLowestOutsideC = -60.0;
constexpr double kHighestOutsideC = 60.0;

double temperature(const Value& v, double lo, double hi, const char* what) {
    const double t = v.as_number();
    if (t < lo || t > hi) {
        v.fail(fmt::format("expected {} between {} and {} C, got {}", what, lo, hi, t));
    }
    return t;
}

void read_profile(Object& o, WeatherSpec& w) {
    auto hourly = o.find("hourly_c");
    auto sine = o.find("sinusoid");
    if (hourly && sine) {
        o.fail_at("sinusoid", "give either hourly_c or sinusoid, not both");
    }
    if (!hourly && !sine) {
        o.fail_at("hourly_c", "missing the day's outside temperatures: give hourly_c (24 values, C) or sinusoid "
                              "{min_c, max_c, peak_hour}");
    }
    if (hourly) {
        const Array a = hourly->as_array();
        if (a.size() != static_cast<std::size_t>(kHoursPerDay)) {
            hourly->fail(
                fmt::format("expected {} hourly outside temperatures (hour 0 to 23), got {}", kHoursPerDay, a.size()));
        }
        for (int h = 0; h < kHoursPerDay; ++h) {
            w.outside_c[static_cast<std::size_t>(h)] = temperature(a.at(static_cast<std::size_t>(h)), kLowestOutsideC,
                                                                   kHighestOutsideC, "an outside temperature");
        }
        return;
    }
    Object s = sine->as_object();
    const double lo = temperature(s.at("min_c"), kLowestOutsideC, kHighestOutsideC, "an outside temperature");
    const Value max_v = s.at("max_c");
    const double hi = temperature(max_v, kLowestOutsideC, kHighestOutsideC, "an outside temperature");
    if (hi < lo) {
        max_v.fail(fmt::format("max_c {} is below min_c {}", hi, lo));
    }
    double peak = 15.0;
    if (auto p = s.find("peak_hour")) {
        peak = p->as_number(Bound::NonNegative);
        if (!(peak < kHoursPerDay)) {
            p->fail(fmt::format("expected an hour of the day in [0, 24), got {}", peak));
        }
    }
    s.finish();
    for (int h = 0; h < kHoursPerDay; ++h) {
        w.outside_c[static_cast<std::size_t>(h)] = sinusoid_c(lo, hi, peak, h);
    }
}

} // namespace

WeatherSpec read_weather(const Value& v, CoolingType cooling) {
    Object o = v.as_object();
    WeatherSpec w;
    read_profile(o, w);
    w.plant = default_plant(cooling);
    if (auto p = o.find("plant")) {
        w.plant = read_enum(*p, kPlantNames);
    }
    if (auto a = o.find("approach_c")) {
        w.approach_c = a->as_number(Bound::NonNegative, 40.0);
    }
    w.supply_setpoint_c = default_supply_setpoint_c(cooling);
    if (auto s = o.find("supply_setpoint_c")) {
        w.supply_setpoint_c = temperature(*s, 0.0, 70.0, "a coolant supply setpoint");
    }
    w.crah_approach_c = default_crah_approach_c(cooling);
    if (auto c = o.find("crah_approach_c")) {
        if (cooling == CoolingType::Liquid) {
            c->fail("crah_approach_c applies to air and rear-door halls only (direct liquid cooling takes the "
                    "coolant to the cold plate)");
        }
        w.crah_approach_c = c->as_number(Bound::NonNegative, 40.0);
    }
    w.thermal_resistance_c_per_w = default_thermal_resistance(cooling);
    if (auto r = o.find("thermal_resistance_c_per_w")) {
        w.thermal_resistance_c_per_w = r->as_number(Bound::Positive, 1.0);
    }
    const auto threshold = [&o](const char* key, double fallback) {
        if (auto t = o.find(key)) {
            return temperature(*t, 30.0, 150.0, "a GPU temperature threshold");
        }
        return fallback;
    };
    w.max_operating_c = threshold("max_operating_c", kDefaultMaxOperatingC);
    w.slowdown_c = threshold("slowdown_c", kDefaultSlowdownC);
    w.shutdown_c = threshold("shutdown_c", kDefaultShutdownC);
    if (w.shutdown_c <= w.slowdown_c) {
        o.fail_at(o.has("shutdown_c") ? "shutdown_c" : "slowdown_c",
                  fmt::format("the shutdown threshold ({} C) must be above the slowdown threshold ({} C)", w.shutdown_c,
                              w.slowdown_c));
    }
    if (w.max_operating_c > w.slowdown_c) {
        o.fail_at(o.has("max_operating_c") ? "max_operating_c" : "slowdown_c",
                  fmt::format("the maximum operating temperature ({} C) must not be above the slowdown threshold "
                              "({} C)",
                              w.max_operating_c, w.slowdown_c));
    }
    o.finish();
    return w;
}

double coolant_supply_c(const WeatherSpec& w, double outside_c) {
    return w.plant == PlantType::Chiller ? w.supply_setpoint_c
                                         : std::max(w.supply_setpoint_c, outside_c + w.approach_c);
}

bool economizer_hour(const WeatherSpec& w, double outside_c) {
    return outside_c + w.approach_c <= w.supply_setpoint_c;
}

GpuThermal gpu_thermal(const WeatherSpec& w, const GpuPowerParams& g, Watts full_power, double cool_c) {
    GpuThermal out;
    const double r = w.thermal_resistance_c_per_w;
    const Watts top = std::min(full_power, g.tdp);
    out.gpu_c = cool_c + r * top.value();
    if (out.gpu_c <= w.slowdown_c) {
        return out;
    }
    // The clock at which a fully loaded GPU draws the power that holds it at T_slow.
    const Watts allowed((w.slowdown_c - cool_c) / r);
    out.clock = std::max(min_clock(g), std::min(clock_for_power(g, allowed), clock_for_power(g, top)));
    out.gpu_c = cool_c + r * gpu_power(g, 1.0, out.clock).value();
    out.over_shutdown = out.gpu_c > w.shutdown_c;
    return out;
}

} // namespace twin::models
