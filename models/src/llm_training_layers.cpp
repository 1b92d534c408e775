// Layers of each kind per pipeline stage and model chunk. Layer order: llm_training_layers.hpp.
#include "llm_training_layers.hpp"

namespace twin::models::detail {
namespace {

// Adds `n` layers of `kind` to `out`, keeping kinds in order of first appearance.
void add(std::vector<KindCount>& out, LayerKind kind, std::int64_t n) {
    for (auto& k : out) {
        if (k.kind == kind) {
            k.layers += n;
            return;
        }
    }
    out.push_back({kind, n});
}

std::vector<KindCount> kinds_of(const TransformerConfig& m, std::int64_t first, std::int64_t count) {
    std::vector<KindCount> out;
    for (std::int64_t i = first; i < first + count; ++i) {
        add(out, layer_kind(m, i), 1);
    }
    return out;
}

} // namespace

std::vector<KindCount> chunk_layer_kinds(const TrainingConfig& c, int stage, int chunk) {
    return kinds_of(c.model, c.chunk_first_layer(stage, chunk), c.chunk_layers(stage, chunk));
}

std::vector<KindCount> stage_layer_kinds(const TrainingConfig& c, int stage) {
    std::vector<KindCount> out;
    for (int chunk = 0; chunk < c.par.virtual_stages; ++chunk) {
        for (const auto& k : chunk_layer_kinds(c, stage, chunk)) {
            add(out, k.kind, k.layers);
        }
    }
    return out;
}

std::vector<KindCount> model_layer_kinds(const TransformerConfig& m) {
    return kinds_of(m, 0, m.layers);
}

double mtp_parameters_per_gpu(const TrainingConfig& c) {
    const auto& m = c.model;
    const double h = static_cast<double>(m.hidden);
    double p = 0.0;
    for (std::int64_t k = 0; k < m.mtp_depth; ++k) {
        p += 2.0 * h * h / c.par.tp + 3.0 * h + layer_parameters_per_gpu(c, layer_kind(m, m.layers + k));
    }
    return p;
}

double mtp_expert_parameters_per_gpu(const TrainingConfig& c) {
    const auto& m = c.model;
    double p = 0.0;
    for (std::int64_t k = 0; k < m.mtp_depth; ++k) {
        p += expert_parameters_per_gpu(c, layer_kind(m, m.layers + k));
    }
    return p;
}

double stage_layer_parameters_per_gpu(const TrainingConfig& c, int stage) {
    double p = stage == c.par.pp - 1 ? mtp_parameters_per_gpu(c) : 0.0;
    for (const auto& k : stage_layer_kinds(c, stage)) {
        p += layer_parameters_per_gpu(c, k.kind) * static_cast<double>(k.layers);
    }
    return p;
}

double stage_expert_parameters_per_gpu(const TrainingConfig& c, int stage) {
    double p = stage == c.par.pp - 1 ? mtp_expert_parameters_per_gpu(c) : 0.0;
    for (const auto& k : stage_layer_kinds(c, stage)) {
        p += expert_parameters_per_gpu(c, k.kind) * static_cast<double>(k.layers);
    }
    return p;
}

LayerKind representative_kind(const TransformerConfig& m) {
    for (std::int64_t i = 0; i < m.layers; ++i) {
        if (layer_kind(m, i).moe) {
            return layer_kind(m, i);
        }
    }
    return layer_kind(m, 0);
}

} // namespace twin::models::detail
