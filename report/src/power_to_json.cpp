// The "power" object of report.json from the PowerReport (keys carry units: _w, _j, _s, _w_per_s;
// a quantity the scenario does not give is null).
#include "report_parts.hpp"

namespace twin::report::detail {
namespace {

using nlohmann::json;

json optional_json(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

json stats_json(const PowerStats& s) {
    return {{"peak_w", s.peak_w}, {"mean_w", s.mean_w}, {"min_w", s.min_w}};
}

// The hottest domains of one level; racks and CDUs carry their capacity (null: unlimited).
json domains_json(const DomainListReport& l, const char* key, bool capacity) {
    json out = json::array();
    for (const auto& d : l.hottest) {
        json j = {{key, d.id}, {"peak_w", d.it.peak_w}, {"mean_w", d.it.mean_w}, {"min_w", d.it.min_w}};
        if (capacity) {
            j["capacity_w"] = d.capacity_w >= 0 ? json(d.capacity_w) : json(nullptr);
        }
        out.push_back(std::move(j));
    }
    return out;
}

json energy_json(const EnergyReport& e) {
    return {{"it_j", e.it_j},
            {"facility_j", e.facility_j},
            {"per_step_j", e.per_step_j},
            {"per_token_j", optional_json(e.per_token_j)},
            {"tokens_per_j", optional_json(e.tokens_per_j)},
            {"currency", e.currency},
            {"cost", optional_json(e.cost)},
            {"co2_kg", optional_json(e.co2_kg)}};
}

json training_json(const std::optional<TrainingRunReport>& t) {
    if (!t) {
        return nullptr;
    }
    return {{"tokens", t->tokens},
            {"steps", t->steps},
            {"time_s", t->time_s},
            {"days", t->days},
            {"facility_mean_w", t->facility_mean_w},
            {"energy_j", t->energy_j},
            {"cost", optional_json(t->cost)},
            {"co2_kg", optional_json(t->co2_kg)}};
}

json cooling_json(const CoolingReport& c) {
    json j;
    j["type"] = c.type;
    j["capacities_given"] = c.capacities_given;
    j["rack_capacity_w"] = optional_json(c.rack_capacity_w);
    j["cdu_capacity_w"] = optional_json(c.cdu_capacity_w);
    j["plant_capacity_w"] = optional_json(c.plant_capacity_w);
    j["inlet_temperature_c"] = optional_json(c.inlet_temperature_c);
    j["outside_temperature_c"] = optional_json(c.outside_temperature_c);
    j["rack_headroom_w"] = optional_json(c.rack_headroom_w);
    j["cdu_headroom_w"] = optional_json(c.cdu_headroom_w);
    j["plant_headroom_w"] = optional_json(c.plant_headroom_w);
    j["compute_ops"] = c.compute_ops;
    j["throttled_compute_ops"] = c.throttled_compute_ops;
    j["throttled_domains"] = c.throttled_domains;
    json t = json::array();
    for (const auto& e : c.throttles) {
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

json power_to_json(const PowerReport& p) {
    json j;
    j["model"] = {{"facility_section", p.model.facility_section},
                  {"design_pue", p.model.design_pue},
                  {"conversion_efficiency", p.model.conversion_efficiency},
                  {"gpu_power_cap_w", optional_json(p.model.gpu_power_cap_w)},
                  {"memory_bound_share", p.model.memory_bound_share},
                  {"communication_share", p.model.communication_share},
                  {"ramp_window_s", p.model.ramp_window_s}};
    j["it"] = stats_json(p.it);
    j["facility"] = stats_json(p.facility);
    j["pue_mean"] = p.pue_mean;
    j["it_idle_w"] = p.it_idle_w;
    j["it_max_w"] = p.it_max_w;
    j["network_w"] = p.network_w;
    if (p.nameplate) {
        const auto& n = *p.nameplate;
        j["nameplate"] = {{"it_max_w", n.it_max_w},
                          {"it_typical_w", n.it_typical_w},
                          {"facility_max_w", n.facility_max_w},
                          {"facility_typical_w", n.facility_typical_w},
                          {"rack", n.rack},
                          {"rack_max_w", n.rack_max_w},
                          {"rack_typical_w", n.rack_typical_w},
                          {"feed_headroom_w", optional_json(n.feed_headroom_w)},
                          {"rack_power_headroom_w", optional_json(n.rack_power_headroom_w)},
                          {"rack_cooling_headroom_w", optional_json(n.rack_cooling_headroom_w)}};
    }
    j["largest_swing_w"] = p.largest_swing_w;
    j["fastest_ramp_w_per_s"] = p.fastest_ramp_w_per_s;
    j["facility_largest_swing_w"] = p.facility_largest_swing_w;
    j["facility_fastest_ramp_w_per_s"] = p.facility_fastest_ramp_w_per_s;
    j["energy"] = energy_json(p.energy);
    j["training_run"] = training_json(p.training_run);
    j["limits"] = {{"feed_w", optional_json(p.feed_w)}, {"rack_power_w", optional_json(p.rack_power_w)}};
    j["cooling"] = cooling_json(p.cooling);
    j["racks"] = {
        {"count", p.racks.count}, {"peak_w_max", p.rack_peak_w_max}, {"hottest", domains_json(p.racks, "rack", true)}};
    j["rows"] = {{"count", p.rows.count}, {"hottest", domains_json(p.rows, "row", false)}};
    j["halls"] = {{"count", p.halls.count}, {"hottest", domains_json(p.halls, "hall", false)}};
    j["cdus"] = {{"count", p.cdus.count}, {"hottest", domains_json(p.cdus, "cdu", true)}};
    json v = json::array();
    for (const auto& x : p.violations) {
        v.push_back({{"kind", x.kind},
                     {"id", x.id},
                     {"limit_w", x.limit_w},
                     {"peak_w", x.peak_w},
                     {"excess_w", x.excess_w},
                     {"first_s", x.first_s}});
    }
    j["violations"] = {{"count", p.violation_count}, {"items", v}};
    json t = json::array(), mean = json::array(), lo = json::array(), hi = json::array(), fac = json::array();
    for (const auto& pt : p.series) {
        t.push_back(pt.time_s);
        mean.push_back(pt.it_mean_w);
        lo.push_back(pt.it_min_w);
        hi.push_back(pt.it_max_w);
        fac.push_back(pt.facility_mean_w);
    }
    j["series"] = {{"bin_s", p.series_bin_s}, {"time_s", t},    {"it_mean_w", mean},
                   {"it_min_w", lo},          {"it_max_w", hi}, {"facility_mean_w", fac}};
    if (p.weather) {
        j["weather"] = weather_to_json(*p.weather);
    }
    return j;
}

} // namespace twin::report::detail
