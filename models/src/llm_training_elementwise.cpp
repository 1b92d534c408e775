// Memory-bound work of one transformer layer (one GPU, one micro-batch), bytes read + written in
// HBM and kernel launches. Each item runs at HBM speed (roofline memory term, compute.hpp) and pays
// the launch gap per kernel.
//
// Symbols as llm_training_ops.cpp: T tokens of the GEMMs (b·s/cp), T_e tokens of the elementwise
// region (T/t with sequence parallelism), h hidden, a heads, g kv heads, d head dim, t = tp,
// F = T·f_a/t elements of the MLP activation output (f_a = f, or f_e·top_k for MoE), k_m MLP
// matrices, Q = T·(a + g)·d/t query and key elements, N_qkv = T·(a + 2g)·d/t, N_1 = T·(k_m − 1)·f_a/t
// the first MLP GEMM's output. bf16 activations (2 B); e = 1 B (FP8) or 0.5 B (FP4) per cast element.
//
// Families (Megatron-LM defaults): GPT (GELU MLP) has LayerNorm, biases and dropout 0.1 on both
// residual branches and on the attention probabilities; Llama (SwiGLU) has RMSNorm, rotary
// embeddings, no biases, no dropout (Llama 3 / NeMo recipes: hidden and attention dropout 0).
//
//   item        forward bytes                      backward bytes                     kernels fw/bw
//   norm        2 · T_e·h·(2 + y)                  2 · T_e·h·6                        2 / 4
//               y = 2, or e when the next GEMM is FP8 (Transformer Engine's LayerNormLinear writes
//               the cast); backward reads x, dy and writes dx, then reduces dγ (dβ) in a 2nd kernel
//   residual    GPT: 2 · T_e·h·7                   GPT: 2 · T_e·h·(5 + 6)             2 / 4 (GPT)
//               Llama: 2 · T_e·h·6                 Llama: 2 · T_e·h·6                 2 / 2
//               add: read x and the branch, write (6 B); Megatron's fused bias-dropout-add also
//               writes a 1-byte mask (7 B); backward: dropout (read dy, mask, write: 5 B) and the
//               sum of the skip and branch gradients (6 B)
//   activation  GELU: 4·F (fused bias-GeLU)        GELU: 6·F                          1 / 1
//               SwiGLU: 6·F (read 2F, write F)     SwiGLU: 10·F (read dy, 2 inputs; write 2)
//   bias_grad   —                                  GPT: 2·(N_qkv + T·h + N_1 + T·h)   0 / 4
//               (db = Σ_tokens dy of the four linear layers)
//   rotary      Llama: 4·Q (read, write q and k)   4·Q                                2 / 2
//               (Megatron's fused RoPE, applied to q and to k)
//   fp8_cast    FP8/FP4 only (Transformer Engine cast_transpose, amax fused in the same pass):
//               fw: inputs of proj (T·a·d/t) and the second MLP GEMM (F): (2 + 2e) each (read bf16,
//               write the cast and its transpose for the weight gradient); weights cast once per
//               step (cached over micro-batches, is_first_microbatch): (2 + 2e)·P_gpu / m per
//               micro-batch (m micro-batches, P_gpu the layer's parameters on the GPU)
//               bw: output gradients of the four GEMMs (N_qkv, T·h, N_1, T·h): (2 + 2e) each; the
//               norm-fused inputs of qkv and the first MLP GEMM transposed (T·h each): 2e
//                                                                                      2 / 6
//   attention_layout  unfused only: the context permute-copy (Megatron-LM 2021 CoreAttention,
//               [b·a, s, d] -> [s, b, a·d]): 4·T·a·d/t forward and backward          1 / 1
//
// Unfused attention, per score (b·(a/t)·(s/cp)·s of them): the score GEMM writes 2 B and the
// probability GEMM reads 2 B (4 B forward, 8 B backward: dP written and P read, dS read twice);
// Megatron's FusedScaleMaskSoftmax reads and writes 2 B each (4 B; backward reads y and dy, writes
// dx: 6 B); GPT's attention dropout adds 5 B (read, write, 1-byte mask) forward and backward.
// Flash attention keeps scores on chip: none of these.
//
// Sources: Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models",
// 2022, §4.1 (the tensors of a layer: 34·s·b·h + 5·a·s²·b bytes, masks 1 byte); Megatron-LM fused
// kernels (megatron/core/fusions: fused_bias_dropout, fused_bias_gelu, fused_bias_swiglu,
// fused_softmax, apply_rope_fusion); Transformer Engine's FP8 recipe (LayerNormLinear with FP8
// output, cast_transpose of inputs and output gradients, per-tensor amax in the cast kernels,
// FP8 weight caching across micro-batches).
#include "llm_training_elementwise.hpp"

#include "llm_training_layers.hpp"
#include "llm_training_ops.hpp"

namespace twin::models::detail {
namespace {

constexpr double kBf16 = 2.0;

double cast_bytes(topology::Precision p) {
    return p == topology::Precision::FP4 ? 0.5 : 1.0;
}

} // namespace

bool gpt_family(const TrainingConfig& c) {
    return !c.model.gated_mlp;
}

std::vector<ElementwiseItem> layer_elementwise(const TrainingConfig& c, LayerKind kind) {
    const auto& m = c.model;
    const double t = c.par.tp;
    const double T = static_cast<double>(c.micro_batch) * static_cast<double>(m.seq) / c.par.cp;
    const bool sp = c.par.sequence_parallel && c.par.tp > 1;
    const double Te = sp ? T / t : T;
    const double h = static_cast<double>(m.hidden);
    const double a = static_cast<double>(m.heads);
    const double g = static_cast<double>(m.kv_heads);
    const double d = static_cast<double>(m.head_dim());
    const double km = m.mlp_matrices();
    const double fa =
        m.is_moe() ? static_cast<double>(m.moe.ffn) * static_cast<double>(m.moe.top_k) : static_cast<double>(m.ffn);
    const double F = T * fa / t;
    const double N1 = T * (km - 1.0) * fa / t;
    const double Nqkv = T * (a + 2.0 * g) * d / t;
    const bool gpt = gpt_family(c);
    const bool lowp = c.precision == topology::Precision::FP8 || c.precision == topology::Precision::FP4;
    const double e = cast_bytes(c.precision);
    const double x = Te * h; // elements of the hidden-size activation

    std::vector<ElementwiseItem> items;
    items.push_back({"norm", 2.0 * x * (kBf16 + (lowp ? e : kBf16)), 2.0 * x * 3.0 * kBf16, 2, 4});
    if (gpt) {
        items.push_back({"residual", 2.0 * x * 7.0, 2.0 * x * 11.0, 2, 4});
    } else {
        items.push_back({"residual", 2.0 * x * 6.0, 2.0 * x * 6.0, 2, 2});
    }
    items.push_back(gpt ? ElementwiseItem{"activation", 4.0 * F, 6.0 * F, 1, 1}
                        : ElementwiseItem{"activation", 6.0 * F, 10.0 * F, 1, 1});
    if (gpt) {
        items.push_back({"bias_grad", 0.0, kBf16 * (Nqkv + T * h + N1 + T * h), 0, 4});
    } else {
        const double q = T * (a + g) * d / t;
        items.push_back({"rotary", 4.0 * q, 4.0 * q, 2, 2});
    }
    if (lowp) {
        const double ct = kBf16 + 2.0 * e; // cast + transpose of one bf16 element
        const double weights = layer_parameters_per_gpu(c, kind) * ct / static_cast<double>(c.micro_batches());
        items.push_back({"fp8_cast", ct * (T * a * d / t + F) + weights,
                         ct * (Nqkv + T * h + N1 + T * h) + 2.0 * e * 2.0 * T * h, 2, 6});
    }
    if (c.attention == AttentionKernel::Unfused) {
        items.push_back({"attention_layout", 4.0 * T * a * d / t, 4.0 * T * a * d / t, 1, 1});
    }
    return items;
}

std::vector<ElementwiseItem> layer_elementwise(const TrainingConfig& c) {
    return layer_elementwise(c, representative_kind(c.model));
}

ElementwiseTotals elementwise_totals(const std::vector<ElementwiseItem>& items) {
    ElementwiseTotals s;
    for (const auto& i : items) {
        s.forward_bytes += i.forward_bytes;
        s.backward_bytes += i.backward_bytes;
        s.forward_kernels += i.forward_kernels;
        s.backward_kernels += i.backward_kernels;
    }
    return s;
}

UnfusedAttentionBytes unfused_attention_bytes_per_score(const TrainingConfig& c) {
    const double dropout = gpt_family(c) ? 5.0 : 0.0;
    return UnfusedAttentionBytes{4.0, 8.0, 4.0 + dropout, 6.0 + dropout};
}

} // namespace twin::models::detail
