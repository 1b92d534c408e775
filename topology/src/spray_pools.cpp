// Spraying pools: how "routing": "spray" (per-packet spraying over the equal-cost paths, as
// Spectrum-X's adaptive routing and InfiniBand's AR do) is represented in a flow model.
//
// Mechanism. A sprayed flow sends its packets over every equal-cost next hop, chosen per packet
// by the switch (by local queue depth on Spectrum-X / Quantum, in turn or at random otherwise), so
// in the fluid limit a flow of rate r puts r / n on each of the n candidates of each hop
// (Dixit et al., "On the impact of packet spraying in data center networks", INFOCOM 2013;
// NVIDIA, "Spectrum-X Ethernet networking platform for AI" white paper, 2023: per-packet adaptive
// routing with packet reordering at the receiving SuperNIC). The load of every flow in flight,
// whatever collective or job it belongs to, is then spread evenly over a set of links, and such a
// set carries traffic as one link of the set's total bandwidth. In a tiered fabric (links stored
// lower end first, fabric.hpp) the sets are, by direction:
//   U(s)  the up links (lower -> upper) leaving switch s        (a flow sprays over all of them)
//   D(s)  the down links (upper -> lower) entering switch s     (packets arrive by all of them)
// and two switches s1, s2 with a common lower switch x (spines of one pod, both reached from a
// leaf of the pod) have their U sets merged and their D sets merged: a flow from x sprays over
// both, so on the next tier its packets are spread over the uplinks of both (spine -> core), and
// a flow to x arrives through both (core -> spine). On a 3-tier fat-tree that gives per leaf its
// uplinks and its downlinks, per pod its spine -> core and its core -> spine links. Each pool is
// one slot for the simulator: every hop of a route in a pool is replaced by the pool's
// representative (its smallest slot), whose bandwidth is the pool's total (Cluster::slot_bandwidth);
// the bytes a pool carried are shared back among its members in proportion to their bandwidth for
// the link report. Access links (NIC ports) and links leading to a different plane are not pooled:
// NCCL puts a flow on one NIC port, and planes are separate fabrics.
//
// Assumptions: ideal spraying (equal split, reordering absorbed by the receiver, no queueing delay
// beyond the fluid share); a pool's members have equal bandwidth (true in the generated fat
// trees); the pool is shared max-min fairly by its flows, which is what congestion control on a
// sprayed fabric converges to (topology/README.md, "Routing").
#include "spray_pools.hpp"

#include <numeric>

namespace twin::topology::detail {
namespace {

std::uint32_t find(std::vector<std::uint32_t>& parent, std::uint32_t i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

void unite(std::vector<std::uint32_t>& parent, std::uint32_t a, std::uint32_t b) {
    a = find(parent, a);
    b = find(parent, b);
    if (a != b) { // the smaller slot stays the root, so a pool's root is its smallest slot
        parent[std::max(a, b)] = std::min(a, b);
    }
}

} // namespace

void build_spray_pools(const Cluster& cluster, ClusterIndex& ix) {
    const auto& links = cluster.links();
    const auto slots = static_cast<std::uint32_t>(2 * links.size());
    std::vector<std::uint32_t> parent(slots);
    std::iota(parent.begin(), parent.end(), 0U);
    const auto switches = static_cast<std::uint32_t>(ix.switch_adj_begin.empty() ? 0 : ix.switch_adj_begin.size() - 1);
    // Per switch: its first up link (to a switch above it), or kNoLink.
    std::vector<std::uint32_t> first_up(switches, kNoLink);
    for (std::uint32_t s = 0; s < switches; ++s) {
        const VertexId here = ix.first_switch + s;
        for (std::uint32_t e = ix.switch_adj_begin[s]; e < ix.switch_adj_begin[s + 1]; ++e) {
            const std::uint32_t l = ix.switch_adj[e].link;
            if (links[l].a != here) {
                continue; // a link down from s
            }
            if (first_up[s] == kNoLink) {
                first_up[s] = l;
            } else {
                unite(parent, 2 * first_up[s], 2 * l);         // U(s)
                unite(parent, 2 * first_up[s] + 1, 2 * l + 1); // D(s)
            }
        }
    }
    for (std::uint32_t x = 0; x < switches; ++x) {
        const VertexId here = ix.first_switch + x;
        std::uint32_t first = kNoLink; // first upper neighbour of x with up links of its own
        for (std::uint32_t e = ix.switch_adj_begin[x]; e < ix.switch_adj_begin[x + 1]; ++e) {
            const auto& adj = ix.switch_adj[e];
            if (links[adj.link].a != here || first_up[adj.other] == kNoLink) {
                continue;
            }
            if (first == kNoLink) {
                first = first_up[adj.other];
            } else {
                unite(parent, 2 * first, 2 * first_up[adj.other]);
                unite(parent, 2 * first + 1, 2 * first_up[adj.other] + 1);
            }
        }
    }
    ix.spray_rep.resize(slots);
    ix.spray_pool_of.assign(slots, kNoLink);
    ix.spray_pool_begin.clear();
    ix.spray_pool_members.clear();
    ix.spray_pool_bandwidth.clear();
    std::vector<std::uint32_t> size(slots, 0);
    for (std::uint32_t i = 0; i < slots; ++i) {
        ix.spray_rep[i] = find(parent, i);
        ++size[ix.spray_rep[i]];
    }
    // Pools of more than one slot, numbered by representative; members in slot order.
    for (std::uint32_t i = 0; i < slots; ++i) {
        if (ix.spray_rep[i] == i && size[i] > 1) {
            ix.spray_pool_of[i] = static_cast<std::uint32_t>(ix.spray_pool_begin.size());
            ix.spray_pool_begin.push_back(0);
            ix.spray_pool_bandwidth.push_back(0.0);
        }
    }
    std::vector<std::uint32_t> count(ix.spray_pool_begin.size(), 0);
    for (std::uint32_t i = 0; i < slots; ++i) {
        const std::uint32_t pool = ix.spray_pool_of[ix.spray_rep[i]];
        if (pool != kNoLink) {
            ++count[pool];
            const auto& link = links[i / 2];
            ix.spray_pool_bandwidth[pool] += link.bandwidth.value() * link.efficiency;
        }
    }
    std::uint32_t sum = 0;
    for (std::size_t p = 0; p < count.size(); ++p) {
        ix.spray_pool_begin[p] = sum;
        sum += count[p];
    }
    ix.spray_pool_begin.push_back(sum);
    ix.spray_pool_members.resize(sum);
    std::vector<std::uint32_t> fill(ix.spray_pool_begin.begin(), ix.spray_pool_begin.end() - 1);
    for (std::uint32_t i = 0; i < slots; ++i) {
        const std::uint32_t pool = ix.spray_pool_of[ix.spray_rep[i]];
        if (pool != kNoLink) {
            ix.spray_pool_members[fill[pool]++] = i;
        }
    }
}

} // namespace twin::topology::detail
