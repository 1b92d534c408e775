// Request-level LLM serving ("llm-inference" with a "serving" object): requests arrive one by one
// (a JSONL trace, or a seeded Poisson / gamma / on-off generator), a vLLM-style scheduler batches
// them iteration by iteration on each replica, and the latency of every request is recorded.
//
// Scheduler (per replica; Kwon et al., "Efficient Memory Management for Large Language Model
// Serving with PagedAttention", SOSP 2023; Agrawal et al., "Taming Throughput-Latency Tradeoff in
// LLM Inference with Sarathi-Serve", OSDI 2024; vLLM's V1 scheduler):
//   - paged KV cache of K blocks of b tokens (b = block_size, default 16); a sequence holding
//     k tokens of context holds ceil(k / b) blocks. K = floor((f·HBM − W) / (b·e_kv)) with f the
//     memory_fraction, W the weights per GPU and e_kv the KV bytes per token per GPU of the
//     replica's layout (llm_inference.hpp), or "kv_blocks" given.
//   - every iteration has a token budget B_tok (max_num_batched_tokens) and at most S sequences
//     (max_num_seqs). Decodes first (one token each, Sarathi's stall-free order), then chunks of
//     the running partial prefills, then new requests from the FIFO waiting queue, each chunk
//     min(remaining prompt, budget left). Without chunked prefill a prompt is scheduled whole or
//     waits (then B_tok must be at least the longest prompt).
//   - a decode that needs a block when none is free preempts the most recently admitted running
//     sequence (recompute: its blocks are freed, it goes back to the head of the queue with
//     prompt P + generated tokens), as vLLM's default PreemptionMode.RECOMPUTE.
//   - a sequence's prefill ends with its first token (TTFT); each decode iteration adds one.
//
// Iteration time (not one SimGrid run per iteration): the steady-state cycle of the scenario is
// simulated once on the cluster (TP/PP/EP collectives over the real fabric) at an anchor (B_a
// sequences of the mean prompt P_a and mean output O_a). The roofline (compute.hpp) of the
// generated trace's ops is tabulated once at grid points: G(T), all non-attention ops (projections,
// MLP, logits) of one forward pass of T tokens, at T = 1, 2, 4, … up to the largest iteration,
// linearly interpolated between points; α_p, prefill attention per query-key pair; α_d, decode
// attention per KV token read. An iteration with prefill chunks k_i at context c_i and n decodes
// of context lengths L_j costs
//   t = o + s_p·(G(T)·T_p/T + α_p·Σ k_i·(c_i + k_i/2)) + s_d·(G(T)·n/T + α_d·Σ L_j),  T = T_p + n
// with o the step overhead and s_p, s_d the simulated/roofline ratios at the anchor's prefill and
// decode step: they carry the exposed TP/PP/EP communication and pipeline fill of the simulated
// cycle, assumed proportional to the roofline time away from the anchor (an ASSUMPTION: small
// decode all-reduces are latency-bound, so far below the anchor this underestimates them).
//
// Disaggregation (Zhong et al., "DistServe", OSDI 2024; Patel et al., "Splitwise", ISCA 2024):
// prefill replicas only prefill; the first token ends TTFT there, the KV cache then moves to a
// decode replica in t_x = ℓ + P·e_kv / β, each of the tp·pp GPU pairs sending its shard in
// parallel, β and ℓ the bottleneck bandwidth (× efficiency) and latency of the fabric route from
// the first prefill GPU to the first decode GPU (replicas are laid out prefill pool first).
//
// Replicas behind a load balancer: "round-robin" (request i to replica i mod N) or "least-loaded"
// (fewest queued + running requests; ties: lowest index). Outputs: TTFT, TPOT = (e2e − TTFT)/(O −
// 1) (O > 1), e2e at p50/p90/p99 (nearest rank), goodput = requests with TTFT ≤ X and TPOT ≤ Y per
// second, output tokens/s, KV occupancy and preemptions in bins over time, GPU utilisation (busy
// iterations / (replicas × makespan)), energy per output token of the GPU boards: busy at
// max_power (TDP, an upper bound), idle at idle_power, W·s / output tokens.
// Capacity: the smallest replica count (disaggregated: pool multiplier) in [1, max_replicas]
// whose SLO attainment reaches the target, by bisection (assumes attainment grows with replicas);
// every count simulated is kept (explored) for the search over layouts (sweep/tune_serving.hpp).
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/models/llm_model.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace twin::models {

struct ServingRequest {
    double arrival_s = 0.0;
    std::int64_t prompt_tokens = 0;
    std::int64_t output_tokens = 0;
};

enum class LoadBalancer { RoundRobin, LeastLoaded };

// Defaults and their sources (none is fitted: there are no serving measurements in the reference
// set, so nothing here is calibrated):
//   max_num_batched_tokens 8192, max_num_seqs 256: vLLM's defaults (vllm/engine/arg_utils.py,
//     EngineArgs.get_batch_defaults, v0.9+: 8192 tokens for the OpenAI server on GPUs of >= 70 GiB
//     and for the LLM class below; 256 sequences below 70 GiB, 1024 above);
//   chunked_prefill true: vLLM V1 always chunks (Agrawal et al., Sarathi-Serve, OSDI 2024);
//   block_size 16: vLLM's CacheConfig default (Kwon et al., SOSP 2023, §4.3 and §7.2);
//   slo 2 s TTFT / 50 ms TPOT: the example of an interactive chat SLO (issue 20), not a
//     measured target; attainment 0.9: the 90 % SLO attainment DistServe sizes for (Zhong et al.,
//     OSDI 2024, §2.2 and §6);
//   series_bins 64: resolution of the report's time series only.
// The iteration cost has no serving constant of its own: the step overhead o is the steady-state
// model's (llm_inference.hpp: 2 ms, an assumption inside the 1-5 ms that vLLM blog 2024-09-05 and
// Srivatsa et al. 2024 report for synchronous engines); prefill and decode attention (α_p, α_d)
// and G(T) are the roofline of the GPU type (compute.hpp: the catalog's datasheet peaks and
// efficiencies), scaled by the simulated anchor (s_p, s_d).
struct ServingSpec {
    std::vector<ServingRequest> requests; // sorted by arrival
    std::string source;                   // "file.jsonl", or "poisson 4/s seed 1"
    std::int64_t max_num_batched_tokens = 8192;
    std::int64_t max_num_seqs = 256;
    bool chunked_prefill = true;
    std::int64_t block_size = 16;
    std::int64_t kv_blocks = 0; // 0: from the memory left after the weights
    int replicas = 1;           // colocated replicas
    int prefill_replicas = 0;   // > 0: disaggregated (with decode_replicas)
    int decode_replicas = 0;
    LoadBalancer balancer = LoadBalancer::RoundRobin;
    double slo_ttft_s = 2.0;
    double slo_tpot_s = 0.05;
    double slo_attainment = 0.9;   // capacity target: share of requests meeting both
    int capacity_max_replicas = 0; // 0: no capacity search
    int series_bins = 64;
    [[nodiscard]] bool disaggregated() const { return prefill_replicas > 0; }
    [[nodiscard]] int total_replicas() const { return disaggregated() ? prefill_replicas + decode_replicas : replicas; }
};

// Reads the "serving" object (pointer /workload/serving); `model` bounds the lengths (P + O must
// fit its seq_length). JSONL files are relative to `base_dir`.
[[nodiscard]] ServingSpec read_serving_spec(Value serving, const TransformerConfig& model,
                                            const std::filesystem::path& base_dir);

// Iteration cost model (equation above).
struct IterationCost {
    std::vector<double> grid_tokens; // T, ascending
    std::vector<double> grid_s;      // G(T), roofline s
    double prefill_pair_s = 0.0;     // α_p
    double decode_kv_token_s = 0.0;  // α_d
    double prefill_scale = 1.0;      // s_p
    double decode_scale = 1.0;       // s_d
    double overhead_s = 0.0;         // o
    [[nodiscard]] double gemm_s(double tokens) const;
    // Roofline parts (no o, no scale).
    [[nodiscard]] double prefill_roofline_s(double tokens, double pairs, double decode_seqs) const;
    [[nodiscard]] double decode_roofline_s(double prefill_tokens, double decode_seqs, double context) const;
    [[nodiscard]] double iteration_s(double prefill_tokens, double pairs, double decode_seqs, double context) const;
};

// Everything the request simulation needs besides the simulated anchor.
struct ServingSetup {
    ServingSpec spec;
    IterationCost cost; // scales 1 until calibrated
    std::int64_t kv_blocks = 0;
    double kv_bytes_per_token_per_gpu = 0.0;
    double transfer_bandwidth_bytes_per_s = 0.0; // β (0: no disaggregation)
    double transfer_latency_s = 0.0;             // ℓ
    int gpus_per_replica = 1;
    double gpu_busy_w = 0.0;
    double gpu_idle_w = 0.0;
    // The anchor of the simulated cycle: B_a·P_a prefill tokens, B_a decodes at mean context.
    double anchor_batch = 1.0;
    double anchor_prompt = 1.0;
    double anchor_decode_context = 1.0;
};

// s_p, s_d from the simulated prefill block and one simulated decode step.
[[nodiscard]] IterationCost calibrate_cost(const ServingSetup& setup, double prefill_s, double decode_step_s);

struct Percentiles {
    double mean = 0.0, p50 = 0.0, p90 = 0.0, p99 = 0.0;
};
struct ServingSummary {
    int replicas = 0; // total (both pools when disaggregated)
    int gpus = 0;
    std::int64_t requests = 0;
    double makespan_s = 0.0;
    Percentiles ttft_s, tpot_s, e2e_s;
    double requests_per_s = 0.0;
    double output_tokens_per_s = 0.0;
    double goodput_requests_per_s = 0.0;
    double slo_attainment = 0.0;
    std::int64_t preemptions = 0;
    std::int64_t iterations = 0;
    double mean_kv_occupancy = 0.0;
    double peak_kv_occupancy = 0.0;
    double gpu_utilisation = 0.0;
    double energy_per_output_token_j = 0.0;
    double mean_kv_transfer_s = 0.0;
};
struct ServingSeries {
    double bin_s = 0.0;
    std::vector<double> time_s;       // bin starts
    std::vector<double> kv_occupancy; // mean over replicas and the bin, [0, 1]
    std::vector<double> preemptions;  // count in the bin
    std::vector<double> running;      // mean sequences running per replica
    std::vector<double> waiting;      // mean requests queued (all replicas)
};
struct ServingResult {
    ServingSummary summary;
    ServingSeries series;
};

// The request simulation with `replicas_scale` colocated replicas, or (disaggregated) the spec's
// two pools each multiplied by `replicas_scale`. Deterministic.
[[nodiscard]] ServingResult simulate_serving(const ServingSetup& setup, const IterationCost& cost, int replicas_scale);

// One replica count the capacity search simulated.
struct CapacityProbe {
    int replicas = 0; // colocated replicas, or pool multiplier when disaggregated
    int gpus = 0;
    double goodput_requests_per_s = 0.0;
    double slo_attainment = 0.0;
    bool meets = false; // slo_attainment >= the target
};
struct CapacityResult {
    bool met = false; // reached within max_replicas
    int replicas = 0; // colocated replicas, or pool multiplier when disaggregated
    int gpus = 0;
    ServingSummary at;                   // summary at that count (at max_replicas when not met)
    std::vector<CapacityProbe> explored; // every count simulated, ascending replicas
};
[[nodiscard]] CapacityResult capacity_search(const ServingSetup& setup, const IterationCost& cost);

} // namespace twin::models
