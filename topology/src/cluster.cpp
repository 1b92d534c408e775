// Cluster queries and routing.
//
// Routing (pure C++, on the simulator's hot path): inside a node, GPU -> scale-up switch -> GPU.
// Across nodes: GPU -> its NIC (host link) -> a switch of that NIC (access link) -> switches along
// a shortest path (hop count) to a switch of the destination GPU's NIC -> that NIC -> GPU. Where
// several links lead one hop closer (ECMP, including parallel links) and where a NIC has several
// access links, the choice is mix64(src, dst, hop index) modulo the number of choices: fixed for
// a (src, dst) pair, spread over pairs. Distances to a destination switch come from a BFS over
// the switch graph's classes of twins, computed on first use per class and cached
// (switch_distances.hpp). The destination NIC's
// access link is chosen among those in the same connected part of the switch graph as the source
// NIC's (the same plane of a multi-plane fabric). No allocation per call beyond the caller's
// vector.
//
// The hash key of a pair is mix64(src << 32 | dst) XOR the cluster's ECMP salt (set_ecmp_seed:
// the scenario's seed), so a seed sweep samples other collision patterns of the same fabric.
//
// PXN (pxn_proxy): on a rail-optimized fabric a cross-node pair on different rails first crosses
// NVLink to the source node's GPU on the destination's rail, [scale-up of src (up), scale-up of
// the proxy (down)], then takes the proxy's route to dst; its ECMP choices keep the (src, dst) key.
//
// Spraying ("routing": "spray", spray_pools.cpp): route() takes the ECMP path and replaces each
// switch-to-switch hop by the representative of its pool (the set of equal-cost links a sprayed
// flow spreads over), which the simulator gives the pool's total bandwidth (slot_bandwidth).
//
// Adaptive routing (route_adaptive) walks the same equal-cost choices but takes, at each, the
// directed link with the least load placed so far; ties go to the candidate that comes first in
// cyclic order from the ECMP choice h (rank (i - h) mod n), so with equal loads it is route().
#include "twin/topology/cluster.hpp"

#include "cluster_index.hpp"
#include "switch_distances.hpp"
#include "twin/core/rng.hpp"

#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace twin::topology {
namespace {

std::uint64_t pick(std::uint64_t key, std::uint64_t hop, std::uint32_t choices) {
    return mix64(key ^ (hop * 0x9e3779b97f4a7c15ULL)) % choices;
}

} // namespace

std::string_view link_tier_name(LinkTier t) {
    return kLinkTierNames.name_of(t);
}

const GpuType& Cluster::gpu_type(int gpu) const {
    return catalog_.gpus.at(catalog_.nodes.at(nodes_[node_of_gpu(gpu)].type).gpu);
}

void Cluster::set_gpu_speed(int gpu, double speed) {
    if (gpu_speed_.empty()) {
        gpu_speed_.assign(gpu_vertex_.size(), 1.0);
    }
    gpu_speed_.at(static_cast<std::size_t>(gpu)) = speed;
}

int Cluster::nic_of_gpu(int gpu) const {
    const NodeInfo& n = nodes_[node_of_gpu(gpu)];
    if (n.nics.empty()) {
        return -1;
    }
    return local_index(gpu) * static_cast<int>(n.nics.size()) / n.gpus;
}

int Cluster::rail_of_gpu(int gpu) const {
    const int k = nic_of_gpu(gpu);
    return k < 0 ? -1 : graph_[nodes_[node_of_gpu(gpu)].nics[k]].rail;
}

int Cluster::switch_count() const {
    return static_cast<int>(index_->switch_names.size());
}

VertexId Cluster::switch_vertex(int i) const {
    return index_->first_switch + static_cast<VertexId>(i);
}

const std::string& Cluster::switch_type(int i) const {
    return index_->switch_types[index_->switch_type[i]];
}

std::vector<std::uint32_t> Cluster::links_of(VertexId v) const {
    std::vector<std::uint32_t> out;
    for (const Graph::Incident& e : graph_.edges(v)) {
        out.push_back(e.edge);
    }
    return out;
}

std::string Cluster::vertex_name(VertexId v) const {
    const VertexProps& p = graph_[v];
    switch (p.kind) {
    case VertexKind::Gpu:
        return fmt::format("node{}/gpu{}", p.node, p.local);
    case VertexKind::ScaleUpSwitch:
        return fmt::format("node{}/nvswitch", p.node);
    case VertexKind::Nic:
        return fmt::format("node{}/nic{}", p.node, p.local);
    case VertexKind::Switch:
        return index_->switch_names[v - index_->first_switch];
    }
    return "?";
}

std::string Cluster::link_name(std::uint32_t link) const {
    return vertex_name(links_[link].a) + " <-> " + vertex_name(links_[link].b);
}

namespace {

// ECMP: the hash choice.
struct EcmpChoice {
    std::uint64_t key;
    template <class Each>
    std::uint32_t operator()(std::uint64_t salt, std::uint32_t n, Each&& /*each*/) const {
        return n == 1 ? 0 : static_cast<std::uint32_t>(pick(key, salt, n));
    }
};

// Adaptive: the least-loaded directed link; ties to the nearest after the hash choice.
struct AdaptiveChoice {
    std::uint64_t key;
    const double* load;
    template <class Each>
    std::uint32_t operator()(std::uint64_t salt, std::uint32_t n, Each&& each) const {
        if (n == 1) {
            return 0;
        }
        const auto h = static_cast<std::uint32_t>(pick(key, salt, n));
        std::uint32_t best = h;
        double best_load = std::numeric_limits<double>::infinity();
        std::uint32_t best_rank = n;
        each([&](std::uint32_t i, Hop hop) {
            const double l = load[2 * static_cast<std::size_t>(hop.link) + (hop.up ? 0 : 1)];
            const std::uint32_t rank = i >= h ? i - h : i + n - h;
            if (l < best_load || (l == best_load && rank < best_rank)) {
                best = i;
                best_load = l;
                best_rank = rank;
            }
        });
        return best;
    }
};

} // namespace

template <class Choose>
void Cluster::walk(int src_gpu, int dst_gpu, const Choose& choose, std::vector<Hop>& out) const {
    const detail::ClusterIndex& ix = *index_;
    if (src_gpu == dst_gpu || src_gpu < 0 || dst_gpu < 0 || src_gpu >= gpu_count() || dst_gpu >= gpu_count()) {
        throw std::logic_error(fmt::format("Cluster::route({}, {}) with {} GPUs", src_gpu, dst_gpu, gpu_count()));
    }
    if (node_of_gpu(src_gpu) == node_of_gpu(dst_gpu)) {
        out.push_back(Hop{ix.gpu_scaleup_link[src_gpu], true});
        out.push_back(Hop{ix.gpu_scaleup_link[dst_gpu], false});
        return;
    }
    int leaves_by = src_gpu; // the GPU whose NIC the flow leaves by
    if (const int proxy = pxn_proxy(src_gpu, dst_gpu); proxy >= 0) {
        out.push_back(Hop{ix.gpu_scaleup_link[src_gpu], true});
        out.push_back(Hop{ix.gpu_scaleup_link[proxy], false});
        leaves_by = proxy;
    }
    const std::uint32_t host_src = ix.gpu_host_link[leaves_by];
    const std::uint32_t host_dst = ix.gpu_host_link[dst_gpu];
    if (host_src == detail::kNoLink || host_dst == detail::kNoLink || ix.nic_access_link.empty()) {
        throw std::logic_error("Cluster::route across nodes without a fabric (checked at load)");
    }
    const auto nic_number = [&](std::uint32_t host) {
        const VertexProps& nic = graph_[links_[host].b];
        return ix.node_first_nic[nic.node] + static_cast<std::uint32_t>(nic.local);
    };
    const auto part_of = [&](std::uint32_t access) { return ix.switch_part[links_[access].b - ix.first_switch]; };

    // Source NIC: any of its access links (the plane, in a multi-plane fabric).
    const std::uint32_t src_nic = nic_number(host_src);
    const std::uint32_t src_begin = ix.nic_access_begin[src_nic];
    const std::uint32_t src_n = ix.nic_access_begin[src_nic + 1] - src_begin;
    const std::uint32_t access_src = ix.nic_access_link[src_begin + choose(0, src_n, [&](auto&& f) {
                                                            for (std::uint32_t i = 0; i < src_n; ++i) {
                                                                f(i, Hop{ix.nic_access_link[src_begin + i], true});
                                                            }
                                                        })];
    // Destination NIC: its access links in the same part of the switch graph.
    const std::uint32_t part = part_of(access_src);
    const std::uint32_t dst_nic = nic_number(host_dst);
    const std::uint32_t dst_begin = ix.nic_access_begin[dst_nic];
    const std::uint32_t dst_end = ix.nic_access_begin[dst_nic + 1];
    const auto each_dst = [&](auto&& f) {
        std::uint32_t i = 0;
        for (std::uint32_t e = dst_begin; e < dst_end; ++e) {
            if (part_of(ix.nic_access_link[e]) == part) {
                f(i++, Hop{ix.nic_access_link[e], false});
            }
        }
    };
    std::uint32_t dst_n = 0;
    each_dst([&](std::uint32_t, Hop) { ++dst_n; });
    std::uint32_t access_dst = detail::kNoLink;
    each_dst(
        [&, k = choose(1, dst_n, each_dst)](std::uint32_t i, Hop h) { access_dst = i == k ? h.link : access_dst; });
    out.push_back(Hop{host_src, true});
    out.push_back(Hop{access_src, true});

    std::uint32_t cur = links_[access_src].b - ix.first_switch;
    const std::uint32_t target = links_[access_dst].b - ix.first_switch;
    if (cur != target) {
        if (distances_ == nullptr) {
            std::vector<std::uint32_t> other(ix.switch_adj.size());
            std::vector<std::uint8_t> up(ix.switch_adj.size());
            for (std::uint32_t s = 0; s + 1 < ix.switch_adj_begin.size(); ++s) {
                for (auto e = ix.switch_adj_begin[s]; e < ix.switch_adj_begin[s + 1]; ++e) {
                    other[e] = ix.switch_adj[e].other;
                    up[e] = links_[ix.switch_adj[e].link].a == ix.first_switch + s ? 1 : 0;
                }
            }
            distances_ = std::make_shared<detail::SwitchDistances>(ix.switch_adj_begin, other, up);
        }
        const auto dist = distances_->to(target);
        if (dist(cur) == detail::kUnreachable) {
            throw std::logic_error("Cluster::route: disconnected fabric (checked at load)");
        }
        // The adjacency entries one hop closer to the target, found run by run (switch_distances.hpp):
        // testing the entries of a 256-port switch one by one was a tenth of a 1M-GPU run.
        thread_local std::vector<std::uint32_t> closer;
        for (std::uint64_t hop = 2; cur != target; ++hop) {
            const std::uint16_t want = static_cast<std::uint16_t>(dist(cur) - 1);
            closer.clear();
            std::uint8_t direction = detail::SwitchDistances::kMixed; // of the closer links, when one
            for (const auto* run = distances_->runs_begin(cur); run != distances_->runs_end(cur); ++run) {
                if (run->cls == dist.target_class()) { // the target may be among them, at distance 0
                    for (std::uint32_t e = run->first; e < run->last; ++e) {
                        if (dist(ix.switch_adj[e].other) == want) {
                            closer.push_back(e);
                            direction = detail::SwitchDistances::kMixed; // read per link
                        }
                    }
                } else if (dist.of_class(run->cls) == want) {
                    direction = closer.empty() ? run->direction : detail::SwitchDistances::kMixed;
                    for (std::uint32_t e = run->first; e < run->last; ++e) {
                        closer.push_back(e);
                    }
                }
            }
            const auto hop_of = [&](std::uint32_t e) {
                const auto& adj = ix.switch_adj[e];
                return Hop{adj.link, direction == detail::SwitchDistances::kMixed
                                         ? distances_->up(e)
                                         : direction == detail::SwitchDistances::kUp};
            };
            const auto each = [&](auto&& f) {
                for (std::uint32_t i = 0; i < closer.size(); ++i) {
                    f(i, hop_of(closer[i]));
                }
            };
            const std::uint32_t e = closer[choose(hop, static_cast<std::uint32_t>(closer.size()), each)];
            out.push_back(hop_of(e));
            cur = ix.switch_adj[e].other;
        }
    }
    out.push_back(Hop{access_dst, false});
    out.push_back(Hop{host_dst, false});
}

namespace {

std::uint64_t pair_key(int src_gpu, int dst_gpu, std::uint64_t salt) {
    return mix64((static_cast<std::uint64_t>(static_cast<std::uint32_t>(src_gpu)) << 32) |
                 static_cast<std::uint32_t>(dst_gpu)) ^
           salt;
}

} // namespace

void Cluster::set_ecmp_seed(std::uint64_t seed) {
    ecmp_salt_ = Rng(seed, "topology/ecmp").next_u64();
}

bool Cluster::rail_optimized() const {
    return index_->rail_optimized;
}

bool Cluster::pxn_enabled() const {
    return index_->pxn;
}

int Cluster::pxn_proxy(int src_gpu, int dst_gpu) const {
    const detail::ClusterIndex& ix = *index_;
    if (!ix.pxn || !ix.rail_optimized) {
        return -1;
    }
    const NodeInfo& node = nodes_[node_of_gpu(src_gpu)];
    const int rail = rail_of_gpu(dst_gpu);
    if (node_of_gpu(src_gpu) == node_of_gpu(dst_gpu) || rail < 0 || rail_of_gpu(src_gpu) == rail ||
        ix.gpu_scaleup_link[src_gpu] == detail::kNoLink) {
        return -1;
    }
    const int same_index = node.first_gpu + local_index(dst_gpu);
    if (local_index(dst_gpu) < node.gpus && rail_of_gpu(same_index) == rail) {
        return same_index;
    }
    for (int g = node.first_gpu; g < node.first_gpu + node.gpus; ++g) {
        if (rail_of_gpu(g) == rail) {
            return g;
        }
    }
    return -1;
}

void Cluster::route(int src_gpu, int dst_gpu, std::vector<Hop>& out) const {
    const std::size_t first = out.size();
    walk(src_gpu, dst_gpu, EcmpChoice{pair_key(src_gpu, dst_gpu, ecmp_salt_)}, out);
    if (index_->spray) { // every switch-switch hop by its pool (spray_pools.cpp)
        const auto& rep = index_->spray_rep;
        for (std::size_t i = first; i < out.size(); ++i) {
            const std::uint32_t r = rep[2 * static_cast<std::size_t>(out[i].link) + (out[i].up ? 0 : 1)];
            out[i] = Hop{r / 2, (r & 1U) == 0};
        }
    }
}

bool Cluster::spraying() const {
    return index_->spray;
}

double Cluster::slot_bandwidth(std::uint32_t slot) const {
    if (const int pool = spray_pool(slot); pool >= 0) {
        return index_->spray_pool_bandwidth[static_cast<std::size_t>(pool)];
    }
    const LinkInfo& l = links_[slot / 2];
    return l.bandwidth.value() * l.efficiency;
}

int Cluster::spray_pool(std::uint32_t slot) const {
    const auto& of = index_->spray_pool_of;
    return of.empty() || of[slot] == detail::kNoLink ? -1 : static_cast<int>(of[slot]);
}

std::pair<const std::uint32_t*, const std::uint32_t*> Cluster::spray_pool_members(int pool) const {
    const auto& ix = *index_;
    const auto p = static_cast<std::size_t>(pool);
    return {ix.spray_pool_members.data() + ix.spray_pool_begin[p],
            ix.spray_pool_members.data() + ix.spray_pool_begin[p + 1]};
}

void Cluster::route_adaptive(int src_gpu, int dst_gpu, double bytes, std::vector<double>& load,
                             std::vector<Hop>& out) const {
    if (load.size() != 2 * links_.size()) {
        throw std::logic_error(fmt::format("Cluster::route_adaptive: load has {} entries, expected 2 x {} links",
                                           load.size(), links_.size()));
    }
    const std::size_t first = out.size();
    walk(src_gpu, dst_gpu, AdaptiveChoice{pair_key(src_gpu, dst_gpu, ecmp_salt_), load.data()}, out);
    for (std::size_t i = first; i < out.size(); ++i) {
        load[2 * static_cast<std::size_t>(out[i].link) + (out[i].up ? 0 : 1)] += bytes;
    }
}

bool Cluster::adaptive_routing() const {
    return index_->adaptive_routing;
}

const std::string& Cluster::technology() const {
    return index_->technology;
}

} // namespace twin::topology
