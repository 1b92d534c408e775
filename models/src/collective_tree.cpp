// Tree all-reduce (NCCL's double binary tree across nodes, chains inside nodes), members on
// m > 1 nodes, buffer S.
//
// Structure (one phase, reduce and broadcast pipelined): c = min members per node channels; in
// channel c the node's chain starts at its c-th member (the head, whose NIC is rail c's) and
// runs through the node's members in communicator order; each chain link carries S/c up
// (reduce) and S/c down (broadcast). Across nodes two complementary binary trees over the node
// positions (Sanders, Speck & Traeff, "Two-tree algorithms for full bandwidth broadcast,
// reduction and scan", Parallel Computing 2009; NCCL 2.4's double binary tree): tree 0 is the
// in-order tree where position r > 0 with lowest set bit b has parent (r xor b) | 2b, or r xor b
// when that is >= m; tree 1 mirrors it (r -> m-1-r) when m is even and shifts it by one
// (r -> r+1 mod m) when m is odd. Each tree carries half the data: every tree edge carries
// S/(2c) per channel in each direction between the channel heads. Flows between the same pair of
// GPUs are merged (one flow per peer).
//
// Per-NIC volume (derived from the structure, no fitted constant): in the in-order tree the odd
// positions are leaves, and the mirror (even m) or shift (odd m) makes them interior in tree 1, so
// each node is interior in at most one tree (Sanders et al.; NCCL 2.4 release blog). Per channel
// head and direction, with each tree carrying S/(2c):
//   interior in one tree, leaf in the other:  up S/(2c) + down 2 x S/(2c)  +  S/(2c)  = 2 S/c
//   m = 2 (each tree one edge):               S/(2c) + S/(2c)                          = S/c
// (the root of a tree sends less). Ring sends 2 (n-1)/n S/c per NIC, so beyond 2 nodes a tree
// moves the same bytes per NIC as a ring: both reach the NIC bound c B_nic / 2 algbw (H100 NDR:
// 8 x 47 / 2 = 188 GB/s, busbw ~376; measured ~380, coll.gtc24.multinode), and at 2 nodes the
// tree halves the NIC load and is bound by the NVLink chains instead. The estimator times the
// flows on the busiest link of each, so this follows from the flows; NCCL's tuner (tuning.cc)
// instead models a tree as 0.92 x ring busbw, which measured large-scale trees beat.
// Pipelining: reduce and broadcast run at once on one chunk stream per channel (one phase);
// filling the pipeline costs one chunk per hop, which NCCL's Tree hwLat states ("Tree/Simple is
// the latency of a 256kB chunk", tuning.cc): the latency below.
// byte_factor = 1 / protocol factor (collective_tuning.hpp). NCCL's per-channel tree cap
// (perChMaxTreeBw) is not modelled.
// Latency (NCCL tuning.cc): base + 2 ((g-1) intra + log2(m) inter), g = largest members per node,
// log2 rounded down as NCCL's log2i.
#include "collective_detail.hpp"
#include "collective_tuning.hpp"

#include <algorithm>
#include <bit>
#include <map>

namespace twin::models::detail {
namespace {

int btree_parent(int r, int m) {
    if (r == 0) {
        return -1;
    }
    const int bit = r & -r;
    const int up = (r ^ bit) | (bit << 1);
    return up < m ? up : (r ^ bit);
}

using FlowMap = std::map<std::pair<int, int>, double>;

std::vector<Flow> to_flows(const FlowMap& map) {
    std::vector<Flow> out;
    out.reserve(map.size());
    for (const auto& [pair, bytes] : map) {
        out.push_back(Flow{pair.first, pair.second, Bytes(bytes)});
    }
    return out;
}

void add_tree_edges(const Shape& shape, int channels, double per_channel, FlowMap& map) {
    for (int t = 0; t < 2; ++t) {
        for (const auto& [child, parent] : double_tree_edges(shape.m, t)) {
            const auto& cn = shape.nodes[static_cast<std::size_t>(child)];
            const auto& pn = shape.nodes[static_cast<std::size_t>(parent)];
            for (int c = 0; c < channels; ++c) {
                const int a = cn[static_cast<std::size_t>(c) % cn.size()];
                const int b = pn[static_cast<std::size_t>(c) % pn.size()];
                map[{a, b}] += per_channel / 2;
                map[{b, a}] += per_channel / 2;
            }
        }
    }
}

} // namespace

std::vector<std::pair<int, int>> double_tree_edges(int m, int tree) {
    std::vector<std::pair<int, int>> edges;
    for (int r = 0; r < m; ++r) {
        if (tree == 0) {
            const int p = btree_parent(r, m);
            if (p >= 0) {
                edges.emplace_back(r, p);
            }
        } else if (m % 2 == 0) {
            const int p = btree_parent(m - 1 - r, m);
            if (p >= 0) {
                edges.emplace_back(r, m - 1 - p);
            }
        } else {
            const int p = btree_parent((r - 1 + m) % m, m);
            if (p >= 0) {
                edges.emplace_back(r, (p + 1) % m);
            }
        }
    }
    return edges;
}

std::vector<Flow> tree_inter_flows(const Shape& shape, int channels, Bytes per_channel) {
    FlowMap map;
    add_tree_edges(shape, channels, per_channel.value(), map);
    return to_flows(map);
}

CollectivePlan plan_tree(const Shape& shape, Bytes size, Protocol protocol) {
    const int channels = shape.min_per_node;
    const double per_channel = size.value() / channels;
    FlowMap map;
    for (const auto& node : shape.nodes) {
        const int k = static_cast<int>(node.size());
        for (int c = 0; c < channels; ++c) {
            for (int i = 0; i + 1 < k; ++i) {
                const int head_side = node[static_cast<std::size_t>((c + i) % k)];
                const int tail_side = node[static_cast<std::size_t>((c + i + 1) % k)];
                map[{tail_side, head_side}] += per_channel; // reduce towards the head
                map[{head_side, tail_side}] += per_channel; // broadcast from the head
            }
        }
    }
    add_tree_edges(shape, channels, per_channel, map);

    CollectivePlan plan;
    const auto lat = step_latency(Algorithm::Tree, protocol, shape);
    plan.base_latency_s = lat.base_s;
    int g = 0;
    for (const auto& node : shape.nodes) {
        g = std::max(g, static_cast<int>(node.size()));
    }
    const int log2m = static_cast<int>(std::bit_width(static_cast<unsigned>(shape.m))) - 1;
    CollectivePhase p;
    p.label = "double binary tree all-reduce";
    p.flows = to_flows(map);
    p.steps = 2 * ((g - 1) + log2m);
    p.extra_latency_s = 2.0 * ((g - 1) * lat.intra_s + log2m * lat.inter_s);

    p.byte_factor = 1.0 / protocol_bandwidth_factor(Algorithm::Tree, protocol, CollectiveKind::AllReduce, shape);
    plan.phases.push_back(std::move(p));
    return plan;
}

} // namespace twin::models::detail
