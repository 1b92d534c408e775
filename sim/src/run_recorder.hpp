// What a run records over time (README, "Time series" and "Timeline"): the coordinator tells it
// what happened, with times; it never calls back and never touches SimGrid.
//
//   class activity  per rank class and bin: GPU-seconds computing, communicating (not computing)
//                   and idle, over (class GPUs x bin width) -> shares in [0, 1]. A simulated rank
//                   counts for every GPU it stands for (folded runs).
//   tier series     each flow group puts its plan's wire bytes on each tier evenly over its
//                   lifetime: rate_g,tier = bytes_g,tier / (end_g - start_g). Instantaneous tier
//                   utilisation U(t) = sum of rate_g,tier over groups in flight / tier capacity
//                   (sum of the tier's directed link bandwidths); per bin its mean (integral /
//                   width) and max. The same per pod and fabric tier when there are two or more
//                   pods (topology/pods.hpp).
//   link peak       per directed link: max over plans of (plan's bytes on the link / shortest
//                   duration of a group playing the plan), in bytes/s.
//   timeline        the ops of the first RunOptions::timeline_ranks ranks, as slices.
#pragma once

#include "link_accounting.hpp"
#include "series_bins.hpp"
#include "twin/models/trace.hpp"
#include "twin/sim/results.hpp"
#include "twin/topology/cluster.hpp"
#include "twin/topology/pods.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace twin::sim {

class RunRecorder {
public:
    // `weight`: per rank, the GPUs it stands for (empty: 1 each). `timeline_ranks`: the ranks to
    // record, ascending.
    RunRecorder(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options,
                std::vector<std::int32_t> weight, std::vector<int> timeline_ranks);

    // Rank `rank` was in `state` over [a, b).
    void activity(int rank, double a, double b, GpuState state);
    // Plan `plan` (creation order, 0, 1, ...) puts `bytes` on the links each time it is played.
    void add_plan(std::size_t plan, const LinkBytes& bytes);
    // A flow group played plan `plan` over [start, end).
    void group(std::size_t plan, double start, double end);

    [[nodiscard]] bool records(int rank) const {
        return rank >= 0 && static_cast<std::size_t>(rank) < recorded_.size() &&
               recorded_[static_cast<std::size_t>(rank)] != 0;
    }
    // An op of a recorded rank (see TimelineSlice).
    void slice(int rank, const models::Op& op, const std::string& algorithm, int members, double arrive, double start,
               double end);

    // Fills result.series, result.timeline and the link peaks; `plan_bytes[p]` is plan p's bytes.
    void finish(double t, const std::vector<const LinkBytes*>& plan_bytes, RunResult& result);

private:
    struct Span {
        double start;
        double end;
        std::uint32_t plan;
    };

    // Series key of a link: its tier (0..4), and 5 + 3 x pod + (tier - access) for a pod's link.
    [[nodiscard]] std::size_t keys() const { return kTiers + 3 * pods_; }
    void tier_series(double t, RunResult& result);
    void link_peaks(const std::vector<const LinkBytes*>& plan_bytes, RunResult& result) const;

    const topology::Cluster& cluster_;
    const models::Trace& trace_;
    const RunOptions& options_;
    std::vector<std::int32_t> weight_;
    SeriesBins classes_;                     // 3 sum channels per class: compute, communication, idle
    static constexpr std::size_t kTiers = 5; // topology::LinkTier values
    topology::FabricPods fabric_pods_;
    std::size_t pods_ = 0;                                                      // 0 unless two or more
    std::vector<std::vector<std::pair<std::uint32_t, double>>> plan_key_bytes_; // per plan: (key, bytes)
    std::vector<double> plan_min_s_;                                            // per plan: shortest group duration
    std::vector<Span> spans_;
    std::vector<std::uint8_t> recorded_; // per rank
    std::vector<int> timeline_ranks_;
    Timeline timeline_;
    std::map<std::tuple<std::string, std::string, std::string, double, int>, std::uint32_t> op_index_;
};

} // namespace twin::sim
