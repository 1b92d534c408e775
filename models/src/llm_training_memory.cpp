// Memory one GPU of each pipeline stage needs for LLM training (bytes), the way Megatron-LM keeps
// it (megatron/training/theoretical_memory_usage.py, megatron/core/distributed/param_and_grad_buffer.py,
// megatron/core/optimizer/distrib_optimizer.py). The stage fits when the total is within the GPU's
// hbm_capacity (the framework's own overhead is a term of the total, not a flat margin).
//
// Weights and optimizer, per parameter held by the GPU (N_s: the stage's layers' tensor/expert
// shards, plus the embedding on the first stage and the output layer, or the tied copy, on the
// last, split over tp):
//   parameters     2 B (bf16 model weights)                                   ZeRO-3: / D
//   gradients      4 B (fp32 main_grad buffer, Megatron's default for bf16: --main-grads-dtype
//                  fp32 turns on accumulate_allreduce_grads_in_fp32); 2 B with "grad_dtype": "bf16"
//                  (--grad-reduce-in-bf16)                                     ZeRO-2/3: / D
//   optimizer      12 B: fp32 main weights + Adam m, v                        ZeRO-1 (Megatron's
//                  distributed optimizer) and up: / D
//   so 18 B/param without the distributed optimizer and 6 + 12/D with it (theoretical_memory_usage.py,
//   num_bytes_per_parameter). D = dp·cp, the ranks holding the same dense parameters; the routed
//   experts over D_e = (dp/ep)·cp (Megatron-LM's expert data-parallel group).
//   weight copies  FP8 GEMMs: 2 B per GEMM weight (Transformer Engine caches the FP8 weight and its
//                  transpose over the micro-batches of a step: Megatron passes is_first_microbatch,
//                  TE's weight workspace); FP4: 2·(0.5 + 1/16) B (NVFP4 row- and column-wise data with
//                  one FP8 scale per 16 values). Norm weights, router and embeddings stay bf16.
//
// Activations per layer and micro-batch, from the layer's shape (Korthikanti et al. 2022,
// "Reducing Activation Recomputation in Large Transformer Models", §4.1 and Table 2), for T = b·s/cp
// tokens; h_q = a·d, h_kv = g·d (GQA: K and V are g/a of Q), f the MLP width, w = bytes of a
// saved GEMM input (bf16 2, FP8 1: Transformer Engine saves the cast input; FP4 0.5), δ = 1 B per
// dropout mask element:
//   replicated over tp without SP:  2·2h (the two norms' inputs) + w·h (QKV input) + w·h (FC1 input)
//                                   + 2·δ·h (attention-output and MLP-output dropout masks)
//   split over tp:                  2·(h_q + 2·h_kv) (Q, K, V) + 2·h_q (attention output)
//                                   [+ w·h_q: the projection's own FP8 copy of it, w < 2]
//                                   + 2·f·(2 gated, 1 GELU) (activation input) + w·f (FC2 input)
//                                   (MoE: f·(top_k + shared experts) and w·h per routed/shared GEMM input)
//   scores (unfused attention only, split over tp): 5·a·s/cp bytes per token (softmax output,
//                                   dropout mask, dropout output: Korthikanti's 5·a·s²·b)
//   per layer: T·(replicated + split/t + scores/t); with sequence parallelism all of it / t.
//   GPT (h_q = h_kv = h, f = 4h, bf16, dropout) gives Korthikanti's s·b·h·(10 + 24/t + 5·a·s/(h·t))
//   and 34·s·b·h/t with SP. Dropout masks are counted with unfused attention only (the 2021-era
//   GPT recipes train with dropout 0.1; current recipes with flash attention train without dropout,
//   e.g. NeMo's Llama 3 configs: hidden_dropout 0.0, attention_dropout 0.0); flash attention keeps
//   no score matrix (its log-sum-exp, 4·a B per token, is left out).
//   recompute: selective (core attention) drops the scores term; full keeps the layer input, 2·h
//   per token (/ t with SP), and adds the working set of one layer without recompute.
//   In flight: 1F1B stage i keeps min(p − i, m) micro-batches; interleaved keeps Megatron's warm-up
//   count + 1 chunks, min(2(p − i − 1) + (v − 1)·p + 1, m·v), each of L_i/v layers (stage 0:
//   L·(1 + (p − 1)/(p·v)) layers of micro-batches, the memory report's interleaved penalty).
//   embedding (first stage): token ids 8 B per token (int64) [+ dropout mask h B, unfused/dropout
//                                   runs; / t with SP] per in-flight micro-batch, chunks/v with
//                                   interleaving (theoretical_memory_usage.py: 8·s·b·p and s·b·h·p,
//                                   times the interleaved penalty)
//   logits (last stage, one micro-batch, its backward follows at once): final-norm input 2·h and
//                                   output-layer input 2·h per token (/ t with SP), logits bf16 2 B
//                                   and the fp32 copy the vocab-parallel cross-entropy keeps 4 B per
//                                   token and V/t vocabulary entries; times 1 + D with D multi-token-
//                                   prediction modules (mtp_layers), each adding one layer's
//                                   activations for that micro-batch and its parameters to the last
//                                   stage's (llm_training_layers.hpp)
//
// Framework overhead (not fitted; sources, not our measurements):
//   CUDA context and loaded kernels  781 MiB (nvidia-smi after PyTorch's first CUDA call,
//                                   pytorch/pytorch#34323)
//   NCCL buffers                    2 directions × 32 channels × NCCL_BUFFSIZE (4 MiB, NCCL's default)
//                                   = 256 MiB per communicator family in use (tp, cp, dp, pp, ep:
//                                   degree > 1; ep adds the expert data-parallel group)
//   fragmentation and temporaries   5 % of activations, embedding and logits (Megatron's memory
//                                   report: overhead_factor 1.05, "optimizer and miscellaneous
//                                   temporaries"; the static buffers are contiguous, allocated once)
#include "llm_training_layers.hpp"
#include "llm_training_ops.hpp"
#include "twin/models/llm_training.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::models {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kCudaContextBytes = 781.0 * kMiB;
constexpr double kNcclBytesPerFamily = 2.0 * 32.0 * 4.0 * kMiB;
constexpr double kFragmentation = 0.05;
constexpr double kWeightBytes = 2.0;
constexpr double kMainStateBytes = 12.0;

// Bytes of a saved GEMM input, per element.
double gemm_input_bytes(topology::Precision p) {
    switch (p) {
    case topology::Precision::FP8:
        return 1.0;
    case topology::Precision::FP4:
        return 0.5;
    default:
        return 2.0;
    }
}

// Bytes of the low-precision weight copies per GEMM weight.
double weight_copy_bytes(topology::Precision p) {
    switch (p) {
    case topology::Precision::FP8:
        return 2.0;
    case topology::Precision::FP4:
        return 2.0 * (0.5 + 1.0 / 16.0);
    default:
        return 0.0;
    }
}

struct PerToken {
    double replicated = 0.0; // not split over tp without sequence parallelism
    double split = 0.0;      // split over tp
    double scores = 0.0;     // unfused attention's score terms, split over tp
};

PerToken layer_bytes_per_token(const TrainingConfig& c) {
    const auto& m = c.model;
    const double h = static_cast<double>(m.hidden);
    const double d = static_cast<double>(m.head_dim());
    const double hq = static_cast<double>(m.heads) * d;
    const double hkv = static_cast<double>(m.kv_heads > 0 ? m.kv_heads : m.heads) * d;
    const double w = gemm_input_bytes(c.precision);
    const bool unfused = c.attention == AttentionKernel::Unfused;
    const double dropout = unfused ? 1.0 : 0.0;
    const double act_factor = m.gated_mlp ? 2.0 : 1.0;
    PerToken p;
    p.replicated = 2.0 * 2.0 * h + w * h + 2.0 * dropout * h;
    p.split = 2.0 * (hq + 2.0 * hkv) + 2.0 * hq + (w < 2.0 ? w * hq : 0.0);
    if (m.is_moe()) {
        const double routed = static_cast<double>(m.moe.top_k);
        const double shared = static_cast<double>(m.moe.shared_experts);
        const double width = static_cast<double>(m.moe.ffn) * (routed + shared);
        // Each routed copy of a token and each shared expert saves its own FC1 input.
        p.split += w * h * (routed + (shared > 0 ? 1.0 : 0.0)) + 2.0 * width * act_factor + w * width;
    } else {
        const double f = static_cast<double>(m.ffn);
        p.replicated += w * h;
        p.split += 2.0 * f * act_factor + w * f;
    }
    if (unfused) {
        p.scores = 5.0 * static_cast<double>(m.heads) * static_cast<double>(m.seq) / c.par.cp;
    }
    return p;
}

double tokens_per_micro_batch(const TrainingConfig& c) {
    return static_cast<double>(c.micro_batch) * static_cast<double>(c.model.seq) / c.par.cp;
}

// One layer, one micro-batch, one GPU.
double layer_activation_bytes(const TrainingConfig& c, Recompute r) {
    const double t = c.par.tp;
    const double tokens = tokens_per_micro_batch(c);
    const double h = static_cast<double>(c.model.hidden);
    const bool sp = c.par.sequence_parallel;
    if (r == Recompute::Full) {
        return tokens * 2.0 * h / (sp ? t : 1.0);
    }
    const PerToken p = layer_bytes_per_token(c);
    const double scores = r == Recompute::Selective ? 0.0 : p.scores;
    const double per_token = sp ? (p.replicated + p.split + scores) / t : p.replicated + (p.split + scores) / t;
    return tokens * per_token;
}

int nccl_families(const TrainingConfig& c) {
    int n = 0;
    for (const int degree : {c.par.tp, c.par.cp, c.par.dp, c.par.pp}) {
        n += degree > 1 ? 1 : 0;
    }
    if (c.model.is_moe() && c.par.ep > 1) {
        n += c.par.dp > c.par.ep ? 2 : 1; // ep, and edp when dp/ep > 1
    }
    return n;
}

} // namespace

double training_layer_activation_bytes(const TrainingConfig& c) {
    return layer_activation_bytes(c, c.recompute);
}

std::vector<std::pair<std::string, double>> memory_terms(const StageMemory& m) {
    return {{"parameters", m.parameters}, {"weight_copies", m.weight_copies}, {"gradients", m.gradients},
            {"optimizer", m.optimizer},   {"activations", m.activations},     {"embedding", m.embedding},
            {"logits", m.logits},         {"framework", m.framework},         {"fragmentation", m.fragmentation}};
}

std::string memory_overflow_message(int stage, const StageMemory& m, const std::string& gpu, double capacity_bytes) {
    constexpr double gib = 1024.0 * kMiB;
    auto terms = memory_terms(m);
    std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string list;
    for (const auto& [name, bytes] : terms) {
        if (bytes >= 0.05 * gib) { // as printed
            list += fmt::format("{}{} {:.1f}", list.empty() ? "" : ", ", name, bytes / gib);
        }
    }
    return fmt::format("stage {} (GPU type {}, {:.1f} GiB) needs {:.1f} GiB per GPU ({} GiB; {:.1f} micro-batches "
                       "in flight): {:.1f} GiB over; raise tp/pp, zero or recompute",
                       stage, gpu, capacity_bytes / gib, m.total() / gib, list, m.in_flight_micro_batches,
                       (m.total() - capacity_bytes) / gib);
}

std::vector<StageMemory> training_memory(const TrainingConfig& c) {
    const int p = c.par.pp;
    const int v = c.par.virtual_stages;
    const double m = static_cast<double>(c.micro_batches());
    const double t = c.par.tp;
    const double shards = static_cast<double>(c.par.dp) * c.par.cp;
    // Routed experts are replicated dp/ep times, so their state shards over (dp/ep)·cp.
    const double expert_shards = static_cast<double>(c.model.is_moe() ? c.par.dp / c.par.ep : 1) * c.par.cp;
    const double norm_params = 2.0 * static_cast<double>(c.model.hidden);
    const double embed = embedding_parameters(c.model) / t;
    const double tokens = tokens_per_micro_batch(c);
    const double h = static_cast<double>(c.model.hidden);
    const bool sp = c.par.sequence_parallel;
    const double sp_split = sp ? t : 1.0;
    const bool dropout = c.attention == AttentionKernel::Unfused;
    const double grad_bytes = c.grads_fp32 ? 4.0 : 2.0;
    std::vector<StageMemory> out;
    for (int i = 0; i < p; ++i) {
        const double layers = static_cast<double>(c.stage_layers(i));
        double params = detail::stage_layer_parameters_per_gpu(c, i); // per layer kind (dense/MoE)
        if (i == 0) {
            params += embed;
        }
        if (i == p - 1) {
            params += c.model.tied_embeddings && p > 1 ? embed : output_parameters(c.model) / t;
        }
        if (i == p - 1) {
            params += norm_params / 2.0; // final norm
        }
        const double experts = detail::stage_expert_parameters_per_gpu(c, i);
        // Parameters per GPU as ZeRO stage z shards them: dense over D, experts over D_e.
        const auto sharded = [&](int z) {
            return c.par.zero >= z ? (params - experts) / shards + experts / expert_shards : params;
        };
        StageMemory sm;
        sm.parameters = sharded(3) * kWeightBytes;
        const double gemm_weights = detail::stage_layer_parameters_per_gpu(c, i) - norm_params * layers;
        sm.weight_copies = (c.par.zero >= 3 ? gemm_weights / shards : gemm_weights) * weight_copy_bytes(c.precision);
        sm.gradients = sharded(2) * grad_bytes;
        sm.optimizer = sharded(1) * kMainStateBytes;
        double in_flight_chunks = 0.0;
        double in_flight_mbs = 0.0;
        if (c.par.schedule == PipelineSchedule::OneFOneB) {
            in_flight_mbs = std::min<double>(p - i, m);
            in_flight_chunks = in_flight_mbs;
        } else {
            in_flight_chunks = std::min<double>(2.0 * (p - i - 1) + (v - 1.0) * p + 1.0, m * v);
            in_flight_mbs = std::min<double>(in_flight_chunks / v, m);
        }
        sm.in_flight_micro_batches = in_flight_chunks / v;
        sm.activations = layer_activation_bytes(c, c.recompute) * layers / v * in_flight_chunks;
        if (c.recompute == Recompute::Full) {
            sm.activations += layer_activation_bytes(c, Recompute::None);
        }
        if (i == 0) {
            sm.embedding = tokens * (8.0 + (dropout ? h / sp_split : 0.0)) * in_flight_mbs;
        }
        if (i == p - 1) {
            // The head and each MTP module keep their logits until the loss backward; an MTP module's
            // layer keeps its activations for the one micro-batch whose backward follows at once.
            const double vocab = static_cast<double>(c.model.vocab);
            const double heads = 1.0 + static_cast<double>(c.model.mtp_depth);
            sm.logits = heads * tokens * (2.0 * 2.0 * h / sp_split + (2.0 + 4.0) * vocab / t);
            sm.activations += static_cast<double>(c.model.mtp_depth) * layer_activation_bytes(c, c.recompute);
        }
        sm.framework = kCudaContextBytes + kNcclBytesPerFamily * nccl_families(c);
        sm.fragmentation = kFragmentation * (sm.activations + sm.embedding + sm.logits);
        out.push_back(sm);
    }
    return out;
}

} // namespace twin::models
