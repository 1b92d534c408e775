#include "twin/models/collective_plan.hpp"

#include <algorithm>
#include <map>

namespace twin::models {
namespace {

// Appends one flow per member to its successor in `ring` (members in ring order).
void ring_flows(const std::vector<int>& ring, Bytes per_flow, std::vector<Flow>& out) {
    const auto n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(Flow{ring[i], ring[(i + 1) % n], per_flow});
    }
}

CollectivePhase ring_phase(std::string label, const std::vector<std::vector<int>>& rings, double volume_factor,
                           Bytes size, int steps) {
    CollectivePhase p;
    p.label = std::move(label);
    p.steps = steps;
    for (const auto& ring : rings) {
        ring_flows(ring, size * volume_factor, p.flows);
    }
    return p;
}

double ring_factor(CollectiveKind kind, int n) {
    const double nn = n;
    return kind == CollectiveKind::AllReduce ? 2.0 * (nn - 1) / nn : (nn - 1) / nn;
}

int ring_steps(CollectiveKind kind, int n) {
    return kind == CollectiveKind::AllReduce ? 2 * (n - 1) : n - 1;
}

CollectivePlan flat_ring(CollectiveKind kind, const std::vector<int>& members, Bytes size) {
    const int n = static_cast<int>(members.size());
    CollectivePlan plan;
    plan.algorithm = "ring";
    plan.phases.push_back(ring_phase(std::string("ring ") + std::string(collective_name(kind)), {members},
                                     ring_factor(kind, n), size, ring_steps(kind, n)));
    return plan;
}

} // namespace

double busbw_factor(CollectiveKind kind, int n) {
    const double nn = n;
    switch (kind) {
    case CollectiveKind::AllReduce: return 2.0 * (nn - 1) / nn;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll: return (nn - 1) / nn;
    case CollectiveKind::Broadcast: return 1.0;
    }
    return 1.0;
}

CollectivePlan plan_collective(CollectiveKind kind, const std::vector<int>& members, Bytes size, int root,
                               const topology::Cluster& cluster) {
    const int n = static_cast<int>(members.size());
    if (kind == CollectiveKind::Broadcast) {
        CollectivePlan plan;
        plan.algorithm = "pipeline";
        CollectivePhase p;
        p.label = "pipelined broadcast";
        p.steps = n - 1;
        for (int i = 0; i + 1 < n; ++i) {
            p.flows.push_back(Flow{members[(root + i) % n], members[(root + i + 1) % n], size});
        }
        plan.phases.push_back(std::move(p));
        return plan;
    }
    if (kind == CollectiveKind::AllToAll) {
        CollectivePlan plan;
        plan.algorithm = "direct";
        CollectivePhase p;
        p.label = "direct all-to-all";
        const Bytes per_peer = size / static_cast<double>(n - 1);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                if (i != j) {
                    p.flows.push_back(Flow{members[i], members[j], per_peer});
                }
            }
        }
        plan.phases.push_back(std::move(p));
        return plan;
    }

    // Group members by node, keeping communicator order inside each node.
    std::map<int, std::vector<int>> by_node;
    for (int gpu : members) {
        by_node[cluster.node_of_gpu(gpu)].push_back(gpu);
    }
    const int m = static_cast<int>(by_node.size());
    const int g = static_cast<int>(by_node.begin()->second.size());
    const bool even = std::all_of(by_node.begin(), by_node.end(),
                                  [g](const auto& kv) { return static_cast<int>(kv.second.size()) == g; });
    if (m == 1 || g == 1 || !even) {
        return flat_ring(kind, members, size);
    }

    // Hierarchical: intra rings (one per node) and inter rings (one per local position = rail).
    std::vector<std::vector<int>> intra;
    std::vector<std::vector<int>> inter(static_cast<std::size_t>(g));
    for (const auto& [node, gpus] : by_node) {
        intra.push_back(gpus);
        for (int k = 0; k < g; ++k) {
            inter[static_cast<std::size_t>(k)].push_back(gpus[static_cast<std::size_t>(k)]);
        }
    }
    const Bytes shard = size / static_cast<double>(g);
    CollectivePlan plan;
    plan.algorithm = "hierarchical-ring";
    const auto rs_intra = [&] {
        return ring_phase("intra-node reduce-scatter", intra, ring_factor(CollectiveKind::ReduceScatter, g), size,
                          ring_steps(CollectiveKind::ReduceScatter, g));
    };
    const auto ag_intra = [&] {
        return ring_phase("intra-node all-gather", intra, ring_factor(CollectiveKind::AllGather, g), size,
                          ring_steps(CollectiveKind::AllGather, g));
    };
    const auto inter_phase = [&](CollectiveKind k) {
        return ring_phase("inter-node " + std::string(collective_name(k)) + " (per rail)", inter, ring_factor(k, m),
                          shard, ring_steps(k, m));
    };
    switch (kind) {
    case CollectiveKind::AllReduce:
        plan.phases.push_back(rs_intra());
        plan.phases.push_back(inter_phase(CollectiveKind::AllReduce));
        plan.phases.push_back(ag_intra());
        break;
    case CollectiveKind::AllGather:
        plan.phases.push_back(inter_phase(CollectiveKind::AllGather));
        plan.phases.push_back(ag_intra());
        break;
    case CollectiveKind::ReduceScatter:
        plan.phases.push_back(rs_intra());
        plan.phases.push_back(inter_phase(CollectiveKind::ReduceScatter));
        break;
    default: break;
    }
    return plan;
}

} // namespace twin::models
