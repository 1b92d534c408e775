// The time series of report.json: RunResult::series (bins of width b, the last ending with the
// run at T) merged f bins at a time, f the smallest power of two that leaves at most
// kMaxReportBins bins. Bin i covers [i b, min((i + 1) b, T)), width w_i; a merged bin's
//   mean  = sum(mean_i x w_i) / sum(w_i)   (tier utilisation means, class shares)
//   max   = max(max_i)                     (tier utilisation maxima)
// (plain averages when the merged bins have no width, e.g. a run that took no time).
#include "report_parts.hpp"

#include <algorithm>

namespace twin::report::detail {
namespace {

struct Merge {
    std::size_t factor = 1;    // run bins per report bin
    std::size_t bins = 0;      // report bins
    std::vector<double> width; // run bin widths
};

// Width-weighted mean of v over run bins [lo, hi).
double merged_mean(const Merge& m, const std::vector<double>& v, std::size_t lo, std::size_t hi) {
    double sum = 0.0, width = 0.0, plain = 0.0;
    for (std::size_t i = lo; i < hi && i < v.size(); ++i) {
        sum += v[i] * m.width[i];
        width += m.width[i];
        plain += v[i];
    }
    return width > 0 ? sum / width : (hi > lo ? plain / static_cast<double>(hi - lo) : 0.0);
}

std::vector<double> means(const Merge& m, const std::vector<double>& v) {
    std::vector<double> out(m.bins);
    for (std::size_t b = 0; b < m.bins; ++b) {
        out[b] = merged_mean(m, v, b * m.factor, std::min(m.width.size(), (b + 1) * m.factor));
    }
    return out;
}

std::vector<double> maxima(const Merge& m, const std::vector<double>& v) {
    std::vector<double> out(m.bins, 0.0);
    for (std::size_t i = 0; i < v.size() && i < m.width.size(); ++i) {
        out[i / m.factor] = std::max(out[i / m.factor], v[i]);
    }
    return out;
}

} // namespace

SeriesReport build_series(const RunResult& r) {
    const auto& s = r.series;
    SeriesReport out;
    if (s.bins == 0) {
        return out;
    }
    Merge m;
    while ((s.bins + m.factor - 1) / m.factor > kMaxReportBins) {
        m.factor *= 2;
    }
    m.bins = (s.bins + m.factor - 1) / m.factor;
    m.width.resize(s.bins);
    for (std::size_t i = 0; i < s.bins; ++i) {
        m.width[i] = std::clamp(r.simulated_time_s - static_cast<double>(i) * s.bin_s, 0.0, s.bin_s);
    }
    out.bin_s = s.bin_s * static_cast<double>(m.factor);
    for (std::size_t b = 0; b < m.bins; ++b) {
        out.time_s.push_back(static_cast<double>(b) * out.bin_s);
    }
    for (const auto& t : s.tiers) {
        out.tiers.push_back(
            TierSeriesReport{t.tier, t.pod, t.capacity_bytes_per_s, means(m, t.mean), maxima(m, t.max)});
    }
    out.pod_kind = s.pod_kind;
    for (const auto& c : s.classes) {
        out.classes.push_back(
            ClassSeriesReport{c.name, c.ranks, means(m, c.compute), means(m, c.communication), means(m, c.idle)});
    }
    return out;
}

} // namespace twin::report::detail
