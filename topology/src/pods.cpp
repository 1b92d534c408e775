#include "twin/topology/pods.hpp"

namespace twin::topology {

FabricPods fabric_pods(const Cluster& cluster) {
    const auto& g = cluster.graph();
    const auto& links = cluster.links();
    std::vector<std::int32_t> pod_of_vertex(g.num_vertices(), -1);
    bool three_tier = false;
    for (const auto& l : links) {
        three_tier = three_tier || l.tier == LinkTier::Core;
    }
    for (const auto& l : links) { // leaf -> spine: the leaf's pod
        if (l.tier == LinkTier::Aggregation) {
            const auto pod = three_tier ? g[l.b].group : g[l.a].group;
            pod_of_vertex[l.a] = pod;
            pod_of_vertex[l.b] = three_tier ? pod : -1;
        }
    }
    FabricPods out;
    out.kind = three_tier ? "pod" : "leaf group";
    out.pod_of_link.assign(links.size(), -1);
    for (std::size_t i = 0; i < links.size(); ++i) {
        const auto& l = links[i];
        switch (l.tier) {
        case LinkTier::Access:
            out.pod_of_link[i] = pod_of_vertex[l.b];
            break;
        case LinkTier::Aggregation:
            out.pod_of_link[i] = pod_of_vertex[l.a];
            break;
        case LinkTier::Core:
            out.pod_of_link[i] = g[l.a].group;
            break;
        default:
            break;
        }
    }
    return out;
}

} // namespace twin::topology
