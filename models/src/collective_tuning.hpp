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
//   - Tree: NCCL's tuner models a tree as 0.92 x ring bus bandwidth (ratio 0.5); we do not: the
//     tree's bandwidth follows from its own per-NIC volume (collective_tree.cpp), which measured
//     multi-node trees reach (coll.gtc24.multinode ~380 GB/s on H100 NDR).
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

// NVLS on NVLink5 and on multi-node NVLink (MNNVL) domains (GB200 NVL72): the Hopper fit above is
// not reused. NCCL itself gives Blackwell a lower NVLS efficiency than Hopper (tuning.cc
// nvlsEfficiency: Hopper 0.85, Blackwell 0.74), and since 2.21 runs NVLS across an MNNVL domain
// (release notes 2.21.5: "Improve support for MNNVL, add NVLS support"), one head per rank: each
// channel's loop covers nHeads = n chunks in lock step (enqueue.cc, concurrentOps = nChannels x
// nHeads), so filling and draining the pipeline costs a time that grows with n. Model:
//   T = kNvlsBaseUs + n t_fill + S / (R e5 n/(n+1))
// R the NVLink line rate per direction; n/(n+1) because each GPU moves S (1 + 1/n) per direction
// (multimem.ld_reduce of every shard, multimem.st of its own); e5 the NVLink5 NVLS efficiency.
// Both constants fitted on the two GB200 NVL72 points (coreweave/nccl-tests PR #43, n = 72,
// R = 900 GB/s, T = measured time):
//   coll.gb200.nvl72.512MB   S = 512 MiB  T = 1806.7 us  (busbw 586.06 GB/s)
//   coll.gb200.nvl72.8192MB  S = 8 GiB    T = 20299 us   (busbw 834.57 GB/s)
//   slope: (8 GiB - 512 MiB) / (20274 - 1781.7) us = 435.48 GB/s = R e5 72/73  =>  e5 = 0.49059
//   72 t_fill = 1781.7 us - 512 MiB / 435.48 GB/s = 548.9 us                   =>  t_fill = 7.624 us
// Two constants on two points: nothing is held out but the curve's mean, which the same entries
// state (745.5 GB/s over 512 MB..8 GB, five sizes); the model's mean is 739.7 (-0.8 %).
// Applied to every NVLS on GPUs with NVLink5 or faster (scale-up >= kNvlink5BytesPerS per
// direction: B200, GB200, B300) and to NVLS over more than kNvlsFitMaxN GPUs of any kind (an
// MNNVL domain: the fill); Hopper NVLS on <= 8 GPUs keeps the fit above, whose 2-4 GB points
// absorb its ~60 us of fill (< 1 %).
inline constexpr double kNvlsNvlink5Efficiency = 0.49059;
inline constexpr double kNvlsFillPerRankUs = 7.624;
inline constexpr double kNvlink5BytesPerS = 900e9;

// NvlsTree (NVLS inside nodes, NCCL's double binary tree per rail across nodes). NCCL runs the
// stages of one chunk (NVLS reduce, tree up, tree down, NVLS multicast) in separate warp groups of
// the same channel, all at once (src/device/all_reduce.h, NVLS_TREE), so in steady state the time
// is the slower of the two resources, plus the pipeline fill in the latency:
//   T = max(a / u, b)
// a = the node's standalone NVLS time of S (as plan_nvls), b = the inter-node tree's time of S/g
// per rail (collective_tree.cpp: 2 S/g per NIC per direction beyond 2 nodes, S/g at 2 nodes,
// which is why NCCL doubles interBw for nNodes <= 2 in tuning.cc). u < 1: the NVLS stages
// share the channel's warps with the network stages, so they run slower than standalone NVLS.
// Fit on coll.h100.2node.roce nvls_on = 430 GB/s busbw (NVIDIA/nccl issue #1221, NCCL 2.19.3,
// 2 x DGX-H100, 8 x 400G RoCE), where NVLS is the slower part: n = 16, algbw = 430 x 16 / 30 =
// 229.3 GB/s; a = S / 273.2 (450 x eta(8)); b = S / 330 (per-NIC 41.25 GB/s x 8, not binding):
//   u = 229.33 / 273.24 = 0.8393.
// Held out: at 4 nodes on RoCE, b = 2 S / (8 x 41.25) gives busbw 320 (measured ~320,
// coll.h100.2node.roce); beyond 2 nodes on NDR IB, b = 2 S / (8 x 47) gives ~370-376 (measured
// NVLS+Tree ~370-380, coll.gtc24.multinode).
inline constexpr double kNvlsTreeNvlsShare = 0.8393;

// Pipelined broadcast: the chain fills with one chunk per hop. NCCL's default NCCL_BUFFSIZE
// 4 MiB split in NCCL_STEPS = 8 slots gives 512 KiB per step (NCCL src/include/device.h,
// docs "NCCL_BUFFSIZE").
inline constexpr double kPipelineChunkBytes = 512.0 * 1024.0;

} // namespace twin::models::detail
