// Partial folding: blocks of replicas grouped by their GPUs' speeds (models/fold.hpp, "Partial
// folding"). A block's signature is the speed (cluster.gpu_speed, set by the scenario's
// "stragglers") of every GPU at block 0's rank positions, in rank order; blocks with the same
// signature fold onto the first of them. Cost: one pass over the simulated ranks per block
// (O(ranks)), and a map of the distinct signatures.
#include "twin/models/fold.hpp"

#include <fmt/format.h>
#include <map>

namespace twin::models {

void group_blocks(Fold& fold, const Trace& trace, const topology::Cluster& cluster) {
    const auto n = static_cast<std::size_t>(trace.ranks);
    const auto blocks = static_cast<std::size_t>(fold.blocks);
    std::vector<int> base; // the simulated ranks of block 0, in rank order
    for (std::size_t k = 0; k < n; ++k) {
        if (fold.simulated[k] != 0) {
            base.push_back(static_cast<int>(k));
        }
    }
    fold.stand_in.assign(blocks, 0);
    fold.images.assign(blocks, {});
    std::map<std::vector<double>, std::int32_t> first_of; // signature -> its first block
    std::vector<double> signature;
    for (std::size_t m = 0; m < blocks; ++m) {
        signature.clear();
        for (int k : base) {
            signature.push_back(cluster.gpu_speed(fold.image(trace, k, static_cast<int>(m))));
        }
        const auto [it, fresh] = first_of.try_emplace(signature, static_cast<std::int32_t>(m));
        fold.stand_in[m] = it->second;
        if (!fresh) {
            fold.images[static_cast<std::size_t>(it->second)].push_back(static_cast<std::int32_t>(m));
        }
    }
    fold.simulated_blocks = static_cast<int>(first_of.size());
    if (fold.simulated_blocks == fold.blocks && fold.blocks > 1) {
        fold.stand_in.clear();
        fold.images.clear();
        fold.reason = fmt::format("every one of the {} replica blocks has stragglers of its own", fold.blocks);
        return;
    }
    fold.weight.assign(n, 0);
    for (int k : base) {
        for (std::size_t m = 0; m < blocks; ++m) {
            if (fold.stand_in[m] == static_cast<std::int32_t>(m)) {
                const int r = fold.image(trace, k, static_cast<int>(m));
                fold.simulated[static_cast<std::size_t>(r)] = 1;
                fold.weight[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(1 + fold.images[m].size());
            }
        }
    }
}

} // namespace twin::models
