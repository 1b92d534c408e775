// GPU compute time of one ComputeOp: the roofline model.
//
//   t_flops  = F / (P[precision] * e_c)       F: FLOP of the op, P: dense peak FLOP/s of the GPU type
//                                             at that precision, e_c: compute_efficiency in (0, 1]
//   t_memory = D / (B_hbm * e_m)              D: HBM bytes moved (read + written), B_hbm: HBM bandwidth
//                                             in bytes/s, e_m: memory_efficiency in (0, 1]
//   t_launch = N_k * t_gap                    N_k: kernel launches of the op ("kernels"), t_gap =
//                                             kKernelLaunchGap = 2 us
//   t        = max(t_flops, t_memory, T_m) + t_launch   memory-bound when t_memory > t_flops (ties:
//              compute-bound); T_m the step's measured duration (ComputeOp::duration, 0 if none)
//
// The efficiencies fold in what the roofline leaves out (tile quantisation, kernel launch and
// tail effects, cache behaviour); they come from the GPU type (catalog), calibrated against
// measured GEMM and stream benchmarks.
//
// The launch gap is the GPU time between two kernels of one stream that the roofline leaves out:
// back to back without CUDA graphs a kernel costs ~1 us more than its execution on the GPU alone
// (NVIDIA, "Getting Started with CUDA Graphs", 2019: 3.8 us per 2.9 us kernel), and a framework
// submitting eagerly adds its per-operation latency of a few us (PyTorch, "Accelerating PyTorch with
// CUDA Graphs", 2021). Megatron-LM and NeMo train without CUDA graphs by default
// (--enable-cuda-graph off), so every kernel pays it; 2 us is taken between the two sources, not
// fitted. It matters for small models, whose kernels last tens of us.
//
// Source: S. Williams, A. Waterman, D. Patterson, "Roofline: An Insightful Visual Performance
// Model for Multicore Architectures", Communications of the ACM 52(4), 2009.
#pragma once

#include "twin/core/units.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/catalog.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::models {

// GPU time per kernel launch between kernels of one stream (see above).
inline constexpr double kKernelLaunchGap_s = 2e-6;

struct ComputeTime {
    Seconds time;              // max(flops_time, memory_time, op.duration) + launch_time
    Seconds flops_time;        // F / (P * e_c); 0 when F == 0
    Seconds memory_time;       // D / (B_hbm * e_m); 0 when D == 0
    Seconds launch_time;       // kernels * kKernelLaunchGap_s
    bool memory_bound = false; // memory_time > flops_time
};

// True when the GPU type lists a peak FLOP rate > 0 for `precision`.
[[nodiscard]] bool has_peak(const topology::GpuType& gpu, topology::Precision precision);

// Roofline time of `op` on one GPU of type `gpu`. There is no fallback to another precision's
// rate (an H100 has no FP4 units; borrowing FP8's rate would invent a number), so an op with
// flops > 0 whose precision the GPU type lacks is a programmer error here: throws
// std::invalid_argument. Check inputs first with check_compute_support(), which turns the same
// condition into an InputError naming the trace step. Also throws std::invalid_argument when the
// GPU type's needed rate or efficiency is not > 0 (the catalog loader rejects those).
[[nodiscard]] ComputeTime compute_time(const topology::GpuType& gpu, const ComputeOp& op);

// Throws InputError (trace file, pointer of the step's "precision") for the first compute step
// of `cls` with flops > 0 whose precision has no peak on `gpu`. Call once per (class, GPU type
// its ranks run on) during validation, before any simulation object exists.
void check_compute_support(const Trace& trace, const RankClass& cls, const topology::GpuType& gpu);
// check_compute_support for every class of `trace` and each GPU type its ranks run on, rank r on
// GPU first_gpu + r (a job's trace before it is merged, models/jobs.hpp, so the error names the
// job's own file and pointer).
void check_trace_compute_support(const Trace& trace, const topology::Cluster& cluster, int first_gpu = 0);

} // namespace twin::models
