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
// Bandwidth: NCCL's model gives a tree the algbw 0.5 x kTreeBusFactor x (ring bus bandwidth on
// the same GPUs) (tuning.cc: tree ratio 0.5, refinement 0.9), i.e. in isolation
//   T_tree = 2 S / (0.9 busbw_ring),   busbw_ring = V_ring / T_ring (collective_ring.cpp).
// The flows above can be faster than that (at 2 nodes a NIC sends S/c instead of ring's ~2S/c),
// so byte_factor = max(1, T_tree / T_flows) x 1/protocol factor, with T_flows the estimator's
// transfer time of the tree flows. This keeps Auto's ring/tree choice NCCL's: ring for large
// messages (2 x DGX-H100 RoCE with NVLS off measured 330 GB/s, the ring value).
// NCCL's per-channel tree cap (perChMaxTreeBw) is not modelled.
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

CollectivePlan plan_tree(const std::vector<int>& members, const Shape& shape, Bytes size, Protocol protocol,
                         Estimator& est) {
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

    const double v_ring = size.value() * ring_volume(CollectiveKind::AllReduce, shape.n);
    const double t_ring = est.flows(ring_flows(CollectiveKind::AllReduce, members, shape, size), 1.0).transfer_s;
    const double t_nccl = 2.0 * size.value() * t_ring / (kTreeBusFactor * v_ring);
    const double t_flows = est.flows(p.flows, 1.0).transfer_s;
    const double tree_factor = t_flows > 0.0 ? std::max(1.0, t_nccl / t_flows) : 1.0;
    p.byte_factor =
        tree_factor / protocol_bandwidth_factor(Algorithm::Tree, protocol, CollectiveKind::AllReduce, shape);
    plan.phases.push_back(std::move(p));
    return plan;
}

} // namespace twin::models::detail
