// The fabric and time-series lines of the text report: the busiest links, each tier, the busiest
// pods (five), and when each tier and rank class was busiest over time.
#include "report_parts.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace twin::report::detail {

std::string fabric_text(const RunReport& r) {
    std::string out = "\n  busiest links\n";
    for (const auto& l : r.busiest_links) {
        out += fmt::format("    {:5.1f} %  {:<11} {}\n", 100 * l.utilization, l.tier, l.link);
    }
    out += "\n  link tiers            links   mean util   max util   bytes       busiest\n";
    for (const auto& t : r.link_tiers) {
        out += fmt::format("    {:<18} {:>7}   {:7.1f} %  {:7.1f} %   {:<10}  {}\n", t.tier, t.directed_links,
                           100 * t.mean_utilization, 100 * t.max_utilization, human_bytes(t.bytes),
                           t.busiest.empty() ? "" : t.busiest.front().link);
    }
    if (r.pods.empty()) {
        return out;
    }
    std::vector<const PodReport*> order;
    for (const auto& p : r.pods) {
        order.push_back(&p);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto* a, const auto* b) { return a->max_utilization > b->max_utilization; });
    const auto& kind = r.pods.front().kind;
    out += fmt::format("\n  fabric by {} ({} {}s, the busiest {} shown; all in report.json, every link in links.csv)\n",
                       kind, r.pods.size(), kind, std::min<std::size_t>(5, r.pods.size()));
    out += fmt::format("    {:<12} mean util   max util   bytes       busiest link\n", kind);
    for (std::size_t i = 0; i < order.size() && i < 5; ++i) {
        const auto& p = *order[i];
        out += fmt::format("    {:<12} {:7.1f} %  {:7.1f} %   {:<10}  {}\n", p.pod, 100 * p.mean_utilization,
                           100 * p.max_utilization, human_bytes(p.bytes), p.busiest_link.link);
    }
    return out;
}

namespace {

double peak_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

std::string tier_line(const std::string& label, const TierSeriesReport& t, const SeriesReport& s) {
    const auto peak =
        static_cast<std::size_t>(std::max_element(t.util_mean.begin(), t.util_mean.end()) - t.util_mean.begin());
    return fmt::format("    {:<18} mean util up to {:5.1f} % (bin at {}), highest {:5.1f} %\n", label,
                       100 * t.util_mean[peak], human_time(s.time_s.at(peak)), 100 * peak_of(t.util_max));
}

} // namespace

std::string series_text(const RunReport& r) {
    const auto& s = r.series;
    if (s.time_s.empty()) {
        return "";
    }
    std::string out =
        fmt::format("\n  over time              {} bins of {} (report.json; series.csv at the run's resolution)\n",
                    s.time_s.size(), human_time(s.bin_s));
    // Whole tiers; of the per-pod series, the pod whose mean utilisation peaked highest per tier.
    std::map<std::string, const TierSeriesReport*> busiest_pod;
    for (const auto& t : s.tiers) {
        if (t.util_mean.empty()) {
            continue;
        }
        if (t.pod < 0) {
            out += tier_line(t.tier, t, s);
        } else if (auto& b = busiest_pod[t.tier]; b == nullptr || peak_of(t.util_mean) > peak_of(b->util_mean)) {
            b = &t;
        }
    }
    for (const auto& [tier, t] : busiest_pod) {
        out += tier_line(fmt::format("{} {} {}", tier, s.pod_kind, t->pod), *t, s);
    }
    constexpr std::size_t kShownClasses = 8;
    for (std::size_t i = 0; i < s.classes.size() && i < kShownClasses; ++i) {
        const auto& c = s.classes[i];
        if (c.compute.empty() || c.idle.empty()) {
            continue;
        }
        const auto [lo, hi] = std::minmax_element(c.compute.begin(), c.compute.end());
        out += fmt::format("    {:<18} compute {:5.1f} % .. {:5.1f} % per bin, idle up to {:5.1f} %\n", c.name,
                           100 * *lo, 100 * *hi, 100 * *std::max_element(c.idle.begin(), c.idle.end()));
    }
    if (s.classes.size() > kShownClasses) {
        out += fmt::format("    ... and {} more rank classes\n", s.classes.size() - kShownClasses);
    }
    return out;
}

} // namespace twin::report::detail
