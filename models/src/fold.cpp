#include "twin/models/fold.hpp"

#include <fmt/format.h>
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

// Classifies every family for blocks of `r` replicas: 0 internal, 1 spanning; empty when some family
// is neither.
std::vector<std::uint8_t> classify(const Trace& trace, const std::vector<int>& replica, int f, int r, int blocks) {
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
                if (replica[ix(rank)] < 0) {
                    return {};
                }
                ++per_block[ix(replica[ix(rank)] / r)];
            }
            const int first = replica[ix(comm.front())] / r;
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

} // namespace

int Fold::block_of(const Trace& trace, int rank) const {
    return trace.groups[ix(family)].position_of_rank[ix(rank)] / block;
}

int Fold::image(const Trace& trace, int rank, int m) const {
    const auto& fam = trace.groups[ix(family)];
    const auto& comm = fam.communicators[ix(fam.comm_of_rank[ix(rank)])];
    return comm[ix(fam.position_of_rank[ix(rank)] % block + m * block)];
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
    const int d = static_cast<int>(fam.communicators.front().size());
    std::vector<int> replica(ix(trace.ranks), -1);
    for (int r = 0; r < trace.ranks; ++r) {
        if (fam.comm_of_rank[ix(r)] >= 0) {
            replica[ix(r)] = fam.position_of_rank[ix(r)];
        } else if (trace.class_of_rank[ix(r)] >= 0) {
            fold.reason = fmt::format("rank {} runs a program but is in no \"{}\" communicator", r, fam.name);
            return fold;
        }
    }
    for (const auto& comm : fam.communicators) {
        if (static_cast<int>(comm.size()) != d) {
            // Jobs (jobs.hpp) merge their data-parallel families into one: they fold together only
            // with equal data-parallel sizes (M blocks dividing every size is not implemented).
            fold.reason = fmt::format("\"{}\" communicators differ in size ({} and {} replicas; jobs fold together "
                                      "only with equal data-parallel sizes)",
                                      fam.name, d, comm.size());
            return fold;
        }
    }
    int r = 1;
    std::vector<std::uint8_t> kinds;
    for (; r < d; ++r) {
        if (d % r == 0 && !(kinds = classify(trace, replica, f, r, d / r)).empty()) {
            break;
        }
    }
    if (r >= d) {
        fold.reason = "every group family spans all replicas";
        return fold;
    }
    const int blocks = d / r;
    fold.family = f;
    fold.replicas = d;
    fold.block = r;
    fold.blocks = blocks;
    fold.spanning = kinds;
    fold.simulated.assign(ix(trace.ranks), 0);
    for (int k = 0; k < trace.ranks; ++k) {
        fold.simulated[ix(k)] = replica[ix(k)] >= 0 && replica[ix(k)] < r ? 1 : 0;
    }

    std::vector<std::set<std::tuple<int, int, int>>> peers(trace.classes.size());
    for (std::size_t c = 0; c < trace.classes.size(); ++c) {
        collect_peers(trace.classes[c].program, peers[c]);
    }
    Correspondence nodes(cluster.nodes().size());
    std::vector<Correspondence> comms;
    for (const auto& g : trace.groups) {
        comms.emplace_back(g.communicators.size());
    }
    const auto fail = [&](std::string why) {
        fold.active = false;
        fold.reason = std::move(why);
        return fold;
    };
    // Listed once: scanning every rank for the simulated ones in each block cost blocks x ranks
    // (6 billion steps, 10 s, at a million GPUs).
    std::vector<int> simulated_ranks;
    for (int k = 0; k < trace.ranks; ++k) {
        if (fold.simulated[ix(k)] != 0) {
            simulated_ranks.push_back(k);
        }
    }
    for (int m = 1; m < blocks; ++m) {
        nodes.reset();
        for (auto& c : comms) {
            c.reset();
        }
        for (const int k : simulated_ranks) {
            const int img = fold.image(trace, k, m);
            const int cls = trace.class_of_rank[ix(k)];
            if (trace.class_of_rank[ix(img)] != cls) {
                return fail(fmt::format("rank {} and its image {} run different programs", k, img));
            }
            if (cluster.gpu_type(k).name != cluster.gpu_type(img).name) {
                return fail(fmt::format("GPU {} and its image {} are of different types", k, img));
            }
            if (!nodes.match(cluster.node_of_gpu(k), cluster.node_of_gpu(img))) {
                return fail(fmt::format("GPU {} and its image {} are placed differently in their nodes", k, img));
            }
            for (std::size_t g = 0; g < trace.groups.size(); ++g) {
                const auto& gf = trace.groups[g];
                const int ck = gf.comm_of_rank[ix(k)];
                const int ci = gf.comm_of_rank[ix(img)];
                if ((ck < 0) != (ci < 0)) {
                    return fail(fmt::format("rank {} and its image {} differ in \"{}\" membership", k, img, gf.name));
                }
                if (ck < 0) {
                    continue;
                }
                const bool ok = kinds[g] == 1 ? ck == ci
                                              : comms[g].match(ck, ci) &&
                                                    gf.position_of_rank[ix(k)] == gf.position_of_rank[ix(img)];
                if (!ok) {
                    return fail(fmt::format("the \"{}\" communicators of rank {} and its image {} do not correspond",
                                            gf.name, k, img));
                }
            }
            if (cls < 0) {
                continue;
            }
            for (const auto& [kind, value, family] : peers[ix(cls)]) {
                const Peer p{static_cast<Peer::Kind>(kind), value, family};
                const int pk = peer_of(trace, p, k);
                if (pk >= 0 && fold.simulated[ix(pk)] == 0) {
                    return fail(fmt::format("rank {} exchanges with rank {} of another replica block", k, pk));
                }
                if (pk >= 0 && peer_of(trace, p, img) != fold.image(trace, pk, m)) {
                    return fail(fmt::format("the transfers of rank {} and of its image {} do not correspond", k, img));
                }
            }
        }
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
