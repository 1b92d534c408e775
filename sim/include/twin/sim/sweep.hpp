// An nccl-tests-style sweep: one collective over one group of GPUs, for a range of sizes and for
// the automatic choice plus every applicable algorithm/protocol, simulated on the scenario's
// cluster. Cases run one after the other, each starting when the previous one ended, so they
// never share the fabric. By default each case's flows are timed by the fluid solver (SimGrid's
// sharing rule, no SimGrid run; sim/src/sweep_fluid.hpp); with `no_fold` or `unfolded` all cases
// run in a single SimGrid simulation (SimGrid allows one engine per process).
#pragma once

#include "twin/models/collective_plan.hpp"
#include "twin/topology/cluster.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::sim {

struct SweepSpec {
    models::CollectiveKind kind = models::CollectiveKind::AllReduce;
    std::vector<int> members;        // GPUs, ascending
    std::vector<double> sizes_bytes; // ascending
    bool all_algorithms = true;      // besides auto, every applicable (algorithm, protocol)
    // When not Auto: only this algorithm (with the protocol chosen automatically).
    models::Algorithm algorithm = models::Algorithm::Auto;
    // Wall-clock deadline of the sweep's run (RunOptions::deadline); none when empty.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    // As RunOptions: `no_fold` plays every flow in SimGrid (keeping the scale-up shortcut for
    // groups inside one node), `unfolded` takes no shortcut at all.
    bool no_fold = false;
    bool unfolded = false;
    // Called now and then (at most about twice a wall-clock second, and once at the end with 1)
    // with the share of the work done, in [0, 1]. May be empty.
    std::function<void(double done)> progress;
};

struct SweepRow {
    double size_bytes = 0.0;
    std::string requested; // "auto" or "ring/ll128", ...
    std::string chosen;    // what ran: "ring/ll128"
    double time_s = 0.0;
    double algbw_bytes_per_s = 0.0;
    double busbw_bytes_per_s = 0.0;
    // How the case was timed: "fluid" (the sweep's shortcut), "scale-up estimate" (one node) or
    // "simgrid" (flows played in SimGrid).
    std::string timed_by;
};

// GPUs named by a group spec: "all", "node:N", "nodes:A-B", "gpus:A-B", "local:K" (local GPU K of
// every node: one rail). Throws InputError (file "command line", pointer "--group") when the spec
// does not parse, names GPUs that do not exist, or names fewer than 2 GPUs.
[[nodiscard]] std::vector<int> parse_group(const topology::Cluster& cluster, std::string_view spec);

// Sizes from min to max (inclusive when reached), multiplying by `factor` (> 1). Throws
// std::invalid_argument unless 0 < min, max <= kMaxSweepBytes and factor > 1.
[[nodiscard]] std::vector<double> size_ladder(double min_bytes, double max_bytes, double factor);
// The largest size a sweep takes (1 PiB, the largest message of a trace): a max near DBL_MAX made
// the ladder reach inf, and inf <= inf never ended it.
inline constexpr double kMaxSweepBytes = 1125899906842624.0;

// SimGrid allows one engine per process: call at most once per process.
[[nodiscard]] std::vector<SweepRow> run_sweep(const topology::Cluster& cluster, const SweepSpec& spec);

[[nodiscard]] std::string sweep_table(const std::vector<SweepRow>& rows);
// The rows as RFC 4180 CSV (twin/core/csv.hpp), one per case, the columns and units of the
// `--json` rows: size_bytes, requested, algorithm, time_s, algbw_bytes_per_s, busbw_bytes_per_s,
// timed_by.
[[nodiscard]] std::string sweep_csv(const std::vector<SweepRow>& rows);

// One "# ..." line per way of timing the rows used, saying which shortcut was taken and how to
// turn it off (empty when every row ran in SimGrid).
[[nodiscard]] std::string sweep_shortcuts(const std::vector<SweepRow>& rows);

} // namespace twin::sim
