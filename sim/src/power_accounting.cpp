// Event-driven power and cooling accounting; the model is described in power_accounting.hpp and
// twin/models/power.hpp.
#include "power_accounting.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace twin::sim {
namespace {

constexpr double kFirstBinS = 1e-6;

const std::vector<std::string_view> kViolationOrder{"feed", "rack_power", "rack_cooling", "cdu_cooling",
                                                    "plant_cooling"};

PowerStats stats_of(const PowerAccounting::Level& l, double t) {
    PowerStats s;
    s.peak_w = l.held ? l.peak : l.w;
    s.min_w = l.held ? l.min : l.w;
    s.mean_w = t > 0 ? l.energy / t : l.w;
    return s;
}

std::vector<DomainPower> domains_of(const std::vector<PowerAccounting::Level>& levels, double t) {
    std::vector<DomainPower> out;
    out.reserve(levels.size());
    for (std::size_t i = 0; i < levels.size(); ++i) {
        out.push_back(DomainPower{static_cast<int>(i), stats_of(levels[i], t), -1.0});
    }
    return out;
}

void flag(std::vector<Violation>& out, const char* kind, int id, const PowerAccounting::Level& l, std::size_t which) {
    const double limit = l.limit[which];
    if (limit >= 0 && l.held && l.peak > limit) {
        out.push_back(Violation{kind, id, limit, l.peak, l.peak - limit, l.first_over[which]});
    }
}

} // namespace

bool PowerAccounting::Level::add(double t, double dw) {
    bool committed = false;
    if (t > since) {
        const double d = t - since;
        energy += w * d;
        peak = held ? std::max(peak, w) : w;
        min = held ? std::min(min, w) : w;
        held = true;
        for (std::size_t i = 0; i < limit.size(); ++i) {
            if (limit[i] >= 0 && w > limit[i] && first_over[i] < 0) {
                first_over[i] = since;
            }
        }
        before = w;
        since = t;
        committed = true;
    }
    w += dw;
    return committed;
}

void PowerAccounting::Level::close(double t) {
    (void)add(t, 0.0);
}

namespace {

std::optional<double> optional_w(const std::optional<Watts>& w) {
    return w ? std::optional<double>(w->value()) : std::nullopt;
}

report::NameplateResult nameplate_result(const models::Nameplate& n) {
    return report::NameplateResult{n.it_max.value(),
                                   n.it_typical.value(),
                                   n.facility_max.value(),
                                   n.facility_typical.value(),
                                   n.rack_max.value(),
                                   n.rack_typical.value(),
                                   n.rack,
                                   optional_w(n.feed_headroom),
                                   optional_w(n.rack_power_headroom),
                                   optional_w(n.rack_cooling_headroom)};
}

} // namespace

PowerAccounting::PowerAccounting(const topology::Cluster& cluster, const models::Facility& facility)
    : facility_(facility), plan_(models::plan_power(cluster, facility)),
      nameplate_(models::size_nameplate(cluster, facility, plan_)) {
    const auto n = static_cast<std::size_t>(cluster.gpu_count());
    gpu_w_.resize(n);
    clock_.resize(n);
    for (std::size_t g = 0; g < n; ++g) {
        const auto k = static_cast<std::size_t>(plan_.params_of_gpu[g]);
        gpu_w_[g] = plan_.gpu_params[k].idle.value();
        clock_[g] = plan_.cap_clock[k];
    }
    custom_.assign(n, -1);
    covered_.assign(n, 0);
    const auto start = [](double w) {
        Level l;
        l.w = w;
        l.before = w;
        return l;
    };
    racks_.resize(static_cast<std::size_t>(plan_.racks));
    rows_.assign(static_cast<std::size_t>(plan_.rows), start(0.0));
    halls_.assign(static_cast<std::size_t>(plan_.halls), start(0.0));
    cdus_.assign(static_cast<std::size_t>(plan_.cdus), start(0.0));
    rack_thermal_.resize(racks_.size());
    cdu_thermal_.resize(cdus_.size());
    for (std::size_t r = 0; r < racks_.size(); ++r) {
        const auto& spec = plan_.rack_cooling[r];
        const double w = spec.static_heat.value();
        racks_[r] = start(w);
        racks_[r].limit[0] = facility.rack_power_limit ? facility.rack_power_limit->value() : -1.0;
        racks_[r].limit[1] = spec.capacity ? spec.capacity->value() : -1.0;
        rows_[static_cast<std::size_t>(plan_.row_of_rack[r])].w += w;
        halls_[static_cast<std::size_t>(plan_.hall_of_rack[r])].w += w;
        cdus_[static_cast<std::size_t>(plan_.cdu_of_rack[r])].w += w;
        rack_thermal_[r].spec = &spec;
    }
    for (std::size_t c = 0; c < cdus_.size(); ++c) {
        const auto& spec = plan_.cdu_cooling[c];
        cdus_[c].limit[1] = spec.capacity ? spec.capacity->value() : -1.0;
        cdu_thermal_[c].spec = &spec;
    }
    for (auto* v : {&rows_, &halls_, &cdus_}) {
        for (auto& l : *v) {
            l.before = l.w;
        }
    }
    if (!halls_.empty()) {
        halls_.front().w += plan_.network.value(); // the network's power is placed in hall 0
        halls_.front().before = halls_.front().w;
    }
    total_ = start(plan_.it_idle.value());
    plant_thermal_.spec = &plan_.plant;
    total_.limit[1] = plan_.plant.capacity ? plan_.plant.capacity->value() : -1.0;
    if (facility.feed) {
        // facility power <= feed  <=>  IT <= (feed - fixed) / (1/eta + k_cool f), facility power being linear in IT.
        const auto& m = plan_.pue;
        const double fixed = models::facility_power(m, Watts(0.0)).value();
        const double slope = models::facility_power(m, Watts(1.0)).value() - fixed;
        total_.limit[0] = std::max(0.0, (facility.feed->value() - fixed) / slope);
    }
    bins_.assign(static_cast<std::size_t>(facility.series_points), Bin{});
    bin_s_ = kFirstBinS;
}

void PowerAccounting::change(int rank, double t, double dw) {
    if (dw == 0.0) {
        return;
    }
    const auto add_total = [&](double d) {
        const double a = total_.since;
        const double w = total_.w;
        if (total_.add(t, d)) {
            total_segment(a, t, w);
        }
    };
    const auto c = custom_[static_cast<std::size_t>(rank)];
    if (c < 0) {
        // A GPU on its own: its domains are alone (power_classes.hpp).
        const auto r = static_cast<std::size_t>(plan_.rack_of_gpu[static_cast<std::size_t>(rank)]);
        racks_[r].add(t, dw);
        rows_[static_cast<std::size_t>(plan_.row_of_rack[r])].add(t, dw);
        halls_[static_cast<std::size_t>(plan_.hall_of_rack[r])].add(t, dw);
        cdus_[static_cast<std::size_t>(plan_.cdu_of_rack[r])].add(t, dw);
        add_total(dw);
        return;
    }
    // The representative domains take the folded rank's changes (the others follow them), and the
    // total takes one change per group, in group order, as domain-by-domain accounting would.
    // Entries come grouped by domain (compile()): after a domain's first addition at t, which may
    // commit its segment, the others at the same t only add to its level, so they are summed in
    // a plain loop, in the same order (the same result, bit for bit).
    const auto k = static_cast<std::size_t>(c);
    const auto& entries = entries_[k];
    for (std::size_t i = 0; i < entries.size();) {
        const Entry& e = entries[i];
        Level& level = family(e.family)[static_cast<std::size_t>(e.index)];
        level.add(t, dw * e.count);
        double w = level.w;
        for (++i; i < entries.size() && entries[i].family == e.family && entries[i].index == e.index; ++i) {
            w += dw * entries[i].count;
        }
        level.w = w;
    }
    const auto& counts = total_counts_[k];
    if (!counts.empty()) {
        add_total(dw * counts.front());
        double w = total_.w;
        for (std::size_t i = 1; i < counts.size(); ++i) {
            w += dw * counts[i];
        }
        total_.w = w;
    }
}

void PowerAccounting::state_changed(int rank, double time_s, GpuState state, double sm_activity) {
    if (!compiled_) {
        compile();
    }
    const auto r = static_cast<std::size_t>(rank);
    const auto& p = plan_.gpu_params[static_cast<std::size_t>(plan_.params_of_gpu[r])];
    const double load = state == GpuState::Compute       ? models::compute_load(p, sm_activity)
                        : state == GpuState::Communicate ? p.communication_share
                                                         : 0.0;
    const double w = models::gpu_power(p, load, clock_[r]).value();
    change(rank, time_s, w - gpu_w_[r]);
    gpu_w_[r] = w;
}

double PowerAccounting::domain_clock(Thermal& d, const Level& heat, const char* kind, int id, double t) {
    if (!d.spec->capacity) {
        return 1.0;
    }
    if (!d.throttled) {
        const double h = heat.level_before(t);
        if (!(h > d.spec->capacity->value())) {
            return 1.0;
        }
        d.throttled = true;
        result_.throttles.push_back(ThrottleEvent{kind, id, t, h, d.spec->capacity->value(), d.spec->throttled_clock});
    }
    return d.spec->throttled_clock;
}

double PowerAccounting::compute_speed(int rank, double time_s) {
    if (!compiled_) {
        compile();
    }
    const auto r = static_cast<std::size_t>(rank);
    const double cap = plan_.cap_clock[static_cast<std::size_t>(plan_.params_of_gpu[r])];
    double clock = cap;
    // Each domain's heat is its representative's level (power_classes.hpp).
    const auto visit = [&](int rack) {
        const auto k = static_cast<std::size_t>(rack);
        const auto cdu = static_cast<std::size_t>(plan_.cdu_of_rack[k]);
        clock = std::min(clock, domain_clock(rack_thermal_[k], racks_[rep(0, k)], "rack", rack, time_s));
        clock =
            std::min(clock, domain_clock(cdu_thermal_[cdu], cdus_[rep(3, cdu)], "cdu", static_cast<int>(cdu), time_s));
        clock = std::min(clock, domain_clock(plant_thermal_, total_, "plant", 0, time_s));
    };
    const auto c = custom_[r];
    if (c < 0) {
        visit(plan_.rack_of_gpu[r]);
    } else if (!quick_clock(static_cast<std::size_t>(c), time_s, clock)) {
        for (const auto& g : custom_groups_[static_cast<std::size_t>(c)]) {
            visit(g.rack);
        }
    }
    ++result_.compute_ops;
    if (clock < cap) {
        ++result_.throttled_ops;
    }
    clock_[r] = clock;
    return clock;
}

void PowerAccounting::total_segment(double a, double b, double level) {
    // Ramp: lagged window [a - w, b - w) against the history (the first level extends to -infinity).
    const double win = facility_.ramp_window.value();
    if (history_.empty()) {
        history_.push_back(Seg{-std::numeric_limits<double>::infinity(), a, level});
    }
    history_.push_back(Seg{a, b, level});
    for (std::size_t i = history_head_; i < history_.size() && history_[i].a < b - win; ++i) {
        const auto& h = history_[i];
        if (std::min(h.b, b - win) > std::max(h.a, a - win)) {
            max_lag_diff_ = std::max(max_lag_diff_, std::abs(level - h.w));
        }
    }
    while (history_head_ < history_.size() && history_[history_head_].b <= b - win) {
        ++history_head_;
    }
    if (history_head_ > 1024 && history_head_ * 2 > history_.size()) {
        history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(history_head_));
        history_head_ = 0;
    }
    // Series bins.
    const auto n = bins_.size();
    while (b > bin_s_ * static_cast<double>(n)) {
        for (std::size_t i = 0; i < n; ++i) {
            Bin m;
            for (std::size_t j = 2 * i; j < std::min(n, 2 * i + 2); ++j) {
                const Bin& x = bins_[j];
                if (!x.used) {
                    continue;
                }
                m.energy += x.energy;
                m.min = m.used ? std::min(m.min, x.min) : x.min;
                m.max = m.used ? std::max(m.max, x.max) : x.max;
                m.used = true;
            }
            bins_[i] = m;
        }
        bin_s_ *= 2;
    }
    for (auto i = static_cast<std::size_t>(a / bin_s_); i < n && static_cast<double>(i) * bin_s_ < b; ++i) {
        const double lo = std::max(a, static_cast<double>(i) * bin_s_);
        const double hi = std::min(b, static_cast<double>(i + 1) * bin_s_);
        if (!(hi > lo)) {
            continue;
        }
        Bin& x = bins_[i];
        x.energy += level * (hi - lo);
        x.min = x.used ? std::min(x.min, level) : level;
        x.max = x.used ? std::max(x.max, level) : level;
        x.used = true;
    }
}

void PowerAccounting::finished(double t) {
    if (!compiled_) {
        compile();
    }
    for (std::size_t f = 0; f < rep_.size(); ++f) {
        auto& levels = family(f);
        for (auto& l : levels) {
            l.close(t);
        }
        for (std::size_t d = 0; d < levels.size(); ++d) {
            levels[d] = levels[rep(f, d)]; // a class's members follow its representative
        }
    }
    {
        const double a = total_.since;
        const double w = total_.w;
        if (total_.add(t, 0.0)) {
            total_segment(a, t, w);
        }
    }
    auto& r = result_;
    r.it = stats_of(total_, t);
    r.it_energy_j = total_.energy;
    const auto& m = plan_.pue;
    const auto fac = [&m](double it) { return models::facility_power(m, Watts(it)).value(); };
    r.facility = PowerStats{fac(r.it.peak_w), fac(r.it.mean_w), fac(r.it.min_w)};
    r.facility_energy_j = r.facility.mean_w * t;
    if (!(t > 0)) {
        r.facility_energy_j = 0.0;
    }
    r.largest_swing_w = r.it.peak_w - r.it.min_w;
    r.ramp_window_s = facility_.ramp_window.value();
    r.fastest_ramp_w_per_s = max_lag_diff_ / r.ramp_window_s;
    r.it_idle_w = plan_.it_idle.value();
    r.it_max_w = plan_.it_max.value();
    r.network_w = plan_.network.value();
    r.nameplate = nameplate_result(nameplate_);
    r.facility_fixed_w = fac(0.0);
    r.facility_slope = fac(1.0) - r.facility_fixed_w;
    r.cooling_per_it = m.cooling_share * m.temperature_factor;
    r.racks = domains_of(racks_, t);
    for (std::size_t k = 0; k < racks_.size(); ++k) {
        const auto& cap = plan_.rack_cooling[k].capacity;
        r.racks[k].capacity_w = cap ? cap->value() : -1.0;
    }
    r.rows = domains_of(rows_, t);
    r.halls = domains_of(halls_, t);
    r.cdus = domains_of(cdus_, t);
    for (std::size_t k = 0; k < cdus_.size(); ++k) {
        const auto& cap = plan_.cdu_cooling[k].capacity;
        r.cdus[k].capacity_w = cap ? cap->value() : -1.0;
    }
    r.plant = DomainPower{0, r.it, plan_.plant.capacity ? plan_.plant.capacity->value() : -1.0};

    // Violations. The feed is checked on facility power: IT above total_.limit[0] is facility above the feed.
    if (facility_.feed && total_.held && r.facility.peak_w > facility_.feed->value()) {
        r.violations.push_back(Violation{"feed", 0, facility_.feed->value(), r.facility.peak_w,
                                         r.facility.peak_w - facility_.feed->value(), total_.first_over[0]});
    }
    for (std::size_t k = 0; k < racks_.size(); ++k) {
        flag(r.violations, "rack_power", static_cast<int>(k), racks_[k], 0);
        flag(r.violations, "rack_cooling", static_cast<int>(k), racks_[k], 1);
    }
    for (std::size_t k = 0; k < cdus_.size(); ++k) {
        flag(r.violations, "cdu_cooling", static_cast<int>(k), cdus_[k], 1);
    }
    flag(r.violations, "plant_cooling", 0, total_, 1);
    const auto order = [](const std::string& kind) {
        return std::find(kViolationOrder.begin(), kViolationOrder.end(), kind) - kViolationOrder.begin();
    };
    std::stable_sort(r.violations.begin(), r.violations.end(), [&order](const Violation& x, const Violation& y) {
        return std::make_tuple(order(x.kind), -x.excess_w, x.id) < std::make_tuple(order(y.kind), -y.excess_w, y.id);
    });

    // Series.
    r.bin_s = bin_s_;
    for (std::size_t i = 0; i < bins_.size() && static_cast<double>(i) * bin_s_ < t; ++i) {
        const auto& x = bins_[i];
        const double lo = static_cast<double>(i) * bin_s_;
        const double width = std::min(t, lo + bin_s_) - lo;
        if (!x.used || !(width > 0)) {
            continue;
        }
        r.series.push_back(PowerPoint{lo, x.energy / width, x.min, x.max});
    }
}

} // namespace twin::sim
