// Which layers each pipeline stage and model chunk of an LLM training workload holds, by kind
// (internal to the training generator). Models with mixed layers (DeepSeek-V3: dense layers 0-2,
// MoE after; GPT-OSS: sliding-window and global attention alternating) give their stages and
// chunks different ops.
//
// Layer order (Megatron-LM's interleaved assignment, get_transformer_layer_offset): model chunk
// c = 0..v-1 of stage i = 0..p-1 is the (c·p + i)-th run of layers, L_i/v layers long (L_i: the
// stage's layers), so its first layer is c·l/v + Σ_{j<i} L_j/v; with v = 1, Σ_{j<i} L_j.
// A chunk's layers are grouped by kind in order of first appearance: the chunk runs them one
// after another on one stream, so the order does not change its compute time.
#pragma once

#include "llm_training_ops.hpp"

#include <cstdint>
#include <vector>

namespace twin::models::detail {

struct KindCount {
    LayerKind kind;
    std::int64_t layers = 0;
};

// Layers of each kind in one chunk of a stage (its layers from TrainingConfig::chunk_first_layer,
// Megatron's interleaved order), and in the whole stage (all its chunks).
[[nodiscard]] std::vector<KindCount> chunk_layer_kinds(const TrainingConfig& config, int stage, int chunk);
[[nodiscard]] std::vector<KindCount> stage_layer_kinds(const TrainingConfig& config, int stage);
// Kinds of all l layers (for step totals).
[[nodiscard]] std::vector<KindCount> model_layer_kinds(const TransformerConfig& model);

// The multi-token-prediction modules (model key mtp_layers, D modules), which Megatron-LM builds on
// the last pipeline stage (megatron/core/transformer/multi_token_prediction.py): per module the
// projection of [h; embedding] 2h -> h (split over tp), three norms (enorm, hnorm, the block's final
// norm: 3h, replicated) and one transformer layer of the kind at position l + k; they share the
// embedding and the output layer. Parameters one GPU holds, and the routed experts' part of them.
[[nodiscard]] double mtp_parameters_per_gpu(const TrainingConfig& config);
[[nodiscard]] double mtp_expert_parameters_per_gpu(const TrainingConfig& config);

// Parameters one GPU of stage `stage` holds for its layers (the last stage: and the MTP modules),
// and the routed experts' part of them.
[[nodiscard]] double stage_layer_parameters_per_gpu(const TrainingConfig& config, int stage);
[[nodiscard]] double stage_expert_parameters_per_gpu(const TrainingConfig& config, int stage);

// The kind whose ops stand for the model where one is needed (the head, group set-up): the first
// MoE layer's if any, else layer 0's.
[[nodiscard]] LayerKind representative_kind(const TransformerConfig& model);

} // namespace twin::models::detail
