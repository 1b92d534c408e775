// Rank order of the training layout: which parallel dimension varies fastest with the rank
// (internal to the training generator; equations and sources at the top of llm_training_layout.cpp).
#pragma once

#include "twin/models/llm_training.hpp"

#include <array>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace twin::models::detail {

// The dimensions of the rank grid. Dp here is the data-parallel part outside expert parallelism
// (size dp/ep): the data-parallel family is {Ep, Dp}, the expert-data-parallel one {Dp}.
enum class Dim { Tp, Cp, Ep, Dp, Pp };

// Reads "order" of the parallelism object (default "tp-cp-ep-dp-pp") and sets p.order to the
// checked order with every dimension named once (tp, pp, dp, cp and ep already read).
void read_rank_order(Object& par, TrainingParallelism& p);

class RankLayout {
public:
    explicit RankLayout(const TrainingParallelism& p);

    [[nodiscard]] int ranks() const { return ranks_; }
    [[nodiscard]] int size(Dim d) const { return size_[index(d)]; }
    [[nodiscard]] int stride(Dim d) const { return stride_[index(d)]; }
    [[nodiscard]] int coordinate(int rank, Dim d) const { return rank / stride(d) % size(d); }
    // The ranks of pipeline stage s as ranges [first, last] of consecutive ranks, ascending.
    [[nodiscard]] std::vector<std::pair<int, int>> stage_ranges(int stage) const;
    // A trace group family whose communicators are the ranks that differ only in `dims`:
    // {"size", "stride"} when those dimensions are adjacent in the order (sizes 1 skipped), else
    // {"members": [...]}, each communicator ascending, communicators by their lowest rank.
    [[nodiscard]] nlohmann::json family(std::initializer_list<Dim> dims) const;

private:
    static std::size_t index(Dim d) { return static_cast<std::size_t>(d); }
    std::vector<Dim> order_; // fastest first
    std::array<int, 5> size_{};
    std::array<int, 5> stride_{};
    int ranks_ = 1;
};

// The trace's group families: "tp", "cp", "dp", "pp", "ep", "dpcp" (cp > 1) where their size is > 1,
// "edp" when `expert_groups` (routed experts replicated over dp/ep > 1 replicas) and "emb" when
// `tied` (tied embeddings, pp > 1: rank r of the first stage with r + (pp − 1)·σ_pp of the last).
[[nodiscard]] nlohmann::json training_groups(const TrainingConfig& c, const RankLayout& layout, bool expert_groups,
                                             bool tied);

} // namespace twin::models::detail
