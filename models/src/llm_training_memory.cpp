// Memory one GPU of each pipeline stage needs for LLM training (bytes).
//
//   parameters   N_s · w,  N_s = parameters of the stage's layers on one GPU (tensor/expert shards)
//                plus the embedding (first stage) and the output layer (last stage; also the
//                embedding copy when tied) split over tp; w = 2 B (bf16), 3 B with fp8 GEMMs and
//                2.5 B with fp4 (Transformer Engine keeps a low-precision copy of the weights)
//   gradients    2 B per parameter (bf16)
//   optimizer    12 B per parameter (Adam: fp32 master weights, m, v; Rajbhandari et al. 2020,
//                "ZeRO", §3.1: 2 + 2 + 12 = 16 B per parameter in mixed precision)
//   ZeRO (shards over the dp·cp ranks that hold the same parameters, D = dp·cp; the routed
//                experts over D_e = (dp/ep)·cp, Megatron-LM's expert data-parallel group):
//                stage 1: optimizer / D; 2: + gradients / D; 3: + parameters / D
//   activations  per layer and micro-batch (Korthikanti et al. 2022, "Reducing Activation
//                Recomputation in Large Transformer Models", Table 2), s_l = s/cp:
//                  none       s_l·b·h·(10 + 24/t + 5·a·s_l/(h·t))    (sp: s_l·b·h·(34 + 5·a·s_l/h)/t)
//                  selective  s_l·b·h·(10 + 24/t)                      (sp: 34·s_l·b·h/t)
//                  full       2·s_l·b·h                                 (sp: 2·s_l·b·h/t)
//                times the layers of the stage's chunks in flight: 1F1B stage i keeps
//                min(p − i, m) micro-batches; interleaved keeps Megatron's warm-up count + 1 chunks
//                (min(2(p − i − 1) + (v − 1)·p + 1, m·v)), each of L_i/v layers (L_i: the layers
//                of stage i, l/p unless uneven stages are given); plus, with
//                recompute, the working set of one layer without recompute
//   embedding    first stage: s_l·b·h·2 B of embeddings per in-flight micro-batch; last stage:
//                logits and their fp32 softmax, s_l·b·V·(2 + 4)/t, for one micro-batch
// The total must stay within kUsableHbmFraction (0.95) of the GPU's hbm_capacity: the rest is
// CUDA context, NCCL buffers and allocator fragmentation (a planning margin, not a measurement).
#include "llm_training_layers.hpp"
#include "llm_training_ops.hpp"
#include "twin/models/llm_training.hpp"

#include <algorithm>

namespace twin::models {
namespace {

double per_layer_activations(const TrainingConfig& c, Recompute r) {
    const double s = static_cast<double>(c.model.seq) / c.par.cp;
    const double b = static_cast<double>(c.micro_batch);
    const double h = static_cast<double>(c.model.hidden);
    const double a = static_cast<double>(c.model.heads);
    const double t = c.par.tp;
    const bool sp = c.par.sequence_parallel;
    // Flash attention stores no score matrix: the 5·a·s/h term disappears.
    const double scores = c.attention == AttentionKernel::Flash ? 0.0 : 5.0 * a * s / h;
    switch (r) {
    case Recompute::None:
        return sp ? s * b * h * (34.0 + scores) / t : s * b * h * (10.0 + 24.0 / t + scores / t);
    case Recompute::Selective:
        return sp ? 34.0 * s * b * h / t : s * b * h * (10.0 + 24.0 / t);
    case Recompute::Full:
        return sp ? 2.0 * s * b * h / t : 2.0 * s * b * h;
    }
    return 0.0;
}

double weight_bytes(topology::Precision p) {
    switch (p) {
    case topology::Precision::FP8:
        return 3.0;
    case topology::Precision::FP4:
        return 2.5;
    default:
        return 2.0;
    }
}

} // namespace

std::vector<StageMemory> training_memory(const TrainingConfig& c) {
    const int p = c.par.pp;
    const int v = c.par.virtual_stages;
    const double m = static_cast<double>(c.micro_batches());
    const double t = c.par.tp;
    const double shards = static_cast<double>(c.par.dp) * c.par.cp;
    // Routed experts are replicated dp/ep times, so ZeRO shards their state over (dp/ep)·cp.
    const double expert_shards = static_cast<double>(c.model.is_moe() ? c.par.dp / c.par.ep : 1) * c.par.cp;
    const double embed = embedding_parameters(c.model) / t;
    const double s = static_cast<double>(c.model.seq) / c.par.cp;
    const double b = static_cast<double>(c.micro_batch);
    const double h = static_cast<double>(c.model.hidden);
    std::vector<StageMemory> out;
    for (int i = 0; i < p; ++i) {
        const double layers_per_chunk = static_cast<double>(c.stage_layers(i)) / v;
        double params = detail::stage_layer_parameters_per_gpu(c, i); // per layer kind (dense/MoE)
        if (i == 0) {
            params += embed;
        }
        if (i == p - 1) {
            params += c.model.tied_embeddings && p > 1 ? embed : output_parameters(c.model) / t;
        }
        // Parameters per GPU of the stage as ZeRO stage z shards them: experts over expert_shards.
        const double experts = detail::stage_expert_parameters_per_gpu(c, i);
        const auto sharded = [&](int z) {
            return c.par.zero >= z ? (params - experts) / shards + experts / expert_shards : params;
        };
        StageMemory sm;
        sm.parameters = sharded(3) * weight_bytes(c.precision);
        sm.gradients = sharded(2) * 2.0;
        sm.optimizer = sharded(1) * 12.0;
        double in_flight_chunks = 0.0;
        double in_flight_mbs = 0.0;
        if (c.par.schedule == PipelineSchedule::OneFOneB) {
            in_flight_mbs = std::min<double>(p - i, m);
            in_flight_chunks = in_flight_mbs;
        } else {
            in_flight_chunks = std::min<double>(2.0 * (p - i - 1) + (v - 1.0) * p + 1.0, m * v);
            in_flight_mbs = std::min<double>(in_flight_chunks, m);
        }
        sm.activations = per_layer_activations(c, c.recompute) * layers_per_chunk * in_flight_chunks;
        if (c.recompute != Recompute::None) {
            sm.activations += per_layer_activations(c, Recompute::None);
        }
        if (i == 0) {
            sm.embedding += s * b * h * 2.0 * in_flight_mbs;
        }
        if (i == p - 1) {
            sm.embedding += s * b * static_cast<double>(c.model.vocab) * 6.0 / t;
        }
        out.push_back(sm);
    }
    return out;
}

} // namespace twin::models
