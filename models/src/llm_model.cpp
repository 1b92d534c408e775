// Transformer parameter/FLOP arithmetic and the "model" reader. Equations: llm_model.hpp.
#include "twin/models/llm_model.hpp"

#include <fmt/format.h>
#include <map>

namespace twin::models {
namespace {

// Bundled presets with their sources (llm_model.hpp lists them).
const std::map<std::string, TransformerConfig>& presets() {
    static const std::map<std::string, TransformerConfig> p = [] {
        std::map<std::string, TransformerConfig> m;
        // Brown et al., "Language Models are Few-Shot Learners", 2020, Table 2.1.
        m["gpt3-175b"] = {"GPT-3 175B", 96, 12288, 96, 96, 4 * 12288, 50257, 2048, false, true, {}};
        // Llama Team, "The Llama 3 Herd of Models", 2024, Table 3 (8B, 70B, 405B).
        m["llama3-8b"] = {"Llama-3 8B", 32, 4096, 32, 8, 14336, 128256, 8192, true, false, {}};
        m["llama3-70b"] = {"Llama-3 70B", 80, 8192, 64, 8, 28672, 128256, 8192, true, false, {}};
        m["llama3-405b"] = {"Llama-3 405B", 126, 16384, 128, 8, 53248, 128256, 8192, true, false, {}};
        // Assumed shape matching the quoted 1.8 T parameters of NVIDIA's GPT-MoE-1.8T (GTC 2024).
        m["gpt-1.8t-moe"] = {
            "GPT-MoE 1.8T", 120, 12288, 96, 96, 4 * 12288, 100256, 8192, false, false, MoeConfig{16, 2, 0, 3 * 12288}};
        return m;
    }();
    return p;
}

std::int64_t read_size(const Value& v) {
    return v.as_integer(1, std::int64_t{1} << 40);
}

} // namespace

double attention_parameters(const TransformerConfig& m) {
    const double h = static_cast<double>(m.hidden);
    return 2.0 * h * h + 2.0 * h * h * static_cast<double>(m.kv_heads) / static_cast<double>(m.heads);
}

double mlp_parameters(const TransformerConfig& m) {
    const double h = static_cast<double>(m.hidden);
    if (!m.is_moe()) {
        return m.mlp_matrices() * h * static_cast<double>(m.ffn);
    }
    const double experts = static_cast<double>(m.moe.experts + m.moe.shared_experts);
    return h * static_cast<double>(m.moe.experts) + experts * m.mlp_matrices() * h * static_cast<double>(m.moe.ffn);
}

double active_mlp_parameters(const TransformerConfig& m) {
    const double h = static_cast<double>(m.hidden);
    if (!m.is_moe()) {
        return mlp_parameters(m);
    }
    const double experts = static_cast<double>(m.moe.top_k + m.moe.shared_experts);
    return h * static_cast<double>(m.moe.experts) + experts * m.mlp_matrices() * h * static_cast<double>(m.moe.ffn);
}

double layer_parameters(const TransformerConfig& m) {
    return attention_parameters(m) + mlp_parameters(m) + 2.0 * static_cast<double>(m.hidden);
}

double embedding_parameters(const TransformerConfig& m) {
    return static_cast<double>(m.vocab) * static_cast<double>(m.hidden);
}

double output_parameters(const TransformerConfig& m) {
    return m.tied_embeddings ? 0.0 : embedding_parameters(m);
}

double total_parameters(const TransformerConfig& m) {
    return static_cast<double>(m.layers) * layer_parameters(m) + embedding_parameters(m) + output_parameters(m) +
           static_cast<double>(m.hidden);
}

double active_parameters(const TransformerConfig& m) {
    const double per_layer = attention_parameters(m) + active_mlp_parameters(m) + 2.0 * static_cast<double>(m.hidden);
    return static_cast<double>(m.layers) * per_layer + embedding_parameters(m) + output_parameters(m) +
           static_cast<double>(m.hidden);
}

ForwardFlops forward_flops_per_token(const TransformerConfig& m, bool causal) {
    const double h = static_cast<double>(m.hidden);
    ForwardFlops f;
    f.gemm_per_layer = 2.0 * (attention_parameters(m) + active_mlp_parameters(m));
    f.attention_per_layer = 4.0 * static_cast<double>(m.seq) * h * (causal ? 0.5 : 1.0);
    f.logits = 2.0 * static_cast<double>(m.vocab) * h;
    return f;
}

double kv_cache_bytes_per_token(const TransformerConfig& m, double bytes_per_element) {
    return 2.0 * static_cast<double>(m.layers) * static_cast<double>(m.kv_heads) * static_cast<double>(m.head_dim()) *
           bytes_per_element;
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
    if (c.hidden % c.heads != 0) {
        model.fail_at("heads", fmt::format("heads ({}) must divide hidden ({})", c.heads, c.hidden));
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
        moe.finish();
    }
    model.finish();
    return c;
}

} // namespace twin::models
