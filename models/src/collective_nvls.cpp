// NVLS (NVLink SHARP) all-reduce: the NVSwitch reduces and multicasts, so each GPU sends about S
// to the switch and receives about S from it, whatever n (NCCL 2.17+; nccl-tests issue #212).
//
// Nvls (one node, n members, every GPU type with "nvls"): one phase, a ring of S-byte flows in
// communicator order (the same per-GPU NVLink load, S each way, as NVLS's reduce-load plus
// multicast store), byte_factor = e_su / eta(n), where e_su = the GPU's scaleup_efficiency, which
// the simulator already applies to NVLink links. In isolation
//   T = S e_su / eta(n) / (R e_su) = S / (R eta(n)),  algbw = R eta(n)
// with R the NVLink line rate per direction and eta(n) the fit in collective_tuning.hpp
// (8x H100: 450 x 0.6072 = 273.2 GB/s algbw, busbw 478.2).
// Latency: kNvlsBaseUs once (assumption, collective_tuning.hpp), no per-step term.
//
// NvlsTree (m > 1 nodes, g >= 2 members on each, all with "nvls"): NVLS inside each node and a
// double binary tree of S/g per rail across nodes (collective_tree.cpp), pipelined:
//   T = max(a, b) + (1 - w) min(a, b)
// a = the node's NVLS time (as above with n = g), b = the inter-node tree's time, w =
// kNvlsTreeOverlap (fit on 2 x DGX-H100 RoCE, collective_tuning.hpp). As flows:
//   phase 1: NVLS flows (S x e_su / eta(g) each) and tree flows (S/(2g) per tree edge, channel and
//            direction) at once — they use disjoint links (NVLink vs PCIe/NIC), so it lasts max(a, b);
//   phase 2: the flows of the shorter part again, their bytes x (1 - w): (1 - w) min(a, b).
// The two parts need different factors in one phase, so NvlsTree carries its factors in the flow
// bytes and keeps byte_factor = 1. Latency: kNvlsBaseUs + 2 log2(m) x Tree/Simple NET step.
#include "collective_detail.hpp"
#include "collective_tuning.hpp"

#include <algorithm>
#include <bit>

namespace twin::models::detail {
CollectivePlan plan_nvls(const std::vector<int>& members, const Shape& shape, Bytes size) {
    CollectivePlan plan;
    plan.base_latency_s = kNvlsBaseUs * kUs;
    CollectivePhase p;
    p.label = "nvls all-reduce (in-switch reduction)";
    add_ring(members, size, p.flows);
    p.byte_factor = shape.scaleup_efficiency / nvls_eta(shape.n);
    plan.phases.push_back(std::move(p));
    return plan;
}

CollectivePlan plan_nvls_tree(const Shape& shape, Bytes size, Estimator& est) {
    const int g = shape.g;
    std::vector<Flow> intra;
    const Bytes nvls_bytes = size * (shape.scaleup_efficiency / nvls_eta(g));
    for (const auto& node : shape.nodes) {
        add_ring(node, nvls_bytes, intra);
    }
    std::vector<Flow> inter = tree_inter_flows(shape, g, size / static_cast<double>(g));
    const double a = est.flows(intra, 1.0).transfer_s;
    const double b = est.flows(inter, 1.0).transfer_s;

    CollectivePlan plan;
    plan.base_latency_s = kNvlsBaseUs * kUs;
    const int log2m = static_cast<int>(std::bit_width(static_cast<unsigned>(shape.m))) - 1;

    CollectivePhase overlapped;
    overlapped.label = "nvls in node + tree across nodes (overlapped)";
    overlapped.flows = intra;
    overlapped.flows.insert(overlapped.flows.end(), inter.begin(), inter.end());
    overlapped.steps = 1 + 2 * log2m;

    CollectivePhase rest;
    rest.label = a <= b ? "nvls in node (not overlapped)" : "tree across nodes (not overlapped)";
    rest.flows = a <= b ? intra : inter;
    for (auto& f : rest.flows) {
        f.bytes = f.bytes * (1.0 - kNvlsTreeOverlap);
    }
    rest.extra_latency_s = 2.0 * log2m * kTreeNetUs[static_cast<std::size_t>(proto_index(Protocol::Simple))] * kUs;
    plan.phases.push_back(std::move(overlapped));
    plan.phases.push_back(std::move(rest));
    return plan;
}

} // namespace twin::models::detail
