// The memory-bound operations of one transformer layer around its GEMMs and attention (one GPU,
// one micro-batch): norms, residual adds, dropout, bias gradients, activation, rotary embedding and
// Transformer Engine's FP8 casts, each with its HBM bytes and kernel launches. Equations and
// sources at the top of llm_training_elementwise.cpp.
#pragma once

#include "twin/models/llm_training.hpp"

#include <string>
#include <vector>

namespace twin::models::detail {

// One memory-bound item of a layer: bytes read + written and kernels launched per micro-batch.
struct ElementwiseItem {
    std::string name;
    double forward_bytes = 0.0;
    double backward_bytes = 0.0;
    double forward_kernels = 0.0;
    double backward_kernels = 0.0;
};

// The items of one layer for `config` (empty entries left out), in the order of the forward pass.
// `kind`: the layer's kind (dense/MoE, llm_model.hpp), for its weights' FP8 casts; without it the
// model's representative kind.
[[nodiscard]] std::vector<ElementwiseItem> layer_elementwise(const TrainingConfig& config, LayerKind kind);
[[nodiscard]] std::vector<ElementwiseItem> layer_elementwise(const TrainingConfig& config);

// Sums of layer_elementwise(config).
struct ElementwiseTotals {
    double forward_bytes = 0.0;
    double backward_bytes = 0.0;
    double forward_kernels = 0.0;
    double backward_kernels = 0.0;
};
[[nodiscard]] ElementwiseTotals elementwise_totals(const std::vector<ElementwiseItem>& items);

// Unfused attention (Megatron-LM's CoreAttention before flash attention): HBM bytes per attention
// score b·(a/t)·(s/cp)·s of the batched score GEMMs (score write, probability read; backward twice
// that) and of the softmax (+ attention dropout for the GPT family), forward and backward.
struct UnfusedAttentionBytes {
    double bmm_forward = 0.0;
    double bmm_backward = 0.0;
    double softmax_forward = 0.0;
    double softmax_backward = 0.0;
};
[[nodiscard]] UnfusedAttentionBytes unfused_attention_bytes_per_score(const TrainingConfig& config);

// True for the GPT family of Megatron-LM (GELU MLP): LayerNorm, biases, dropout 0.1 on the
// residual branches and the attention probabilities, learned positions. False for the Llama family
// (SwiGLU): RMSNorm, no biases, no dropout, rotary embeddings.
[[nodiscard]] bool gpt_family(const TrainingConfig& config);

} // namespace twin::models::detail
