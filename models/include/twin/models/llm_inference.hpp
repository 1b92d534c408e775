// LLM inference serving ("llm-inference" workload): one serving cycle of a full batch as a trace,
// the memory fit, and the serving metrics computed from the simulated cycle.
//
// One replica of tp·pp GPUs (rank r: tensor position r % tp, pipeline stage r / tp) serves batches
// of B requests, each with P prompt tokens and O output tokens. One cycle = block "prefill" (the
// B·P prompt tokens in one forward pass) then block "decode" (repeat = O; each iteration one token
// for each of the B sequences). Per layer l of a stage, per rank (h hidden, a heads, g KV heads,
// d head size, t = tp, g_r = max(g/t, 1) KV heads per rank, T tokens of the micro-batch, w weight
// bytes per element (bf16 2, fp8 1), k KV bytes per element (= w), 2 bytes per activation):
//   projections  F = 2·T·P_attn / t              D = P_attn·w / t + activations
//   attention    prefill  F = 2·n·P·n_k·a·(d_qk + d_v) / t, n_k = P/2 (causal; w − w²/(2P) in a
//                         sliding-window layer with P > w), i.e. 2·n·P²·h / t with d = h/a
//                decode   F = 2·T·n_k·a·(d_qk + d_v) / t, n_k = c (min(c, w) in a local layer)
//                         D = T·n_k·e·k (reads the KV cache), e = 2·g_r·d elements per token, or
//                         the MLA latent d_c + d_r (whole on every TP rank; llm_model.hpp). MLA's
//                         absorbed decode (DeepSeek-V2 §2.1.4) is costed as the unabsorbed form
//                         c = P + (O + 1)/2: the mean KV length over the O decode steps (step j
//                         attends to P + j + 1 entries); the KV read is linear in c and memory-bound,
//                         so the mean gives the same total time as O separate lengths
//   MLP          F = 2·T·P_mlp_active / t        D = P_mlp·w·u / t + activations
//                u = 1 for dense; MoE: the router, shared experts and the fraction of routed experts
//                some token visits, 1 − (1 − top_k/E)^T (memory-bound decode reads only those)
//   TP           2 all-reduces per layer of T·h·2 bytes (after attention and after the MLP)
//   EP (MoE)     ep > 1: all_to_all dispatch and combine per layer over the "ep" family (ep
//                consecutive ranks inside a TP group), each rank sending (T/ep)·top_k·h·2·(ep−1)/ep
//   logits       last stage: F = 2·n·h·V / t, D = V·h·w / t (prefill: last token of each sequence)
//   PP           m = min(pp, B) micro-batches of B/m sequences flow through the stages by send/recv
//                of T·h·2 bytes; prefill pays the pipeline fill once; in decode the same m
//                micro-batches flow every step (the sampled token's return from the last to the first
//                stage is not modelled: with m = pp micro-batches in flight it is hidden)
// Compute ops are timed by the roofline (compute.hpp); GEMMs and the logits run at `precision`,
// attention at bf16 (the FP8 KV cache is dequantised). Decode runs O steps (the prefill's logits
// already give the first token, so one step more than needed: an overestimate of 1/O).
//
// Memory per GPU (must fit in memory_fraction × hbm_capacity; the rest is for activations, CUDA
// context and NCCL buffers, as vLLM's gpu_memory_utilization = 0.9):
//   M = N_total·w / (tp·pp) + B·(P + O)·(l/pp)·e·k   (local layers hold min(P + O, w) tokens)
// Layers of a stage run as one repeat block per kind (dense/MoE, local/global; llm_model.hpp).
//
// Serving (serving_metrics): a cycle of S = prefill_s + decode_s serves B requests.
//   capacity μ = B / S requests/s, utilisation ρ = λ / μ (λ: request rate)
//   batch wait W_b = min((B − 1)/(2λ), S/2): the mean wait for B Poisson arrivals, capped by the
//              mean residual of a cycle (a busy server starts the next batch, full or not, when the
//              cycle ends)
//   queueing  W_q = ρ/(1 − ρ) · (c_a² + c_s²)/2 · S with c_a² = 1/B (batches of B Poisson arrivals
//              are Erlang-B spaced), c_s² = 0 (deterministic cycle): Kingman's G/D/1 approximation
//   TTFT = W_b + W_q + prefill_s,  TPOT = decode_s / O,  end-to-end = TTFT + decode_s
//   throughput = min(λ, μ)·O tokens/s; saturated when ρ ≥ 1 (the queue grows without bound:
//   throughput is capacity-limited and W_q is left out, so TTFT is a lower bound)
// Closed loop ("concurrency" N): N clients, each sending its next request when the previous one
// ends, keep the server full: B = N, λ = μ, no wait, TTFT = prefill_s.
// The above is "batching": "static" (cycles of whole batches, FasterTransformer-style). Both
// modes add a framework overhead o per iteration ("step_overhead", default 2 ms: CPU scheduling,
// input preparation, sampling and kernel-launch gaps while the GPU waits; an ASSUMPTION inside
// the 1-5 ms per step that synchronous engines spend — vLLM blog 2024-09-05 "vLLM v0.6.0: 2.7x
// throughput improvement" (CPU-side work was 62 % of the time for Llama 3 8B on an H100 in
// v0.5.3), Srivatsa et al. 2024 "Can scheduling overhead dominate LLM inference performance?"
// (mlsys.wuklab.io); set it to 0 for an overlapped/zero-overhead scheduler): static decode
// time O·(t_B + o), prefill + o.
//
// "batching": "continuous" (default; Orca, Yu et al. OSDI 2022; vLLM): requests join the running
// decode batch at every iteration and leave when done; prefills are mixed into the iterations.
// From the simulated cycle: t_B = decode_s/O, the decode iteration at batch B; t_pf = prefill_s/B,
// the prefill of one request; β = ∂t/∂n, the roofline (compute.hpp) growth of a decode iteration
// per sequence (KV-cache reads, activations), from the generated decode step at batch 1 and B
// ("decode_step_per_sequence_s"), so t(n) = t_B + β·(n − B) for n ≤ B. With u = λ·t_pf (the
// share of GPU time prefills take) an iteration lasts τ(n) = (o + t(n)) / (1 − u), and by
// Little's law the running batch is n = λ·O·τ(n):
//   n = λ·O·(o + t_B − β·B) / (1 − u − λ·O·β)
//   capacity μ = B / (B·t_pf + O·(o + t_B))   (the rate at which n reaches the cap B), ρ = λ/μ
//   TPOT = τ(n);  TTFT = τ/2 (joining at the next iteration) + W_q + t_pf, with the prefills'
//   M/D/1 queue W_q = u·t_pf / (2(1 − u)) (Pollaczek-Khinchine); e2e = TTFT + O·τ;
//   tokens/s = min(λ, μ)·O. Saturated (ρ ≥ 1): n = B, rate μ, W_q left out (TTFT a lower bound).
// Closed loop: n = N, throughput X = N / (TTFT + O·τ), τ = (o + t_N)/(1 − X·t_pf), solved by
// fixed-point iteration; TTFT = τ/2 + t_pf.
//
// Sources: Pope et al., "Efficiently Scaling Transformer Inference", MLSys 2023 (memory-bound
// decode, KV cache); Kwon et al., "vLLM / PagedAttention", SOSP 2023 (gpu_memory_utilization);
// J. F. C. Kingman, "The single server queue in heavy traffic", 1961.
#pragma once

#include "twin/models/llm_model.hpp"
#include "twin/models/serving.hpp"
#include "twin/models/trace.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace twin::models {

struct InferenceConfig {
    TransformerConfig model;
    int tp = 1;
    int pp = 1;
    int ep = 1;
    topology::Precision precision = topology::Precision::BF16;
    std::int64_t prompt_tokens = 0; // P
    std::int64_t output_tokens = 0; // O
    double rate_per_s = 0.0;        // λ; 0 in closed loop
    std::int64_t batch = 0;         // B (max_batch, or the concurrency)
    bool closed_loop = false;       // "concurrency" given
    double memory_fraction = 0.9;   // of hbm_capacity usable for weights + KV cache
    bool continuous = true;         // "batching": continuous (default) or static
    double step_overhead_s = 0.002; // o, framework time per iteration (assumption, see above)

    std::shared_ptr<const ServingSpec> serving; // request mode ("serving"; serving.hpp), else null

    [[nodiscard]] int gpus() const { return tp * pp; }
    [[nodiscard]] double weight_bytes_per_element() const; // bf16 2, fp8 1, fp4 0.5625 (NVFP4)
    [[nodiscard]] double kv_bytes_per_element() const;     // bf16 2, fp8 and fp4 1 (FP8 KV cache)
    [[nodiscard]] int microbatches() const;                // m = min(pp, B)
};

// Reads and checks the workload object (everything that needs no cluster). Pointers are those of
// the scenario's "workload" object.
// Request mode ("serving") reads JSONL request traces relative to `base_dir`.
[[nodiscard]] InferenceConfig read_inference_config(Object workload, const std::filesystem::path& base_dir = {});

struct InferenceMemory {
    double weights_per_gpu_bytes = 0.0;
    double kv_per_sequence_per_gpu_bytes = 0.0; // (P + O) tokens
    double kv_cache_per_gpu_bytes = 0.0;        // B sequences
    double usable_per_gpu_bytes = 0.0;          // memory_fraction × hbm_capacity
    std::int64_t max_batch = 0;                 // largest B that fits (0: not even the weights)
    [[nodiscard]] double total_per_gpu_bytes() const { return weights_per_gpu_bytes + kv_cache_per_gpu_bytes; }
    [[nodiscard]] bool fits() const { return total_per_gpu_bytes() <= usable_per_gpu_bytes; }
};
[[nodiscard]] InferenceMemory inference_memory(const InferenceConfig& config, const topology::GpuType& gpu);

// The trace of one serving cycle (blocks "prefill" and "decode"), with WorkloadInfo filled in.
// `file` is the scenario file named in errors found later.
// Request mode's memory fit of one replica (serving_setup.cpp), as the loader checks it: the
// weights and one sequence of the mean lengths fit (inference_memory at batch 1), and the paged KV
// cache, kv_blocks = spec's or floor((usable − weights) / (block_size · e_kv)), holds the longest
// request. `config` as read_inference_config returns it (with `serving`).
struct ServingFit {
    InferenceMemory memory;                  // at batch 1
    double kv_bytes_per_token_per_gpu = 0.0; // e_kv
    std::int64_t kv_blocks = 0;              // per replica
    std::int64_t longest_request_tokens = 0; // max P + O
    [[nodiscard]] bool fits(std::int64_t block_size) const {
        return memory.fits() && kv_blocks * block_size >= longest_request_tokens;
    }
};
[[nodiscard]] ServingFit serving_memory_fit(const InferenceConfig& config, const topology::GpuType& gpu);

[[nodiscard]] Trace make_inference_trace(const InferenceConfig& config, const std::string& file);

// The "llm-inference" loader: read_inference_config + placement and memory checks against the
// cluster (InputError at /workload) + make_inference_trace.
[[nodiscard]] Trace load_llm_inference_workload(Object workload, const WorkloadContext& context);

struct ServingMetrics {
    double ttft_s = 0.0;                  // W_b + W_q + prefill_s
    double tpot_s = 0.0;                  // decode_s / O
    double e2e_latency_s = 0.0;           // ttft_s + decode_s
    double batch_wait_s = 0.0;            // W_b
    double queue_wait_s = 0.0;            // W_q (0 when saturated: unbounded)
    double capacity_requests_per_s = 0.0; // μ = B / (prefill_s + decode_s)
    double requests_per_s = 0.0;          // min(λ, μ)
    double tokens_per_s = 0.0;            // output tokens: requests_per_s · O
    double tokens_per_s_per_gpu = 0.0;
    double utilisation = 0.0; // ρ = λ / μ, not clamped (> 1: overloaded by that factor)
    double mean_batch = 0.0;  // sequences decoded per iteration (continuous: n from Little's law; static: B)
    bool saturated = false;   // ρ ≥ 1
};

// Serving metrics of an "llm-inference" trace from the simulated duration of its "prefill" and
// "decode" blocks (the whole decode block, all O steps), both in seconds and > 0. Reads
// info.figures: batch, output_tokens, request_rate_per_s, concurrency, gpus, and where present
// continuous_batching (1/0, default 0), step_overhead_s and decode_step_per_sequence_s (default 0). Throws
// std::invalid_argument when info is not an llm-inference one or a time is not > 0.
[[nodiscard]] ServingMetrics serving_metrics(const WorkloadInfo& info, double prefill_s, double decode_s);

} // namespace twin::models
