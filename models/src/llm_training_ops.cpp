// One transformer layer as GPU operations (one GPU, one micro-batch).
//
// Symbols: b micro-batch (sequences), s sequence, s_l = s/cp local sequence, t = tp, T = b·s_l
// tokens a GPU's GEMMs see, T_e = T/t with sequence parallelism (else T) tokens of the
// elementwise ops, h hidden, a heads, g kv heads, d head size (h/a unless head_dim is given),
// d_qk = d_v = d (MLA: d_n + d_r and d_v, g = a), f MLP width, k_m MLP matrices. Each layer is built
// for its kind (llm_model.hpp: MoE or dense MLP, sliding-window or global attention).
// Activations are bf16 (2 bytes). A GEMM of shape (m, n, k) does 2·m·n·k FLOPs at the
// workload's precision with shape efficiency gemm_shape_efficiency(m, n, k); it moves
// 2·(m·k + k·n + m·n) bytes.
//
// Forward:
//   qkv        GEMM (T, (a + 2g)·d/t, h); MLA: q_down (T, r_q, h), q_up (T, a·d_qk/t, r_q),
//              kv_down (T, d_c + d_r, h), kv_up (T, a·(d_n + d_v)/t, d_c) (attention_gemms())
//   attention  b·s_l·2·n_k·(a/t)·(d_qk + d_v) FLOPs, n_k the keys per query
//              (attention_keys_per_query: s/2 causal, w − w²/(2s) in a sliding-window layer);
//              flash: causal n_k, efficiency kFlashEfficiency; unfused: counted n_k (s, or
//              min(s, w)) as batched GEMMs (s_l, s, d_qk) that also write the scores and read the
//              probabilities, plus a memory-bound softmax (+ dropout) per score, b·(a/t)·s_l·n_k
//              scores (bytes per score: llm_training_elementwise.cpp)
//   proj       GEMM (T, h, a·d_v/t)
//   mlp        dense: GEMM (T, (k_m − 1)·f/t, h) and GEMM (T, h, f/t); MoE: router GEMM (T, E, h),
//              all-to-all dispatch over "ep" of T_e·top_k·h·2 bytes, experts 2·T·top_k·k_m·h·f_e/t
//              FLOPs with shape (T·top_k·ep/E, f_e/t, h), all-to-all combine, shared experts dense
//   elementwise  memory-bound: norms, residual adds, dropout, activation, rotary embedding, FP8
//              casts, item by item in llm_training_elementwise.cpp
//   TP (t > 1): all-reduce of T·h·2 bytes after proj and after the MLP; with sequence
//              parallelism all-gather (output T·h·2) before qkv and before the MLP, reduce-scatter
//              (input T·h·2) after proj and after the MLP (Korthikanti et al. 2022, §4.2.2).
//              Backward the adjoints: an all-reduce of the input gradient after the MLP's and
//              after qkv's backward (2 per layer); with SP an all-gather before each block's
//              backward and a reduce-scatter after it (2 + 2 per layer)
//   CP (cp > 1): all-gather of K and V over "cp", output b·s·g·(d_qk + d_v)/t·2 bytes
// Kernels (each pays the launch gap of compute.hpp): a GEMM 1 forward, 2 backward (data and weight
// gradients); flash attention 1 forward, 3 backward (FlashAttention-2: the dO·O preprocessing, the
// main kernel, the dQ conversion); unfused attention 2 batched GEMMs forward, 4 backward; the
// cross-entropy 3 forward (max, sum of exponentials, loss), 2 backward; the embedding lookup 1.
// Backward: GEMMs 2× (input and weight gradients), flash attention 2.5× (FlashAttention-2
// recomputes the scores: 5 matmuls vs 2), unfused attention 2× (its bytes per score as above),
// elementwise as itemized; the same TP collectives (all-reduce stays, all-gather <-> reduce-scatter); CP
// reduce-scatter of dK/dV; MoE all-to-alls again.
// Recompute before backward: selective = the attention core (and softmax); full = the whole
// forward, collectives included (Korthikanti et al. 2022, §5).
// Head (last stage), Megatron-LM's vocab-parallel output layer (parallel_lm_logits) and
// cross-entropy (_VocabParallelCrossEntropy): with SP an all-gather (output T·h·2) before the
// logits GEMM (T, V/t, h); three all-reduces over "tp" of T fp32 values each (max logit, target
// logit, sum of exponentials); cross-entropy 4·T·V/t·2 bytes. Backward: the loss and 2× the GEMM,
// then the input gradient summed over TP: all-reduce of T·h·2 bytes (SP: reduce-scatter).
// Multi-token prediction (DeepSeek-V3 §2.2; Megatron-LM places the MTP modules on the last stage):
// per module after the head, a projection GEMM (T, h/t, 2h), one layer's forward (its kind:
// layer_kind(l + k)) and the head again (logits, cross-entropy); backward mirrors it.
// Embedding (first stage, VocabParallelEmbedding): a lookup of 2·T_e·h·2 bytes whose partial rows
// are summed over "tp": all-reduce of T·h·2 bytes (SP: reduce-scatter); no TP collective backward.
// Parameters per GPU and layer: P_layer/t (experts: E/ep of them; MLA's down projections whole); the routed experts'
// part, E/ep·k_m·h·f_e/t, has its gradients reduced over "edp" (the dp/ep replicas that hold the same experts;
// Megatron-LM's expert data-parallel group), the rest over "dp". Tied embeddings with pp > 1 (Megatron-LM
// _allreduce_embedding_grads; Shoeybi et al. 2019): the first stage's embedding and the last stage's output layer are
// copies; their gradients, V·h/t·2 bytes per GPU, are all-reduced between the two stages before the optimizer.
#include "llm_training_ops.hpp"

#include "llm_training_elementwise.hpp"

#include <algorithm>

namespace twin::models {

double gemm_shape_efficiency(double m, double n, double k, topology::Precision precision) {
    double depth = 1.0; // k-tile depth relative to a 16-bit GEMM's: 2 bytes / element bytes
    if (precision == topology::Precision::FP8) {
        depth = 2.0;
    } else if (precision == topology::Precision::FP4) {
        depth = 4.0;
    }
    return 1.0 / (1.0 + kGemmShapeConstant * (1.0 / m + 1.0 / n + depth / k));
}

namespace detail {
namespace {

// Flash attention throughput relative to a large GEMM's (× the GPU's compute_efficiency): 0.28
// (0.21 of the H100 BF16 peak), fitted on train.nemo2407.LLAMA3-70B.64 (tests/calibration/
// training.json; train.nemo2407.LLAMA3-8B.8 is held out). Lower than FlashAttention-2's kernel
// benchmarks (~0.35-0.5 of peak): it absorbs what is not modelled around attention (context-parallel
// ring steps and their softmax corrections, causal load imbalance, masking).
constexpr double kFlashEfficiency = 0.28;
constexpr double kBf16 = 2.0;
constexpr double kFp32 = 4.0;

OpSpec gemm(const std::string& name, double m, double n, double k, topology::Precision precision) {
    OpSpec o;
    o.name = name;
    o.flops = 2.0 * m * n * k;
    o.bytes = kBf16 * (m * k + k * n + m * n);
    o.efficiency = gemm_shape_efficiency(m, n, k, precision);
    o.gemm = true;
    o.kernels = 1.0;
    return o;
}

OpSpec memory_op(const std::string& name, double bytes, double kernels) {
    OpSpec o;
    o.name = name;
    o.bytes = bytes;
    o.kernels = kernels;
    return o;
}

OpSpec coll(const std::string& name, CollectiveKind kind, const std::string& family, double size) {
    OpSpec o;
    o.collective = true;
    o.name = name;
    o.kind = kind;
    o.family = family;
    o.size = size;
    return o;
}

OpSpec scaled(OpSpec o, double flops_factor, double bytes_factor, double kernels_factor = 1.0) {
    o.flops *= flops_factor;
    o.bytes *= bytes_factor;
    o.kernels *= kernels_factor;
    return o;
}

} // namespace

double layer_parameters_per_gpu(const TrainingConfig& c, LayerKind kind) {
    const auto& m = c.model;
    const double t = c.par.tp;
    const double h = static_cast<double>(m.hidden);
    double mlp = mlp_parameters(m, kind.moe);
    if (kind.moe) {
        const double local_experts = static_cast<double>(m.moe.experts) / c.par.ep + m.moe.shared_experts;
        mlp = h * static_cast<double>(m.moe.experts) * t + local_experts * m.mlp_matrices() * h * m.moe.ffn;
    }
    double attention = 0.0; // the GEMM weights one TP rank holds (MLA's down projections whole)
    for (const auto& g : attention_gemms(m, c.par.tp)) {
        attention += g.n * g.k;
    }
    return attention + mlp / t + norm_parameters(m);
}

double expert_parameters_per_gpu(const TrainingConfig& c, LayerKind kind) {
    const auto& m = c.model;
    if (!kind.moe) {
        return 0.0;
    }
    return static_cast<double>(m.moe.experts) / c.par.ep * m.mlp_matrices() * static_cast<double>(m.hidden) *
           static_cast<double>(m.moe.ffn) / c.par.tp;
}

double tied_embedding_grad_bytes(const TrainingConfig& c) {
    if (!c.model.tied_embeddings || c.par.pp < 2) {
        return 0.0;
    }
    return embedding_parameters(c.model) / c.par.tp * kBf16;
}

double LayerOps::flops() const {
    double f = 0.0;
    for (const auto* list : {&forward, &backward, &recompute}) {
        for (const auto& o : *list) {
            f += o.flops;
        }
    }
    return f;
}

double LayerOps::head_flops() const {
    double f = 0.0;
    for (const auto* list : {&head_forward, &head_backward}) {
        for (const auto& o : *list) {
            f += o.flops;
        }
    }
    return f;
}

LayerOps layer_ops(const TrainingConfig& c, LayerKind kind) {
    const auto& m = c.model;
    const double t = c.par.tp;
    const double b = static_cast<double>(c.micro_batch);
    const double s = static_cast<double>(m.seq);
    const double sl = s / c.par.cp;
    const double T = b * sl;
    const bool sp = c.par.sequence_parallel && c.par.tp > 1;
    const double Te = sp ? T / t : T;
    const double h = static_cast<double>(m.hidden);
    const double a = static_cast<double>(m.heads);
    const double g = m.is_mla() ? a : static_cast<double>(m.kv_heads); // heads of the K and V the kernel reads
    const double dqk = static_cast<double>(m.qk_head_dim());
    const double dv = static_cast<double>(m.v_head_dim());
    const double km = m.mlp_matrices();
    const double act = T * h * kBf16;

    LayerOps ops;
    const topology::Precision prec = c.precision;
    std::vector<OpSpec> attn_core; // recomputed by selective recompute
    std::vector<OpSpec> attn_core_bwd;
    if (c.attention == AttentionKernel::Flash) {
        OpSpec o;
        o.name = "attention";
        o.flops = b * sl * attention_flops_per_query(m, kind.local, true) / t;
        o.bytes = kBf16 * b * (sl * a * (dqk + dv) + s * g * (dqk + dv)) / t;
        o.efficiency = kFlashEfficiency;
        o.kernels = 1.0;
        attn_core.push_back(o);
        attn_core_bwd.push_back(scaled(o, 2.5, 2.0, 3.0));
    } else {
        const double keys = attention_keys_per_query(m, kind.local, false);
        const double scores = b * (a / t) * sl * keys;
        const auto per_score = unfused_attention_bytes_per_score(c);
        OpSpec o = gemm("attention", sl, s, dqk, topology::Precision::BF16);
        o.gemm = false; // batched score GEMMs run in bf16
        o.flops = b * sl * attention_flops_per_query(m, kind.local, false) / t;
        const double qkvo = kBf16 * b * (sl * a * (dqk + dv) + s * g * (dqk + dv)) / t;
        o.bytes = qkvo + scores * per_score.bmm_forward;
        o.kernels = 2.0;
        OpSpec ob = o;
        ob.flops *= 2.0;
        ob.bytes = 2.0 * qkvo + scores * per_score.bmm_backward;
        ob.kernels = 4.0;
        const double softmax_kernels = gpt_family(c) ? 2.0 : 1.0; // + attention dropout
        attn_core.push_back(o);
        attn_core.push_back(memory_op("softmax", scores * per_score.softmax_forward, softmax_kernels));
        attn_core_bwd.push_back(ob);
        attn_core_bwd.push_back(memory_op("softmax", scores * per_score.softmax_backward, softmax_kernels));
    }

    // TP communication around a block: before (SP all-gather) and after (all-reduce / reduce-scatter).
    const auto tp_before = [&](std::vector<OpSpec>& out, bool backward) {
        if (sp) {
            out.push_back(coll(backward ? "tp_rs" : "tp_ag",
                               backward ? CollectiveKind::ReduceScatter : CollectiveKind::AllGather, "tp", act));
            out.back().hidden_by_overlap = c.overlap_tp;
        }
    };
    const auto tp_after = [&](std::vector<OpSpec>& out, bool backward) {
        if (c.par.tp > 1) {
            if (sp) {
                out.push_back(coll(backward ? "tp_ag" : "tp_rs",
                                   backward ? CollectiveKind::AllGather : CollectiveKind::ReduceScatter, "tp", act));
            } else {
                out.push_back(coll("tp_ar", CollectiveKind::AllReduce, "tp", act));
            }
            out.back().hidden_by_overlap = c.overlap_tp;
        }
    };

    std::vector<OpSpec> qkv; // the projections before the attention core; "proj" after it
    for (const auto& shape : attention_gemms(m, c.par.tp)) {
        qkv.push_back(gemm(shape.name, T, shape.n, shape.k, prec));
    }
    const OpSpec proj = qkv.back();
    qkv.pop_back();
    std::vector<OpSpec> mlp;
    std::vector<OpSpec> mlp_bwd;
    if (!kind.moe) {
        mlp.push_back(gemm("mlp_up", T, (km - 1.0) * static_cast<double>(m.ffn) / t, h, prec));
        mlp.push_back(gemm("mlp_down", T, h, static_cast<double>(m.ffn) / t, prec));
    } else {
        const double E = static_cast<double>(m.moe.experts);
        const double k = static_cast<double>(m.moe.top_k);
        const double fe = static_cast<double>(m.moe.ffn);
        mlp.push_back(gemm("router", T, E, h, prec));
        const double a2a = Te * k * h * kBf16;
        if (c.par.ep > 1) {
            mlp.push_back(coll("ep_dispatch", CollectiveKind::AllToAll, "ep", a2a));
        }
        OpSpec experts = gemm("experts", T * k * c.par.ep / E, fe / t, h, prec);
        experts.flops = 2.0 * T * k * km * h * fe / t;
        experts.bytes = kBf16 * (T * k * (h + km * fe / t) + E / c.par.ep * km * h * fe / t);
        mlp.push_back(experts);
        if (c.par.ep > 1) {
            mlp.push_back(coll("ep_combine", CollectiveKind::AllToAll, "ep", a2a));
        }
        if (m.moe.shared_experts > 0) {
            OpSpec shared = gemm("shared_experts", T, static_cast<double>(m.moe.shared_experts) * fe / t, h, prec);
            shared.flops *= km;
            mlp.push_back(shared);
        }
    }
    for (const auto& o : mlp) {
        mlp_bwd.push_back(o.collective ? o : scaled(o, 2.0, 2.0, 2.0));
    }
    const ElementwiseTotals ew = elementwise_totals(layer_elementwise(c, kind));
    const OpSpec elementwise = memory_op("elementwise", ew.forward_bytes, ew.forward_kernels);
    const OpSpec elementwise_bwd = memory_op("elementwise", ew.backward_bytes, ew.backward_kernels);

    auto& fw = ops.forward;
    tp_before(fw, false);
    fw.insert(fw.end(), qkv.begin(), qkv.end());
    if (c.par.cp > 1) {
        fw.push_back(coll("cp_ag", CollectiveKind::AllGather, "cp", b * s * g * (dqk + dv) / t * kBf16));
    }
    fw.insert(fw.end(), attn_core.begin(), attn_core.end());
    fw.push_back(proj);
    tp_after(fw, false);
    tp_before(fw, false);
    fw.insert(fw.end(), mlp.begin(), mlp.end());
    tp_after(fw, false);
    fw.push_back(elementwise);

    // Backward runs each forward TP operator's adjoint (Megatron-LM tensor_parallel/mappings.py):
    // the all-reduce after a row-parallel GEMM is the identity backward and the identity before a
    // column-parallel GEMM an all-reduce (2 per layer, as forward; Narayanan et al. SC'21 §2.3);
    // with SP, reduce-scatter <-> all-gather (2 all-gathers and 2 reduce-scatters per layer).
    const auto tp_out_grad = [&](std::vector<OpSpec>& out) { // adjoint of tp_after
        if (c.par.tp > 1 && sp) {
            out.push_back(coll("tp_ag", CollectiveKind::AllGather, "tp", act));
            out.back().hidden_by_overlap = c.overlap_tp;
        }
    };
    const auto tp_in_grad = [&](std::vector<OpSpec>& out) { // adjoint of tp_before
        if (c.par.tp > 1) {
            out.push_back(sp ? coll("tp_rs", CollectiveKind::ReduceScatter, "tp", act)
                             : coll("tp_ar", CollectiveKind::AllReduce, "tp", act));
            out.back().hidden_by_overlap = c.overlap_tp;
        }
    };
    auto& bw = ops.backward;
    bw.push_back(elementwise_bwd);
    tp_out_grad(bw);
    bw.insert(bw.end(), mlp_bwd.rbegin(), mlp_bwd.rend());
    tp_in_grad(bw);
    tp_out_grad(bw);
    bw.push_back(scaled(proj, 2.0, 2.0, 2.0));
    bw.insert(bw.end(), attn_core_bwd.rbegin(), attn_core_bwd.rend());
    if (c.par.cp > 1) {
        bw.push_back(coll("cp_rs", CollectiveKind::ReduceScatter, "cp", b * s * g * (dqk + dv) / t * kBf16));
    }
    for (auto it = qkv.rbegin(); it != qkv.rend(); ++it) {
        bw.push_back(scaled(*it, 2.0, 2.0, 2.0));
    }
    tp_in_grad(bw);

    if (c.recompute == Recompute::Selective) {
        ops.recompute = attn_core;
    } else if (c.recompute == Recompute::Full) {
        ops.recompute = fw;
    }
    for (auto& o : ops.recompute) {
        o.name = "recompute_" + o.name;
    }

    const double V = static_cast<double>(m.vocab);
    const OpSpec logits = gemm("logits", T, V / t, h, prec);
    const OpSpec loss = memory_op("loss", 4.0 * T * V / t * kBf16, 3.0);
    auto& hf = ops.head_forward;
    tp_before(hf, false);
    hf.push_back(logits);
    if (c.par.tp > 1) {
        // Vocab-parallel cross-entropy: max, target logit and sum of exponentials, T fp32 each.
        for (int i = 0; i < 3; ++i) {
            hf.push_back(coll("ce_tp_all_reduce", CollectiveKind::AllReduce, "tp", T * kFp32));
        }
    }
    hf.push_back(loss);
    auto& hb = ops.head_backward;
    hb.push_back(scaled(loss, 1.0, 1.0, 2.0 / 3.0));
    hb.push_back(scaled(logits, 2.0, 2.0, 2.0));
    tp_before(hb, true);
    if (c.par.tp > 1 && !sp) {
        hb.push_back(coll("head_tp_ar", CollectiveKind::AllReduce, "tp", act)); // input gradient of the logits
    }
    for (std::int64_t k = 0; k < m.mtp_depth; ++k) {
        // One MTP module: projection, a layer of its kind and the shared head (its logits and loss).
        TrainingConfig inner = c;
        inner.model.mtp_depth = 0;
        const LayerOps module = layer_ops(inner, layer_kind(m, m.layers + k));
        const OpSpec mtp_proj = gemm("mtp_proj", T, h / t, 2.0 * h, prec);
        hf.push_back(mtp_proj);
        hf.insert(hf.end(), module.forward.begin(), module.forward.end());
        hf.insert(hf.end(), module.head_forward.begin(), module.head_forward.end());
        hb.insert(hb.begin(), module.head_backward.begin(), module.head_backward.end());
        const auto at = hb.begin() + static_cast<std::ptrdiff_t>(module.head_backward.size());
        std::vector<OpSpec> layer = module.recompute;
        layer.insert(layer.end(), module.backward.begin(), module.backward.end());
        layer.push_back(scaled(mtp_proj, 2.0, 2.0, 2.0));
        hb.insert(at, layer.begin(), layer.end());
    }
    ops.embedding_forward.push_back(memory_op("embedding", 2.0 * Te * h * kBf16, 1.0));
    tp_after(ops.embedding_forward, false); // vocab-parallel embedding: partial rows summed over TP

    ops.expert_param_bytes = expert_parameters_per_gpu(c, kind) * kBf16;
    ops.dense_param_bytes = layer_parameters_per_gpu(c, kind) * kBf16 - ops.expert_param_bytes;
    return ops;
}

} // namespace detail
} // namespace twin::models
