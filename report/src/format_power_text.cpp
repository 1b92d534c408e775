// The power, energy and cooling lines of the text report, from the PowerReport.
#include "report_parts.hpp"

#include <fmt/format.h>
#include <tuple>

namespace twin::report::detail {
namespace {

std::string energy_line(const EnergyReport& e) {
    std::string line =
        fmt::format("  energy                 per step {} (IT {})", human_energy(e.facility_j), human_energy(e.it_j));
    if (e.per_token_j) {
        line += fmt::format("   {:.4g} J/token   {:.4g} tokens/J", *e.per_token_j, e.tokens_per_j.value_or(0.0));
    }
    if (e.cost) {
        line += fmt::format("   {:.4g} {}", *e.cost, e.currency);
    }
    if (e.co2_kg) {
        line += fmt::format("   {:.4g} kg CO2", *e.co2_kg);
    }
    return line + "\n";
}

std::string training_line(const TrainingRunReport& t, const std::string& currency) {
    std::string line = fmt::format("  training run           {:.4g} tokens: {:.4g} steps, {:.3g} days, {}, mean {}",
                                   t.tokens, t.steps, t.days, human_energy(t.energy_j), human_power(t.facility_mean_w));
    if (t.cost) {
        line += fmt::format(", {:.4g} {}", *t.cost, currency);
    }
    if (t.co2_kg) {
        line += fmt::format(", {:.4g} t CO2", *t.co2_kg / 1000.0);
    }
    return line + "\n";
}

std::string cooling_line(const CoolingReport& c) {
    std::string line = fmt::format("  cooling                {}", c.type);
    if (c.rack_headroom_w) {
        line += fmt::format("   rack headroom {}", human_power(*c.rack_headroom_w));
    }
    if (c.cdu_headroom_w) {
        line += fmt::format("   CDU headroom {}", human_power(*c.cdu_headroom_w));
    }
    if (c.plant_headroom_w) {
        line += fmt::format("   plant headroom {}", human_power(*c.plant_headroom_w));
    }
    if (!c.capacities_given) {
        line += "   (capacities not given: no thermal limit)";
    }
    return line + "\n";
}

// Nameplate sizing: maximum (what feeds, PDUs and cooling are sized on) and typical.
std::string nameplate_line(const NameplateResult& n) {
    std::string line = fmt::format("                         nameplate IT max {} (typical {})   facility max {}   "
                                   "largest rack max {} (typical {})",
                                   human_power(n.it_max_w), human_power(n.it_typical_w), human_power(n.facility_max_w),
                                   human_power(n.rack_max_w), human_power(n.rack_typical_w));
    for (const auto& [value, label] :
         {std::pair{&n.feed_headroom_w, "feed"}, std::pair{&n.rack_power_headroom_w, "rack power"},
          std::pair{&n.rack_cooling_headroom_w, "rack cooling"}}) {
        if (*value) {
            line += fmt::format("   {} headroom {}{}", label, human_power(**value), **value < 0 ? " (UNDERSIZED)" : "");
        }
    }
    return line + "\n";
}

} // namespace

std::string power_text(const PowerReport& p) {
    std::string out;
    out += fmt::format("\n  power                  IT peak {}   mean {}   min {}   (idle {}, max {})\n",
                       human_power(p.it.peak_w), human_power(p.it.mean_w), human_power(p.it.min_w),
                       human_power(p.it_idle_w), human_power(p.it_max_w));
    out += fmt::format("                         facility peak {}   mean {}   PUE {:.3f} ({} cooling)\n",
                       human_power(p.facility.peak_w), human_power(p.facility.mean_w), p.pue_mean, p.cooling.type);
    if (p.nameplate) {
        out += nameplate_line(*p.nameplate);
    }
    out += fmt::format("                         largest swing {}   fastest ramp {}/s over {} (IT)\n",
                       human_power(p.largest_swing_w), human_power(p.fastest_ramp_w_per_s),
                       fmt::format("{:g} ms", 1e3 * p.model.ramp_window_s));
    out += energy_line(p.energy);
    if (p.training_run) {
        out += training_line(*p.training_run, p.energy.currency);
    }
    out += cooling_line(p.cooling);
    // Power by hall and the hottest rows (all racks, rows, CDUs and halls' series: report.json).
    for (const auto& [list, label, shown] : {std::tuple{&p.halls, "hall", 4}, std::tuple{&p.rows, "row", 3}}) {
        if (list->count < 2) {
            continue;
        }
        std::string line = fmt::format("  by {:<20} {} {}s", label, list->count, label);
        int n = 0;
        for (const auto& h : list->hottest) {
            if (n++ == shown) {
                break;
            }
            line += fmt::format("{} {} {} peak {} mean {}", n == 1 ? ", hottest:" : ";", label, h.id,
                                human_power(h.it.peak_w), human_power(h.it.mean_w));
        }
        out += line + "\n";
    }
    const auto& c = p.cooling;
    if (c.throttled_domains > 0 && !c.throttles.empty()) {
        const auto& first = c.throttles.front();
        out += fmt::format("  THROTTLED              {} domain(s), first {} {} at {:.4g} s (clock {:.3f});  {} of {} "
                           "compute ops slowed\n",
                           c.throttled_domains, first.domain, first.id, first.time_s, first.clock,
                           c.throttled_compute_ops, c.compute_ops);
    }
    for (const auto& v : p.violations) {
        out += fmt::format("  VIOLATION              {} {}: peak {} > limit {} by {} (first at {:.4g} s)\n", v.kind,
                           v.id, human_power(v.peak_w), human_power(v.limit_w), human_power(v.excess_w), v.first_s);
    }
    if (p.violation_count > static_cast<std::int64_t>(p.violations.size())) {
        out += fmt::format("  ... and {} more violations\n",
                           p.violation_count - static_cast<std::int64_t>(p.violations.size()));
    }
    if (p.weather) {
        out += weather_text(*p.weather);
    }
    return out;
}

} // namespace twin::report::detail
