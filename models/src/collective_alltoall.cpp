// All-to-all and broadcast (Simple protocol; Ring/Simple latencies per step, NCCL tuning.cc).
//
// Direct all-to-all (n members, each sends S split evenly): one phase, member i sends S/(n-1) to
// every j != i at once; one step (NET latency if any pair crosses nodes, else NVLink).
// Pairwise all-to-all: n-1 phases; in phase k (1..n-1) member i sends S/(n-1) to member i+k mod n
// (one step each, latency as above per phase). Same bytes per link as Direct, less contention
// inside a phase, more latency.
// Pipelined broadcast (chain from the root in communicator order): member root+i sends S to
// root+i+1 for i < n-1, all at once (the chunks are pipelined); the chain fills once:
//   extra latency = (n-2) x chunk / B + sum over hops of the step latency (NVLink or NET)
// with chunk = min(S, kPipelineChunkBytes) and B the chain's slowest flow bandwidth.
#include "collective_detail.hpp"
#include "collective_tuning.hpp"

#include <algorithm>

namespace twin::models::detail {
namespace {

const auto kSimple = static_cast<std::size_t>(proto_index(Protocol::Simple));

double hop_latency_s(const topology::Cluster& cluster, int a, int b) {
    return (cluster.node_of_gpu(a) == cluster.node_of_gpu(b) ? kRingNvlinkUs[kSimple] : kRingNetUs[kSimple]) * kUs;
}

// The largest step latency of a set of flows.
double step_latency_of(const topology::Cluster& cluster, const std::vector<Flow>& flows) {
    double l = 0.0;
    for (const auto& f : flows) {
        l = std::max(l, hop_latency_s(cluster, f.src_gpu, f.dst_gpu));
    }
    return l;
}

} // namespace

CollectivePlan plan_direct(const std::vector<int>& members, const topology::Cluster& cluster, Bytes size) {
    const int n = static_cast<int>(members.size());
    const Bytes per_peer = size / static_cast<double>(n - 1);
    CollectivePlan plan;
    plan.base_latency_s = kRingBaseUs[kSimple] * kUs;
    CollectivePhase p;
    p.label = "direct all-to-all";
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            if (i != j) {
                p.flows.push_back(
                    Flow{members[static_cast<std::size_t>(i)], members[static_cast<std::size_t>(j)], per_peer});
            }
        }
    }
    p.extra_latency_s = step_latency_of(cluster, p.flows);
    plan.phases.push_back(std::move(p));
    return plan;
}

CollectivePlan plan_pairwise(const std::vector<int>& members, const topology::Cluster& cluster, Bytes size) {
    const int n = static_cast<int>(members.size());
    const Bytes per_peer = size / static_cast<double>(n - 1);
    CollectivePlan plan;
    plan.base_latency_s = kRingBaseUs[kSimple] * kUs;
    for (int k = 1; k < n; ++k) {
        CollectivePhase p;
        p.label = "pairwise all-to-all, shift " + std::to_string(k);
        for (int i = 0; i < n; ++i) {
            p.flows.push_back(
                Flow{members[static_cast<std::size_t>(i)], members[static_cast<std::size_t>((i + k) % n)], per_peer});
        }
        p.extra_latency_s = step_latency_of(cluster, p.flows);
        plan.phases.push_back(std::move(p));
    }
    return plan;
}

CollectivePlan plan_pipeline(const std::vector<int>& members, const topology::Cluster& cluster, Bytes size, int root,
                             Estimator& est) {
    const int n = static_cast<int>(members.size());
    CollectivePlan plan;
    plan.base_latency_s = kRingBaseUs[kSimple] * kUs;
    CollectivePhase p;
    p.label = "pipelined broadcast";
    p.steps = n - 1;
    double hops_s = 0.0;
    for (int i = 0; i + 1 < n; ++i) {
        const int a = members[static_cast<std::size_t>((root + i) % n)];
        const int b = members[static_cast<std::size_t>((root + i + 1) % n)];
        p.flows.push_back(Flow{a, b, size});
        hops_s += hop_latency_s(cluster, a, b);
    }
    const double chunk = std::min(size.value(), kPipelineChunkBytes);
    const double bw = est.flows(p.flows, 1.0).min_bandwidth;
    p.extra_latency_s = std::max(0, n - 2) * chunk / bw + hops_s;
    plan.phases.push_back(std::move(p));
    return plan;
}

} // namespace twin::models::detail
