// Roofline compute time (details and parameter ranges in twin/models/compute.hpp):
//   t = max(F / (P[precision] * e_c), D / (B_hbm * e_m), T_m) + N_k * t_gap   F in FLOP, P in FLOP/s,
//   D in bytes, B_hbm in bytes/s, efficiencies e_c, e_m in (0, 1], T_m a measured duration in s
//   (0 when the step has none; a floor), N_k kernel launches, t_gap the launch gap (2 us; sources
//   in compute.hpp); t in seconds.
// Source: Williams, Waterman, Patterson, "Roofline", Communications of the ACM 52(4), 2009.
#include "twin/models/compute.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace twin::models {
namespace {

void check_block(const Trace& trace, const Block& block, const topology::GpuType& gpu) {
    for (const Step& s : block.body) {
        if (const auto* b = std::get_if<Block>(&s)) {
            check_block(trace, *b, gpu);
            continue;
        }
        const Op& op = std::get<Op>(s);
        if (op.kind != Op::Kind::Compute || !(op.compute.flops.value() > 0) || has_peak(gpu, op.compute.precision)) {
            continue;
        }
        std::string known;
        for (const auto& [p, rate] : gpu.peak_flops) {
            if (rate.value() > 0) {
                known += (known.empty() ? "" : ", ") + std::string(topology::precision_name(p));
            }
        }
        throw InputError(file_of(trace, op), op.pointer + "/precision",
                         fmt::format("GPU type \"{}\" has no peak FLOP rate for {} (it has: {})", gpu.name,
                                     topology::precision_name(op.compute.precision), known.empty() ? "none" : known));
    }
}

} // namespace

bool has_peak(const topology::GpuType& gpu, topology::Precision precision) {
    auto it = gpu.peak_flops.find(precision);
    return it != gpu.peak_flops.end() && it->second.value() > 0;
}

ComputeTime compute_time(const topology::GpuType& gpu, const ComputeOp& op) {
    ComputeTime t;
    if (op.flops.value() > 0) {
        if (!has_peak(gpu, op.precision)) {
            throw std::invalid_argument(fmt::format("GPU type \"{}\" has no peak FLOP rate for {}", gpu.name,
                                                    topology::precision_name(op.precision)));
        }
        if (!(gpu.compute_efficiency > 0)) {
            throw std::invalid_argument(fmt::format("GPU type \"{}\": compute_efficiency must be > 0", gpu.name));
        }
        t.flops_time = op.flops / (gpu.peak_flops.at(op.precision) * (gpu.compute_efficiency * op.efficiency));
    }
    if (op.bytes.value() > 0) {
        if (!(gpu.hbm_bandwidth.value() > 0) || !(gpu.memory_efficiency > 0)) {
            throw std::invalid_argument(
                fmt::format("GPU type \"{}\": HBM bandwidth and memory_efficiency must be > 0", gpu.name));
        }
        t.memory_time = op.bytes / (gpu.hbm_bandwidth * gpu.memory_efficiency);
    }
    t.memory_bound = t.memory_time > t.flops_time;
    t.launch_time = Seconds(static_cast<double>(op.kernels) * kKernelLaunchGap_s);
    t.time = std::max({t.flops_time, t.memory_time, op.duration}) + t.launch_time;
    return t;
}

void check_compute_support(const Trace& trace, const RankClass& cls, const topology::GpuType& gpu) {
    check_block(trace, cls.program, gpu);
}

void check_trace_compute_support(const Trace& trace, const topology::Cluster& cluster, int first_gpu) {
    for (const auto& cls : trace.classes) {
        // Ranks of a class may sit on GPUs of several types; check each type once.
        std::vector<const topology::GpuType*> seen;
        for (int r : cls.ranks) {
            const auto* gpu = &cluster.gpu_type(first_gpu + r);
            if (std::find(seen.begin(), seen.end(), gpu) == seen.end()) {
                seen.push_back(gpu);
                check_compute_support(trace, cls, *gpu);
            }
        }
    }
}

} // namespace twin::models
