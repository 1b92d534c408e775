// What a run produces, as plain data (no SimGrid types): filled by the engine (sim/), read by the
// report (build_report), the CLI, the GUI and tests. Times in s, sizes in bytes, rates in bytes/s.
#pragma once

#include "twin/report/fold_groups.hpp"
#include "twin/report/power_result.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace twin::report {

struct GpuActivity {
    double compute_s = 0.0;       // time with a compute op running
    double communication_s = 0.0; // time in a started collective or transfer while not computing
    double idle_s = 0.0;          // the rest (includes waiting for peers)
    double finish_s = 0.0;        // when the rank's program ended
};

struct PhaseStats {
    std::string name;          // op name from the trace
    std::string kind;          // "compute", "all_reduce", "send", ...
    std::int64_t count = 0;    // executions summed over ranks
    int ranks = 0;             // distinct ranks that executed it
    double total_time_s = 0.0; // summed over ranks and executions (op start or arrival -> end)
    double bytes = 0.0;        // payload summed over ranks and executions (collectives, p2p)
    // total_time_s split by what held the phase up (GPU-seconds; keys as RunResult::bound_gpu_s):
    // "compute" and "throttling" for compute ops; "waiting" (arrived, peers not yet there), the
    // fabric tiers and "latency" for collectives and transfers.
    std::map<std::string, double> bound_gpu_s;
};

struct CollectiveStats {
    std::string name;
    std::string kind;
    std::string algorithm;
    int members = 0;
    double size_bytes = 0.0;
    std::int64_t instances = 0;
    double total_duration_s = 0.0; // start (all members arrived) -> end, summed over instances
};

struct LinkLoad {
    std::uint32_t link = 0;
    bool up = true;
    double bytes = 0.0;
};

// Time-resolved figures (README, "Time series"). Bins of equal width bin_s = b0 x 2^k cover
// [0, simulated time] (the last bin ends with the run): b0 is RunOptions::bin_s, k the smallest
// that keeps at most RunOptions::max_bins bins (bins merge pairwise as the run grows, as the power
// series does).
struct TierSeries {
    std::string tier;                  // link tier name ("scale-up", "host", "access", ...)
    int pod = -1;                      // -1: the whole tier; else the pod (leaf group) it covers
    double capacity_bytes_per_s = 0.0; // sum over the tier's directed links
    std::vector<double> mean;          // per bin: bytes moved in the bin / (capacity x width)
    std::vector<double> max;           // per bin: highest instantaneous tier utilisation in it
};
struct ClassSeries {
    std::string name;                  // rank class (pipeline stage, ...), as in the trace
    int ranks = 0;                     // GPUs of the class
    std::vector<double> compute;       // per bin: share of the class's GPU-time computing
    std::vector<double> communication; // ... communicating and not computing
    std::vector<double> idle;          // ... the rest (1 - compute - communication)
};
struct TimeSeries {
    double bin_s = 0.0;
    std::size_t bins = 0;
    // Tiers with at least one link, in LinkTier order; then, when the fabric has two or more pods
    // (topology/pods.hpp), each pod's access, leaf-spine and spine-core tiers, by pod.
    std::vector<TierSeries> tiers;
    std::string pod_kind;             // "pod" or "leaf group" when there are per-pod series
    std::vector<ClassSeries> classes; // in trace class order
};

// The timeline of the recorded ranks (RunOptions::timeline): one slice per op a rank executed.
struct TimelineOp {
    std::string name;      // op name from the trace
    std::string kind;      // "compute", "all_reduce", "send", "recv", ...
    std::string algorithm; // collectives: "ring/simple", ...; "" otherwise
    double bytes = 0.0;    // collectives and transfers: payload per rank
    int members = 0;       // collectives: communicator size
};
struct TimelineSlice {
    int rank = 0;
    std::uint32_t op = 0;  // index into Timeline::ops
    double arrive_s = 0.0; // the rank reached the op (compute: queued behind the running op)
    double start_s = 0.0;  // it started (compute: GPU free; collective: all members there)
    double end_s = 0.0;
};
struct Timeline {
    std::vector<TimelineOp> ops;       // distinct (name, kind, algorithm, bytes, members)
    std::vector<TimelineSlice> slices; // by end time, then rank (deterministic)
    std::vector<int> ranks;            // the ranks recorded, ascending
    bool truncated = false;            // RunOptions::timeline_max_slices reached
};

// One started collective, recorded when RunOptions::record_collectives is set (sweeps).
struct CollectiveRecord {
    std::string name;      // op name
    std::string algorithm; // "ring/simple", ...
    double start_s = 0.0;  // all members arrived
    double end_s = 0.0;
    int members = 0;
};

// A named block of a rank's program (e.g. "prefill", "decode"): executions summed over ranks.
struct BlockStats {
    std::string name;
    std::int64_t count = 0; // executions (one per rank per time the block is entered)
    double total_s = 0.0;   // summed durations, all repeats of an execution included
};

// Folding of symmetric data-parallel replicas (models/fold.hpp): whether the run took it.
struct FoldSummary {
    bool active = false;
    std::string reason;         // why not, when !active
    std::string family;         // the folded group family ("dp")
    int replicas = 1;           // data-parallel replicas (of the largest "dp" communicators: models/fold.hpp)
    int simulated_replicas = 1; // replicas whose programs ran (same fraction in every "dp" communicator)
    int copies = 1;             // GPUs each simulated rank stands for
    int simulated_ranks = 0;
    std::vector<FoldGroup> groups; // partial folding: one per simulated block (empty when only block 0)
    std::string grouping;          // partial folding's equivalence: "exact" or "slowest synchronisation class"
};

struct RunResult {
    double simulated_time_s = 0.0;
    int ranks = 0;
    std::vector<GpuActivity> gpus; // by rank
    std::vector<PhaseStats> phases;
    std::vector<CollectiveStats> collectives;
    std::vector<double> link_bytes_up;   // by link id
    std::vector<double> link_bytes_down; // by link id
    // By link id: the highest rate (bytes/s) one flow group drove through the link, its bytes on
    // the link over its duration (groups that overlap on a link are not added up). Empty when not
    // recorded.
    std::vector<double> link_peak_rate_up;
    std::vector<double> link_peak_rate_down;
    // GPU-seconds of the step attributed to each bound; they add up to ranks x simulated time:
    // "compute" (at full clock), "throttling" (compute time lost to power or thermal throttling),
    // the fabric tiers "scale-up", "host", "access", "leaf-spine", "spine-core" and "latency"
    // (exposed communication, split by the tiers of the collectives' bottlenecks), "bubble" (idle
    // waiting on a pipeline transfer's peer, or done while pipeline peers still work) and
    // "waiting" (idle at a collective whose members have not all arrived, or done early).
    std::map<std::string, double> bound_gpu_s;
    std::int64_t flows = 0;       // flows handed to SimGrid
    std::int64_t image_flows = 0; // folded runs: flows of images, timed by the fluid solver instead
    std::int64_t collective_instances = 0;
    std::vector<CollectiveRecord> records; // only with RunOptions::record_collectives
    std::vector<BlockStats> blocks;        // named blocks, sorted by name
    // Exposed communication (communicating, not computing) in GPU-seconds, by group family name
    // ("p2p" for transfers without one); shared equally when several run at once.
    std::map<std::string, double> exposed_by_family_gpu_s;
    std::int64_t analytic_groups = 0; // flow groups timed analytically (scale-up shortcut)
    std::int64_t fluid_groups = 0;    // collectives timed by the fluid solver, none of their flows played
    FoldSummary fold;
    TimeSeries series;
    Timeline timeline;        // only with RunOptions::timeline_ranks > 0
    PowerResult power;        // filled by run_scenario (power and cooling accounting)
    double wall_time_s = 0.0; // not part of the deterministic report
};

} // namespace twin::report
