// Per-job figures of a "jobs" scenario; equations in twin/report/job_report.hpp. Units: s, tokens,
// FLOP/s (TFLOP/s in the text and JSON key that says so).
#include "twin/report/job_report.hpp"

#include "json_read.hpp"
#include "report_parts.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::report {

std::vector<JobReport> build_jobs(const models::Scenario& s, const RunResult& r) {
    std::vector<JobReport> out;
    for (const auto& job : s.jobs) {
        JobReport j;
        j.name = job.name;
        j.kind = job.info.present ? job.info.kind : "trace";
        j.model = job.info.model;
        j.first_gpu = job.first_gpu;
        j.gpus = job.gpus;
        j.ranks = job.ranks;
        double compute_s = 0.0;
        double communication_s = 0.0;
        for (int g = job.first_gpu; g < job.first_gpu + job.ranks; ++g) {
            if (static_cast<std::size_t>(g) < r.gpus.size()) {
                const auto& a = r.gpus[static_cast<std::size_t>(g)];
                j.step_time_s = std::max(j.step_time_s, a.finish_s);
                compute_s += a.compute_s;
                communication_s += a.communication_s;
            }
        }
        const double t = j.step_time_s;
        if (t > 0 && j.ranks > 0) {
            const double gpu_s = t * j.ranks;
            j.compute_share = compute_s / gpu_s;
            j.communication_share = communication_s / gpu_s;
            j.idle_share = std::max(0.0, 1.0 - j.compute_share - j.communication_share);
        }
        if (job.info.present && t > 0 && j.ranks > 0) {
            const double peak = detail::peak_flops(s.cluster.gpu_type(job.first_gpu), job.info.precision);
            j.tokens_per_step = job.info.tokens_per_step;
            j.tokens_per_s = job.info.tokens_per_step / t;
            j.model_tflops_per_gpu = job.info.model_flops_per_step / t / j.ranks / 1e12;
            j.mfu = peak > 0 ? job.info.model_flops_per_step / t / (j.ranks * peak) : 0.0;
        }
        out.push_back(std::move(j));
    }
    return out;
}

nlohmann::json jobs_to_json(const std::vector<JobReport>& jobs) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& j : jobs) {
        a.push_back({{"name", j.name},
                     {"kind", j.kind},
                     {"model", j.model},
                     {"first_gpu", j.first_gpu},
                     {"gpus", j.gpus},
                     {"ranks", j.ranks},
                     {"step_time_s", j.step_time_s},
                     {"tokens_per_step", j.tokens_per_step},
                     {"tokens_per_s", j.tokens_per_s},
                     {"model_tflops_per_gpu", j.model_tflops_per_gpu},
                     {"mfu", j.mfu},
                     {"compute_share", j.compute_share},
                     {"communication_share", j.communication_share},
                     {"idle_share", j.idle_share}});
    }
    return a;
}

std::vector<JobReport> jobs_from_json(const Value& value) {
    using namespace detail;
    std::vector<JobReport> out;
    for (const auto& v : Array(value).values()) {
        Object o(v);
        JobReport j;
        j.name = str(o, "name");
        j.kind = str(o, "kind");
        j.model = str(o, "model");
        j.first_gpu = int32(o, "first_gpu");
        j.gpus = int32(o, "gpus");
        j.ranks = int32(o, "ranks");
        j.step_time_s = num(o, "step_time_s");
        j.tokens_per_step = num(o, "tokens_per_step");
        j.tokens_per_s = num(o, "tokens_per_s");
        j.model_tflops_per_gpu = num(o, "model_tflops_per_gpu");
        j.mfu = num(o, "mfu");
        // Absent from reports written before the shares were added (read as 0).
        j.compute_share = optional_num(o, "compute_share").value_or(0.0);
        j.communication_share = optional_num(o, "communication_share").value_or(0.0);
        j.idle_share = optional_num(o, "idle_share").value_or(0.0);
        o.finish();
        out.push_back(std::move(j));
    }
    return out;
}

std::string jobs_text(const std::vector<JobReport>& jobs) {
    if (jobs.empty()) {
        return "";
    }
    std::string out = "jobs\n";
    for (const auto& j : jobs) {
        out += fmt::format("  {:<12} GPUs {}..{} ({} ranks)  step {:.4g} s", j.name, j.first_gpu,
                           j.first_gpu + j.gpus - 1, j.ranks, j.step_time_s);
        if (j.tokens_per_step > 0) {
            out += fmt::format("  {:.4g} tokens/s  {:.1f} TFLOP/s/GPU  MFU {:.1f} %", j.tokens_per_s,
                               j.model_tflops_per_gpu, 100 * j.mfu);
        }
        out += j.model.empty() ? "\n" : fmt::format("  ({}, {})\n", j.kind, j.model);
        out += fmt::format("  {:<12} compute {:.1f} %  exposed communication {:.1f} %  idle {:.1f} %\n", "",
                           100 * j.compute_share, 100 * j.communication_share, 100 * j.idle_share);
    }
    return out;
}

} // namespace twin::report
