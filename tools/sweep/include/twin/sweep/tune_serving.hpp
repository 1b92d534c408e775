// Capacity search for an "llm-inference" workload in request mode (`clustertwin tune` on a serving
// scenario, issue 20): "how many GPUs of this type serve this request trace at this SLO", searched
// over the parallel layout of a replica AND the number of replicas.
//
// Layouts enumerated (tune_serving_layouts): tp in {1, 2, 4, 8} (at most the GPUs of a node: TP
// stays in the NVLink domain, as in tune.hpp), pp among the divisors of the layer count up to 8,
// ep = 1 for a dense model, else also the powers of two dividing both the experts and tp (the
// workload reader's rule). The scenario's precision, scheduler, requests and SLO stay. A layout is
//   - refused (rejected_layout) when the workload reader refuses it (divisibility) or the GPU type
//     lacks the precision's peak;
//   - too big for the cluster (rejected_cluster) when one replica (disaggregated: both pools) needs
//     more GPUs than the cluster has: its anchor cycle could not be simulated on the fabric;
//   - out of memory (rejected_memory) by the loader's own rule (models::serving_memory_fit): the
//     weights and one mean-length sequence fit memory_fraction × HBM of GPU 0's type, and the paged
//     KV cache holds the longest request.
// Each fitting layout runs as a child `clustertwin run` with one replica (disaggregated: the given
// pools): its anchor is simulated on the fabric and its capacity search (serving.hpp) bisects the
// replica count in [1, capacity.max_replicas] for the SLO attainment, recording every count it
// simulated (GPUs = replicas × tp·pp, goodput, attainment).
//
// Over all those (layout, replicas) points (plan_serving_capacity):
//   cheapest = the point meeting the attainment with the fewest GPUs; ties: higher goodput, then
//              the earlier layout in enumeration order (deterministic);
//   pareto   = the points no other point dominates (fewer or equal GPUs and higher or equal
//              goodput, one of them strictly), ascending GPUs; of equal points the first is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace twin::sweep {

struct ServingLayout {
    int tp = 1;
    int pp = 1;
    int ep = 1;
};

struct ServingCandidate {
    ServingLayout layout;
    int gpus_per_replica = 1;
    double weights_per_gpu_bytes = 0.0;
    std::int64_t kv_tokens_per_replica = 0; // kv_blocks × block_size
    nlohmann::json scenario;                // the base with this layout and one replica
};

struct ServingTune {
    std::vector<ServingCandidate> fitting; // enumeration order
    std::size_t enumerated = 0;
    std::size_t rejected_layout = 0;
    std::size_t rejected_cluster = 0;
    std::size_t rejected_memory = 0;
    int max_replicas = 0; // the scenario's capacity.max_replicas
    double slo_ttft_s = 0.0;
    double slo_tpot_s = 0.0;
    double slo_attainment = 0.0;
};

// True when the scenario JSON is an "llm-inference" workload with a "serving" object.
[[nodiscard]] bool is_serving_scenario(const nlohmann::json& scenario);

// `scenario_file`: a valid request-mode scenario with capacity.max_replicas (InputError at
// /workload/serving/capacity otherwise).
[[nodiscard]] ServingTune tune_serving_layouts(const std::filesystem::path& scenario_file);

struct ServingPoint {
    std::size_t candidate = 0; // index into ServingTune::fitting
    ServingLayout layout;
    int replicas = 0;
    int gpus = 0;
    double goodput_requests_per_s = 0.0;
    double slo_attainment = 0.0;
    bool meets = false;
};

struct ServingPlan {
    std::optional<ServingPoint> cheapest; // none: no explored point meets the SLO attainment
    std::vector<ServingPoint> pareto;
};

[[nodiscard]] ServingPlan plan_serving_capacity(const std::vector<ServingPoint>& explored);

} // namespace twin::sweep
