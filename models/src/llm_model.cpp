// Transformer parameter/FLOP arithmetic and the "model" reader. Equations: llm_model.hpp.
#include "twin/models/llm_model.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace twin::models {
namespace {

TransformerConfig shape(std::string name, std::int64_t layers, std::int64_t hidden, std::int64_t heads,
                        std::int64_t kv_heads, std::int64_t ffn, std::int64_t vocab, std::int64_t seq, bool gated,
                        bool tied) {
    TransformerConfig c;
    c.name = std::move(name);
    c.layers = layers;
    c.hidden = hidden;
    c.heads = heads;
    c.kv_heads = kv_heads;
    c.ffn = ffn;
    c.vocab = vocab;
    c.seq = seq;
    c.gated_mlp = gated;
    c.tied_embeddings = tied;
    return c;
}

// Bundled presets with their sources (llm_model.hpp lists them).
const std::map<std::string, TransformerConfig>& presets() {
    static const std::map<std::string, TransformerConfig> p = [] {
        std::map<std::string, TransformerConfig> m;
        // Brown et al., "Language Models are Few-Shot Learners", 2020, Table 2.1.
        m["gpt3-175b"] = shape("GPT-3 175B", 96, 12288, 96, 96, 4 * 12288, 50257, 2048, false, true);
        // Llama Team, "The Llama 3 Herd of Models", 2024, Table 3 (8B, 70B, 405B).
        m["llama3-8b"] = shape("Llama-3 8B", 32, 4096, 32, 8, 14336, 128256, 8192, true, false);
        m["llama3-70b"] = shape("Llama-3 70B", 80, 8192, 64, 8, 28672, 128256, 8192, true, false);
        m["llama3-405b"] = shape("Llama-3 405B", 126, 16384, 128, 8, 53248, 128256, 8192, true, false);
        // Assumed shape matching the quoted 1.8 T parameters of NVIDIA's GPT-MoE-1.8T (GTC 2024).
        TransformerConfig moe = shape("GPT-MoE 1.8T", 120, 12288, 96, 96, 4 * 12288, 100256, 8192, false, false);
        moe.moe = MoeConfig{16, 2, 0, 3 * 12288, 0, 1};
        m["gpt-1.8t-moe"] = moe;
        // DeepSeek-AI, "DeepSeek-V3 Technical Report", 2024, §2 and §4.2; deepseek-ai/DeepSeek-V3
        // config.json (first_k_dense_replace 3, moe_layer_freq 1, num_nextn_predict_layers 1).
        TransformerConfig v3 = shape("DeepSeek-V3", 61, 7168, 128, 128, 18432, 129280, 4096, true, false);
        v3.moe = MoeConfig{256, 8, 1, 2048, 3, 1};
        v3.mla = MlaConfig{1536, 512, 128, 64, 128};
        v3.mtp_depth = 1;
        m["deepseek-v3"] = v3;
        // OpenAI, "gpt-oss-120b & gpt-oss-20b Model Card", 2025, §2, Table 1; openai/gpt-oss-120b and
        // gpt-oss-20b config.json (head_dim 64, sliding_window 128, layer_types alternating from
        // "sliding_attention", initial_context_length 4096).
        TransformerConfig oss = shape("GPT-OSS 120B", 36, 2880, 64, 8, 2880, 201088, 4096, true, false);
        oss.moe = MoeConfig{128, 4, 0, 2880, 0, 1};
        oss.head_size = 64;
        oss.sliding = SlidingWindow{128, 2};
        m["gpt-oss-120b"] = oss;
        oss.name = "GPT-OSS 20B";
        oss.layers = 24;
        oss.moe.experts = 32;
        m["gpt-oss-20b"] = oss;
        return m;
    }();
    return p;
}

std::int64_t read_size(const Value& v) {
    return v.as_integer(1, std::int64_t{1} << 40);
}

// "mla": every rank and head size given (q_lora_rank 0: no query compression, DeepSeek-V2-Lite).
MlaConfig read_mla(Object mla) {
    MlaConfig c;
    if (auto v = mla.find("q_lora_rank")) {
        c.q_lora_rank = v->as_integer(0, std::int64_t{1} << 40);
    }
    c.kv_lora_rank = read_size(mla.at("kv_lora_rank"));
    c.qk_nope_head_dim = read_size(mla.at("qk_nope_head_dim"));
    c.qk_rope_head_dim = read_size(mla.at("qk_rope_head_dim"));
    c.v_head_dim = read_size(mla.at("v_head_dim"));
    mla.finish();
    return c;
}

} // namespace

LayerKind layer_kind(const TransformerConfig& m, std::int64_t layer) {
    LayerKind k;
    k.moe = m.is_moe() && layer >= m.moe.first_dense_layers && layer % m.moe.layer_freq == 0;
    k.local = m.sliding.window > 0 && !(m.sliding.global_every > 0 && (layer + 1) % m.sliding.global_every == 0);
    return k;
}

double attention_parameters(const TransformerConfig& m) {
    double p = 0.0;
    for (const auto& g : attention_gemms(m, 1)) {
        p += g.n * g.k;
    }
    return p;
}

double mlp_parameters(const TransformerConfig& m, bool moe_layer) {
    const double h = static_cast<double>(m.hidden);
    if (!moe_layer) {
        return m.mlp_matrices() * h * static_cast<double>(m.ffn);
    }
    const double experts = static_cast<double>(m.moe.experts + m.moe.shared_experts);
    return h * static_cast<double>(m.moe.experts) + experts * m.mlp_matrices() * h * static_cast<double>(m.moe.ffn);
}

double active_mlp_parameters(const TransformerConfig& m, bool moe_layer) {
    const double h = static_cast<double>(m.hidden);
    if (!moe_layer) {
        return mlp_parameters(m, false);
    }
    const double experts = static_cast<double>(m.moe.top_k + m.moe.shared_experts);
    return h * static_cast<double>(m.moe.experts) + experts * m.mlp_matrices() * h * static_cast<double>(m.moe.ffn);
}

double mlp_parameters(const TransformerConfig& m) {
    return mlp_parameters(m, m.is_moe());
}

double active_mlp_parameters(const TransformerConfig& m) {
    return active_mlp_parameters(m, m.is_moe());
}

double norm_parameters(const TransformerConfig& m) {
    const double latents = m.is_mla() ? static_cast<double>(m.mla.q_lora_rank + m.mla.kv_lora_rank) : 0.0;
    return 2.0 * static_cast<double>(m.hidden) + latents;
}

double layer_parameters(const TransformerConfig& m, LayerKind k) {
    return attention_parameters(m) + mlp_parameters(m, k.moe) + norm_parameters(m);
}

double embedding_parameters(const TransformerConfig& m) {
    return static_cast<double>(m.vocab) * static_cast<double>(m.hidden);
}

double output_parameters(const TransformerConfig& m) {
    return m.tied_embeddings ? 0.0 : embedding_parameters(m);
}

double mtp_parameters(const TransformerConfig& m) {
    const double h = static_cast<double>(m.hidden);
    double p = 0.0;
    for (std::int64_t k = 0; k < m.mtp_depth; ++k) {
        p += 2.0 * h * h + 3.0 * h + layer_parameters(m, layer_kind(m, m.layers + k));
    }
    return p;
}

double total_parameters(const TransformerConfig& m) {
    double p = embedding_parameters(m) + output_parameters(m) + static_cast<double>(m.hidden) + mtp_parameters(m);
    for (std::int64_t i = 0; i < m.layers; ++i) {
        p += layer_parameters(m, layer_kind(m, i));
    }
    return p;
}

double active_parameters(const TransformerConfig& m) {
    // The output layer's weights (the embedding's when tied) are what the logits multiply.
    double p = embedding_parameters(m) + static_cast<double>(m.hidden);
    for (std::int64_t i = 0; i < m.layers; ++i) {
        p += attention_parameters(m) + active_mlp_parameters(m, layer_kind(m, i).moe) + norm_parameters(m);
    }
    return p;
}

double attention_keys_per_query(const TransformerConfig& m, bool local, bool causal) {
    const double s = static_cast<double>(m.seq);
    if (!local) {
        return causal ? s / 2.0 : s;
    }
    const double w = static_cast<double>(m.sliding.window);
    if (!causal) {
        return std::min(s, w);
    }
    return s <= w ? s / 2.0 : w - w * w / (2.0 * s);
}

double attention_flops_per_query(const TransformerConfig& m, bool local, bool causal) {
    return 2.0 * attention_keys_per_query(m, local, causal) * static_cast<double>(m.heads) *
           static_cast<double>(m.qk_head_dim() + m.v_head_dim());
}

ForwardFlops forward_flops_per_token(const TransformerConfig& m, bool causal) {
    const double h = static_cast<double>(m.hidden);
    ForwardFlops f;
    const double attn_gemm = 2.0 * attention_parameters(m);
    for (std::int64_t i = 0; i < m.layers; ++i) {
        const LayerKind k = layer_kind(m, i);
        f.gemm += attn_gemm + 2.0 * active_mlp_parameters(m, k.moe);
        f.attention += attention_flops_per_query(m, k.local, causal);
    }
    f.logits = 2.0 * static_cast<double>(m.vocab) * h;
    for (std::int64_t d = 0; d < m.mtp_depth; ++d) {
        const LayerKind k = layer_kind(m, m.layers + d);
        f.mtp += 2.0 * 2.0 * h * h + attn_gemm + 2.0 * active_mlp_parameters(m, k.moe) +
                 attention_flops_per_query(m, k.local, causal) + f.logits;
    }
    return f;
}

std::vector<GemmShape> attention_gemms(const TransformerConfig& m, int tp) {
    const double t = tp;
    const double h = static_cast<double>(m.hidden);
    const double a = static_cast<double>(m.heads);
    std::vector<GemmShape> out;
    if (!m.is_mla()) {
        const double d = static_cast<double>(m.head_dim());
        const double g = static_cast<double>(m.kv_heads);
        out.push_back({"qkv", (a + 2.0 * g) * d / t, h});
        out.push_back({"proj", h, a * d / t});
        return out;
    }
    const double rq = static_cast<double>(m.mla.q_lora_rank);
    const double dc = static_cast<double>(m.mla.kv_lora_rank);
    const double dr = static_cast<double>(m.mla.qk_rope_head_dim);
    const double dn = static_cast<double>(m.mla.qk_nope_head_dim);
    const double dv = static_cast<double>(m.mla.v_head_dim);
    if (m.mla.q_lora_rank > 0) {
        out.push_back({"q_down", rq, h});
        out.push_back({"q_up", a * (dn + dr) / t, rq});
    } else {
        out.push_back({"q", a * (dn + dr) / t, h});
    }
    out.push_back({"kv_down", dc + dr, h});
    out.push_back({"kv_up", a * (dn + dv) / t, dc});
    out.push_back({"proj", h, a * dv / t});
    return out;
}

double kv_elements_per_token(const TransformerConfig& m, int tp) {
    if (m.is_mla()) {
        return static_cast<double>(m.mla.kv_lora_rank + m.mla.qk_rope_head_dim);
    }
    const double heads_per_rank = std::max(1.0, static_cast<double>(m.kv_heads) / tp);
    return 2.0 * heads_per_rank * static_cast<double>(m.head_dim());
}

double kv_cache_bytes_per_token(const TransformerConfig& m, double bytes_per_element) {
    return static_cast<double>(m.layers) * kv_elements_per_token(m) * bytes_per_element;
}

double kv_cache_bytes(const TransformerConfig& m, double tokens, double bytes_per_element, int tp) {
    double held = 0.0; // token-layers held
    for (std::int64_t i = 0; i < m.layers; ++i) {
        held += layer_kind(m, i).local ? std::min(tokens, static_cast<double>(m.sliding.window)) : tokens;
    }
    return held * kv_elements_per_token(m, tp) * bytes_per_element;
}

std::vector<std::string> transformer_presets() {
    std::vector<std::string> out;
    for (const auto& [k, v] : presets()) {
        out.push_back(k);
    }
    return out;
}

TransformerConfig read_transformer_config(Object model) {
    TransformerConfig c;
    bool from_preset = false;
    if (auto p = model.find("preset")) {
        const std::string name = p->as_string();
        const auto it = presets().find(name);
        if (it == presets().end()) {
            std::string list;
            for (const auto& n : transformer_presets()) {
                list += (list.empty() ? "" : ", ") + n;
            }
            p->fail(fmt::format("unknown model preset \"{}\": expected one of {}", name, list));
        }
        c = it->second;
        from_preset = true;
    }
    // Required without a preset, optional overrides with one.
    const auto size_key = [&](const char* key, std::int64_t& out) {
        if (from_preset) {
            if (auto v = model.find(key)) {
                out = read_size(*v);
            }
        } else {
            out = read_size(model.at(key));
        }
    };
    size_key("layers", c.layers);
    size_key("hidden", c.hidden);
    size_key("heads", c.heads);
    size_key("vocab", c.vocab);
    size_key("seq_length", c.seq);
    if (auto v = model.find("name")) {
        c.name = v->as_string();
    } else if (!from_preset) {
        c.name = fmt::format("transformer l{} h{}", c.layers, c.hidden);
    }
    if (auto v = model.find("kv_heads")) {
        c.kv_heads = read_size(*v);
    } else if (!from_preset) {
        c.kv_heads = c.heads;
    }
    if (auto v = model.find("ffn")) {
        c.ffn = read_size(*v);
    } else if (!from_preset) {
        c.ffn = 4 * c.hidden;
    }
    if (auto v = model.find("activation")) {
        c.gated_mlp = v->as_choice({"gelu", "swiglu"}) == "swiglu";
    }
    if (auto v = model.find("tied_embeddings")) {
        c.tied_embeddings = v->as_bool();
    }
    if (auto v = model.find("head_dim")) {
        c.head_size = read_size(*v);
    }
    if (auto v = model.find("mla")) {
        c.mla = read_mla(v->as_object());
    }
    if (c.hidden % c.heads != 0 && c.head_size == 0 && !c.is_mla()) {
        model.fail_at("heads",
                      fmt::format("heads ({}) must divide hidden ({}) unless head_dim is given", c.heads, c.hidden));
    }
    if (c.kv_heads > c.heads || c.heads % c.kv_heads != 0) {
        model.fail_at("kv_heads", fmt::format("kv_heads ({}) must divide heads ({})", c.kv_heads, c.heads));
    }
    if (auto v = model.find("moe")) {
        Object moe = v->as_object();
        c.moe.experts = read_size(moe.at("experts"));
        c.moe.top_k = read_size(moe.at("top_k"));
        c.moe.shared_experts = 0;
        if (auto s = moe.find("shared_experts")) {
            c.moe.shared_experts = s->as_integer(0, 1 << 20);
        }
        c.moe.ffn = c.ffn;
        if (auto f = moe.find("ffn")) {
            c.moe.ffn = read_size(*f);
        }
        if (c.moe.top_k > c.moe.experts) {
            moe.fail_at("top_k", fmt::format("top_k ({}) must not exceed experts ({})", c.moe.top_k, c.moe.experts));
        }
        c.moe.first_dense_layers = 0;
        if (auto f = moe.find("first_dense_layers")) {
            c.moe.first_dense_layers = f->as_integer(0, std::int64_t{1} << 40);
            if (c.moe.first_dense_layers >= c.layers) {
                f->fail(fmt::format("first_dense_layers ({}) leaves no MoE layer among the {} layers",
                                    c.moe.first_dense_layers, c.layers));
            }
        }
        c.moe.layer_freq = 1;
        if (auto f = moe.find("layer_freq")) {
            c.moe.layer_freq = read_size(*f);
        }
        moe.finish();
    }
    if (auto v = model.find("sliding_window")) {
        Object sw = v->as_object();
        c.sliding.window = read_size(sw.at("window"));
        c.sliding.global_every = 0;
        if (auto g = sw.find("global_every")) {
            c.sliding.global_every = g->as_integer(0, std::int64_t{1} << 40);
        }
        sw.finish();
    }
    if (auto v = model.find("mtp_layers")) {
        c.mtp_depth = v->as_integer(0, 1 << 10);
    }
    model.finish();
    return c;
}

} // namespace twin::models
