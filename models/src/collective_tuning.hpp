// Constants of the collective model, each with its source. Times in microseconds where NCCL gives
// them so (converted with kUs), fractions dimensionless.
//
// Protocol and algorithm constants: NCCL src/graph/tuning.cc (v2.x, ~2.8-2.19) baseLat/hwLat and
// the bandwidth refinements of ncclTopoTuneModel, public values restated (no code copied).
// Adapted:
//   - NCCL indexes hwLat by hardware (NVLink, PCI, NET), algorithm and protocol; we keep NVLink
//     (intra-node step) and NET (inter-node step) for Ring and Tree. NVLS has no per-step table
//     here: its latency is one constant (kNvlsBaseUs, an assumption).
//   - Algorithms NCCL does not have (Hierarchical, Pipeline, Direct, Pairwise) reuse Ring/Simple's
//     latencies per step.
//   - NCCL's per-channel bandwidth caps (llMaxBw, ll128MaxBwPerCh, perChMaxTreeBw) are not
//     modelled: the flows' links bound the bandwidth instead.
//   - Tree: NCCL converts its bus bandwidth to algorithm bandwidth with ratio 0.5 and applies a
//     0.9-0.92 refinement (0.92 in later 2.x); we use kTreeBusFactor = 0.9, so that a tree's
//     algbw = 0.9 x ring busbw / 2 on the same members (see collective_tree.cpp).
#pragma once

#include "twin/models/trace.hpp"

#include <array>

namespace twin::models::detail {

inline constexpr double kUs = 1e-6;

// Indices into the latency tables: protocol order LL, LL128, Simple (NCCL's order).
[[nodiscard]] constexpr int proto_index(Protocol p) {
    return p == Protocol::LL ? 0 : p == Protocol::LL128 ? 1 : 2;
}

// baseLat [us] (NCCL tuning.cc): paid once per collective.
inline constexpr std::array<double, 3> kTreeBaseUs{4.4, 4.4, 0.0};
inline constexpr std::array<double, 3> kRingBaseUs{3.6, 10.0, 8.4};
// hwLat [us] (NCCL tuning.cc): paid per algorithm step; NVLink for steps inside a node, NET for
// steps that cross the fabric.
inline constexpr std::array<double, 3> kTreeNvlinkUs{0.52, 1.2, 28.0};
inline constexpr std::array<double, 3> kRingNvlinkUs{0.47, 1.9, 3.4};
inline constexpr std::array<double, 3> kTreeNetUs{5.0, 8.5, 50.0};
inline constexpr std::array<double, 3> kRingNetUs{2.7, 4.0, 9.6};
// LL's intra-node step latency is multiplied by this when the communicator spans nodes (NCCL
// tuning.cc: "intraLat *= 1.8" for LL with nNodes > 1).
inline constexpr double kLlMultiNodeIntraFactor = 1.8;
// NVLS (NVLink SHARP) latency [us], once per collective. Assumption: NCCL 2.17+ gives NVLS a
// latency of this order; no measurement in shared/reference constrains it (large messages only).
inline constexpr double kNvlsBaseUs = 25.0;

// Protocol bandwidth factors (fraction of the Simple protocol's bandwidth; NCCL tuning.cc):
inline constexpr double kRingLlAllReduceOrMultiNode = 1.0 / 4.0; // ring LL, all-reduce or nNodes > 1
inline constexpr double kRingLlOther = 1.0 / 3.0;                // ring LL otherwise
inline constexpr double kRingLl128 = 0.92;                       // ring LL128, >= 2 GPUs per node
inline constexpr double kRingLl128OneGpuPerNode = 0.7;           // ring LL128, 1 GPU per node
inline constexpr double kTreeLl = 1.0 / 3.8;                     // tree LL
inline constexpr double kTreeLl128MultiNode = 0.915;             // tree LL128, nNodes > 1
inline constexpr double kTreeLl128SingleNode = 7.0 / 9.0;        // tree LL128, one node (unused: tree is multi-node)
// Tree Simple: tree busbw = kTreeBusFactor x ring busbw (NCCL tuning.cc: 0.9 in early 2.x, 0.92 later).
inline constexpr double kTreeBusFactor = 0.9;

// NVLS efficiency eta(n) = algbw / NVLink line rate for an n-GPU single-node NVLS all-reduce,
// linear fit eta(n) = a + b n (least squares) on coll.h100.nvls_vs_ngpu (NVIDIA/nccl issue #1455,
// 8x H100 SXM, 2-4 GB messages, line rate 450 GB/s per direction):
//   n   busbw [GB/s]   algbw = busbw n / (2(n-1))   eta = algbw / 450   fit     fit busbw
//   5   420            262.50                        0.5833              0.5807  418.1
//   6   440            264.00                        0.5867              0.5895  442.2
//   7   460            268.33                        0.5963              0.5984  461.6
//   8   480            274.29                        0.6095              0.6072  478.2
// a = 0.536624, b = 0.008820 (max residual 0.5 % of busbw). Outside the fitted range n is clamped
// to [kNvlsFitMinN, kNvlsFitMaxN] (a linear extrapolation to an NVL72 domain would exceed 1).
// Checks: 8x H100 coll.h100.8gpu.nvls 480 / .expected 476 (fit 478.2); 8x H200 coll.h200.8gpu
// 475 (same NVLink4 line rate: 478.2).
inline constexpr double kNvlsEtaA = 0.536624;
inline constexpr double kNvlsEtaB = 0.008820;
inline constexpr int kNvlsFitMinN = 2;
inline constexpr int kNvlsFitMaxN = 8;

// NvlsTree (NVLS inside nodes, double binary tree per rail across nodes, pipelined): with a the
// NVLS time and b the inter-node tree time of the same message in isolation,
//   T = max(a, b) + (1 - w) min(a, b),   w = overlap of the two parts.
// Fit on coll.h100.2node.roce nvls_on = 430 GB/s busbw (NVIDIA/nccl issue #1221, NCCL 2.19.3,
// 2 x DGX-H100, 8 x 400G RoCE): n = 16, algbw = 430 x 16 / 30 = 229.3 GB/s; a = S / (450 x
// eta(8)) = S / 273.2; per-NIC bandwidth 50 GB/s x 0.94 (net.cx7.achievable 47/50) x 0.878 (RoCE,
// topology/src/load.cpp) = 41.25 GB/s, the 2-node tree sends S/8 per NIC: b = S / 330.0;
// 1/229.3 = 1/273.2 + (1 - w) / 330.0  =>  w = 0.769.
// Check: at 4 nodes the tree's busiest NIC sends 2 S/8 (b = S / 165), so NvlsTree gives busbw
// 280 < Ring's 330 and Auto keeps Ring (measured ~320: "NVLS gave no gain at 4 nodes").
inline constexpr double kNvlsTreeOverlap = 0.769;

// Pipelined broadcast: the chain fills with one chunk per hop. NCCL's default NCCL_BUFFSIZE
// 4 MiB split in NCCL_STEPS = 8 slots gives 512 KiB per step (NCCL src/include/device.h,
// docs "NCCL_BUFFSIZE").
inline constexpr double kPipelineChunkBytes = 512.0 * 1024.0;

} // namespace twin::models::detail
