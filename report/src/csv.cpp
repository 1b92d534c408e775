// links.csv, power.csv and series.csv (columns in outputs.hpp), written per RFC 4180 by core's
// CSV writer (twin/core/csv.hpp: a field holding a comma, a double quote, CR or LF is quoted).
#include "twin/core/csv.hpp"

#include "report_parts.hpp"
#include "twin/report/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/compile.h>
#include <fmt/format.h>

namespace twin::report {
namespace {

double at_or_zero(const std::vector<double>& v, std::size_t i) {
    return i < v.size() ? v[i] : 0.0;
}

// A number's CSV text (as CsvWriter writes it), reformatted only when the number changes.
class Number {
public:
    std::string_view of(double x) {
        if (size_ == 0 || x != value_ || std::signbit(x) != std::signbit(value_)) {
            value_ = x;
            size_ = static_cast<std::size_t>(fmt::format_to(text_, FMT_COMPILE("{}"), x) - text_);
        }
        return {text_, size_};
    }

private:
    double value_ = 0.0;
    char text_[64] = {};
    std::size_t size_ = 0;
};

} // namespace

std::string links_csv(const models::Scenario& s, const RunResult& r) {
    std::string out;
    write_links_csv(s, r, [&](std::string_view chunk) { out += chunk; });
    return out;
}

// Rows go out in chunks of about 1 MiB: at a million GPUs (16 M directed links) the file is
// ~2 GB, which held as one string set the run's peak memory.
void write_links_csv(const models::Scenario& s, const RunResult& r,
                     const std::function<void(std::string_view)>& write) {
    constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
    CsvWriter csv({"link_id", "direction", "from", "to", "tier", "bandwidth_bytes_per_s", "latency_s", "bytes",
                   "utilization", "peak_utilization"});
    const auto& links = s.cluster.links();
    // A link's bandwidth and latency, formatted once for both its rows and kept while the next
    // links have the same (most do): the text CsvWriter would write for the numbers.
    Number bandwidth_text;
    Number latency_text;
    for (std::uint32_t i = 0; i < links.size(); ++i) {
        const auto& l = links[i];
        const auto a = s.cluster.vertex_name(l.a);
        const auto b = s.cluster.vertex_name(l.b);
        const double bandwidth = l.bandwidth.value();
        const auto bandwidth_field = bandwidth_text.of(bandwidth);
        const auto latency_field = latency_text.of(l.latency.value());
        for (const bool up : {true, false}) {
            const auto d = detail::directed_link(s, r, i, up);
            const double peak = at_or_zero(up ? r.link_peak_rate_up : r.link_peak_rate_down, i);
            csv.row(i, up ? "up" : "down", up ? a : b, up ? b : a, topology::link_tier_name(l.tier), bandwidth_field,
                    latency_field, d.bytes, d.utilization, bandwidth > 0 ? peak / bandwidth : 0.0);
        }
        if (csv.str().size() >= kChunkBytes) {
            csv.drain(write);
        }
    }
    csv.drain(write);
}

std::string power_csv(const RunResult& r) {
    CsvWriter csv({"time_s", "bin_s", "it_mean_w", "it_min_w", "it_max_w", "facility_mean_w", "cooling_mean_w"});
    for (const auto& pt : r.power.series) {
        const double width = std::min(r.power.bin_s, r.simulated_time_s - pt.time_s);
        csv.row(pt.time_s, width, pt.it_mean_w, pt.it_min_w, pt.it_max_w,
                r.power.facility_slope * pt.it_mean_w + r.power.facility_fixed_w,
                r.power.cooling_per_it * pt.it_mean_w);
    }
    return csv.str();
}

std::string series_csv(const RunResult& r) {
    const auto& s = r.series;
    std::string out = "time_s,bin_s";
    for (const auto& t : s.tiers) {
        const auto name = t.pod < 0 ? t.tier : t.tier + "_pod" + std::to_string(t.pod);
        out += "," + csv_field(name + "_util_mean") + "," + csv_field(name + "_util_max");
    }
    for (const auto& c : s.classes) {
        out += "," + csv_field(c.name + "_compute") + "," + csv_field(c.name + "_communication") + "," +
               csv_field(c.name + "_idle");
    }
    out += "\n";
    for (std::size_t i = 0; i < s.bins; ++i) {
        const double start = static_cast<double>(i) * s.bin_s;
        out += fmt::format("{},{}", start, std::clamp(r.simulated_time_s - start, 0.0, s.bin_s));
        for (const auto& t : s.tiers) {
            out += fmt::format(",{},{}", at_or_zero(t.mean, i), at_or_zero(t.max, i));
        }
        for (const auto& c : s.classes) {
            out += fmt::format(",{},{},{}", at_or_zero(c.compute, i), at_or_zero(c.communication, i),
                               at_or_zero(c.idle, i));
        }
        out += "\n";
    }
    return out;
}

} // namespace twin::report
