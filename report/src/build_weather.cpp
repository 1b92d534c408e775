// The weather section of the report: the day under facility.weather from the simulated step
// (equations in twin/models/weather.hpp), its JSON ("power.weather") and its text lines.
#include "json_read.hpp"
#include "report_parts.hpp"
#include "twin/models/facility.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::report::detail {

std::optional<models::WeatherDay> build_weather(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    if (!f.weather) {
        return std::nullopt;
    }
    const auto plan = models::plan_power(s.cluster, f);
    models::RunBaseline run;
    run.step_s = r.simulated_time_s;
    run.ranks = r.ranks;
    run.bound_gpu_s = r.bound_gpu_s;
    run.it_energy_j = r.power.it_energy_j;
    run.it_idle_w = r.power.it_idle_w;
    run.gpu_params = plan.gpu_params;
    for (const auto& g : plan.gpu_params) {
        run.full_power.push_back(f.gpu_power_cap ? std::min(g.tdp, *f.gpu_power_cap) : g.tdp);
    }
    const auto gpus = std::min<std::size_t>(plan.params_of_gpu.size(), static_cast<std::size_t>(std::max(0, r.ranks)));
    for (std::size_t g = 0; g < gpus; ++g) {
        const auto& p = plan.gpu_params[static_cast<std::size_t>(plan.params_of_gpu[g])];
        run.gpu_dynamic_w += (p.tdp - p.idle).value();
    }
    run.pue = plan.pue;
    run.cooling = f.cooling.type;
    run.design_pue = f.cooling.design_pue;
    return models::weather_day(*f.weather, run);
}

nlohmann::json weather_to_json(const models::WeatherDay& d) {
    using nlohmann::json;
    json cols = {
        {"hour", json::array()},        {"outside_c", json::array()},      {"coolant_c", json::array()},
        {"gpu_inlet_c", json::array()}, {"gpu_c", json::array()},          {"clock", json::array()},
        {"economizer", json::array()},  {"step_s", json::array()},         {"relative_throughput", json::array()},
        {"it_mean_w", json::array()},   {"facility_mean_w", json::array()}};
    for (const auto& h : d.hours) {
        cols["hour"].push_back(h.hour);
        cols["outside_c"].push_back(h.outside_c);
        cols["coolant_c"].push_back(h.coolant_c);
        cols["gpu_inlet_c"].push_back(h.gpu_inlet_c);
        cols["gpu_c"].push_back(h.gpu_c);
        cols["clock"].push_back(h.clock);
        cols["economizer"].push_back(h.economizer);
        cols["step_s"].push_back(h.step_s);
        cols["relative_throughput"].push_back(h.relative_throughput);
        cols["it_mean_w"].push_back(h.it_mean_w);
        cols["facility_mean_w"].push_back(h.facility_mean_w);
    }
    return {{"step_min_s", d.step_min_s},
            {"step_max_s", d.step_max_s},
            {"throughput_swing", d.throughput_swing},
            {"throttled_hours", d.throttled_hours},
            {"economizer_hours", d.economizer_hours},
            {"hours_above_max_operating", d.hours_above_max_operating},
            {"hours_over_shutdown", d.hours_over_shutdown},
            {"it_energy_per_day_j", d.it_energy_per_day_j},
            {"facility_energy_per_day_j", d.facility_energy_per_day_j},
            {"hours", cols}};
}

models::WeatherDay weather_from_json(const Value& v) {
    Object o(v);
    models::WeatherDay d;
    d.step_min_s = num(o, "step_min_s");
    d.step_max_s = num(o, "step_max_s");
    d.throughput_swing = num(o, "throughput_swing");
    d.throttled_hours = int32(o, "throttled_hours");
    d.economizer_hours = int32(o, "economizer_hours");
    d.hours_above_max_operating = int32(o, "hours_above_max_operating");
    d.hours_over_shutdown = int32(o, "hours_over_shutdown");
    d.it_energy_per_day_j = num(o, "it_energy_per_day_j");
    d.facility_energy_per_day_j = num(o, "facility_energy_per_day_j");
    Object h(o.at("hours"));
    const auto column = [&h](const char* key) { return numbers(h.at(key)); };
    const auto hour = column("hour");
    const auto outside = column("outside_c");
    const auto coolant = column("coolant_c");
    const auto inlet = column("gpu_inlet_c");
    const auto gpu = column("gpu_c");
    const auto clock = column("clock");
    const auto step = column("step_s");
    const auto rel = column("relative_throughput");
    const auto it = column("it_mean_w");
    const auto fac = column("facility_mean_w");
    const Value eco_v = h.at("economizer");
    const auto eco = Array(eco_v).values();
    for (const auto* c : {&outside, &coolant, &inlet, &gpu, &clock, &step, &rel, &it, &fac}) {
        if (c->size() != hour.size()) {
            h.fail_at("hour", "the hourly columns must have one value per hour");
        }
    }
    if (eco.size() != hour.size()) {
        eco_v.fail("the hourly columns must have one value per hour");
    }
    for (std::size_t i = 0; i < hour.size(); ++i) {
        d.hours.push_back(models::WeatherHour{static_cast<int>(hour[i]), outside[i], coolant[i], inlet[i], gpu[i],
                                              clock[i], eco[i].as_bool(), step[i], rel[i], it[i], fac[i]});
    }
    h.finish();
    o.finish();
    return d;
}

std::string weather_text(const models::WeatherDay& d) {
    if (d.hours.empty()) {
        return {};
    }
    const auto fastest = std::min_element(d.hours.begin(), d.hours.end(),
                                          [](const auto& a, const auto& b) { return a.step_s < b.step_s; });
    const auto slowest = std::max_element(d.hours.begin(), d.hours.end(),
                                          [](const auto& a, const auto& b) { return a.step_s < b.step_s; });
    std::string out = fmt::format("  weather over a day     step {} (hour {}, {:.1f} C) to {} (hour {}, {:.1f} C): "
                                  "{:.2f} % swing; {} throttled h, {} economizer h\n",
                                  human_time(d.step_min_s), fastest->hour, fastest->outside_c, human_time(d.step_max_s),
                                  slowest->hour, slowest->outside_c, 100.0 * d.throughput_swing, d.throttled_hours,
                                  d.economizer_hours);
    out += fmt::format("                         hottest GPU {:.1f} C at clock {:.3f}; facility {} per day{}\n",
                       slowest->gpu_c, slowest->clock, human_energy(d.facility_energy_per_day_j),
                       d.hours_over_shutdown > 0 ? fmt::format("; {} h OVER SHUTDOWN", d.hours_over_shutdown) : "");
    return out;
}

} // namespace twin::report::detail
