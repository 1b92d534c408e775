// The groups of a partially folded run (see fold_summary.hpp).
#include "fold_summary.hpp"

#include <algorithm>

namespace twin::sim {

std::vector<report::FoldGroup> fold_groups(const models::Trace& trace, const models::Fold& fold,
                                           const topology::Cluster& cluster) {
    std::vector<report::FoldGroup> groups;
    if (!fold.active || (fold.simulated_blocks <= 1 && fold.stand_in.front() == 0)) {
        return groups;
    }
    std::vector<std::size_t> index(static_cast<std::size_t>(fold.blocks), 0); // block -> its group
    for (int m = 0; m < fold.blocks; ++m) {
        if (fold.stand_in[static_cast<std::size_t>(m)] == m) {
            index[static_cast<std::size_t>(m)] = groups.size();
            report::FoldGroup g;
            g.first_replica = m * fold.block; // the largest communicators' replicas (Fold::block)
            g.last_replica = (m + 1) * fold.block - 1;
            g.blocks = 1 + static_cast<int>(fold.images[static_cast<std::size_t>(m)].size());
            groups.push_back(g);
        }
    }
    for (int r = 0; r < trace.ranks; ++r) {
        if (fold.simulated[static_cast<std::size_t>(r)] == 0 || cluster.gpu_speed(r) >= 1.0) {
            continue;
        }
        auto& g = groups[index[static_cast<std::size_t>(fold.block_of(trace, r))]];
        ++g.stragglers;
        g.slowest_speed = std::min(g.slowest_speed, cluster.gpu_speed(r));
    }
    return groups;
}

} // namespace twin::sim
