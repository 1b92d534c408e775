// Reading the "facility" section and the static power plan (format and defaults in
// twin/models/facility.hpp, equations in twin/models/power.hpp).
#include "twin/models/facility.hpp"

#include "twin/topology/bounds.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::models {
namespace {

std::optional<Watts> optional_power(Object& o, const char* key) {
    if (auto v = o.find(key)) {
        return v->as_power();
    }
    return std::nullopt;
}

double share(Object& o, const char* key, double fallback) {
    if (auto v = o.find(key)) {
        return v->as_number(Bound::NonNegative, 1.0);
    }
    return fallback;
}

// Distinct GPU types of the cluster, in node order.
std::vector<const topology::GpuType*> gpu_types(const topology::Cluster& cluster) {
    std::vector<const topology::GpuType*> out;
    for (const auto& n : cluster.nodes()) {
        const auto* g = &cluster.catalog().gpus.at(cluster.catalog().nodes.at(n.type).gpu);
        if (std::find(out.begin(), out.end(), g) == out.end()) {
            out.push_back(g);
        }
    }
    return out;
}

const topology::GpuType* liquid_only_gpu(const topology::Cluster& cluster) {
    for (const auto* g : gpu_types(cluster)) {
        if (g->liquid_only) {
            return g;
        }
    }
    return nullptr;
}

void read_cooling(Object c, Facility& f, const topology::Cluster& cluster) {
    const Value type = c.at("type");
    f.cooling.type = read_enum(type, kCoolingNames);
    f.cooling.given = true;
    f.cooling.rack_capacity = optional_power(c, "rack_capacity");
    f.cooling.cdu_capacity = optional_power(c, "cdu_capacity");
    if (auto v = c.find("racks_per_cdu")) {
        f.cooling.racks_per_cdu = static_cast<int>(v->as_integer(1, 1000000));
    }
    f.cooling.plant_capacity = optional_power(c, "plant_capacity");
    if (auto v = c.find("inlet_temperature_c")) {
        f.cooling.inlet_c = v->as_number(Bound::Any, 100.0);
    }
    if (auto v = c.find("outside_temperature_c")) {
        f.cooling.outside_c = v->as_number(Bound::Any, 70.0);
        if (*f.cooling.outside_c < -60.0) {
            v->fail("expected an outside temperature of at least -60 C");
        }
    }
    f.cooling.design_pue = default_design_pue(f.cooling.type);
    if (auto v = c.find("pue")) {
        const double pue = v->as_number();
        if (pue < 1.0) {
            v->fail(fmt::format("a PUE below 1 is impossible (facility power >= IT power), got {}", pue));
        }
        const double lowest = min_design_pue(f.conversion_efficiency);
        if (pue < lowest) {
            v->fail(fmt::format("PUE {} is below 1/conversion_efficiency + {} fixed overhead = {:.4g}", pue,
                                kFixedShare, lowest));
        }
        f.cooling.design_pue = pue;
    }
    if (const auto* g = liquid_only_gpu(cluster)) {
        if (f.cooling.type != CoolingType::Liquid) {
            type.fail(fmt::format("GPU type {} is liquid-cooled only: cooling type must be \"liquid\"", g->name));
        }
        if (!f.cooling.rack_capacity) {
            c.fail_at(
                "rack_capacity",
                fmt::format("GPU type {} is liquid-cooled only: give the liquid cooling capacity per rack", g->name));
        }
    }
    c.finish();
}

void read_gpu(Object g, Facility& f, const topology::Cluster& cluster) {
    if (auto cap = g.find("power_cap")) {
        const Watts w = cap->as_power();
        for (const auto* t : gpu_types(cluster)) {
            if (w > t->max_power) {
                cap->fail(fmt::format("power cap {} W is above the TDP of {} ({} W)", w.value(), t->name,
                                      t->max_power.value()));
            }
            if (w < t->min_power_limit) {
                cap->fail(fmt::format("power cap {} W is below the minimum power limit of {} ({} W)", w.value(),
                                      t->name, t->min_power_limit.value()));
            }
        }
        f.gpu_power_cap = w;
    }
    f.memory_bound_share = share(g, "memory_bound_share", f.memory_bound_share);
    f.communication_share = share(g, "communication_share", f.communication_share);
    g.finish();
}

void read_energy(Object e, Facility& f, double tokens_per_step) {
    if (auto v = e.find("price_per_kwh")) {
        f.energy.price_per_kwh = v->as_number(Bound::NonNegative);
    }
    if (auto v = e.find("currency")) {
        f.energy.currency = v->as_string();
        if (f.energy.currency.empty()) {
            v->fail("the currency must not be empty");
        }
    }
    if (auto v = e.find("grid_co2_g_per_kwh")) {
        f.energy.grid_co2_g_per_kwh = v->as_number(Bound::NonNegative);
    }
    if (auto v = e.find("training_tokens")) {
        f.energy.training_tokens = v->as_number(Bound::Positive);
        if (!(tokens_per_step > 0)) {
            v->fail("training_tokens needs a generated training workload (tokens per step)");
        }
    }
    e.finish();
}

} // namespace

Facility load_facility(const std::optional<Value>& v, const topology::Cluster& cluster, double tokens_per_step) {
    Facility f;
    if (liquid_only_gpu(cluster) != nullptr) {
        f.cooling.type = CoolingType::Liquid;
    }
    f.cooling.design_pue = default_design_pue(f.cooling.type);
    if (!v) {
        return f;
    }
    f.present = true;
    Object o = v->as_object();
    f.feed = optional_power(o, "feed");
    f.rack_power_limit = optional_power(o, "rack_power_limit");
    if (auto e = o.find("conversion_efficiency")) {
        f.conversion_efficiency = topology::read_efficiency(*e);
    }
    if (auto l = o.find("layout")) {
        Object lo = l->as_object();
        if (auto r = lo.find("racks_per_row")) {
            f.racks_per_row = static_cast<int>(r->as_integer(1, 1000000));
        }
        if (auto r = lo.find("rows_per_hall")) {
            f.rows_per_hall = static_cast<int>(r->as_integer(1, 1000000));
        }
        lo.finish();
    }
    if (auto c = o.find("cooling")) {
        read_cooling(c->as_object(), f, cluster);
    } else if (const auto* g = liquid_only_gpu(cluster)) {
        o.fail_at("cooling", fmt::format("GPU type {} is liquid-cooled only: give a \"liquid\" cooling section with "
                                         "its rack_capacity",
                                         g->name));
    }
    if (auto g = o.find("gpu")) {
        read_gpu(g->as_object(), f, cluster);
    }
    if (auto e = o.find("energy")) {
        read_energy(e->as_object(), f, tokens_per_step);
    }
    if (auto t = o.find("timeline")) {
        Object to = t->as_object();
        if (auto r = to.find("ramp_window")) {
            f.ramp_window = r->as_seconds(Bound::Positive);
        }
        if (auto p = to.find("points")) {
            f.series_points = static_cast<int>(p->as_integer(2, 100000));
        }
        to.finish();
    }
    if (auto w = o.find("weather")) {
        f.weather = read_weather(*w, f.cooling.type);
    }
    o.finish();
    return f;
}

namespace {

void finish_domain(CoolingDomain& d, std::optional<Watts> capacity, const Facility& f, double min_clock) {
    if (!capacity) {
        return;
    }
    d.capacity = f.cooling.inlet_c ? capacity_at_inlet(*capacity, *f.cooling.inlet_c) : *capacity;
    d.throttled_clock = thermal_clock(*d.capacity, d.static_heat, d.gpu_dynamic, min_clock);
}

} // namespace

PowerPlan plan_power(const topology::Cluster& cluster, const Facility& f) {
    PowerPlan p;
    const auto& cat = cluster.catalog();
    const auto types = gpu_types(cluster);
    for (const auto* t : types) {
        GpuPowerParams g{t->idle_power, t->max_power, t->min_power_limit, f.memory_bound_share, f.communication_share};
        p.gpu_params.push_back(g);
        p.cap_clock.push_back(f.gpu_power_cap ? std::max(min_clock(g), clock_for_power(g, *f.gpu_power_cap)) : 1.0);
    }
    for (const auto& n : cluster.nodes()) {
        p.racks = std::max(p.racks, n.rack + 1);
    }
    p.rack_of_gpu.assign(static_cast<std::size_t>(cluster.gpu_count()), 0);
    p.params_of_gpu.assign(static_cast<std::size_t>(cluster.gpu_count()), 0);
    p.rack_cooling.assign(static_cast<std::size_t>(p.racks), CoolingDomain{});
    double nodes_max = 0.0; // nameplate maxima of the nodes (the rest of it_max is the network)
    double min_clock_all = 1.0;
    for (const auto& n : cluster.nodes()) {
        const auto& nt = cat.nodes.at(n.type);
        const auto* gt = &cat.gpus.at(nt.gpu);
        const int k = static_cast<int>(std::find(types.begin(), types.end(), gt) - types.begin());
        const auto& g = p.gpu_params[static_cast<std::size_t>(k)];
        min_clock_all = std::min(min_clock_all, min_clock(g));
        for (int i = 0; i < n.gpus; ++i) {
            p.rack_of_gpu[static_cast<std::size_t>(n.first_gpu + i)] = n.rack;
            p.params_of_gpu[static_cast<std::size_t>(n.first_gpu + i)] = k;
        }
        // Everything but the GPUs at full load (NICs, extra NICs, scale-up switches, other_power).
        const topology::NodePower np = topology::node_power(cat, nt);
        const double other = np.full.value() - g.tdp.value() * n.gpus;
        nodes_max += np.max.value();
        auto& d = p.rack_cooling[static_cast<std::size_t>(n.rack)];
        d.static_heat += Watts(other) + g.idle * n.gpus;
        d.gpu_dynamic += (g.tdp - g.idle) * n.gpus;
    }
    const topology::Summary summary = topology::summarize(cluster);
    p.it_max = summary.it_power_max;
    p.it_typical = summary.it_power_typical;
    p.network = Watts(std::max(0.0, p.it_max.value() - nodes_max));

    const int per_row = f.racks_per_row;
    const int per_cdu = f.cooling.racks_per_cdu > 0 ? f.cooling.racks_per_cdu : per_row;
    p.rows = (p.racks + per_row - 1) / per_row;
    p.halls = f.rows_per_hall > 0 ? (p.rows + f.rows_per_hall - 1) / f.rows_per_hall : 1;
    p.cdus = (p.racks + per_cdu - 1) / per_cdu;
    p.cdu_cooling.assign(static_cast<std::size_t>(p.cdus), CoolingDomain{});
    for (int r = 0; r < p.racks; ++r) {
        const int row = r / per_row;
        p.row_of_rack.push_back(row);
        p.hall_of_rack.push_back(f.rows_per_hall > 0 ? row / f.rows_per_hall : 0);
        p.cdu_of_rack.push_back(r / per_cdu);
        const auto& d = p.rack_cooling[static_cast<std::size_t>(r)];
        auto& c = p.cdu_cooling[static_cast<std::size_t>(r / per_cdu)];
        c.static_heat += d.static_heat;
        c.gpu_dynamic += d.gpu_dynamic;
        p.plant.static_heat += d.static_heat;
        p.plant.gpu_dynamic += d.gpu_dynamic;
        p.it_idle += d.static_heat;
    }
    p.plant.static_heat += p.network;
    p.it_idle += p.network;
    if (f.cooling.given) {
        const Watts rack_cap = f.cooling.rack_capacity.value_or(default_rack_capacity(f.cooling.type));
        for (auto& d : p.rack_cooling) {
            finish_domain(d, rack_cap, f, min_clock_all);
        }
        for (auto& d : p.cdu_cooling) {
            finish_domain(d, f.cooling.cdu_capacity, f, min_clock_all);
        }
        finish_domain(p.plant, f.cooling.plant_capacity, f, min_clock_all);
    }
    p.pue = pue_model(f.cooling.type, f.cooling.design_pue, f.conversion_efficiency, f.cooling.outside_c, p.it_max);
    return p;
}

} // namespace twin::models
