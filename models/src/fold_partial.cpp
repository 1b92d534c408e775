// Partial folding: blocks of replicas grouped by their GPUs' speeds (models/fold.hpp, "Partial
// folding"). Two equivalences, tried in this order:
//
// 1. Exact. A block's signature is the speed (cluster.gpu_speed, set by the scenario's
//    "stragglers") of every GPU at block 0's rank positions, in rank order; blocks with the same
//    signature fold onto the first of them. The images then do exactly what their stand-in does.
//    Used when it leaves at most `max_exact_groups` groups (kExactGroupCap = 16 by default).
//
// 2. Slowest synchronisation class, when exact grouping leaves more groups than that (1 % of the
//    GPUs straggling on 160-GPU replicas makes nearly every replica its own group: 0.99^160 = 20 %
//    of them have no straggler and the rest have theirs at their own places). Synchronisation
//    classes partition block 0's rank positions: union-find merges the members of every
//    communicator of each family that (a) a collective op of the trace uses and (b) is internal to
//    a block (fold.spanning == 0): tensor, expert and context parallelism, not pipeline
//    parallelism (send/recv only) nor the folded family. Classes are numbered by their first
//    position in rank order. Ranks of a class meet at every collective of those families, which
//    starts when its last member arrives, so a compute op of time t on a GPU of speed s delays the
//    whole class by t (1/s - 1) whichever member is slow (to first order: the class waits for its
//    slowest member, and a second slow member of the same class adds nothing). For an LLM trace the
//    classes are the pipeline stages. The coarse key of a block is (the class holding its slowest
//    GPU, lowest class on ties; that speed); blocks without a straggler share the key "none".
//    Each group is stood for by its member with the largest delay
//        D(m) = sum over classes c of (1 / min speed in c of block m - 1)   (dimensionless),
//    ties broken by the larger sum over GPUs of (1/s_k - 1), then by the lower block. So the
//    globally slowest replica (the one the synchronous data-parallel collective waits for) is
//    simulated itself to first order, and every group is stood for by its slowest member.
//    Error: members of a group differ only in stragglers outside the class of their slowest one
//    (or in it, which adds nothing to first order). In a 1F1B pipeline of p stages and m
//    micro-batches a replica's critical path is about (m + p - 1) stage slots; a slow stage that
//    does not set the slot adds about (1/s - 1) t_stage once, i.e. a fraction (1/s - 1) / (m + p - 1)
//    of the replica's step (0.11 / 20 = 0.6 % at s = 0.9 even with m + p - 1 as small as 20), and it
//    moves the step only if it changes which replica is slowest. Per-GPU figures (compute time,
//    energy) of an image are those of its stand-in, which has at least the image's delay: they
//    err on the slow side by at most the stragglers the stand-in has and the image has not.
//    tests/cli/partial_fold_test.cpp checks the step against --no-fold within 1 %.
//
// Cost: one pass over block 0's ranks per block (O(ranks)), a map of the distinct keys, and
// union-find over block 0's ranks per communicator member (O(ranks in block 0 x families)).
#include "twin/models/fold.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <numeric>

namespace twin::models {
namespace {

using Index = std::size_t;

Index ix(int v) {
    return static_cast<Index>(v);
}

void mark_collective_families(const Block& block, std::vector<std::uint8_t>& used) {
    for (const Step& s : block.body) {
        if (const auto* b = std::get_if<Block>(&s)) {
            mark_collective_families(*b, used);
        } else if (const Op& op = std::get<Op>(s); op.kind == Op::Kind::Collective) {
            used[ix(op.collective.family)] = 1;
        }
    }
}

int root(std::vector<int>& parent, int a) {
    while (parent[ix(a)] != a) {
        parent[ix(a)] = parent[ix(parent[ix(a)])];
        a = parent[ix(a)];
    }
    return a;
}

// Per groups of exact signatures (first block of each, block order): stand_in per block.
std::vector<std::int32_t> exact_groups(const Fold& fold, const Trace& trace, const topology::Cluster& cluster,
                                       const std::vector<int>& base) {
    std::vector<std::int32_t> stand_in(ix(fold.blocks), 0);
    std::map<std::vector<double>, std::int32_t> first_of; // signature -> its first block
    std::vector<double> signature;
    for (int m = 0; m < fold.blocks; ++m) {
        signature.clear();
        for (int k : base) {
            signature.push_back(cluster.gpu_speed(fold.image(trace, k, m)));
        }
        stand_in[ix(m)] = first_of.try_emplace(signature, m).first->second;
    }
    return stand_in;
}

// Coarse groups (slowest synchronisation class, above): stand_in per block.
std::vector<std::int32_t> class_groups(const Fold& fold, const Trace& trace, const topology::Cluster& cluster,
                                       const std::vector<int>& base) {
    const auto cls = sync_classes(fold, trace, base);
    const int classes = cls.empty() ? 0 : *std::max_element(cls.begin(), cls.end()) + 1;
    struct Best {
        double delay = -1.0;
        double gpu_delay = -1.0;
        std::int32_t block = 0;
    };
    std::map<std::pair<int, double>, Best> best; // key -> its slowest member so far
    std::vector<std::pair<int, double>> key_of(ix(fold.blocks));
    std::vector<double> slowest(ix(classes));
    for (int m = 0; m < fold.blocks; ++m) {
        std::fill(slowest.begin(), slowest.end(), 1.0);
        double gpu_delay = 0.0;
        for (std::size_t i = 0; i < base.size(); ++i) {
            const double s = cluster.gpu_speed(fold.image(trace, base[i], m));
            slowest[ix(cls[i])] = std::min(slowest[ix(cls[i])], s);
            gpu_delay += 1.0 / s - 1.0;
        }
        std::pair<int, double> key{-1, 1.0}; // no straggler
        double delay = 0.0;
        for (int c = 0; c < classes; ++c) {
            delay += 1.0 / slowest[ix(c)] - 1.0;
            if (slowest[ix(c)] < key.second) {
                key = {c, slowest[ix(c)]};
            }
        }
        key_of[ix(m)] = key;
        auto& b = best[key];
        if (delay > b.delay || (delay == b.delay && gpu_delay > b.gpu_delay)) {
            b = Best{delay, gpu_delay, m};
        }
    }
    std::vector<std::int32_t> stand_in(ix(fold.blocks));
    for (int m = 0; m < fold.blocks; ++m) {
        stand_in[ix(m)] = best[key_of[ix(m)]].block;
    }
    return stand_in;
}

} // namespace

std::vector<int> sync_classes(const Fold& fold, const Trace& trace, const std::vector<int>& base) {
    std::vector<std::uint8_t> used(trace.groups.size(), 0);
    for (const auto& c : trace.classes) {
        mark_collective_families(c.program, used);
    }
    std::vector<int> index(ix(trace.ranks), -1); // rank -> its index in base
    for (std::size_t i = 0; i < base.size(); ++i) {
        index[ix(base[i])] = static_cast<int>(i);
    }
    std::vector<int> parent(base.size());
    std::iota(parent.begin(), parent.end(), 0);
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        if (used[g] == 0 || fold.spanning[g] != 0) {
            continue;
        }
        for (const auto& comm : trace.groups[g].communicators) {
            const int first = index[ix(comm.front())];
            if (first < 0) {
                continue; // internal: in another block
            }
            for (int r : comm) {
                if (index[ix(r)] < 0) {
                    continue; // not in block 0 (an internal communicator has none such)
                }
                const int a = root(parent, first);
                const int b = root(parent, index[ix(r)]);
                parent[ix(std::max(a, b))] = std::min(a, b); // the root is the class's first position
            }
        }
    }
    std::vector<int> cls(base.size());
    std::vector<int> number(base.size(), -1);
    int classes = 0;
    for (std::size_t i = 0; i < base.size(); ++i) {
        auto& n = number[ix(root(parent, static_cast<int>(i)))];
        if (n < 0) {
            n = classes++;
        }
        cls[i] = n;
    }
    return cls;
}

void group_blocks(Fold& fold, const Trace& trace, const topology::Cluster& cluster, int max_exact_groups) {
    const auto n = static_cast<std::size_t>(trace.ranks);
    const auto blocks = static_cast<std::size_t>(fold.blocks);
    std::vector<int> base; // the ranks of block 0 with a program slot (simulated before grouping), in rank order
    for (std::size_t k = 0; k < n; ++k) {
        if (fold.simulated[k] != 0) {
            base.push_back(static_cast<int>(k));
        }
    }
    const auto count_groups = [&](const std::vector<std::int32_t>& stand_in) {
        int groups = 0;
        for (std::size_t m = 0; m < blocks; ++m) {
            groups += stand_in[m] == static_cast<std::int32_t>(m) ? 1 : 0;
        }
        return groups;
    };
    fold.stand_in = exact_groups(fold, trace, cluster, base);
    fold.grouping = "exact";
    fold.simulated_blocks = count_groups(fold.stand_in);
    if (fold.simulated_blocks > max_exact_groups) {
        fold.stand_in = class_groups(fold, trace, cluster, base);
        fold.grouping = "slowest synchronisation class";
        fold.simulated_blocks = count_groups(fold.stand_in);
    }
    if (fold.simulated_blocks == fold.blocks && fold.blocks > 1) {
        fold.stand_in.clear();
        fold.reason = fmt::format("every one of the {} replica blocks has stragglers of its own", fold.blocks);
        return;
    }
    fold.images.assign(blocks, {});
    for (std::size_t m = 0; m < blocks; ++m) {
        if (fold.stand_in[m] != static_cast<std::int32_t>(m)) {
            fold.images[ix(fold.stand_in[m])].push_back(static_cast<std::int32_t>(m));
        }
    }
    // The stand-ins' ranks are simulated (block 0's only if it stands for its group).
    fold.weight.assign(n, 0);
    for (int k : base) {
        fold.simulated[ix(k)] = 0;
    }
    for (int k : base) {
        for (std::size_t m = 0; m < blocks; ++m) {
            if (fold.stand_in[m] == static_cast<std::int32_t>(m)) {
                const int r = fold.image(trace, k, static_cast<int>(m));
                fold.simulated[ix(r)] = 1;
                fold.weight[ix(r)] = static_cast<std::int32_t>(1 + fold.images[m].size());
            }
        }
    }
}

} // namespace twin::models
