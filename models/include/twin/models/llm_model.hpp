// Transformer shape and its arithmetic, shared by the LLM training and inference generators.
//
// A decoder-only transformer of l layers, hidden size h, a attention heads of size d (default h/a;
// JSON "head_dim" sets it, as GPT-OSS's 64 with h = 2880, a = 64), g key/value heads (GQA; g = a is
// multi-head attention), MLP width f, vocabulary V, sequence s. Layer i = 0..l-1.
// Per layer (weights only; biases, attention sinks and norm gains, O(h), are counted in the norms):
//   attention (GQA)  P_attn = h·(a·d) + 2·h·(g·d) + (a·d)·h                 (Q, K, V, output)
//   attention (MLA, DeepSeek-V2 §2.1 / V3 config.json; q_lora_rank r_q, kv_lora_rank d_c,
//              qk_nope_head_dim d_n, qk_rope_head_dim d_r, v_head_dim d_v; d_qk = d_n + d_r):
//              P_attn = h·r_q + r_q·a·d_qk          (Q down and up; h·a·d_qk when r_q = 0)
//                     + h·(d_c + d_r)               (joint KV latent + shared RoPE key)
//                     + d_c·a·(d_n + d_v)           (K and V up-projections)
//                     + a·d_v·h                     (output)
//              norms of the latents (r_q + d_c) count with the layer's norms
//   dense MLP   P_mlp  = k_m·h·f, k_m = 3 for gated (SwiGLU: gate, up, down), 2 for GELU (up, down)
//   MoE MLP     P_moe  = h·E (router) + (E + E_s)·k_m·h·f_e       E experts, E_s shared experts
//   norms       2·h (+ r_q + d_c with MLA)
// Layer i is MoE when the model has experts, i >= first_dense_layers and i mod layer_freq = 0
// (DeepSeek-V3's first_k_dense_replace = 3, moe_layer_freq = 1: layers 0-2 dense); otherwise dense.
// Embedding V·h, plus V·h for the output layer unless the embeddings are tied; final norm h.
// Multi-token prediction (DeepSeek-V3 §2.2, D = num_nextn_predict_layers modules, each after the
// last layer, sharing the embedding and the output head): per module a projection 2h·h of
// [norm(h_i); norm(emb(t_{i+k}))], norms 3h and one transformer layer of the kind layer l + k - 1
// would have; its FLOPs add that layer, the projection and a second logits 2·V·h.
// Total parameters include the MTP modules; active parameters (per token) count the layers' GEMM
// weights a token visits (router + top_k + shared experts), the norms and the output layer but not
// the input embedding (a lookup) nor MTP: the convention of the DeepSeek-V3 (37 B) and GPT-OSS
// model card (5.1 B / 3.6 B) figures.
//
// FLOPs per token of one forward pass (a multiply-add is 2 FLOPs), per layer:
//   GEMMs       2·(P_attn + P_mlp_active),  P_mlp_active = k_m·h·f dense, or
//               h·E + (top_k + E_s)·k_m·h·f_e for MoE (router + the experts a token visits)
//   attention   2·n_k·a·(d_qk + d_v)   (Q·Kᵀ and scores·V; d_qk = d_v = d without MLA), n_k the keys
//               a query attends: global layers n_k = s·c, c = 1 for the full square (the
//               Megatron/NeMo counting convention), c = 1/2 when causal masking skips the upper
//               triangle (flash attention does); sliding-window layers (window w; Mistral 7B §2,
//               GPT-OSS: every other layer, w = 128) n_k = min(s, w) counted, and causal
//               n_k = w − w²/(2s) for s > w (mean of min(i + 1, w) over positions i, dropping the
//               +1/2 as the global s/2 does), s/2 for s <= w. Layer i is local when a window is
//               set and not global_every > 0 with (i + 1) mod global_every = 0 (GPT-OSS:
//               global_every 2, layers 0, 2, 4... local). Attention sinks (GPT-OSS: one learned
//               logit per head) add a per-head term to the softmax: no GEMM, not counted.
//   With d = h/a and no window this is 4·s·h·c, as before,
// plus the logits 2·V·h per token. This is the convention of Narayanan et al. SC'21 (eq. in §5.1:
// 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) with recompute = 4 forward-equivalents) and NeMo's
// flops_formulas (Llama 3: 6·N·tokens + 12·l·h·s per token in forward + backward).
//
// KV cache per token and layer, in elements: GQA 2·g·d (K and V); MLA (d_c + d_r), the compressed
// latent and the shared RoPE key, which inference caches in DeepSeek-V2's absorbed form (§2.1.4,
// Table 1: (d_c + d_h^R)·l elements per token). A sliding-window layer holds at most w tokens.
//
// Presets (all from the models' papers / released configs):
//   gpt3-175b    96 l, h 12288, 96 heads, f 4h, V 50257, s 2048, GELU, tied (Brown et al. 2020, Table 2.1)
//   llama3-8b    32 l, h 4096, 32 heads, 8 kv, f 14336, V 128256, s 8192, SwiGLU, untied
//   llama3-70b   80 l, h 8192, 64 heads, 8 kv, f 28672, V 128256, s 8192 (Llama 3 paper Table 3)
//   llama3-405b  126 l, h 16384, 128 heads, 8 kv, f 53248, V 128256, s 8192 (Llama 3 paper Table 3)
//   gpt-1.8t-moe 120 l, h 12288, 96 heads, 16 experts top-2 of width 3h, V 100256, s 8192: an assumed
//                shape that reproduces the publicly quoted 1.8 T parameters of NVIDIA's "GPT-MoE-1.8T"
//                benchmark model (GTC 2024); no official shape has been published
//   deepseek-v3  61 l, h 7168, 128 heads, MLA (r_q 1536, d_c 512, d_n 128, d_r 64, d_v 128), dense
//                f 18432 in layers 0-2, then 256 routed experts top-8 + 1 shared of width 2048,
//                SwiGLU, V 129280, s 4096 (pre-training length), untied, MTP 1 (DeepSeek-AI,
//                "DeepSeek-V3 Technical Report", 2024, §2, §4.2; deepseek-ai/DeepSeek-V3 config.json):
//                671 B parameters (685 B with the MTP module and its copy of embedding and head),
//                37 B active
//   gpt-oss-120b 36 l, h 2880, 64 heads of 64, 8 kv, 128 experts top-4 of width 2880, SwiGLU,
//                V 201088, s 4096 (config.json's initial_context_length, before YaRN), untied, window 128 on every
//                other layer from layer 0 (OpenAI, "gpt-oss-120b & gpt-oss-20b Model Card", 2025, §2 and Table 1;
//                openai/gpt-oss-120b config.json): 116.8 B parameters, 5.1 B active
//   gpt-oss-20b  as gpt-oss-120b with 24 layers and 32 experts: 20.9 B parameters, 3.6 B active
#pragma once

#include "twin/core/json_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace twin::models {

struct MoeConfig {
    std::int64_t experts = 0;            // E; 0: dense model
    std::int64_t top_k = 0;              // experts per token, 1 <= top_k <= E
    std::int64_t shared_experts = 0;     // E_s, always active
    std::int64_t ffn = 0;                // f_e, width of one expert's MLP
    std::int64_t first_dense_layers = 0; // layers 0..k-1 dense (DeepSeek's first_k_dense_replace)
    std::int64_t layer_freq = 1;         // MoE where i mod layer_freq = 0 (DeepSeek's moe_layer_freq)
};

// Multi-head latent attention (DeepSeek-V2/V3); kv_lora_rank = 0: ordinary GQA.
struct MlaConfig {
    std::int64_t q_lora_rank = 0;      // r_q; 0: queries projected from h directly
    std::int64_t kv_lora_rank = 0;     // d_c
    std::int64_t qk_nope_head_dim = 0; // d_n
    std::int64_t qk_rope_head_dim = 0; // d_r
    std::int64_t v_head_dim = 0;       // d_v
};

// Sliding-window (local) attention; window = 0: every layer global.
struct SlidingWindow {
    std::int64_t window = 0;       // w, keys a query attends in a local layer
    std::int64_t global_every = 0; // layer i global when (i + 1) mod global_every = 0; 0: all local
};

struct TransformerConfig {
    std::string name;             // display name ("Llama-3 70B")
    std::int64_t layers = 0;      // l
    std::int64_t hidden = 0;      // h
    std::int64_t heads = 0;       // a
    std::int64_t kv_heads = 0;    // g, divides a (default a)
    std::int64_t ffn = 0;         // f (default 4h)
    std::int64_t vocab = 0;       // V
    std::int64_t seq = 0;         // s (JSON key "seq_length")
    bool gated_mlp = false;       // SwiGLU (3 matrices) instead of GELU (2); JSON "activation": "swiglu"|"gelu"
    bool tied_embeddings = false; // output layer shares the embedding matrix
    MoeConfig moe;
    std::int64_t head_size = 0; // d (JSON "head_dim"); 0: h / a
    MlaConfig mla;
    SlidingWindow sliding;
    std::int64_t mtp_depth = 0; // D, multi-token prediction modules (JSON "mtp_layers")

    [[nodiscard]] bool is_moe() const { return moe.experts > 0; }
    [[nodiscard]] bool is_mla() const { return mla.kv_lora_rank > 0; }
    [[nodiscard]] std::int64_t head_dim() const { return head_size > 0 ? head_size : hidden / heads; }
    // Head sizes of queries/keys and of values (d, or MLA's d_n + d_r and d_v).
    [[nodiscard]] std::int64_t qk_head_dim() const {
        return is_mla() ? mla.qk_nope_head_dim + mla.qk_rope_head_dim : head_dim();
    }
    [[nodiscard]] std::int64_t v_head_dim() const { return is_mla() ? mla.v_head_dim : head_dim(); }
    [[nodiscard]] int mlp_matrices() const { return gated_mlp ? 3 : 2; }
};

// What differs between layers: MLP dense or MoE, attention global or sliding-window.
struct LayerKind {
    bool moe = false;
    bool local = false;
    [[nodiscard]] int index() const { return (moe ? 2 : 0) + (local ? 1 : 0); } // 0..3
    friend bool operator==(const LayerKind&, const LayerKind&) = default;
};
// Layer i's kind (i >= l: the MTP modules' layers, numbered on).
[[nodiscard]] LayerKind layer_kind(const TransformerConfig& m, std::int64_t layer);

// --- parameter counts ---
[[nodiscard]] double attention_parameters(const TransformerConfig& m);           // P_attn per layer (GEMM weights)
[[nodiscard]] double mlp_parameters(const TransformerConfig& m, bool moe_layer); // P_mlp or P_moe (all experts)
[[nodiscard]] double active_mlp_parameters(const TransformerConfig& m, bool moe_layer); // router + top_k + shared
// A MoE layer's when the model has experts, else a dense layer's.
[[nodiscard]] double mlp_parameters(const TransformerConfig& m);
[[nodiscard]] double active_mlp_parameters(const TransformerConfig& m);
[[nodiscard]] double norm_parameters(const TransformerConfig& m);               // 2h (+ r_q + d_c with MLA)
[[nodiscard]] double layer_parameters(const TransformerConfig& m, LayerKind k); // P_attn + P_mlp + norms
[[nodiscard]] double embedding_parameters(const TransformerConfig& m);          // V·h (input embedding)
[[nodiscard]] double output_parameters(const TransformerConfig& m);             // V·h, 0 when tied
[[nodiscard]] double mtp_parameters(const TransformerConfig& m);                // D·(2h² + 3h + layer)
[[nodiscard]] double total_parameters(const TransformerConfig& m);              // layers + embedding + output + h + MTP
[[nodiscard]] double active_parameters(const TransformerConfig& m);             // per token, see above

// --- FLOPs per token, one forward pass, summed over the layers ---
struct ForwardFlops {
    double gemm = 0.0;      // Σ_i 2·(P_attn + P_mlp_active(i))
    double attention = 0.0; // Σ_i 2·n_k(i)·a·(d_qk + d_v)
    double logits = 0.0;    // 2·V·h
    double mtp = 0.0;       // D·(2·2h² + one layer's GEMMs and attention + 2·V·h)
    [[nodiscard]] double total() const { return gemm + attention + logits + mtp; }
};
// Keys a query attends in a layer of this kind (n_k above).
[[nodiscard]] double attention_keys_per_query(const TransformerConfig& m, bool local, bool causal);
// Attention FLOPs of one query in a layer of this kind: 2·n_k·a·(d_qk + d_v).
[[nodiscard]] double attention_flops_per_query(const TransformerConfig& m, bool local, bool causal);
// causal = true halves the global attention term (c = 1/2); false is the counting convention (c = 1).
[[nodiscard]] ForwardFlops forward_flops_per_token(const TransformerConfig& m, bool causal);

// The GEMMs of one layer's attention block on one of tp ranks, each as (n, k) of a GEMM
// (tokens, n, k): GQA "qkv" (a·d + 2·g·d)/tp × h and "proj" h × a·d/tp; MLA "q_down" r_q × h and
// "kv_down" (d_c + d_r) × h (replicated on every TP rank, as DeepSeek-V3's inference/model.py
// wq_a/wkv_a), "q_up" a·d_qk/tp × r_q (or "q" a·d_qk/tp × h when r_q = 0), "kv_up"
// a·(d_n + d_v)/tp × d_c, "proj" h × a·d_v/tp. In forward order, "proj" last.
struct GemmShape {
    std::string name;
    double n = 0.0;
    double k = 0.0;
};
[[nodiscard]] std::vector<GemmShape> attention_gemms(const TransformerConfig& m, int tp);

// KV cache of one token in one layer, in elements (2·g·d, or d_c + d_r with MLA), per TP rank:
// GQA heads split over tp (at least one per rank), the MLA latent replicated.
[[nodiscard]] double kv_elements_per_token(const TransformerConfig& m, int tp = 1);
// Bytes of the KV cache for one token over all layers (a sequence shorter than any window).
[[nodiscard]] double kv_cache_bytes_per_token(const TransformerConfig& m, double bytes_per_element = 2.0);
// Bytes of the KV cache of one sequence of `tokens` over all layers on one of tp ranks:
// local layers hold min(tokens, w) tokens.
[[nodiscard]] double kv_cache_bytes(const TransformerConfig& m, double tokens, double bytes_per_element, int tp = 1);

// The bundled preset names, sorted.
[[nodiscard]] std::vector<std::string> transformer_presets();

// Reads a "model" object: {"preset": name, <overrides>...} or the explicit keys
//   name (string), layers, hidden, heads, kv_heads, ffn, vocab, seq_length, head_dim (integers),
//   activation ("gelu"|"swiglu", default "gelu"), tied_embeddings (bool, default false),
//   moe {experts, top_k, shared_experts (default 0), ffn (default the model's ffn),
//        first_dense_layers (default 0), layer_freq (default 1)},
//   mla {q_lora_rank (default 0), kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim},
//   sliding_window {window, global_every (default 0)}, mtp_layers (default 0).
// Checks: every size >= 1, heads divides hidden unless head_dim is given, kv_heads divides heads,
// top_k <= experts, first_dense_layers < layers. Unknown keys and unknown presets are InputErrors
// at their pointer. Calls model.finish().
[[nodiscard]] TransformerConfig read_transformer_config(Object model);

} // namespace twin::models
