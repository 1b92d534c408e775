// The power section of the report from the accounting's PowerResult (see power_report.hpp for the
// equations): energy, cost and CO2 per step and per token, a training run of the scenario's token
// count, cooling headroom, the hottest domains and the facility limits exceeded.
#include "report_parts.hpp"
#include "twin/models/power.hpp"

#include <algorithm>

namespace twin::report::detail {
namespace {

std::optional<double> optional_w(const std::optional<Watts>& w) {
    return w ? std::optional<double>(w->value()) : std::nullopt;
}

// The `n` domains with the highest peak (ties: lowest id).
DomainListReport hottest(const std::vector<DomainPower>& all, std::size_t n) {
    std::vector<const DomainPower*> v;
    v.reserve(all.size());
    for (const auto& d : all) {
        v.push_back(&d);
    }
    const auto k = std::min(n, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), [](const auto* a, const auto* b) {
        return a->it.peak_w != b->it.peak_w ? a->it.peak_w > b->it.peak_w : a->id < b->id;
    });
    DomainListReport out;
    out.count = static_cast<std::int64_t>(all.size());
    for (std::size_t i = 0; i < k; ++i) {
        out.hottest.push_back(*v[i]);
    }
    return out;
}

// Smallest capacity - peak over domains with a capacity; none when none has one.
std::optional<double> headroom(const std::vector<DomainPower>& all) {
    std::optional<double> h;
    for (const auto& d : all) {
        if (d.capacity_w >= 0) {
            h = h ? std::min(*h, d.capacity_w - d.it.peak_w) : d.capacity_w - d.it.peak_w;
        }
    }
    return h;
}

EnergyReport energy(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    const auto& p = r.power;
    const double tokens = s.trace.info.present ? s.trace.info.tokens_per_step : 0.0;
    EnergyReport e;
    e.it_j = p.it_energy_j;
    e.facility_j = p.facility_energy_j;
    e.per_step_j = p.facility_energy_j;
    if (tokens > 0) {
        e.per_token_j = p.facility_energy_j / tokens;
        if (p.facility_energy_j > 0) {
            e.tokens_per_j = tokens / p.facility_energy_j;
        }
    }
    e.currency = f.energy.currency;
    if (f.energy.price_per_kwh) {
        e.cost = models::energy_cost(Joules(p.facility_energy_j), *f.energy.price_per_kwh);
    }
    if (f.energy.grid_co2_g_per_kwh) {
        e.co2_kg = models::co2_kg(Joules(p.facility_energy_j), *f.energy.grid_co2_g_per_kwh);
    }
    return e;
}

std::optional<TrainingRunReport> training_run(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    if (!f.energy.training_tokens || !(s.trace.info.tokens_per_step > 0)) {
        return std::nullopt;
    }
    TrainingRunReport t;
    t.tokens = *f.energy.training_tokens;
    t.steps = t.tokens / s.trace.info.tokens_per_step;
    t.time_s = t.steps * r.simulated_time_s;
    t.days = t.steps * r.simulated_time_s / 86400.0;
    t.facility_mean_w = r.power.facility.mean_w;
    const Joules energy(t.steps * r.power.facility_energy_j);
    t.energy_j = energy.value();
    if (f.energy.price_per_kwh) {
        t.cost = models::energy_cost(energy, *f.energy.price_per_kwh);
    }
    if (f.energy.grid_co2_g_per_kwh) {
        t.co2_kg = models::co2_kg(energy, *f.energy.grid_co2_g_per_kwh);
    }
    return t;
}

CoolingReport cooling(const models::Scenario& s, const RunResult& r) {
    const auto& c = s.facility.cooling;
    const auto& p = r.power;
    CoolingReport j;
    j.type = std::string(models::cooling_name(c.type));
    j.capacities_given = c.given;
    const auto capacity = [](const std::vector<DomainPower>& v) {
        return v.empty() || v.front().capacity_w < 0 ? std::nullopt : std::optional<double>(v.front().capacity_w);
    };
    j.rack_capacity_w = capacity(p.racks);
    j.cdu_capacity_w = capacity(p.cdus);
    if (p.plant.capacity_w >= 0) {
        j.plant_capacity_w = p.plant.capacity_w;
        j.plant_headroom_w = p.plant.capacity_w - p.it.peak_w;
    }
    j.inlet_temperature_c = c.inlet_c;
    j.outside_temperature_c = c.outside_c;
    j.rack_headroom_w = headroom(p.racks);
    j.cdu_headroom_w = headroom(p.cdus);
    j.compute_ops = p.compute_ops;
    j.throttled_compute_ops = p.throttled_ops;
    j.throttled_domains = static_cast<std::int64_t>(p.throttles.size());
    j.throttles.assign(p.throttles.begin(),
                       p.throttles.begin() + static_cast<std::ptrdiff_t>(std::min(p.throttles.size(), kPowerListMax)));
    return j;
}

} // namespace

PowerReport build_power(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    const auto& p = r.power;
    PowerReport j;
    j.model = PowerModelReport{f.present,
                               f.cooling.design_pue,
                               f.conversion_efficiency,
                               optional_w(f.gpu_power_cap),
                               f.memory_bound_share,
                               f.communication_share,
                               p.ramp_window_s};
    j.it = p.it;
    j.facility = p.facility;
    j.pue_mean = p.it.mean_w > 0 ? p.facility.mean_w / p.it.mean_w : 0.0;
    j.it_idle_w = p.it_idle_w;
    j.it_max_w = p.it_max_w;
    j.network_w = p.network_w;
    j.nameplate = p.nameplate;
    j.largest_swing_w = p.largest_swing_w;
    j.fastest_ramp_w_per_s = p.fastest_ramp_w_per_s;
    // Facility power is linear in IT power (models/power.hpp): its ramp scales by the slope.
    j.facility_largest_swing_w = p.largest_swing_w * p.facility_slope;
    j.facility_fastest_ramp_w_per_s = p.fastest_ramp_w_per_s * p.facility_slope;
    j.energy = energy(s, r);
    j.training_run = training_run(s, r);
    j.feed_w = optional_w(f.feed);
    j.rack_power_w = optional_w(f.rack_power_limit);
    j.cooling = cooling(s, r);
    for (const auto& d : p.racks) {
        j.rack_peak_w_max = std::max(j.rack_peak_w_max, d.it.peak_w);
    }
    j.racks = hottest(p.racks, 10);
    j.rows = hottest(p.rows, 10);
    j.halls = hottest(p.halls, kPowerListMax);
    j.cdus = hottest(p.cdus, 10);
    j.violation_count = static_cast<std::int64_t>(p.violations.size());
    j.violations.assign(p.violations.begin(), p.violations.begin() + static_cast<std::ptrdiff_t>(
                                                                         std::min(p.violations.size(), kPowerListMax)));
    j.series_bin_s = p.bin_s;
    for (const auto& pt : p.series) {
        j.series.push_back(PowerSeriesPoint{pt.time_s, pt.it_mean_w, pt.it_min_w, pt.it_max_w,
                                            p.facility_slope * pt.it_mean_w + p.facility_fixed_w});
    }
    j.weather = build_weather(s, r);
    return j;
}

} // namespace twin::report::detail
