#include "twin/models/fold.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <numeric>
#include <set>
#include <tuple>

namespace twin::models {
namespace {

using Index = std::size_t;

Index ix(int v) {
    return static_cast<Index>(v);
}

int find_folded_family(const Trace& trace) {
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        if (trace.groups[g].name == "dp") {
            return static_cast<int>(g);
        }
    }
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        const auto it = trace.info.family_roles.find(trace.groups[g].name);
        if (it != trace.info.family_roles.end() && it->second == "dp") {
            return static_cast<int>(g);
        }
    }
    return -1;
}

// The distinct peers the transfers of a block name (peer specs, not resolved ranks).
void collect_peers(const Block& block, std::set<std::tuple<int, int, int>>& out) {
    for (const Step& s : block.body) {
        if (const auto* b = std::get_if<Block>(&s)) {
            collect_peers(*b, out);
            continue;
        }
        const Op& op = std::get<Op>(s);
        if (op.kind == Op::Kind::Send || op.kind == Op::Kind::Recv) {
            out.emplace(static_cast<int>(op.p2p.peer.kind), op.p2p.peer.value, op.p2p.peer.family);
        }
    }
}

// Classifies every family for the blocks `block` gives each rank (-1 outside F): 0 internal,
// 1 spanning; empty when some family is neither.
std::vector<std::uint8_t> classify(const Trace& trace, const std::vector<int>& block, int f, int blocks) {
    std::vector<std::uint8_t> kinds(trace.groups.size(), 0);
    std::vector<int> per_block(ix(blocks));
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        if (static_cast<int>(g) == f) {
            kinds[g] = 1;
            continue;
        }
        int internal = 0;
        int spanning = 0;
        for (const auto& comm : trace.groups[g].communicators) {
            std::fill(per_block.begin(), per_block.end(), 0);
            for (int rank : comm) {
                if (block[ix(rank)] < 0) {
                    return {};
                }
                ++per_block[ix(block[ix(rank)])];
            }
            const int first = block[ix(comm.front())];
            if (per_block[ix(first)] == static_cast<int>(comm.size())) {
                ++internal;
            } else if (std::all_of(per_block.begin(), per_block.end(), [&](int c) { return c == per_block[0]; })) {
                ++spanning;
            }
        }
        const int comms = static_cast<int>(trace.groups[g].communicators.size());
        if (internal == comms) {
            kinds[g] = 0;
        } else if (spanning == comms) {
            kinds[g] = 1;
        } else {
            return {};
        }
    }
    return kinds;
}

// A map that must stay a bijection between what it has seen (nodes, communicators).
class Correspondence {
public:
    explicit Correspondence(std::size_t n) : to_(n, -1), from_(n, -1) {}
    bool match(int a, int b) {
        if (to_[ix(a)] < 0 && from_[ix(b)] < 0) {
            to_[ix(a)] = b;
            from_[ix(b)] = a;
            touched_.push_back(a);
            return true;
        }
        return to_[ix(a)] == b;
    }
    void reset() {
        for (int a : touched_) {
            from_[ix(to_[ix(a)])] = -1;
            to_[ix(a)] = -1;
        }
        touched_.clear();
    }

private:
    std::vector<int> to_;
    std::vector<int> from_;
    std::vector<int> touched_;
};

// Why block 0's images in the other blocks do not preserve what the simulation looks at (the
// checks in fold.hpp), or "" when they do. `fold` has its family, blocks, spanning and simulated set.
std::string check_images(const Fold& fold, const Trace& trace, const topology::Cluster& cluster,
                         const std::vector<std::set<std::tuple<int, int, int>>>& peers) {
    Correspondence nodes(cluster.nodes().size());
    std::vector<Correspondence> comms;
    for (const auto& g : trace.groups) {
        comms.emplace_back(g.communicators.size());
    }
    // Listed once: scanning every rank for the simulated ones in each block cost blocks x ranks
    // (6 billion steps, 10 s, at a million GPUs).
    std::vector<int> simulated_ranks;
    for (int k = 0; k < trace.ranks; ++k) {
        if (fold.simulated[ix(k)] != 0) {
            simulated_ranks.push_back(k);
        }
    }
    for (int m = 1; m < fold.blocks; ++m) {
        nodes.reset();
        for (auto& c : comms) {
            c.reset();
        }
        for (const int k : simulated_ranks) {
            const int img = fold.image(trace, k, m);
            const int cls = trace.class_of_rank[ix(k)];
            if (trace.class_of_rank[ix(img)] != cls) {
                return fmt::format("rank {} and its image {} run different programs", k, img);
            }
            if (cluster.gpu_type(k).name != cluster.gpu_type(img).name) {
                return fmt::format("GPU {} and its image {} are of different types", k, img);
            }
            if (!nodes.match(cluster.node_of_gpu(k), cluster.node_of_gpu(img))) {
                return fmt::format("GPU {} and its image {} are placed differently in their nodes", k, img);
            }
            for (std::size_t g = 0; g < trace.groups.size(); ++g) {
                const auto& gf = trace.groups[g];
                const int ck = gf.comm_of_rank[ix(k)];
                const int ci = gf.comm_of_rank[ix(img)];
                if ((ck < 0) != (ci < 0)) {
                    return fmt::format("rank {} and its image {} differ in \"{}\" membership", k, img, gf.name);
                }
                if (ck < 0) {
                    continue;
                }
                const bool ok = fold.spanning[g] == 1 ? ck == ci
                                                      : comms[g].match(ck, ci) &&
                                                            gf.position_of_rank[ix(k)] == gf.position_of_rank[ix(img)];
                if (!ok) {
                    return fmt::format("the \"{}\" communicators of rank {} and its image {} do not correspond",
                                       gf.name, k, img);
                }
            }
            if (cls < 0) {
                continue;
            }
            for (const auto& [kind, value, family] : peers[ix(cls)]) {
                const Peer p{static_cast<Peer::Kind>(kind), value, family};
                const int pk = peer_of(trace, p, k);
                if (pk >= 0 && fold.simulated[ix(pk)] == 0) {
                    return fmt::format("rank {} exchanges with rank {} of another replica block", k, pk);
                }
                if (pk >= 0 && peer_of(trace, p, img) != fold.image(trace, pk, m)) {
                    return fmt::format("the transfers of rank {} and of its image {} do not correspond", k, img);
                }
            }
        }
    }
    return {};
}

// Why no number of blocks can divide F's communicator sizes (their gcd is 1), or "" when one can.
std::string indivisible(const GroupFamily& fam, int gcd) {
    std::set<std::size_t> sizes;
    for (const auto& comm : fam.communicators) {
        sizes.insert(comm.size());
    }
    if (gcd > 1 || sizes.size() < 2) {
        return {};
    }
    return fmt::format("\"{}\" communicators differ in size ({} replicas) and no number of blocks > 1 divides every "
                       "size (greatest common divisor 1)",
                       fam.name, fmt::join(sizes, ", "));
}

} // namespace

int Fold::block_of(const Trace& trace, int rank) const {
    const auto& fam = trace.groups[ix(family)];
    const auto size = static_cast<int>(fam.communicators[ix(fam.comm_of_rank[ix(rank)])].size());
    return fam.position_of_rank[ix(rank)] / (size / blocks);
}

int Fold::image(const Trace& trace, int rank, int m) const {
    const auto& fam = trace.groups[ix(family)];
    const auto& comm = fam.communicators[ix(fam.comm_of_rank[ix(rank)])];
    const int r = static_cast<int>(comm.size()) / blocks;
    return comm[ix(fam.position_of_rank[ix(rank)] % r + m * r)];
}

CollectivePlan image_plan(const CollectivePlan& plan, const Fold& fold, const Trace& trace) {
    CollectivePlan out = plan;
    const models::Flow* first = nullptr;
    for (const auto& phase : plan.phases) {
        if (!phase.flows.empty()) {
            first = &phase.flows.front();
            break;
        }
    }
    if (first == nullptr) {
        return out;
    }
    const auto& images = fold.images[ix(fold.block_of(trace, first->src_gpu))];
    for (auto& phase : out.phases) {
        const std::size_t n = phase.flows.size();
        phase.flows.reserve(n * (images.size() + 1));
        for (const int m : images) {
            for (std::size_t i = 0; i < n; ++i) {
                const Flow f = phase.flows[i];
                phase.flows.push_back(Flow{fold.image(trace, f.src_gpu, m), fold.image(trace, f.dst_gpu, m), f.bytes});
            }
        }
    }
    return out;
}

Fold plan_fold(const Trace& trace, const topology::Cluster& cluster, int max_exact_groups) {
    Fold fold;
    const int f = find_folded_family(trace);
    if (f < 0) {
        fold.reason = "no data-parallel group family";
        return fold;
    }
    const auto& fam = trace.groups[ix(f)];
    for (int r = 0; r < trace.ranks; ++r) {
        if (fam.comm_of_rank[ix(r)] < 0 && trace.class_of_rank[ix(r)] >= 0) {
            fold.reason = fmt::format("rank {} runs a program but is in no \"{}\" communicator", r, fam.name);
            return fold;
        }
    }
    int gcd = 0;
    int largest = 0;
    for (const auto& comm : fam.communicators) {
        gcd = std::gcd(gcd, static_cast<int>(comm.size()));
        largest = std::max(largest, static_cast<int>(comm.size()));
    }
    std::vector<std::set<std::tuple<int, int, int>>> peers(trace.classes.size());
    for (std::size_t c = 0; c < trace.classes.size(); ++c) {
        collect_peers(trace.classes[c].program, peers[c]);
    }
    fold.family = f;
    fold.replicas = largest;
    std::vector<int> block(ix(trace.ranks), -1); // per rank: its block for the M tried (-1 outside F)
    std::string failed;                          // the first M's failed check
    int m = gcd;
    for (; m > 1; --m) {
        if (gcd % m != 0) {
            continue;
        }
        fold.blocks = m;
        fold.block = largest / m;
        for (int k = 0; k < trace.ranks; ++k) {
            block[ix(k)] = fam.comm_of_rank[ix(k)] >= 0 ? fold.block_of(trace, k) : -1;
        }
        fold.spanning = classify(trace, block, f, m);
        if (fold.spanning.empty()) {
            continue;
        }
        fold.simulated.assign(ix(trace.ranks), 0);
        for (int k = 0; k < trace.ranks; ++k) {
            fold.simulated[ix(k)] = block[ix(k)] == 0 ? 1 : 0;
        }
        std::string why = check_images(fold, trace, cluster, peers);
        if (why.empty()) {
            break;
        }
        if (failed.empty()) {
            failed = std::move(why);
        }
    }
    if (m <= 1) {
        Fold none;
        none.reason = !failed.empty()                  ? failed
                      : !indivisible(fam, gcd).empty() ? indivisible(fam, gcd)
                                                       : std::string("every group family spans all replicas");
        return none;
    }
    group_blocks(fold, trace, cluster, max_exact_groups);
    if (fold.stand_in.empty()) {
        return fold;
    }
    fold.simulated_members.resize(trace.groups.size());
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        for (const auto& comm : trace.groups[g].communicators) {
            fold.simulated_members[g].push_back(static_cast<std::int32_t>(
                std::count_if(comm.begin(), comm.end(), [&](int k) { return fold.simulated[ix(k)] != 0; })));
        }
    }
    fold.active = true;
    return fold;
}

} // namespace twin::models
