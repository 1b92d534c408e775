// The "serving" section of report.json: an "llm-inference" workload in request mode simulated
// request by request (models/serving.hpp) after the steady-state cycle was simulated on the
// cluster; the cycle's prefill and decode step calibrate the iteration cost (s_p, s_d).
#pragma once

#include "twin/models/serving.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::report {

struct ServingCapacityReport {
    bool met = false;
    int replicas = 0; // colocated replicas, or the pools' multiplier when disaggregated
    int gpus = 0;
    int max_replicas = 0;
    models::ServingSummary at;
    std::vector<models::CapacityProbe> explored; // every replica count the search simulated
};

struct RequestServingReport {
    std::string requests; // the trace file, or the generator
    std::string load_balancer;
    int prefill_replicas = 0; // disaggregated pools (0: colocated)
    int decode_replicas = 0;
    std::int64_t max_num_batched_tokens = 0;
    std::int64_t max_num_seqs = 0;
    bool chunked_prefill = true;
    std::int64_t block_size = 0;
    std::int64_t kv_blocks = 0; // per replica
    double kv_bytes_per_token_per_gpu = 0.0;
    double kv_transfer_bandwidth_bytes_per_s = 0.0;
    double kv_transfer_latency_s = 0.0;
    double slo_ttft_s = 0.0;
    double slo_tpot_s = 0.0;
    double slo_attainment_target = 0.0;
    // The simulated anchor and the iteration-cost scales it gives.
    double anchor_prefill_s = 0.0;
    double anchor_decode_step_s = 0.0;
    double prefill_scale = 1.0;
    double decode_scale = 1.0;
    double step_overhead_s = 0.0;
    models::ServingSummary summary;
    models::ServingSeries series;
    std::optional<ServingCapacityReport> capacity;
};

} // namespace twin::report
