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
        gemm_precision_ = topology::precision_name(c.precision);
    }

    // Ops of one layer for one micro-batch.
    json layer(const PhaseShape& s) const {
        const std::string& p = s.phase;
        const double T = s.tokens;
        json ops = json::array();
        // Projections Q, K, V, O.
        const double attn_act = T * kActivationBytes * (2.0 * h_ + ((a_ + 2.0 * g_) * d_ + a_ * d_) / t_);
        ops.push_back(compute(p + "_gemm", 2.0 * T * attention_parameters(m_) / t_,
                              attention_parameters(m_) * w_ / t_ + attn_act, gemm_precision_));
        // Attention core (flash attention: Q, K, V read once, O written, new K/V appended).
        const double a_rank = a_ / t_;
        const double qo_bytes = T * kActivationBytes * 2.0 * a_rank * d_;
        const double kv_new = T * 2.0 * g_rank_ * d_ * w_;
        double flops = 0.0;
        double bytes = 0.0;
        if (p == "prefill") {
            const double P = static_cast<double>(c_.prompt_tokens);
            flops = 2.0 * s.sequences * P * P * a_rank * d_; // causal half of 4·P²·h per sequence
            bytes = qo_bytes + 2.0 * kv_new;                 // K, V read for the kernel and written to the cache
        } else {
            flops = 4.0 * T * s.kv_length * a_rank * d_;
            bytes = qo_bytes + kv_new + T * s.kv_length * 2.0 * g_rank_ * d_ * w_;
        }
        ops.push_back(compute(p + "_attention", flops, bytes, "bf16"));
        if (c_.tp > 1) {
            ops.push_back(collective("all_reduce", p + "_tp_all_reduce", "tp", T * h_ * kActivationBytes));
        }
        // MLP (dense, or MoE with the experts some token visits).
        const bool ep = c_.ep > 1;
        const double a2a =
            ep ? (T / c_.ep) * static_cast<double>(m_.moe.top_k) * h_ * kActivationBytes * (c_.ep - 1.0) / c_.ep : 0.0;
        if (ep) {
            ops.push_back(collective("all_to_all", p + "_ep_dispatch", "ep", a2a));
        }
        double mlp_weights = mlp_parameters(m_);
        double f_active = static_cast<double>(m_.ffn);
        if (m_.is_moe()) {
            const double E = static_cast<double>(m_.moe.experts);
            const double expert = static_cast<double>(m_.mlp_matrices()) * h_ * static_cast<double>(m_.moe.ffn);
            const double touched = 1.0 - std::pow(1.0 - static_cast<double>(m_.moe.top_k) / E, T);
            mlp_weights = h_ * E + static_cast<double>(m_.moe.shared_experts) * expert + touched * E * expert;
            f_active = static_cast<double>(m_.moe.top_k + m_.moe.shared_experts) * static_cast<double>(m_.moe.ffn);
        }
        const double mlp_act = T * kActivationBytes * (2.0 * h_ + 2.0 * f_active / t_);
        ops.push_back(compute(p + "_gemm", 2.0 * T * active_mlp_parameters(m_) / t_, mlp_weights * w_ / t_ + mlp_act,
                              gemm_precision_));
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
        body.push_back(json{{"name", s.phase + "_layers"}, {"repeat", m_.layers / c_.pp}, {"body", layer(s)}});
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
    double t_ = 1, h_ = 0, d_ = 0, a_ = 0, g_ = 0, g_rank_ = 1, w_ = 2;
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
    const double L = static_cast<double>(m.layers);
    const double h = static_cast<double>(m.hidden);
    const double gemm = 2.0 * (attention_parameters(m) + active_mlp_parameters(m));
    const double logits = 2.0 * static_cast<double>(m.vocab) * h;
    const double prefill_flops = B * (L * (P * gemm + 2.0 * P * P * h) + logits);
    const double decode_flops = B * O * (L * (gemm + 4.0 * (P + (O + 1.0) / 2.0) * h) + logits);

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
