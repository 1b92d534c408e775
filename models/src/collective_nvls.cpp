// NVLS (NVLink SHARP) all-reduce: the NVSwitch reduces and multicasts, so each GPU sends about S
// to the switch and receives about S from it, whatever n (NCCL 2.17+; nccl-tests issue #212).
//
// Nvls (one NVLink domain, n members, every GPU type with "nvls"): one phase, a ring of S-byte
// flows in communicator order (the same per-GPU NVLink load, S each way, as NVLS's reduce-load
// plus multicast store), byte_factor = e_su / eta(n), where e_su = the GPU's scaleup_efficiency,
// which the simulator already applies to NVLink links. In isolation
//   T = L + F(n) + S e_su / eta(n) / (R e_su) = L + F(n) + S / (R eta(n)),  algbw -> R eta(n)
// with R the NVLink line rate per direction and (collective_tuning.hpp):
//   eta(n) = Hopper's fit a + b n (n clamped to 2..8; 8x H100: 450 x 0.6072 = 273.2 GB/s algbw,
//            busbw 478.2), or on NVLink5 e5 n/(n+1) (GB200 NVL72: 900 x 0.49059 x 72/73 =
//            435.5 GB/s algbw);
//   F(n)   = n x 7.624 us of pipeline fill on NVLink5 or beyond 8 GPUs (an MNNVL domain), else 0;
//   L      = kNvlsBaseUs (NCCL tuning.cc hwLat NVLink NVLS 25 us).
// NVL72, 72 GPUs: 512 MiB -> 25 + 548.9 + 1232.8 us = 1806.7 us, busbw 586 GB/s; 8 GiB ->
// 20299 us, busbw 834.6 GB/s (the fit's two points, coll.gb200.nvl72.*): the curve rises because
// the fill is a fixed cost, where Hopper's 8-GPU NVLS (25 us) is flat beyond ~256 MB.
//
// NvlsTree (m > 1 nodes, g >= 2 members on each, all with "nvls"): NVLS inside each node and a
// double binary tree of S/g per rail across nodes (collective_tree.cpp). NCCL pipelines the
// stages of each chunk in separate warp groups of the same channel (src/device/all_reduce.h), so
// both run at once on disjoint links (NVLink vs NIC) and
//   T = L + F(g) + 2 log2(m) l_net + max(a / u, b)
// a = the node's NVLS time as above (n = g), u = kNvlsTreeNvlsShare (its warps are shared with
// the network stages), b = the tree's time: per NIC 2 S/g each way beyond 2 nodes, S/g at 2.
// As flows: one phase, NVLS flows of S e_su / (eta(g) u) per GPU and the tree flows together.
// The two parts need different factors in one phase, so they are carried in the flow bytes and
// byte_factor = 1. Latency: kNvlsBaseUs + fill once, + 2 log2(m) x Tree/Simple NET step (the
// tree's pipeline fill: NCCL's Tree/Simple hwLat is the latency of one chunk per hop).
#include "collective_detail.hpp"
#include "collective_tuning.hpp"

#include <algorithm>
#include <bit>

namespace twin::models::detail {
CollectivePlan plan_nvls(const std::vector<int>& members, const Shape& shape, Bytes size) {
    CollectivePlan plan;
    plan.base_latency_s = kNvlsBaseUs * kUs + nvls_fill_s(shape.n, shape.nvlink5);
    CollectivePhase p;
    p.label = "nvls all-reduce (in-switch reduction)";
    add_ring(members, size, p.flows);
    p.byte_factor = shape.scaleup_efficiency / nvls_eta(shape.n, shape.nvlink5);
    plan.phases.push_back(std::move(p));
    return plan;
}

CollectivePlan plan_nvls_tree(const Shape& shape, Bytes size) {
    const int g = shape.g;
    CollectivePhase p;
    p.label = "nvls in node + tree across nodes (pipelined)";
    const Bytes nvls_bytes = size * (shape.scaleup_efficiency / (nvls_eta(g, shape.nvlink5) * kNvlsTreeNvlsShare));
    for (const auto& node : shape.nodes) {
        add_ring(node, nvls_bytes, p.flows);
    }
    const std::vector<Flow> inter = tree_inter_flows(shape, g, size / static_cast<double>(g));
    p.flows.insert(p.flows.end(), inter.begin(), inter.end());
    const int log2m = static_cast<int>(std::bit_width(static_cast<unsigned>(shape.m))) - 1;
    p.steps = 1 + 2 * log2m;
    p.extra_latency_s = 2.0 * log2m * kTreeNetUs[static_cast<std::size_t>(proto_index(Protocol::Simple))] * kUs;

    CollectivePlan plan;
    plan.base_latency_s = kNvlsBaseUs * kUs + nvls_fill_s(g, shape.nvlink5);
    plan.phases.push_back(std::move(p));
    return plan;
}

} // namespace twin::models::detail
