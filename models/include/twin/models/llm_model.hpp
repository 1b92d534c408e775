// Transformer shape and its arithmetic, shared by the LLM training and inference generators.
//
// A decoder-only transformer of l layers, hidden size h, a attention heads of size d = h / a,
// g key/value heads (GQA; g = a is multi-head attention), MLP width f, vocabulary V, sequence s.
// Per layer (weights only; biases and norm gains, O(h), are counted in norm_parameters):
//   attention   P_attn = h·(a·d) + 2·h·(g·d) + (a·d)·h = 2h² + 2h²·g/a          (Q, K, V, output)
//   dense MLP   P_mlp  = k_m·h·f, k_m = 3 for gated (SwiGLU: gate, up, down), 2 for GELU (up, down)
//   MoE MLP     P_moe  = h·E (router) + (E + E_s)·k_m·h·f_e       E experts, E_s shared experts
//   norms       2·h
// Embedding V·h, plus V·h for the output layer unless the embeddings are tied; final norm h.
//
// FLOPs per token of one forward pass (a multiply-add is 2 FLOPs), per layer:
//   GEMMs       2·(P_attn + P_mlp_active),  P_mlp_active = k_m·h·f dense, or
//               h·E + (top_k + E_s)·k_m·h·f_e for MoE (router + the experts a token visits)
//   attention   4·s·h·c   (Q·Kᵀ and softmax·V: 2·s·h FLOPs each per token), c = 1 for the full
//               square (the Megatron/NeMo counting convention), c = 1/2 when causal masking skips
//               the upper triangle (flash attention does)
// plus the logits 2·V·h per token. This is the convention of Narayanan et al. SC'21 (eq. in §5.1:
// 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) with recompute = 4 forward-equivalents) and NeMo's
// flops_formulas (Llama 3: 6·N·tokens + 12·l·h·s per token in forward + backward).
//
// KV cache per token: 2 (K and V) · l · g · d · bytes_per_element.
//
// Presets (all from the models' papers / released configs):
//   gpt3-175b    96 l, h 12288, 96 heads, f 4h, V 50257, s 2048, GELU, tied (Brown et al. 2020, Table 2.1)
//   llama3-8b    32 l, h 4096, 32 heads, 8 kv, f 14336, V 128256, s 8192, SwiGLU, untied
//   llama3-70b   80 l, h 8192, 64 heads, 8 kv, f 28672, V 128256, s 8192 (Llama 3 paper Table 3)
//   llama3-405b  126 l, h 16384, 128 heads, 8 kv, f 53248, V 128256, s 8192 (Llama 3 paper Table 3)
//   gpt-1.8t-moe 120 l, h 12288, 96 heads, 16 experts top-2 of width 3h, V 100256, s 8192: an assumed
//                shape that reproduces the publicly quoted 1.8 T parameters of NVIDIA's "GPT-MoE-1.8T"
//                benchmark model (GTC 2024); no official shape has been published
#pragma once

#include "twin/core/json_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace twin::models {

struct MoeConfig {
    std::int64_t experts = 0;        // E; 0: dense model
    std::int64_t top_k = 0;          // experts per token, 1 <= top_k <= E
    std::int64_t shared_experts = 0; // E_s, always active
    std::int64_t ffn = 0;            // f_e, width of one expert's MLP
};

struct TransformerConfig {
    std::string name;             // display name ("Llama-3 70B")
    std::int64_t layers = 0;      // l
    std::int64_t hidden = 0;      // h
    std::int64_t heads = 0;       // a, divides h
    std::int64_t kv_heads = 0;    // g, divides a (default a)
    std::int64_t ffn = 0;         // f (default 4h)
    std::int64_t vocab = 0;       // V
    std::int64_t seq = 0;         // s (JSON key "seq_length")
    bool gated_mlp = false;       // SwiGLU (3 matrices) instead of GELU (2); JSON "activation": "swiglu"|"gelu"
    bool tied_embeddings = false; // output layer shares the embedding matrix
    MoeConfig moe;

    [[nodiscard]] bool is_moe() const { return moe.experts > 0; }
    [[nodiscard]] std::int64_t head_dim() const { return hidden / heads; }
    [[nodiscard]] int mlp_matrices() const { return gated_mlp ? 3 : 2; }
};

// --- parameter counts ---
[[nodiscard]] double attention_parameters(const TransformerConfig& m);  // P_attn per layer
[[nodiscard]] double mlp_parameters(const TransformerConfig& m);        // P_mlp or P_moe per layer (all experts)
[[nodiscard]] double active_mlp_parameters(const TransformerConfig& m); // per token (router + top_k + shared)
[[nodiscard]] double layer_parameters(const TransformerConfig& m);      // P_attn + P_mlp + 2h
[[nodiscard]] double embedding_parameters(const TransformerConfig& m);  // V·h (input embedding)
[[nodiscard]] double output_parameters(const TransformerConfig& m);     // V·h, 0 when tied
[[nodiscard]] double total_parameters(const TransformerConfig& m);      // l·layer + embedding + output + h
[[nodiscard]] double active_parameters(const TransformerConfig& m);     // per token (MoE: top_k experts)

// --- FLOPs per token, one forward pass ---
struct ForwardFlops {
    double gemm_per_layer = 0.0;      // 2·(P_attn + P_mlp_active)
    double attention_per_layer = 0.0; // 4·s·h·c
    double logits = 0.0;              // 2·V·h
    [[nodiscard]] double total(std::int64_t layers) const {
        return static_cast<double>(layers) * (gemm_per_layer + attention_per_layer) + logits;
    }
};
// causal = true halves the attention term (c = 1/2); false is the counting convention (c = 1).
[[nodiscard]] ForwardFlops forward_flops_per_token(const TransformerConfig& m, bool causal);

// Bytes of K and V for one token over all layers: 2·l·g·d·bytes_per_element.
[[nodiscard]] double kv_cache_bytes_per_token(const TransformerConfig& m, double bytes_per_element = 2.0);

// The bundled preset names, sorted.
[[nodiscard]] std::vector<std::string> transformer_presets();

// Reads a "model" object: {"preset": name, <overrides>...} or the explicit keys
//   name (string), layers, hidden, heads, kv_heads, ffn, vocab, seq_length (integers),
//   activation ("gelu"|"swiglu", default "gelu"), tied_embeddings (bool, default false),
//   moe {experts, top_k, shared_experts (default 0), ffn (default the model's ffn)}.
// Checks: every size >= 1, heads divides hidden, kv_heads divides heads, top_k <= experts.
// Unknown keys and unknown presets are InputErrors at their pointer. Calls model.finish().
[[nodiscard]] TransformerConfig read_transformer_config(Object model);

} // namespace twin::models
