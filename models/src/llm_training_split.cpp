// How the transformer layers are split over pipeline stages and model chunks (virtual stages).
//
// Stage s of p holds v model chunks; chunk c of stage s is virtual stage c·p + s, and the model's
// layers go to the virtual stages in that order (Megatron-LM's interleaved assignment: with 8 layers,
// p = 2, v = 2, stage 0 holds [0, 1] and [4, 5]). n(s, c) = layers of chunk c of stage s:
//   even:      n = L / (p·v)                                  (p·v must divide L)
//   uneven:    "pipeline_layers" [L_0 .. L_{p−1}] or Megatron's --decoder-first/last-pipeline-num-layers
//              ("first_stage_layers" F, "last_stage_layers" E, the rest split evenly over the other
//              stages); every stage's count a multiple of v, n(s, c) = L_s / v
//   accounted: Megatron's --account-for-embedding-in-pipeline-split / --account-for-loss-in-pipeline-split
//              count the embedding (loss) as one layer each: L' = L + a_e + a_l must split evenly,
//              n = L' / (p·v) per chunk, then the first chunk of stage 0 builds n − a_e layers and the
//              last chunk of stage p − 1 builds n − a_l (≥ 0 each; a chunk may hold no transformer
//              layer, only the embedding or the loss). Llama 3 405B: 126 + 2 = 128 = 16·8 with p = 16,
//              v = 8: one layer per chunk, none in stage 0's first chunk or stage 15's last.
//   --num-layers-per-virtual-pipeline-stage ("layers_per_virtual_stage" k): v = L' / p / k (k must
//              divide L' / p), instead of "virtual_stages"; not with the uneven first/last stages.
// Source: Megatron-LM (2026-08) megatron/core/transformer/transformer_block.py get_num_layers_to_build
// and megatron/training/arguments.py (validate_args: the same divisibility checks; the accounting is
// refused with uneven first/last stages).
#include "llm_training_split.hpp"

#include <fmt/format.h>

namespace twin::models::detail {
namespace {

// Stage layer counts without accounting (the checks of the former read_stage_layers).
std::vector<std::int64_t> uneven_stages(Object& par, const TrainingParallelism& p, std::int64_t layers,
                                        std::optional<Value>& list, std::optional<Value>& first,
                                        std::optional<Value>& last) {
    const int v = p.virtual_stages;
    std::vector<std::int64_t> out;
    const auto check_chunks = [&](const Value& at, std::int64_t n, int stage) {
        if (n % v != 0) {
            at.fail(fmt::format("stage {} has {} layers, not a multiple of virtual_stages ({})", stage, n, v));
        }
    };
    if (list) {
        const Array a = list->as_array();
        if (a.size() != static_cast<std::size_t>(p.pp)) {
            list->fail(fmt::format("{} stage layer counts for pp = {}", a.size(), p.pp));
        }
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const Value item = a.at(i);
            out.push_back(item.as_integer(1, layers));
            check_chunks(item, out.back(), static_cast<int>(i));
            sum += out.back();
        }
        if (sum != layers) {
            list->fail(fmt::format("the stage layer counts add up to {}, but the model has {} layers", sum, layers));
        }
        return out;
    }
    if (p.pp < 2) {
        par.fail_at(first ? "first_stage_layers" : "last_stage_layers", "uneven pipeline stages need pp >= 2");
    }
    const std::int64_t f = first ? first->as_integer(1, layers) : 0;
    const std::int64_t l = last ? last->as_integer(1, layers) : 0;
    const int middle = p.pp - (first ? 1 : 0) - (last ? 1 : 0);
    const std::int64_t rest = layers - f - l;
    const Value& at = last ? *last : *first;
    if (rest < middle || (middle == 0 && rest != 0) || (middle > 0 && rest % middle != 0)) {
        at.fail(fmt::format("{} layers are left for the other {} stage(s) after first_stage_layers ({}) and "
                            "last_stage_layers ({}); they must split evenly, at least one layer each",
                            rest, middle, f, l));
    }
    for (int s = 0; s < p.pp; ++s) {
        out.push_back(s == 0 && first ? f : s == p.pp - 1 && last ? l : rest / middle);
        check_chunks(s == 0 && first ? *first : at, out.back(), s);
    }
    return out;
}

bool read_flag(Object& par, const char* key) {
    auto v = par.find(key);
    return v && v->as_bool();
}

} // namespace

void read_pipeline_split(Object& par, TrainingParallelism& p, std::int64_t layers) {
    auto list = par.find("pipeline_layers");
    auto first = par.find("first_stage_layers");
    auto last = par.find("last_stage_layers");
    auto vs = par.find("virtual_stages");
    auto per_chunk = par.find("layers_per_virtual_stage");
    p.embedding_in_split = read_flag(par, "account_for_embedding_in_pipeline_split");
    p.loss_in_split = read_flag(par, "account_for_loss_in_pipeline_split");
    const bool accounted = p.embedding_in_split || p.loss_in_split;
    if (list && (first || last)) {
        par.fail_at(first ? "first_stage_layers" : "last_stage_layers",
                    "give either pipeline_layers or first_stage_layers/last_stage_layers, not both");
    }
    if (accounted && (list || first || last)) {
        par.fail_at(p.embedding_in_split ? "account_for_embedding_in_pipeline_split"
                                         : "account_for_loss_in_pipeline_split",
                    "the embedding/loss accounting needs an even split (Megatron-LM refuses it with uneven "
                    "first/last stages); leave out pipeline_layers, first_stage_layers and last_stage_layers");
    }
    if (vs && per_chunk) {
        par.fail_at("layers_per_virtual_stage", "give either virtual_stages or layers_per_virtual_stage, not both");
    }
    // L': the layers the split divides, the embedding and the loss counted as one layer each.
    const std::int64_t split = layers + (p.embedding_in_split ? 1 : 0) + (p.loss_in_split ? 1 : 0);
    if (vs) {
        p.virtual_stages = static_cast<int>(vs->as_integer(1, 1 << 10));
    }
    if (per_chunk) {
        const std::int64_t k = per_chunk->as_integer(1, layers);
        if (list || first || last) {
            per_chunk->fail("with uneven stages give virtual_stages (Megatron-LM: "
                            "--num-virtual-stages-per-pipeline-rank), not layers_per_virtual_stage");
        }
        if (split % p.pp != 0 || (split / p.pp) % k != 0) {
            per_chunk->fail(fmt::format("the layers per stage ({} / pp {}) must be a whole multiple of "
                                        "layers_per_virtual_stage ({})",
                                        split, p.pp, k));
        }
        p.virtual_stages = static_cast<int>(split / p.pp / k);
    }
    const Value* v_at = vs ? &*vs : per_chunk ? &*per_chunk : nullptr;
    if (v_at && p.schedule != PipelineSchedule::Interleaved && p.virtual_stages != 1) {
        v_at->fail("virtual_stages > 1 needs \"schedule\": \"interleaved\"");
    }
    const int v = p.virtual_stages;
    const auto pv = static_cast<std::size_t>(p.pp) * static_cast<std::size_t>(v);
    p.chunk_layers.assign(pv, 0);
    if (list || first || last) {
        p.stage_layers = uneven_stages(par, p, layers, list, first, last);
        for (int s = 0; s < p.pp; ++s) {
            for (int c = 0; c < v; ++c) {
                p.chunk_layers[static_cast<std::size_t>(s * v + c)] = p.stage_layers[static_cast<std::size_t>(s)] / v;
            }
        }
        return;
    }
    const std::int64_t chunks = static_cast<std::int64_t>(pv);
    if (split % chunks != 0) {
        par.fail_at(v > 1 ? "virtual_stages" : "pp",
                    fmt::format("pp·virtual_stages ({}·{}) must divide the model's layers ({}{}); uneven stages "
                                "need pipeline_layers or first_stage_layers/last_stage_layers",
                                p.pp, v, layers, accounted ? " plus the embedding/loss counted in the split" : ""));
    }
    std::fill(p.chunk_layers.begin(), p.chunk_layers.end(), split / chunks);
    // n ≥ 1, and with pp·v ≥ 2 the two reduced chunks differ (pp = v = 1: n = L + 2, less 2): ≥ 0.
    if (p.embedding_in_split) {
        p.chunk_layers.front() -= 1;
    }
    if (p.loss_in_split) {
        p.chunk_layers.back() -= 1;
    }
    p.stage_layers.assign(static_cast<std::size_t>(p.pp), 0);
    for (int s = 0; s < p.pp; ++s) {
        for (int c = 0; c < v; ++c) {
            p.stage_layers[static_cast<std::size_t>(s)] += p.chunk_layers[static_cast<std::size_t>(s * v + c)];
        }
    }
}

} // namespace twin::models::detail
