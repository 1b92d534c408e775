// The trace of one serving cycle of an "llm-inference" workload: block "prefill", then block
// "decode" (repeat = output tokens). Per-op FLOPs and bytes, the KV length used in decode, and the
// pipeline and expert-parallel simplifications: llm_inference.hpp. The trace is built as trace v1
// JSON and read back by load_trace, so it passes the same checks as a hand-written one.
#include "twin/models/llm_inference.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace twin::models {
namespace {

using nlohmann::json;

constexpr double kActivationBytes = 2.0; // bf16 activations, also under fp8 GEMMs

std::string bytes_text(double b) {
    return fmt::format("{:.17g}B", b);
}
std::string flops_text(double f) {
    return fmt::format("{:.17g}FLOP", f);
}

json compute(const std::string& name, double flops, double bytes, std::string_view precision) {
    return json{{"op", "compute"},
                {"name", name},
                {"flops", flops_text(flops)},
                {"bytes", bytes_text(bytes)},
                {"precision", std::string(precision)}};
}

json collective(const std::string& op, const std::string& name, const std::string& group, double size) {
    return json{{"op", op}, {"name", name}, {"group", group}, {"size", bytes_text(size)}};
}

// Keys one query attends in a layer: prefill causal over P (half, or w − w²/(2P) in a
// sliding-window layer, llm_model.hpp), decode the c cached entries (at most w in a local layer).
double attended_keys(const TransformerConfig& m, bool local, double length, bool prefill) {
    const double w = static_cast<double>(m.sliding.window);
    if (prefill) {
        return !local || length <= w ? length / 2.0 : w - w * w / (2.0 * length);
    }
    return local ? std::min(length, w) : length;
}

// The per-rank work of one micro-batch through one stage, in one phase (prefill or decode).
struct PhaseShape {
    std::string phase; // "prefill" or "decode"
    double sequences;  // n, sequences of the micro-batch
    double tokens;     // T, tokens processed per layer (prefill n·P, decode n)
    double kv_length;  // decode: mean KV entries attended per token; prefill: P
};

class Generator {
public:
    explicit Generator(const InferenceConfig& c) : c_(c), m_(c.model) {
        t_ = static_cast<double>(c.tp);
        h_ = static_cast<double>(m_.hidden);
        d_ = static_cast<double>(m_.head_dim());
        a_ = static_cast<double>(m_.heads);
        g_ = static_cast<double>(m_.kv_heads);
        g_rank_ = std::max(1.0, g_ / t_);
        w_ = c.weight_bytes_per_element();
        kv_w_ = c.kv_bytes_per_element();
        dqkv_ = static_cast<double>(m_.qk_head_dim() + m_.v_head_dim());
        kv_elements_ = kv_elements_per_token(m_, c.tp); // 2·g_r·d, or the MLA latent d_c + d_r
        gemm_precision_ = topology::precision_name(c.precision);
    }

    // Ops of one layer of kind `kind` for one micro-batch.
    json layer(const PhaseShape& s, LayerKind kind) const {
        const std::string& p = s.phase;
        const double T = s.tokens;
        json ops = json::array();
        // Projections Q, K, V, O.
        const double attn_act = T * kActivationBytes * (2.0 * h_ + ((a_ + 2.0 * g_) * d_ + a_ * d_) / t_);
        ops.push_back(compute(p + "_gemm", 2.0 * T * attention_parameters(m_) / t_,
                              attention_parameters(m_) * w_ / t_ + attn_act, gemm_precision_));
        // Attention core (flash attention: Q, K, V read once, O written, new K/V appended).
        const double a_rank = a_ / t_;
        const double qo_bytes = T * kActivationBytes * a_rank * dqkv_;
        const double kv_new = T * kv_elements_ * kv_w_;
        double flops = 0.0;
        double bytes = 0.0;
        if (p == "prefill") {
            const double P = static_cast<double>(c_.prompt_tokens);
            flops = 2.0 * s.sequences * P * attended_keys(m_, kind.local, P, true) * a_rank * dqkv_;
            bytes = qo_bytes + 2.0 * kv_new; // K, V read for the kernel and written to the cache
        } else {
            const double keys = attended_keys(m_, kind.local, s.kv_length, false);
            flops = 2.0 * T * keys * a_rank * dqkv_;
            bytes = qo_bytes + kv_new + T * keys * kv_elements_ * kv_w_;
        }
        ops.push_back(compute(p + "_attention", flops, bytes, "bf16"));
        if (c_.tp > 1) {
            ops.push_back(collective("all_reduce", p + "_tp_all_reduce", "tp", T * h_ * kActivationBytes));
        }
        // MLP (dense, or MoE with the experts some token visits).
        const bool ep = c_.ep > 1 && kind.moe;
        const double a2a =
            ep ? (T / c_.ep) * static_cast<double>(m_.moe.top_k) * h_ * kActivationBytes * (c_.ep - 1.0) / c_.ep : 0.0;
        if (ep) {
            ops.push_back(collective("all_to_all", p + "_ep_dispatch", "ep", a2a));
        }
        double mlp_weights = mlp_parameters(m_, kind.moe);
        double f_active = static_cast<double>(m_.ffn);
        if (kind.moe) {
            const double E = static_cast<double>(m_.moe.experts);
            const double expert = static_cast<double>(m_.mlp_matrices()) * h_ * static_cast<double>(m_.moe.ffn);
            const double touched = 1.0 - std::pow(1.0 - static_cast<double>(m_.moe.top_k) / E, T);
            mlp_weights = h_ * E + static_cast<double>(m_.moe.shared_experts) * expert + touched * E * expert;
            f_active = static_cast<double>(m_.moe.top_k + m_.moe.shared_experts) * static_cast<double>(m_.moe.ffn);
        }
        const double mlp_act = T * kActivationBytes * (2.0 * h_ + 2.0 * f_active / t_);
        ops.push_back(compute(p + "_gemm", 2.0 * T * active_mlp_parameters(m_, kind.moe) / t_,
                              mlp_weights * w_ / t_ + mlp_act, gemm_precision_));
        if (ep) {
            ops.push_back(collective("all_to_all", p + "_ep_combine", "ep", a2a));
        }
        if (c_.tp > 1) {
            ops.push_back(collective("all_reduce", p + "_tp_all_reduce", "tp", T * h_ * kActivationBytes));
        }
        return ops;
    }

    // Logits of `n` tokens on the last stage.
    json logits(const std::string& phase, double n) const {
        const double V = static_cast<double>(m_.vocab);
        return compute(phase + "_logits", 2.0 * n * h_ * V / t_,
                       V * h_ * w_ / t_ + n * kActivationBytes * (h_ + V / t_), gemm_precision_);
    }

    // The program of pipeline stage `stage`, phase block included.
    json phase_block(const PhaseShape& s, int stage, double logit_tokens, std::int64_t repeat) const {
        const bool first = stage == 0;
        const bool last = stage == c_.pp - 1;
        const double pp_bytes = s.tokens * h_ * kActivationBytes;
        json body = json::array();
        if (!first) {
            body.push_back(json{{"op", "recv"},
                                {"name", s.phase + "_pp_recv"},
                                {"peer", {{"group", "pp"}, {"to", "prev"}}},
                                {"size", bytes_text(pp_bytes)}});
        }
        // The stage's layers, one block per kind (dense/MoE, local/global) in order of first appearance.
        const std::int64_t per_stage = m_.layers / c_.pp;
        std::vector<std::pair<LayerKind, std::int64_t>> kinds;
        for (std::int64_t i = stage * per_stage; i < (stage + 1) * per_stage; ++i) {
            const LayerKind k = layer_kind(m_, i);
            const auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& e) { return e.first == k; });
            if (it == kinds.end()) {
                kinds.emplace_back(k, 1);
            } else {
                ++it->second;
            }
        }
        for (const auto& [kind, n] : kinds) {
            body.push_back(json{{"name", s.phase + "_layers"}, {"repeat", n}, {"body", layer(s, kind)}});
        }
        if (last) {
            body.push_back(logits(s.phase, logit_tokens));
        } else {
            body.push_back(json{{"op", "send"},
                                {"name", s.phase + "_pp_send"},
                                {"peer", {{"group", "pp"}, {"to", "next"}}},
                                {"size", bytes_text(pp_bytes)}});
        }
        const int m = c_.microbatches();
        if (m > 1) {
            body = json::array({json{{"name", s.phase + "_microbatches"}, {"repeat", m}, {"body", body}}});
        }
        return json{{"name", s.phase}, {"repeat", repeat}, {"body", body}};
    }

    json trace(const std::string& name) const {
        const double n = static_cast<double>(c_.batch) / c_.microbatches(); // sequences per micro-batch
        const double P = static_cast<double>(c_.prompt_tokens);
        const double O = static_cast<double>(c_.output_tokens);
        const PhaseShape prefill{"prefill", n, n * P, P};
        const PhaseShape decode{"decode", n, n, P + (O + 1.0) / 2.0};

        json groups = json::object();
        if (c_.tp > 1) {
            groups["tp"] = {{"size", c_.tp}};
        }
        if (c_.pp > 1) {
            groups["pp"] = {{"size", c_.pp}, {"stride", c_.tp}};
        }
        if (c_.ep > 1) {
            groups["ep"] = {{"size", c_.ep}};
        }
        json classes = json::array();
        for (int stage = 0; stage < c_.pp; ++stage) {
            json cls;
            cls["name"] = c_.pp == 1 ? std::string("replica") : fmt::format("stage{}", stage);
            cls["ranks"] =
                c_.pp == 1 ? json("all") : json::array({json::array({stage * c_.tp, stage * c_.tp + c_.tp - 1})});
            cls["program"] =
                json::array({phase_block(prefill, stage, n, 1), phase_block(decode, stage, n, c_.output_tokens)});
            classes.push_back(std::move(cls));
        }
        json t{{"schema_version", 1}, {"name", name}, {"ranks", c_.gpus()}, {"classes", classes}};
        if (!groups.empty()) {
            t["groups"] = groups;
        }
        return t;
    }

private:
    const InferenceConfig& c_;
    const TransformerConfig& m_;
    double t_ = 1, h_ = 0, d_ = 0, a_ = 0, g_ = 0, g_rank_ = 1, w_ = 2, kv_w_ = 2;
    double dqkv_ = 0;        // d_qk + d_v
    double kv_elements_ = 0; // KV cache elements of one token and layer on one rank
    std::string_view gemm_precision_;
};

// "Llama-3 70B inference, TP 8, BF16, batch 32 x (2048 + 256) tokens"
std::string trace_name(const InferenceConfig& c) {
    std::string precision(topology::precision_name(c.precision));
    for (char& ch : precision) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return fmt::format("{} inference, TP {}{}{}, {}, {} {} x ({} + {}) tokens", c.model.name, c.tp,
                       c.pp > 1 ? fmt::format(" x PP {}", c.pp) : "", c.ep > 1 ? fmt::format(" x EP {}", c.ep) : "",
                       precision, c.closed_loop ? "concurrency" : "batch", c.batch, c.prompt_tokens, c.output_tokens);
}

} // namespace

Trace make_inference_trace(const InferenceConfig& c, const std::string& file) {
    const Generator gen(c);
    const auto doc = Document::parse(gen.trace(trace_name(c)).dump(), file + " (generated llm-inference trace)");
    Trace t = load_trace(doc.root().as_object());

    const double B = static_cast<double>(c.batch);
    const double P = static_cast<double>(c.prompt_tokens);
    const double O = static_cast<double>(c.output_tokens);
    // Useful FLOPs of the cycle: forward GEMMs of every prompt and output token, causal attention
    // over the prompt, attention over the mean KV length in decode, logits once per sequence in
    // prefill and once per output token.
    const auto& m = c.model;
    const double h = static_cast<double>(m.hidden);
    const double gemm = forward_flops_per_token(m, true).gemm; // all layers
    const double logits = 2.0 * static_cast<double>(m.vocab) * h;
    double prefill_attention = 0.0; // per sequence
    double decode_attention = 0.0;  // per output token
    const double heads_dims = static_cast<double>(m.heads) * static_cast<double>(m.qk_head_dim() + m.v_head_dim());
    for (std::int64_t i = 0; i < m.layers; ++i) {
        const bool local = layer_kind(m, i).local;
        prefill_attention += 2.0 * P * attended_keys(m, local, P, true) * heads_dims;
        decode_attention += 2.0 * attended_keys(m, local, P + (O + 1.0) / 2.0, false) * heads_dims;
    }
    const double prefill_flops = B * (P * gemm + prefill_attention + logits);
    const double decode_flops = B * O * (gemm + decode_attention + logits);

    auto& info = t.info;
    info.present = true;
    info.kind = "llm-inference";
    info.model = m.name;
    info.parameters = total_parameters(m);
    info.tokens_per_step = B * O;
    info.model_flops_per_step = prefill_flops + decode_flops;
    info.hardware_flops_per_step = info.model_flops_per_step;
    info.precision = c.precision;
    if (c.tp > 1) {
        info.family_roles["tp"] = "tp";
    }
    if (c.pp > 1) {
        info.family_roles["pp"] = "pp";
    }
    if (c.ep > 1) {
        info.family_roles["ep"] = "ep";
    }
    auto& f = info.figures;
    f["prompt_tokens"] = P;
    f["output_tokens"] = O;
    f["request_rate_per_s"] = c.rate_per_s;
    f["batch"] = B;
    f["concurrency"] = c.closed_loop ? B : 0.0;
    f["gpus"] = c.gpus();
    f["tp"] = c.tp;
    f["pp"] = c.pp;
    f["ep"] = c.ep;
    f["microbatches"] = c.microbatches();
    f["decode_mean_kv_tokens"] = P + (O + 1.0) / 2.0;
    f["prefill_model_flops"] = prefill_flops;
    f["decode_model_flops"] = decode_flops;
    // Memory per GPU from the model alone (the loader adds the GPU-dependent figures).
    topology::GpuType none;
    const InferenceMemory mem = inference_memory(c, none);
    f["weights_per_gpu_bytes"] = mem.weights_per_gpu_bytes;
    f["kv_cache_per_gpu_bytes"] = mem.kv_cache_per_gpu_bytes;
    f["memory_per_gpu_bytes"] = mem.total_per_gpu_bytes();
    return t;
}

} // namespace twin::models
