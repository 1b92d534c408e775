// Power, cooling and energy report (see power_report.hpp). Energy per step is the energy of the
// simulated run (one step of a generated workload); per token = facility energy / tokens per step;
// a training run of T tokens takes T / tokens per step steps of the simulated step time.
#include "power_report.hpp"

#include "twin/core/csv.hpp"
#include "twin/models/power.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <tuple>

namespace twin::sim {
namespace {

using nlohmann::json;

json stats_json(const PowerStats& s) {
    return {{"peak_w", s.peak_w}, {"mean_w", s.mean_w}, {"min_w", s.min_w}};
}

json optional_w(const std::optional<Watts>& w) {
    return w ? json(w->value()) : json(nullptr);
}

json domain_json(const char* key, const DomainPower& d, bool capacity) {
    json j = {{key, d.id}, {"peak_w", d.it.peak_w}, {"mean_w", d.it.mean_w}, {"min_w", d.it.min_w}};
    if (capacity) {
        j["capacity_w"] = d.capacity_w >= 0 ? json(d.capacity_w) : json(nullptr);
    }
    return j;
}

// The `n` domains with the highest peak (ties: lowest id).
json hottest(const std::vector<DomainPower>& all, const char* key, std::size_t n, bool capacity) {
    std::vector<const DomainPower*> v;
    v.reserve(all.size());
    for (const auto& d : all) {
        v.push_back(&d);
    }
    const auto k = std::min(n, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), [](const auto* a, const auto* b) {
        return a->it.peak_w != b->it.peak_w ? a->it.peak_w > b->it.peak_w : a->id < b->id;
    });
    json out = json::array();
    for (std::size_t i = 0; i < k; ++i) {
        out.push_back(domain_json(key, *v[i], capacity));
    }
    return out;
}

// Smallest capacity - peak over domains with a capacity; null when none has one.
json headroom(const std::vector<DomainPower>& all) {
    bool any = false;
    double h = 0.0;
    for (const auto& d : all) {
        if (d.capacity_w >= 0) {
            h = any ? std::min(h, d.capacity_w - d.it.peak_w) : d.capacity_w - d.it.peak_w;
            any = true;
        }
    }
    return any ? json(h) : json(nullptr);
}

std::string human_power(double w) {
    const double a = std::abs(w);
    if (a >= 1e6) {
        return fmt::format("{:.4g} MW", w / 1e6);
    }
    if (a >= 1e3) {
        return fmt::format("{:.4g} kW", w / 1e3);
    }
    return fmt::format("{:.4g} W", w);
}

std::string human_energy(double j) {
    const double kwh = j / 3.6e6;
    if (kwh >= 1e6) {
        return fmt::format("{:.4g} GWh", kwh / 1e6);
    }
    if (kwh >= 1e3) {
        return fmt::format("{:.4g} MWh", kwh / 1e3);
    }
    if (kwh >= 1.0) {
        return fmt::format("{:.4g} kWh", kwh);
    }
    return fmt::format("{:.4g} kJ", j / 1e3);
}

double facility_of(const RunResult& r, double it) {
    return r.power.facility_slope * it + r.power.facility_fixed_w;
}

json energy_json(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    const auto& p = r.power;
    const double tokens = s.trace.info.present ? s.trace.info.tokens_per_step : 0.0;
    json e = {{"it_j", p.it_energy_j}, {"facility_j", p.facility_energy_j}, {"per_step_j", p.facility_energy_j}};
    e["per_token_j"] = tokens > 0 ? json(p.facility_energy_j / tokens) : json(nullptr);
    e["tokens_per_j"] = tokens > 0 && p.facility_energy_j > 0 ? json(tokens / p.facility_energy_j) : json(nullptr);
    e["currency"] = f.energy.currency;
    e["cost"] = f.energy.price_per_kwh ? json(models::energy_cost(Joules(p.facility_energy_j), *f.energy.price_per_kwh))
                                       : json(nullptr);
    e["co2_kg"] = f.energy.grid_co2_g_per_kwh
                      ? json(models::co2_kg(Joules(p.facility_energy_j), *f.energy.grid_co2_g_per_kwh))
                      : json(nullptr);
    return e;
}

json training_json(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    if (!f.energy.training_tokens || !(s.trace.info.tokens_per_step > 0)) {
        return nullptr;
    }
    const double steps = *f.energy.training_tokens / s.trace.info.tokens_per_step;
    const Joules energy(steps * r.power.facility_energy_j);
    json t = {{"tokens", *f.energy.training_tokens},        {"steps", steps},
              {"time_s", steps * r.simulated_time_s},       {"days", steps * r.simulated_time_s / 86400.0},
              {"facility_mean_w", r.power.facility.mean_w}, {"energy_j", energy.value()}};
    t["cost"] = f.energy.price_per_kwh ? json(models::energy_cost(energy, *f.energy.price_per_kwh)) : json(nullptr);
    t["co2_kg"] =
        f.energy.grid_co2_g_per_kwh ? json(models::co2_kg(energy, *f.energy.grid_co2_g_per_kwh)) : json(nullptr);
    return t;
}

json cooling_json(const models::Scenario& s, const RunResult& r) {
    const auto& c = s.facility.cooling;
    const auto& p = r.power;
    json j;
    j["type"] = std::string(models::cooling_name(c.type));
    j["capacities_given"] = c.given;
    const auto capacity = [](const std::vector<DomainPower>& v) {
        return v.empty() || v.front().capacity_w < 0 ? json(nullptr) : json(v.front().capacity_w);
    };
    j["rack_capacity_w"] = capacity(p.racks);
    j["cdu_capacity_w"] = capacity(p.cdus);
    j["plant_capacity_w"] = p.plant.capacity_w >= 0 ? json(p.plant.capacity_w) : json(nullptr);
    j["inlet_temperature_c"] = c.inlet_c ? json(*c.inlet_c) : json(nullptr);
    j["outside_temperature_c"] = c.outside_c ? json(*c.outside_c) : json(nullptr);
    j["rack_headroom_w"] = headroom(p.racks);
    j["cdu_headroom_w"] = headroom(p.cdus);
    j["plant_headroom_w"] = p.plant.capacity_w >= 0 ? json(p.plant.capacity_w - p.it.peak_w) : json(nullptr);
    j["compute_ops"] = p.compute_ops;
    j["throttled_compute_ops"] = p.throttled_ops;
    j["throttled_domains"] = p.throttles.size();
    json t = json::array();
    for (std::size_t i = 0; i < std::min(p.throttles.size(), kPowerListMax); ++i) {
        const auto& e = p.throttles[i];
        t.push_back({{"domain", e.domain},
                     {"id", e.id},
                     {"time_s", e.time_s},
                     {"heat_w", e.heat_w},
                     {"capacity_w", e.capacity_w},
                     {"clock", e.clock}});
    }
    j["throttles"] = t;
    return j;
}

} // namespace

json power_json(const models::Scenario& s, const RunResult& r) {
    const auto& f = s.facility;
    const auto& p = r.power;
    json j;
    j["model"] = {{"facility_section", f.present},
                  {"design_pue", f.cooling.design_pue},
                  {"conversion_efficiency", f.conversion_efficiency},
                  {"gpu_power_cap_w", optional_w(f.gpu_power_cap)},
                  {"memory_bound_share", f.memory_bound_share},
                  {"communication_share", f.communication_share},
                  {"ramp_window_s", p.ramp_window_s}};
    j["it"] = stats_json(p.it);
    j["facility"] = stats_json(p.facility);
    j["pue_mean"] = p.it.mean_w > 0 ? p.facility.mean_w / p.it.mean_w : 0.0;
    j["it_idle_w"] = p.it_idle_w;
    j["it_max_w"] = p.it_max_w;
    j["network_w"] = p.network_w;
    j["largest_swing_w"] = p.largest_swing_w;
    j["fastest_ramp_w_per_s"] = p.fastest_ramp_w_per_s;
    // Facility power is linear in IT power (models/power.hpp): its ramp scales by the slope.
    const double slope = p.facility_slope;
    j["facility_largest_swing_w"] = p.largest_swing_w * slope;
    j["facility_fastest_ramp_w_per_s"] = p.fastest_ramp_w_per_s * slope;
    j["energy"] = energy_json(s, r);
    j["training_run"] = training_json(s, r);
    j["limits"] = {{"feed_w", optional_w(f.feed)}, {"rack_power_w", optional_w(f.rack_power_limit)}};
    j["cooling"] = cooling_json(s, r);
    double rack_peak = 0.0;
    for (const auto& d : p.racks) {
        rack_peak = std::max(rack_peak, d.it.peak_w);
    }
    j["racks"] = {
        {"count", p.racks.size()}, {"peak_w_max", rack_peak}, {"hottest", hottest(p.racks, "rack", 10, true)}};
    j["rows"] = {{"count", p.rows.size()}, {"hottest", hottest(p.rows, "row", 10, false)}};
    j["halls"] = {{"count", p.halls.size()}, {"hottest", hottest(p.halls, "hall", kPowerListMax, false)}};
    j["cdus"] = {{"count", p.cdus.size()}, {"hottest", hottest(p.cdus, "cdu", 10, true)}};
    json v = json::array();
    for (std::size_t i = 0; i < std::min(p.violations.size(), kPowerListMax); ++i) {
        const auto& x = p.violations[i];
        v.push_back({{"kind", x.kind},
                     {"id", x.id},
                     {"limit_w", x.limit_w},
                     {"peak_w", x.peak_w},
                     {"excess_w", x.excess_w},
                     {"first_s", x.first_s}});
    }
    j["violations"] = {{"count", p.violations.size()}, {"items", v}};
    json series = {{"bin_s", p.bin_s}};
    json t = json::array(), mean = json::array(), lo = json::array(), hi = json::array(), fac = json::array();
    for (const auto& pt : p.series) {
        t.push_back(pt.time_s);
        mean.push_back(pt.it_mean_w);
        lo.push_back(pt.it_min_w);
        hi.push_back(pt.it_max_w);
        fac.push_back(facility_of(r, pt.it_mean_w));
    }
    series["time_s"] = t;
    series["it_mean_w"] = mean;
    series["it_min_w"] = lo;
    series["it_max_w"] = hi;
    series["facility_mean_w"] = fac;
    j["series"] = series;
    return j;
}

std::string power_text(const json& p) {
    std::string out;
    const auto& it = p["it"];
    out += fmt::format("\n  power                  IT peak {}   mean {}   min {}   (idle {}, max {})\n",
                       human_power(it["peak_w"].get<double>()), human_power(it["mean_w"].get<double>()),
                       human_power(it["min_w"].get<double>()), human_power(p["it_idle_w"].get<double>()),
                       human_power(p["it_max_w"].get<double>()));
    out += fmt::format("                         facility peak {}   mean {}   PUE {:.3f} ({} cooling)\n",
                       human_power(p["facility"]["peak_w"].get<double>()),
                       human_power(p["facility"]["mean_w"].get<double>()), p["pue_mean"].get<double>(),
                       p["cooling"]["type"].get<std::string>());
    out += fmt::format("                         largest swing {}   fastest ramp {}/s over {} (IT)\n",
                       human_power(p["largest_swing_w"].get<double>()),
                       human_power(p["fastest_ramp_w_per_s"].get<double>()),
                       fmt::format("{:g} ms", 1e3 * p["model"]["ramp_window_s"].get<double>()));
    const auto& e = p["energy"];
    std::string energy =
        fmt::format("  energy                 per step {} (IT {})", human_energy(e["facility_j"].get<double>()),
                    human_energy(e["it_j"].get<double>()));
    if (!e["per_token_j"].is_null()) {
        energy += fmt::format("   {:.4g} J/token   {:.4g} tokens/J", e["per_token_j"].get<double>(),
                              e["tokens_per_j"].is_null() ? 0.0 : e["tokens_per_j"].get<double>());
    }
    if (!e["cost"].is_null()) {
        energy += fmt::format("   {:.4g} {}", e["cost"].get<double>(), e["currency"].get<std::string>());
    }
    if (!e["co2_kg"].is_null()) {
        energy += fmt::format("   {:.4g} kg CO2", e["co2_kg"].get<double>());
    }
    out += energy + "\n";
    if (const auto& t = p["training_run"]; !t.is_null()) {
        std::string line =
            fmt::format("  training run           {:.4g} tokens: {:.4g} steps, {:.3g} days, {}, mean {}",
                        t["tokens"].get<double>(), t["steps"].get<double>(), t["days"].get<double>(),
                        human_energy(t["energy_j"].get<double>()), human_power(t["facility_mean_w"].get<double>()));
        if (!t["cost"].is_null()) {
            line += fmt::format(", {:.4g} {}", t["cost"].get<double>(), e["currency"].get<std::string>());
        }
        if (!t["co2_kg"].is_null()) {
            line += fmt::format(", {:.4g} t CO2", t["co2_kg"].get<double>() / 1000.0);
        }
        out += line + "\n";
    }
    const auto& c = p["cooling"];
    std::string cooling = fmt::format("  cooling                {}", c["type"].get<std::string>());
    if (!c["rack_headroom_w"].is_null()) {
        cooling += fmt::format("   rack headroom {}", human_power(c["rack_headroom_w"].get<double>()));
    }
    if (!c["cdu_headroom_w"].is_null()) {
        cooling += fmt::format("   CDU headroom {}", human_power(c["cdu_headroom_w"].get<double>()));
    }
    if (!c["plant_headroom_w"].is_null()) {
        cooling += fmt::format("   plant headroom {}", human_power(c["plant_headroom_w"].get<double>()));
    }
    if (!c["capacities_given"].get<bool>()) {
        cooling += "   (capacities not given: no thermal limit)";
    }
    out += cooling + "\n";
    // Power by hall and the hottest rows (all racks, rows, CDUs and halls' series: report.json).
    for (const auto& [key, label, shown] : {std::tuple{"halls", "hall", 4}, std::tuple{"rows", "row", 3}}) {
        const auto& d = p[key];
        if (d["count"].get<std::size_t>() < 2) {
            continue;
        }
        std::string line = fmt::format("  by {:<20} {} {}s", label, d["count"].get<std::size_t>(), label);
        int n = 0;
        for (const auto& h : d["hottest"]) {
            if (n++ == shown) {
                break;
            }
            line += fmt::format("{} {} {} peak {} mean {}", n == 1 ? ", hottest:" : ";", label, h[label].get<int>(),
                                human_power(h["peak_w"].get<double>()), human_power(h["mean_w"].get<double>()));
        }
        out += line + "\n";
    }
    if (c["throttled_domains"].get<std::size_t>() > 0) {
        const auto& first = c["throttles"][0];
        out += fmt::format("  THROTTLED              {} domain(s), first {} {} at {:.4g} s (clock {:.3f});  {} of {} "
                           "compute ops slowed\n",
                           c["throttled_domains"].get<std::size_t>(), first["domain"].get<std::string>(),
                           first["id"].get<int>(), first["time_s"].get<double>(), first["clock"].get<double>(),
                           c["throttled_compute_ops"].get<std::int64_t>(), c["compute_ops"].get<std::int64_t>());
    }
    for (const auto& v : p["violations"]["items"]) {
        out += fmt::format("  VIOLATION              {} {}: peak {} > limit {} by {} (first at {:.4g} s)\n",
                           v["kind"].get<std::string>(), v["id"].get<int>(), human_power(v["peak_w"].get<double>()),
                           human_power(v["limit_w"].get<double>()), human_power(v["excess_w"].get<double>()),
                           v["first_s"].get<double>());
    }
    const auto shown = p["violations"]["items"].size();
    if (p["violations"]["count"].get<std::size_t>() > shown) {
        out += fmt::format("  ... and {} more violations\n", p["violations"]["count"].get<std::size_t>() - shown);
    }
    return out;
}

std::string power_csv(const RunResult& r) {
    CsvWriter csv({"time_s", "bin_s", "it_mean_w", "it_min_w", "it_max_w", "facility_mean_w", "cooling_mean_w"});
    for (const auto& pt : r.power.series) {
        const double width = std::min(r.power.bin_s, r.simulated_time_s - pt.time_s);
        csv.row(pt.time_s, width, pt.it_mean_w, pt.it_min_w, pt.it_max_w, facility_of(r, pt.it_mean_w),
                r.power.cooling_per_it * pt.it_mean_w);
    }
    return csv.str();
}

} // namespace twin::sim
