// Collective planner: which algorithms and protocols apply, the analytic estimate, and the
// choice NCCL would make (Algorithm::Auto / Protocol::Auto).
//
// Estimate of a plan (seconds; what Auto minimises and CollectivePlan::estimate_s holds):
//   T = base_latency + sum over phases p of [ max over flows f of (L_f + t_f,p) + extra_latency_p ]
//   t_f,p = max over the links l of f's route of  D_l,p / (bandwidth_l x efficiency_l)
// with L_f the route's latency (cables, switches, NICs: topology/README.md) and D_l,p the bytes x
// byte_factor of phase p's flows that cross l in the same direction: the time the link needs for
// all of them, which is when max-min fair sharing finishes the last of them if l is their
// bottleneck (with k equal flows it is the k-way share bandwidth / k; with unequal ones, e.g. the
// merged edges of a tree, a plain count of flows would overstate the time). base_latency + sum of extra latencies is
// NCCL's latency model (collective_tuning.hpp); the route latency is counted on top of it, as the simulator does.
// Candidates are every applicable (algorithm, protocol) in enum order; the smallest estimate wins,
// ties go to the first. Algorithms: collective_ring.cpp, collective_tree.cpp,
// collective_nvls.cpp, collective_alltoall.cpp (all-to-all and broadcast).
#include "twin/models/collective_plan.hpp"

#include "collective_detail.hpp"
#include "collective_tuning.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace twin::models {
namespace detail {

Shape make_shape(const std::vector<int>& members, const topology::Cluster& cluster) {
    Shape s;
    s.n = static_cast<int>(members.size());
    s.all_nvls = true;
    s.all_nvlink = true;
    s.nvlink5 = true;
    std::vector<int> slot_of_node(cluster.nodes().size(), -1);
    for (int gpu : members) {
        const int node = cluster.node_of_gpu(gpu);
        auto& slot = slot_of_node[static_cast<std::size_t>(node)];
        if (slot < 0) {
            slot = static_cast<int>(s.nodes.size());
            s.nodes.emplace_back();
        }
        s.nodes[static_cast<std::size_t>(slot)].push_back(gpu);
        const auto& type = cluster.gpu_type(gpu);
        if (!type.nvls && s.all_nvls) {
            s.all_nvls = false;
            s.no_nvls_gpu = type.name;
        }
        s.all_nvlink = s.all_nvlink && type.scaleup_bandwidth.value() > 0.0;
        s.scaleup_efficiency = std::min(s.scaleup_efficiency, type.scaleup_efficiency);
        s.nvlink5 = s.nvlink5 && type.scaleup_bandwidth.value() >= kNvlink5BytesPerS;
    }
    s.m = static_cast<int>(s.nodes.size());
    s.min_per_node = s.n;
    int max_per_node = 0;
    for (const auto& node : s.nodes) {
        s.min_per_node = std::min(s.min_per_node, static_cast<int>(node.size()));
        max_per_node = std::max(max_per_node, static_cast<int>(node.size()));
    }
    s.even = s.min_per_node == max_per_node;
    s.g = s.even ? s.min_per_node : 0;
    return s;
}

Estimator::Estimator(const topology::Cluster& cluster) : cluster_(cluster), load_(2 * cluster.links().size(), 0.0) {}

Estimator::Result Estimator::flows(const std::vector<Flow>& flows, double byte_factor) {
    hops_.clear();
    offsets_.assign(1, 0);
    for (const auto& f : flows) {
        cluster_.route(f.src_gpu, f.dst_gpu, hops_);
        offsets_.push_back(hops_.size());
    }
    for (std::size_t i = 0; i < flows.size(); ++i) {
        for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k) {
            load_[2 * hops_[k].link + (hops_[k].up ? 1 : 0)] += flows[i].bytes.value() * byte_factor;
        }
    }
    Result r;
    r.min_bandwidth = std::numeric_limits<double>::infinity();
    const auto& links = cluster_.links();
    for (std::size_t i = 0; i < flows.size(); ++i) {
        double transfer = 0.0;
        double latency = 0.0;
        for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k) {
            const auto& h = hops_[k];
            const auto& l = links[h.link];
            transfer = std::max(transfer, load_[2 * h.link + (h.up ? 1 : 0)] / (l.bandwidth.value() * l.efficiency));
            latency += l.latency.value();
        }
        r.transfer_s = std::max(r.transfer_s, transfer);
        r.time_s = std::max(r.time_s, latency + transfer);
        if (transfer > 0.0) {
            r.min_bandwidth = std::min(r.min_bandwidth, flows[i].bytes.value() * byte_factor / transfer);
        }
    }
    for (const auto& h : hops_) {
        load_[2 * h.link + (h.up ? 1 : 0)] = 0.0;
    }
    return r;
}

double Estimator::plan(const CollectivePlan& plan) {
    double t = plan.base_latency_s;
    for (const auto& p : plan.phases) {
        t += flows(p.flows, p.byte_factor).time_s + p.extra_latency_s;
    }
    return t;
}

StepLatency step_latency(Algorithm a, Protocol p, const Shape& shape) {
    const auto i = static_cast<std::size_t>(proto_index(p));
    const bool tree = a == Algorithm::Tree;
    StepLatency l;
    l.base_s = (tree ? kTreeBaseUs[i] : kRingBaseUs[i]) * kUs;
    l.intra_s = (tree ? kTreeNvlinkUs[i] : kRingNvlinkUs[i]) * kUs;
    l.inter_s = (tree ? kTreeNetUs[i] : kRingNetUs[i]) * kUs;
    if (p == Protocol::LL && shape.m > 1) {
        l.intra_s *= kLlMultiNodeIntraFactor;
    }
    return l;
}

std::optional<std::string> why_not(CollectiveKind kind, Algorithm algorithm, const Shape& shape) {
    const bool reduce_family =
        kind == CollectiveKind::AllReduce || kind == CollectiveKind::AllGather || kind == CollectiveKind::ReduceScatter;
    switch (algorithm) {
    case Algorithm::Auto:
        return std::nullopt;
    case Algorithm::Ring:
        if (!reduce_family) {
            return "ring runs all_reduce, all_gather and reduce_scatter only (broadcast: pipeline; all_to_all: "
                   "direct or pairwise)";
        }
        return std::nullopt;
    case Algorithm::Tree:
        if (kind != CollectiveKind::AllReduce) {
            return "tree runs all_reduce only";
        }
        if (shape.m < 2) {
            return "tree needs members on more than one node (inside a node NCCL uses ring or nvls)";
        }
        return std::nullopt;
    case Algorithm::Nvls:
    case Algorithm::NvlsTree: {
        const bool single = algorithm == Algorithm::Nvls;
        if (kind != CollectiveKind::AllReduce) {
            return fmt::format("{} runs all_reduce only", algorithm_name(algorithm));
        }
        if (!shape.all_nvls) {
            return fmt::format("{} needs NVLink SHARP, which GPU type \"{}\" lacks (\"nvls\": false in the catalog)",
                               algorithm_name(algorithm), shape.no_nvls_gpu);
        }
        if (single && shape.m > 1) {
            return "nvls runs inside one node; across nodes use nvls_tree";
        }
        if (!single && shape.m < 2) {
            return "nvls_tree needs members on more than one node (inside one node use nvls)";
        }
        if (!single && (!shape.even || shape.g < 2)) {
            return "nvls_tree needs the same number (at least 2) of members on every node";
        }
        return std::nullopt;
    }
    case Algorithm::Hierarchical:
        if (!reduce_family) {
            return "hierarchical runs all_reduce, all_gather and reduce_scatter only";
        }
        if (shape.m < 2 || !shape.even || shape.g < 2) {
            return "hierarchical needs the members spread evenly over more than one node, with at least 2 per "
                   "node";
        }
        return std::nullopt;
    case Algorithm::Pipeline:
        if (kind != CollectiveKind::Broadcast) {
            return "pipeline runs broadcast only";
        }
        return std::nullopt;
    case Algorithm::Direct:
    case Algorithm::Pairwise:
        if (kind != CollectiveKind::AllToAll) {
            return fmt::format("{} runs all_to_all only", algorithm_name(algorithm));
        }
        return std::nullopt;
    }
    return "unknown algorithm";
}

std::vector<Protocol> protocols_of(Algorithm algorithm, const Shape& shape) {
    if (algorithm == Algorithm::Ring || algorithm == Algorithm::Tree) {
        // LL128 needs NVLink (NCCL enables it by default on NVLink systems, Volta to Hopper).
        if (shape.all_nvlink) {
            return {Protocol::Simple, Protocol::LL128, Protocol::LL};
        }
        return {Protocol::Simple, Protocol::LL};
    }
    return {Protocol::Simple};
}

double protocol_bandwidth_factor(Algorithm a, Protocol p, CollectiveKind kind, const Shape& shape) {
    if (p == Protocol::Simple || p == Protocol::Auto) {
        return 1.0;
    }
    if (a == Algorithm::Tree) {
        if (p == Protocol::LL) {
            return kTreeLl;
        }
        return shape.m > 1 ? kTreeLl128MultiNode : kTreeLl128SingleNode;
    }
    if (p == Protocol::LL) {
        return kind == CollectiveKind::AllReduce || shape.m > 1 ? kRingLlAllReduceOrMultiNode : kRingLlOther;
    }
    return shape.min_per_node < 2 ? kRingLl128OneGpuPerNode : kRingLl128;
}

double ring_volume(CollectiveKind kind, int n) {
    const double nn = n;
    return kind == CollectiveKind::AllReduce ? 2.0 * (nn - 1) / nn : (nn - 1) / nn;
}

int ring_steps(CollectiveKind kind, int n) {
    return kind == CollectiveKind::AllReduce ? 2 * (n - 1) : n - 1;
}

double nvls_eta(int n, bool nvlink5) {
    if (nvlink5) {
        return kNvlsNvlink5Efficiency * n / (n + 1.0);
    }
    const int k = std::clamp(n, kNvlsFitMinN, kNvlsFitMaxN);
    return kNvlsEtaA + kNvlsEtaB * k;
}

double nvls_fill_s(int n, bool nvlink5) {
    return nvlink5 || n > kNvlsFitMaxN ? n * kNvlsFillPerRankUs * kUs : 0.0;
}

} // namespace detail

namespace {

constexpr Algorithm kAllAlgorithms[] = {Algorithm::Ring,     Algorithm::Tree,         Algorithm::Nvls,
                                        Algorithm::NvlsTree, Algorithm::Hierarchical, Algorithm::Pipeline,
                                        Algorithm::Direct,   Algorithm::Pairwise};

CollectivePlan build(CollectiveKind kind, Algorithm a, Protocol p, const std::vector<int>& members,
                     const detail::Shape& shape, Bytes size, int root, const topology::Cluster& cluster,
                     detail::Estimator& est) {
    CollectivePlan plan;
    switch (a) {
    case Algorithm::Ring:
        plan = detail::plan_ring(kind, members, shape, size, p);
        break;
    case Algorithm::Tree:
        plan = detail::plan_tree(shape, size, p);
        break;
    case Algorithm::Nvls:
        plan = detail::plan_nvls(members, shape, size);
        break;
    case Algorithm::NvlsTree:
        plan = detail::plan_nvls_tree(shape, size);
        break;
    case Algorithm::Hierarchical:
        plan = detail::plan_hierarchical(kind, shape, size);
        break;
    case Algorithm::Pipeline:
        plan = detail::plan_pipeline(members, cluster, size, root, est);
        break;
    case Algorithm::Direct:
        plan = detail::plan_direct(members, cluster, size);
        break;
    case Algorithm::Pairwise:
        plan = detail::plan_pairwise(members, cluster, size);
        break;
    case Algorithm::Auto:
        throw std::logic_error("build: Algorithm::Auto");
    }
    plan.algorithm = a;
    plan.protocol = p;
    plan.estimate_s = est.plan(plan);
    return plan;
}

} // namespace

double busbw_factor(CollectiveKind kind, int n) {
    const double nn = n;
    switch (kind) {
    case CollectiveKind::AllReduce:
        return 2.0 * (nn - 1) / nn;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll:
        return (nn - 1) / nn;
    case CollectiveKind::Broadcast:
        return 1.0;
    }
    return 1.0;
}

std::vector<std::pair<Algorithm, Protocol>> applicable_algorithms(CollectiveKind kind, const std::vector<int>& members,
                                                                  const topology::Cluster& cluster) {
    const auto shape = detail::make_shape(members, cluster);
    std::vector<std::pair<Algorithm, Protocol>> out;
    for (Algorithm a : kAllAlgorithms) {
        if (!detail::why_not(kind, a, shape)) {
            for (Protocol p : detail::protocols_of(a, shape)) {
                out.emplace_back(a, p);
            }
        }
    }
    return out;
}

CollectivePlanner::CollectivePlanner(const topology::Cluster& cluster)
    : cluster_(cluster), estimator_(std::make_unique<detail::Estimator>(cluster)) {}

CollectivePlanner::~CollectivePlanner() = default;

CollectivePlan plan_collective(CollectiveKind kind, const std::vector<int>& members, Bytes size, int root,
                               const topology::Cluster& cluster, Algorithm algorithm, Protocol protocol) {
    return CollectivePlanner(cluster).plan(kind, members, size, root, algorithm, protocol);
}

CollectivePlan CollectivePlanner::plan(CollectiveKind kind, const std::vector<int>& members, Bytes size, int root,
                                       Algorithm algorithm, Protocol protocol) {
    const topology::Cluster& cluster = cluster_;
    detail::Estimator& est = *estimator_;
    if (members.size() < 2 || !(size.value() > 0.0)) {
        throw std::invalid_argument("plan_collective: needs at least 2 members and a positive size");
    }
    const auto shape = detail::make_shape(members, cluster);
    if (algorithm != Algorithm::Auto) {
        if (auto why = detail::why_not(kind, algorithm, shape)) {
            throw UnsupportedAlgorithm(fmt::format("algorithm \"{}\" cannot run this {} over {} GPUs on {} node(s): {}",
                                                   algorithm_name(algorithm), collective_name(kind), shape.n, shape.m,
                                                   *why));
        }
    }
    std::optional<CollectivePlan> best;
    bool protocol_fits = false;
    for (Algorithm a : kAllAlgorithms) {
        if ((algorithm != Algorithm::Auto && a != algorithm) || detail::why_not(kind, a, shape)) {
            continue;
        }
        for (Protocol p : detail::protocols_of(a, shape)) {
            if (protocol != Protocol::Auto && p != protocol) {
                continue;
            }
            protocol_fits = true;
            auto plan = build(kind, a, p, members, shape, size, root, cluster, est);
            if (!best || plan.estimate_s < best->estimate_s) {
                best = std::move(plan);
            }
        }
    }
    if (!protocol_fits) {
        throw UnsupportedAlgorithm(
            fmt::format("protocol \"{}\" is not available for this {} with algorithm \"{}\" (ll128 needs NVLink; "
                        "nvls, nvls_tree, hierarchical, pipeline, direct and pairwise run the simple protocol only)",
                        protocol_name(protocol), collective_name(kind), algorithm_name(algorithm)));
    }
    return std::move(*best);
}

} // namespace twin::models
