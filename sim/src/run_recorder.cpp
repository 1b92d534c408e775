#include "run_recorder.hpp"

#include "twin/models/collective_plan.hpp"

#include <algorithm>
#include <limits>

namespace twin::sim {
namespace {

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
                         std::vector<std::int32_t> weight, std::vector<int> timeline_ranks)
    : cluster_(cluster), trace_(trace), options_(options), weight_(std::move(weight)),
      classes_(class_channels(trace), options.bin_s, options.max_bins), fabric_pods_(topology::fabric_pods(cluster)),
      timeline_ranks_(std::move(timeline_ranks)) {
    std::int32_t most = -1;
    for (auto p : fabric_pods_.pod_of_link) {
        most = std::max(most, p);
    }
    pods_ = most >= 1 ? static_cast<std::size_t>(most) + 1 : 0; // per-pod series from two pods on
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
    classes_.add(a, b, channel, weight_.empty() ? 1.0 : static_cast<double>(weight_[static_cast<std::size_t>(rank)]));
}

void RunRecorder::add_plan(std::size_t plan, const LinkBytes& bytes) {
    if (plan_key_bytes_.size() <= plan) {
        plan_key_bytes_.resize(plan + 1);
        plan_min_s_.resize(plan + 1, std::numeric_limits<double>::infinity());
    }
    std::map<std::uint32_t, double> by_key;
    const auto& links = cluster_.links();
    for (const auto& [slot, b] : bytes) {
        const auto link = slot / 2;
        const auto tier = static_cast<std::uint32_t>(links[link].tier);
        by_key[tier] += b;
        const auto pod = pods_ > 0 ? fabric_pods_.pod_of_link[link] : -1;
        if (pod >= 0 && tier >= static_cast<std::uint32_t>(topology::LinkTier::Access)) {
            by_key[static_cast<std::uint32_t>(kTiers + 3 * static_cast<std::size_t>(pod) + tier -
                                              static_cast<std::uint32_t>(topology::LinkTier::Access))] += b;
        }
    }
    plan_key_bytes_[plan].assign(by_key.begin(), by_key.end());
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

// Sweeps the groups' start and end events in time order: between two events of a key its rate
// is constant.
void RunRecorder::tier_series(double t, RunResult& result) {
    auto& s = result.series;
    const std::size_t n_keys = keys();
    std::vector<double> capacity(n_keys, 0.0);
    std::vector<std::uint8_t> present(n_keys, 0);
    const auto& links = cluster_.links();
    for (std::size_t i = 0; i < links.size(); ++i) {
        const auto tier = static_cast<std::size_t>(links[i].tier);
        capacity[tier] += 2 * links[i].bandwidth.value();
        present[tier] = 1;
        const auto pod = pods_ > 0 ? fabric_pods_.pod_of_link[i] : -1;
        if (pod >= 0 && tier >= static_cast<std::size_t>(topology::LinkTier::Access)) {
            const auto key = kTiers + 3 * static_cast<std::size_t>(pod) + tier -
                             static_cast<std::size_t>(topology::LinkTier::Access);
            capacity[key] += 2 * links[i].bandwidth.value();
            present[key] = 1;
        }
    }
    struct Event {
        double time;
        std::uint32_t key;
        double rate; // change
    };
    std::vector<Event> events;
    for (const auto& sp : spans_) {
        for (const auto& [key, bytes] : plan_key_bytes_[sp.plan]) {
            const double rate = bytes / (sp.end - sp.start);
            events.push_back(Event{sp.start, key, rate});
            events.push_back(Event{sp.end, key, -rate});
        }
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
    std::vector<SeriesBins::Kind> kinds;
    for (std::size_t k = 0; k < n_keys; ++k) {
        kinds.push_back(SeriesBins::Kind::Sum);
        kinds.push_back(SeriesBins::Kind::Max);
    }
    SeriesBins bins(std::move(kinds), options_.bin_s, options_.max_bins);
    bins.grow(t);
    std::vector<double> rate(n_keys, 0.0);
    std::vector<double> since(n_keys, 0.0);
    const auto hold = [&](std::size_t key, double until) { // rate[key] held over [since, until)
        const double u = capacity[key] > 0 ? std::max(0.0, rate[key]) / capacity[key] : 0.0;
        bins.add(since[key], std::min(until, t), 2 * key, u);
        bins.raise(since[key], std::min(until, t), 2 * key + 1, u);
        since[key] = until;
    };
    for (const auto& e : events) {
        if (e.time > since[e.key]) {
            hold(e.key, e.time);
        }
        rate[e.key] += e.rate;
    }
    for (std::size_t k = 0; k < n_keys; ++k) {
        hold(k, t);
    }
    for (std::size_t k = 0; k < n_keys; ++k) {
        if (present[k] == 0) {
            continue;
        }
        TierSeries ts;
        const auto tier = k < kTiers ? k : static_cast<std::size_t>(topology::LinkTier::Access) + (k - kTiers) % 3;
        ts.tier = std::string(topology::link_tier_name(static_cast<topology::LinkTier>(tier)));
        ts.pod = k < kTiers ? -1 : static_cast<int>((k - kTiers) / 3);
        ts.capacity_bytes_per_s = capacity[k];
        for (std::size_t i = 0; i < s.bins; ++i) {
            const double w = width_of(i, s.bin_s, t);
            ts.mean.push_back(w > 0 ? bins.at(i, 2 * k) / w : 0.0);
            ts.max.push_back(bins.at(i, 2 * k + 1));
        }
        s.tiers.push_back(std::move(ts));
    }
    if (pods_ > 0) {
        s.pod_kind = fabric_pods_.kind;
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
