// Weather over a day: the step time and power of each hour from the simulated step and the hour's
// GPU clock. Equations (first order, stated there) in twin/models/weather.hpp.
#include "twin/models/weather.hpp"

#include <algorithm>

namespace twin::models {
namespace {

double bound(const RunBaseline& run, const char* key) {
    const auto it = run.bound_gpu_s.find(key);
    return it == run.bound_gpu_s.end() ? 0.0 : it->second;
}

} // namespace

WeatherDay weather_day(const WeatherSpec& w, const RunBaseline& run) {
    WeatherDay day;
    const double ranks = std::max(1, run.ranks);
    const double full = bound(run, "compute");
    const double throttling = bound(run, "throttling");
    const double computing = (full + throttling) / ranks; // C, s per GPU
    const double c_run = full + throttling > 0 ? full / (full + throttling) : 1.0;
    const double stretch = computing + (bound(run, "bubble") + bound(run, "waiting")) / ranks; // S
    // E_dc: the GPUs' dynamic compute energy of the run, at most all the energy above idle.
    const double above_idle = std::max(0.0, run.it_energy_j - run.it_idle_w * run.step_s);
    const double e_dc = std::min(above_idle, run.gpu_dynamic_w * computing * c_run * c_run * c_run);

    for (int h = 0; h < kHoursPerDay; ++h) {
        WeatherHour x;
        x.hour = h;
        x.outside_c = w.outside_c[static_cast<std::size_t>(h)];
        x.coolant_c = coolant_supply_c(w, x.outside_c);
        x.gpu_inlet_c = x.coolant_c + w.crah_approach_c;
        x.economizer = economizer_hour(w, x.outside_c);
        double c_w = 1.0;
        bool over_shutdown = false;
        bool above_max_op = false;
        x.gpu_c = x.gpu_inlet_c;
        for (std::size_t k = 0; k < run.gpu_params.size(); ++k) {
            const auto t = gpu_thermal(w, run.gpu_params[k], run.full_power[k], x.gpu_inlet_c);
            c_w = std::min(c_w, t.clock);
            x.gpu_c = std::max(x.gpu_c, t.gpu_c);
            over_shutdown = over_shutdown || t.over_shutdown;
            above_max_op = above_max_op || t.gpu_c > w.max_operating_c;
        }
        x.clock = std::min(c_run, c_w);
        const double ratio = x.clock / c_run; // <= 1
        x.step_s = run.step_s + stretch * (1.0 / ratio - 1.0);
        x.relative_throughput = x.step_s > 0 ? run.step_s / x.step_s : 1.0;
        const double energy = run.it_energy_j + run.it_idle_w * (x.step_s - run.step_s) - e_dc * (1.0 - ratio * ratio);
        x.it_mean_w = x.step_s > 0 ? energy / x.step_s : run.it_idle_w;
        PueModel pue =
            pue_model(run.cooling, run.design_pue, run.pue.conversion_efficiency, x.outside_c, run.pue.design_it);
        x.facility_mean_w = facility_power(pue, Watts(x.it_mean_w)).value();

        day.throttled_hours += c_w < 1.0 ? 1 : 0;
        day.economizer_hours += x.economizer ? 1 : 0;
        day.hours_above_max_operating += above_max_op ? 1 : 0;
        day.hours_over_shutdown += over_shutdown ? 1 : 0;
        day.it_energy_per_day_j += x.it_mean_w * 3600.0;
        day.facility_energy_per_day_j += x.facility_mean_w * 3600.0;
        day.step_min_s = h == 0 ? x.step_s : std::min(day.step_min_s, x.step_s);
        day.step_max_s = h == 0 ? x.step_s : std::max(day.step_max_s, x.step_s);
        day.hours.push_back(x);
    }
    day.throughput_swing = day.step_max_s > 0 ? 1.0 - day.step_min_s / day.step_max_s : 0.0;
    return day;
}

} // namespace twin::models
