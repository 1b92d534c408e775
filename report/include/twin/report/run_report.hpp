// The run report as one plain value (format_version 1): computed once from a scenario and its
// RunResult (build_report), written as report.json (to_json), read back from it (from_json: the
// GUI reading a report file) and printed as the text summary (format_text). Keys of report.json
// are the member names; they carry their units (_s, _bytes, _bytes_per_s, _w, _j).
//
//   fractions of GPU time: per rank, compute_s / simulated time etc.; min, mean, max over ranks
//   time per GPU by bound: RunResult::bound_gpu_s / ranks, fixed keys (kBoundKeys); they add up to
//   the simulated time. bound_by: the largest of them ("idle" when all are 0)
//   phase time per rank: summed over ranks and executions / ranks executing it
//   collectives: mean time = summed duration / instances; algbw = size / mean time;
//   busbw = algbw x busbw_factor(kind, members) (models/collective_plan.hpp, NCCL's convention)
//   link utilisation = bytes carried / (bandwidth x simulated time) per direction
//   series: RunResult::series merged to at most kMaxReportBins bins (series.csv keeps the run's)
#pragma once

#include "twin/models/llm_inference.hpp"
#include "twin/models/scenario.hpp"
#include "twin/report/bom_report.hpp"
#include "twin/report/job_report.hpp"
#include "twin/report/power_report.hpp"
#include "twin/report/run_result.hpp"
#include "twin/report/serving_report.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::report {

inline constexpr int kReportFormatVersion = 1;
// The most bins of the time series in report.json.
inline constexpr std::size_t kMaxReportBins = 64;
// The keys of time_per_gpu_by_bound_s, always all present (RunResult::bound_gpu_s says what each
// means); reports of different scenarios compare key by key.
inline constexpr std::array<std::string_view, 10> kBoundKeys{
    "compute", "throttling", "scale-up", "host", "access", "leaf-spine", "spine-core", "latency", "bubble", "waiting"};

struct Spread {
    double min = 0.0;
    double mean = 0.0;
    double max = 0.0;
};

struct ScenarioRef {
    std::string name;
    std::string file; // the scenario's file name alone (report_file_name)
    std::uint64_t seed = 0;
};

struct PhaseReport {
    std::string name;
    std::string kind;
    int ranks = 0;
    std::int64_t count = 0; // executions summed over ranks
    double time_per_rank_s = 0.0;
    double bytes_per_rank = 0.0;
    // time_per_rank_s split by what held the phase up (PhaseStats::bound_gpu_s / ranks), only the
    // bounds with time.
    std::map<std::string, double> time_per_rank_by_bound_s;
};

struct CollectiveReport {
    std::string name;
    std::string kind; // "all_reduce", ...
    std::string algorithm;
    int members = 0;
    double size_bytes = 0.0;
    std::int64_t instances = 0;
    double mean_time_s = 0.0;
    double algbw_bytes_per_s = 0.0;
    double busbw_bytes_per_s = 0.0;
};

// One direction of a link.
struct LinkReport {
    std::string link; // "a -> b"
    std::uint32_t id = 0;
    bool up = true; // "direction": "up" (a -> b) or "down"
    std::string tier;
    double bandwidth_bytes_per_s = 0.0;
    double bytes = 0.0;
    double utilization = 0.0;
};

struct LinkTierReport {
    std::string tier;
    std::int64_t directed_links = 0;
    double bytes = 0.0;
    double mean_utilization = 0.0;
    double max_utilization = 0.0;
    std::vector<LinkReport> busiest; // the three busiest that carried bytes
};

// A pod of a 3-tier fat-tree or a leaf group (scalable unit) of a 2-tier one.
struct PodReport {
    int pod = 0;
    std::string kind; // "pod" or "leaf group"
    std::int64_t directed_links = 0;
    double bytes = 0.0;
    double mean_utilization = 0.0;
    double max_utilization = 0.0;
    LinkReport busiest_link;
};

// Shortcuts the engine took (README, "Shortcuts"); each is listed with what it means.
struct AnalyticShortcut {
    std::int64_t flow_groups = 0;
    std::string meaning;
};
struct FoldShortcut {
    std::string family;
    int replicas = 1;
    int simulated_replicas = 1;
    int gpus_per_simulated_rank = 1;
    int simulated_ranks = 0;
    std::int64_t image_flows = 0;
    std::string meaning;
    std::vector<FoldGroup> groups; // partial folding (fold_groups.hpp)
    std::string grouping;          // with groups: their equivalence (fold_groups.hpp)
};
struct EngineReport {
    std::int64_t flows = 0;
    std::int64_t flow_groups = 0;
    std::optional<AnalyticShortcut> analytic; // "analytic scale-up collectives"
    std::optional<AnalyticShortcut> fluid;    // "fluid-timed collectives"
    std::optional<FoldShortcut> fold;         // "folded data-parallel replicas"
    std::optional<std::string> not_folded_because;
};

struct ServingReport {
    double prefill_s = 0.0;
    double decode_s = 0.0;
    models::ServingMetrics metrics; // keys as in report.json: output_tokens_per_s = tokens_per_s
};

// A training run's storage traffic priced on the topology's storage network (models/storage_traffic.hpp):
// the checkpoint's size, time and cost per step (failure models read checkpoint_cost_per_step_s
// and checkpoint_time_s), data loading, and the contention of a converged network.
struct StorageReport {
    std::string network; // "separate" or "converged"
    int servers = 0;
    std::string system;
    double server_read_bandwidth_bytes_per_s = 0.0;
    double server_write_bandwidth_bytes_per_s = 0.0;
    double node_bandwidth_bytes_per_s = 0.0; // B_node
    double checkpoint_bytes = 0.0;
    double checkpoint_bytes_per_node = 0.0;
    std::int64_t checkpoint_interval_steps = 0; // 0: no checkpoint
    std::string checkpoint_mode;                // "blocking" or "async"
    double data_bytes_per_step = 0.0;
    models::StorageCost cost;
};

// The lowest and highest mean compute time of a rank class, and their ratio (0 when the lowest is 0).
struct StageComputeReport {
    double min = 0.0;
    double max = 0.0;
    double max_over_min = 0.0;
};

// Step-level figures of a generated workload: MFU = model FLOPs per step / (step time x GPUs x
// dense peak at the workload's precision); HFU counts the FLOPs executed (recompute included).
struct WorkloadReport {
    std::string kind; // "llm-training", "llm-inference", ...
    std::string model;
    double parameters = 0.0;
    int gpus = 0;
    double step_time_s = 0.0;
    double tokens_per_step = 0.0;
    double tokens_per_s = 0.0;
    double tokens_per_s_per_gpu = 0.0;
    double model_tflops_per_gpu = 0.0;
    double hardware_tflops_per_gpu = 0.0;
    double mfu = 0.0;
    double hfu = 0.0;
    std::string precision;
    std::map<std::string, double> exposed_communication_per_gpu_s; // by the group family's role
    double compute_per_gpu_s = 0.0;
    double idle_per_gpu_s = 0.0;        // pipeline bubble and waiting for peers
    StageComputeReport stage_compute_s; // imbalance between rank classes (pipeline stages)
    std::map<std::string, double> figures;
    // llm-inference only ("serving" is then written, {} when the blocks did not run).
    std::optional<ServingReport> serving;
    // llm-training on a cluster with a storage network ("storage", written only then).
    std::optional<StorageReport> storage;
};

// The time series at a coarse resolution: RunResult::series with adjacent bins merged (bin width
// a power-of-two multiple of the run's, at most kMaxReportBins bins). Means are averaged by bin
// width (the last bin ends with the run), maxima are the max of the maxima.
struct TierSeriesReport {
    std::string tier;
    int pod = -1; // -1: the whole tier; else one pod's (leaf group's) links of the tier
    double capacity_bytes_per_s = 0.0;
    std::vector<double> util_mean;
    std::vector<double> util_max;
};
struct ClassSeriesReport {
    std::string name;
    int ranks = 0;
    std::vector<double> compute;
    std::vector<double> communication;
    std::vector<double> idle;
};
struct SeriesReport {
    double bin_s = 0.0;
    std::vector<double> time_s; // start of each bin
    // Whole tiers, then with two or more pods each pod's fabric tiers (RunResult::series order).
    std::vector<TierSeriesReport> tiers;
    std::string pod_kind; // "pod" or "leaf group" with per-pod series, else ""
    std::vector<ClassSeriesReport> classes;
};

struct RunReport {
    ScenarioRef scenario;
    double simulated_time_s = 0.0;
    int gpus = 0;
    int ranks = 0;
    Spread compute_fraction, communication_fraction, idle_fraction; // "gpu_time_fraction"
    std::string bound_by;
    std::map<std::string, double> time_per_gpu_by_bound_s;
    std::vector<PhaseReport> phases; // longest first, then by name
    std::vector<CollectiveReport> collectives;
    std::vector<LinkReport> busiest_links;  // the run.top_links busiest that carried bytes
    std::vector<LinkTierReport> link_tiers; // by tier name
    std::vector<PodReport> pods;            // written only with two or more pods
    EngineReport engine;
    std::optional<WorkloadReport> workload; // generated workloads only
    std::vector<JobReport> jobs;            // a "jobs" scenario's jobs (job_report.hpp); else empty
    std::optional<RequestServingReport> serving;
    PowerReport power;
    SeriesReport series;
    std::optional<models::CampaignResult> campaign; // the scenario's "campaign" (models/campaign.hpp)
    std::optional<BomReport> bom;                   // `clustertwin run` only (bom_report.hpp)
};

// The report of a run. Throws only on a programmer error (a result that does not match the
// scenario).
[[nodiscard]] RunReport build_report(const models::Scenario& scenario, const RunResult& result);

// The step of the same scenario simulated with one fabric cable failed (a second run: SimGrid
// runs one engine per process) and that cable ("a - b").
struct FailedLinkStep {
    std::string link;
    double step_time_s = 0.0;
};
// Runs the campaign again on `report` with the failed-link slowdown from that simulated step
// instead of the estimate (no-op without a campaign section).
void rebuild_campaign(const models::Scenario& scenario, const FailedLinkStep& failed, RunReport& report);

[[nodiscard]] nlohmann::json to_json(const RunReport& report);
// Reads a report.json back. Throws InputError naming `file` and the JSON pointer of the first key
// that is missing, unknown or of the wrong type, or a format_version other than 1.
[[nodiscard]] RunReport from_json(const nlohmann::json& json, const std::string& file = "report.json");

// The readable summary printed by `clustertwin run`.
[[nodiscard]] std::string format_text(const RunReport& report);

// The largest bound of `bounds` ("idle" when none is above 0; ties: the first by name).
[[nodiscard]] std::string largest_bound(const std::map<std::string, double>& bounds);

} // namespace twin::report
