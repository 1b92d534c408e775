// Step-level figures of a generated workload (see WorkloadReport): throughput, MFU/HFU, exposed
// communication by role, pipeline imbalance, and for inference the serving metrics of the
// queueing model in models/llm_inference.hpp from the simulated "prefill" and "decode" blocks.
#include "report_parts.hpp"
#include "twin/models/llm_inference.hpp"

#include <algorithm>

namespace twin::report::detail {
namespace {

// Mean duration of a named block per execution (0 when it never ran).
double block_mean_s(const RunResult& r, const std::string& name) {
    for (const auto& b : r.blocks) {
        if (b.name == name && b.count > 0) {
            return b.total_s / static_cast<double>(b.count);
        }
    }
    return 0.0;
}

std::optional<ServingReport> serving(const models::WorkloadInfo& info, const RunResult& r) {
    // Prefill: the mean "prefill" block; decode: the rest of the cycle (with pipeline stages, stage
    // 0 starts decoding while later stages still prefill, so the decode block alone undercounts).
    const double prefill = block_mean_s(r, "prefill");
    const double decode = r.simulated_time_s - prefill;
    if (!(prefill > 0) || !(decode > 0)) {
        return std::nullopt;
    }
    return ServingReport{prefill, decode, models::serving_metrics(info, prefill, decode)};
}

} // namespace

double peak_flops(const topology::GpuType& gpu, topology::Precision precision) {
    const auto it = gpu.peak_flops.find(precision);
    return it == gpu.peak_flops.end() ? 0.0 : it->second.value();
}

std::optional<WorkloadReport> build_workload(const models::Scenario& s, const RunResult& r) {
    const auto& info = s.trace.info;
    if (!info.present) {
        return std::nullopt;
    }
    const double t = r.simulated_time_s;
    int gpus = 0;
    for (const auto& cls : s.trace.classes) {
        gpus += static_cast<int>(cls.ranks.size());
    }
    const auto& gpu = s.cluster.gpu_type(s.trace.classes.empty() ? 0 : s.trace.classes.front().ranks.front());
    const double peak = peak_flops(gpu, info.precision);
    const auto per_s = [t](double v) { return t > 0 ? v / t : 0.0; };
    WorkloadReport w;
    w.kind = info.kind;
    w.model = info.model;
    w.parameters = info.parameters;
    w.gpus = gpus;
    w.step_time_s = t;
    w.tokens_per_step = info.tokens_per_step;
    w.tokens_per_s = per_s(info.tokens_per_step);
    w.tokens_per_s_per_gpu = gpus > 0 ? per_s(info.tokens_per_step) / gpus : 0.0;
    w.model_tflops_per_gpu = gpus > 0 ? per_s(info.model_flops_per_step) / gpus / 1e12 : 0.0;
    w.hardware_tflops_per_gpu = gpus > 0 ? per_s(info.hardware_flops_per_step) / gpus / 1e12 : 0.0;
    w.mfu = gpus > 0 && peak > 0 ? per_s(info.model_flops_per_step) / (gpus * peak) : 0.0;
    w.hfu = gpus > 0 && peak > 0 ? per_s(info.hardware_flops_per_step) / (gpus * peak) : 0.0;
    w.precision = std::string(topology::precision_name(info.precision));
    // Exposed communication per GPU, by the role the generator gave each group family.
    for (const auto& [family, gpu_s] : r.exposed_by_family_gpu_s) {
        const auto role = info.family_roles.find(family);
        const std::string key = role == info.family_roles.end() ? family : role->second;
        w.exposed_communication_per_gpu_s[key] += gpus > 0 ? gpu_s / gpus : 0.0;
    }
    double idle = 0.0, compute = 0.0;
    for (const auto& cls : s.trace.classes) {
        for (int rank : cls.ranks) {
            idle += r.gpus[static_cast<std::size_t>(rank)].idle_s;
            compute += r.gpus[static_cast<std::size_t>(rank)].compute_s;
        }
    }
    w.compute_per_gpu_s = gpus > 0 ? compute / gpus : 0.0;
    w.idle_per_gpu_s = gpus > 0 ? idle / gpus : 0.0;
    // Imbalance between rank classes (pipeline stages): mean compute time of each class.
    bool first = true;
    for (const auto& cls : s.trace.classes) {
        double sum = 0.0;
        for (int rank : cls.ranks) {
            sum += r.gpus[static_cast<std::size_t>(rank)].compute_s;
        }
        const double mean = cls.ranks.empty() ? 0.0 : sum / static_cast<double>(cls.ranks.size());
        w.stage_compute_s.min = first ? mean : std::min(w.stage_compute_s.min, mean);
        w.stage_compute_s.max = first ? mean : std::max(w.stage_compute_s.max, mean);
        first = false;
    }
    w.stage_compute_s.max_over_min = w.stage_compute_s.min > 0 ? w.stage_compute_s.max / w.stage_compute_s.min : 0.0;
    w.figures = info.figures;
    if (info.kind == "llm-inference") {
        w.serving = serving(info, r);
    }
    w.storage = build_storage(s, t);
    return w;
}

} // namespace twin::report::detail
