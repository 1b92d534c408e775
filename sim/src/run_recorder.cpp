#include "run_recorder.hpp"

#include "twin/models/collective_plan.hpp"

#include <algorithm>
#include <limits>

namespace twin::sim {
namespace {

constexpr std::size_t kTiers = 5; // topology::LinkTier values
constexpr std::array<topology::LinkTier, kTiers> kTierOrder{topology::LinkTier::ScaleUp, topology::LinkTier::Host,
                                                            topology::LinkTier::Access, topology::LinkTier::Aggregation,
                                                            topology::LinkTier::Core};

std::vector<SeriesBins::Kind> class_channels(const models::Trace& trace) {
    return std::vector<SeriesBins::Kind>(3 * trace.classes.size(), SeriesBins::Kind::Sum);
}

// Width of bin i of n over [0, t): the last one ends with the run.
double width_of(std::size_t i, double bin_s, double t) {
    const double lo = static_cast<double>(i) * bin_s;
    return std::max(0.0, std::min(t, lo + bin_s) - lo);
}

} // namespace

RunRecorder::RunRecorder(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options,
                         std::int64_t weight, std::vector<int> timeline_ranks)
    : cluster_(cluster), trace_(trace), options_(options), weight_(static_cast<double>(weight)),
      classes_(class_channels(trace), options.bin_s, options.max_bins), timeline_ranks_(std::move(timeline_ranks)) {
    recorded_.assign(static_cast<std::size_t>(trace.ranks), 0);
    for (int r : timeline_ranks_) {
        recorded_[static_cast<std::size_t>(r)] = 1;
    }
}

void RunRecorder::activity(int rank, double a, double b, GpuState state) {
    const int cls = trace_.class_of_rank[static_cast<std::size_t>(rank)];
    if (cls < 0 || !(b > a)) {
        return;
    }
    const std::size_t channel = 3 * static_cast<std::size_t>(cls) + (state == GpuState::Compute       ? 0
                                                                     : state == GpuState::Communicate ? 1
                                                                                                      : 2);
    classes_.add(a, b, channel, weight_);
}

void RunRecorder::add_plan(std::size_t plan, const LinkBytes& bytes) {
    if (plan_tier_bytes_.size() <= plan) {
        plan_tier_bytes_.resize(plan + 1, {});
        plan_min_s_.resize(plan + 1, std::numeric_limits<double>::infinity());
    }
    auto& tiers = plan_tier_bytes_[plan];
    const auto& links = cluster_.links();
    for (const auto& [slot, b] : bytes) {
        tiers[static_cast<std::size_t>(links[slot / 2].tier)] += b;
    }
}

void RunRecorder::group(std::size_t plan, double start, double end) {
    if (!(end > start)) {
        return;
    }
    plan_min_s_[plan] = std::min(plan_min_s_[plan], end - start);
    spans_.push_back(Span{start, end, static_cast<std::uint32_t>(plan)});
}

void RunRecorder::slice(int rank, const models::Op& op, const std::string& algorithm, int members, double arrive,
                        double start, double end) {
    if (timeline_.slices.size() >= options_.timeline_max_slices) {
        timeline_.truncated = true;
        return;
    }
    const double bytes = op.kind == models::Op::Kind::Collective ? op.collective.size.value()
                         : op.kind == models::Op::Kind::Compute  ? 0.0
                                                                 : op.p2p.size.value();
    const std::string kind(models::op_kind_name(op));
    auto [it, inserted] = op_index_.try_emplace(std::make_tuple(op.name, kind, algorithm, bytes, members),
                                                static_cast<std::uint32_t>(timeline_.ops.size()));
    if (inserted) {
        timeline_.ops.push_back(TimelineOp{op.name, kind, algorithm, bytes, members});
    }
    timeline_.slices.push_back(TimelineSlice{rank, it->second, arrive, start, end});
}

void RunRecorder::finish(double t, const std::vector<const LinkBytes*>& plan_bytes, RunResult& result) {
    auto& s = result.series;
    classes_.grow(t);
    s.bin_s = classes_.bin_s();
    s.bins = classes_.bins_for(t);
    for (std::size_t c = 0; c < trace_.classes.size(); ++c) {
        ClassSeries cs;
        cs.name = trace_.classes[c].name;
        cs.ranks = static_cast<int>(trace_.classes[c].ranks.size());
        for (std::size_t i = 0; i < s.bins; ++i) {
            const double gpu_s = static_cast<double>(cs.ranks) * width_of(i, s.bin_s, t);
            const auto share = [&](std::size_t k) { return gpu_s > 0 ? classes_.at(i, 3 * c + k) / gpu_s : 0.0; };
            cs.compute.push_back(share(0));
            cs.communication.push_back(share(1));
            cs.idle.push_back(share(2));
        }
        s.classes.push_back(std::move(cs));
    }
    tier_series(t, result);
    link_peaks(plan_bytes, result);
    timeline_.ranks = timeline_ranks_;
    std::stable_sort(timeline_.slices.begin(), timeline_.slices.end(), [](const auto& a, const auto& b) {
        return a.end_s != b.end_s ? a.end_s < b.end_s : a.rank < b.rank;
    });
    result.timeline = std::move(timeline_);
}

// Per tier, sweeps the groups' start and end events in time order: between two events the tier's
// rate is constant.
void RunRecorder::tier_series(double t, RunResult& result) {
    auto& s = result.series;
    std::array<double, kTiers> capacity{};
    std::array<bool, kTiers> present{};
    for (const auto& l : cluster_.links()) {
        capacity[static_cast<std::size_t>(l.tier)] += 2 * l.bandwidth.value();
        present[static_cast<std::size_t>(l.tier)] = true;
    }
    std::vector<std::pair<double, double>> events; // (time, rate change)
    for (auto tier : kTierOrder) {
        const auto k = static_cast<std::size_t>(tier);
        if (!present[k]) {
            continue;
        }
        events.clear();
        for (const auto& sp : spans_) {
            const double bytes = plan_tier_bytes_[sp.plan][k];
            if (bytes > 0) {
                const double rate = bytes / (sp.end - sp.start);
                events.emplace_back(sp.start, rate);
                events.emplace_back(sp.end, -rate);
            }
        }
        std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        SeriesBins bins({SeriesBins::Kind::Sum, SeriesBins::Kind::Max}, options_.bin_s, options_.max_bins);
        bins.grow(t);
        double rate = 0.0;
        for (std::size_t e = 0; e < events.size();) {
            const double at = events[e].first;
            while (e < events.size() && events[e].first == at) {
                rate += events[e].second;
                ++e;
            }
            rate = std::max(0.0, rate);
            const double next = e < events.size() ? events[e].first : t;
            const double u = capacity[k] > 0 ? rate / capacity[k] : 0.0;
            bins.add(at, std::min(next, t), 0, u);
            bins.raise(at, std::min(next, t), 1, u);
        }
        TierSeries ts;
        ts.tier = std::string(topology::link_tier_name(tier));
        ts.capacity_bytes_per_s = capacity[k];
        for (std::size_t i = 0; i < s.bins; ++i) {
            const double w = width_of(i, s.bin_s, t);
            ts.mean.push_back(w > 0 ? bins.at(i, 0) / w : 0.0);
            ts.max.push_back(bins.at(i, 1));
        }
        s.tiers.push_back(std::move(ts));
    }
}

void RunRecorder::link_peaks(const std::vector<const LinkBytes*>& plan_bytes, RunResult& result) const {
    const auto n = cluster_.links().size();
    result.link_peak_rate_up.assign(n, 0.0);
    result.link_peak_rate_down.assign(n, 0.0);
    for (std::size_t p = 0; p < plan_bytes.size() && p < plan_min_s_.size(); ++p) {
        const double d = plan_min_s_[p];
        if (!(d > 0) || d == std::numeric_limits<double>::infinity()) {
            continue;
        }
        for (const auto& [slot, bytes] : *plan_bytes[p]) {
            auto& peak = (slot % 2 == 0 ? result.link_peak_rate_up : result.link_peak_rate_down)[slot / 2];
            peak = std::max(peak, bytes / d);
        }
    }
}

} // namespace twin::sim
