// Ring and hierarchical collectives (n members, buffer S, bytes in; times in seconds).
//
// Ring volume V (bytes each member sends): all-reduce 2(n-1)/n S, all-gather (S = output) and
// reduce-scatter (S = input) (n-1)/n S; steps 2(n-1), resp. n-1 (Patarasuk & Yuan, JPDC 2009).
//   One node, or members not spread evenly: one ring in communicator order, member i sends V to
//   member i+1 (mod n).
//   Evenly spread over m > 1 nodes with g per node: NCCL's rings, one channel per rail, pipelined,
//   so all of this runs at once in one phase: GPU k of node j sends (g-1)/g V to GPU k+1 (mod g)
//   of its node over NVLink, and V/g to GPU k of node j+1 (mod m) through its NIC. Then
//     busbw = V / T = min(g/(g-1) B_nvlink, g B_nic)
//   e.g. DGX A100: min(8/7 x 232.5, 8 x 24) = 192 GB/s (coll.a100.dgx_multi).
// Latency (NCCL tuning.cc): base + (steps - inter_steps) intra + inter_steps inter, inter_steps =
// 2(m-1) for all-reduce, m-1 otherwise; all of it is the phase's extra latency.
// Protocols: byte_factor = 1 / protocol bandwidth factor (collective_tuning.hpp).
//
// Hierarchical (evenly spread, m > 1, g > 1; Simple protocol), phases in sequence:
//   all-reduce     = intra-node ring reduce-scatter of S -> per-rail ring all-reduce of S/g
//                    across nodes -> intra-node ring all-gather of S
//   all-gather     = per-rail ring all-gather of S/g -> intra-node ring all-gather of S
//   reduce-scatter = intra-node ring reduce-scatter of S -> per-rail ring reduce-scatter of S/g
// each phase's extra latency = its steps x Ring/Simple step latency (NVLink inside, NET across).
#include "collective_detail.hpp"

#include <string>

namespace twin::models::detail {
namespace {

CollectivePhase rings_phase(std::string label, const std::vector<std::vector<int>>& rings, CollectiveKind kind,
                            Bytes size, double step_latency_s) {
    CollectivePhase p;
    p.label = std::move(label);
    const int n = static_cast<int>(rings.front().size());
    p.steps = ring_steps(kind, n);
    for (const auto& ring : rings) {
        add_ring(ring, size * ring_volume(kind, n), p.flows);
    }
    p.extra_latency_s = p.steps * step_latency_s;
    return p;
}

} // namespace

void add_ring(const std::vector<int>& ring, Bytes per_flow, std::vector<Flow>& out) {
    const auto n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(Flow{ring[i], ring[(i + 1) % n], per_flow});
    }
}

std::vector<Flow> ring_flows(CollectiveKind kind, const std::vector<int>& members, const Shape& shape, Bytes size) {
    const Bytes v = size * ring_volume(kind, shape.n);
    std::vector<Flow> flows;
    if (shape.m == 1 || !shape.even || shape.g == 1) {
        add_ring(members, v, flows);
        return flows;
    }
    const int g = shape.g;
    const int m = shape.m;
    for (int j = 0; j < m; ++j) {
        const auto& node = shape.nodes[static_cast<std::size_t>(j)];
        const auto& next = shape.nodes[static_cast<std::size_t>((j + 1) % m)];
        for (int k = 0; k < g; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            flows.push_back(Flow{node[kk], node[static_cast<std::size_t>((k + 1) % g)], v * ((g - 1.0) / g)});
            flows.push_back(Flow{node[kk], next[kk], v / static_cast<double>(g)});
        }
    }
    return flows;
}

CollectivePlan plan_ring(CollectiveKind kind, const std::vector<int>& members, const Shape& shape, Bytes size,
                         Protocol protocol) {
    CollectivePlan plan;
    const auto lat = step_latency(Algorithm::Ring, protocol, shape);
    plan.base_latency_s = lat.base_s;
    CollectivePhase p;
    p.label = std::string("ring ") + std::string(collective_name(kind));
    p.flows = ring_flows(kind, members, shape, size);
    p.steps = ring_steps(kind, shape.n);
    const int inter_steps = shape.m > 1 ? ring_steps(kind, shape.m) : 0;
    p.extra_latency_s = (p.steps - inter_steps) * lat.intra_s + inter_steps * lat.inter_s;
    p.byte_factor = 1.0 / protocol_bandwidth_factor(Algorithm::Ring, protocol, kind, shape);
    plan.phases.push_back(std::move(p));
    return plan;
}

CollectivePlan plan_hierarchical(CollectiveKind kind, const Shape& shape, Bytes size) {
    const int g = shape.g;
    std::vector<std::vector<int>> rails(static_cast<std::size_t>(g));
    for (const auto& node : shape.nodes) {
        for (int k = 0; k < g; ++k) {
            rails[static_cast<std::size_t>(k)].push_back(node[static_cast<std::size_t>(k)]);
        }
    }
    const auto lat = step_latency(Algorithm::Hierarchical, Protocol::Simple, shape);
    const Bytes shard = size / static_cast<double>(g);
    const auto rs_intra = [&] {
        return rings_phase("intra-node reduce-scatter", shape.nodes, CollectiveKind::ReduceScatter, size, lat.intra_s);
    };
    const auto ag_intra = [&] {
        return rings_phase("intra-node all-gather", shape.nodes, CollectiveKind::AllGather, size, lat.intra_s);
    };
    const auto inter = [&](CollectiveKind k) {
        return rings_phase("inter-node " + std::string(collective_name(k)) + " (per rail)", rails, k, shard,
                           lat.inter_s);
    };
    CollectivePlan plan;
    plan.base_latency_s = lat.base_s;
    switch (kind) {
    case CollectiveKind::AllReduce:
        plan.phases.push_back(rs_intra());
        plan.phases.push_back(inter(CollectiveKind::AllReduce));
        plan.phases.push_back(ag_intra());
        break;
    case CollectiveKind::AllGather:
        plan.phases.push_back(inter(CollectiveKind::AllGather));
        plan.phases.push_back(ag_intra());
        break;
    case CollectiveKind::ReduceScatter:
        plan.phases.push_back(rs_intra());
        plan.phases.push_back(inter(CollectiveKind::ReduceScatter));
        break;
    default:
        break;
    }
    return plan;
}

} // namespace twin::models::detail
