// Per-job figures of a "jobs" scenario (models/jobs.hpp), report.json's "jobs" array: each job's
// step ends when its last rank finishes, t_j = max over its ranks of finish_s; tokens/s =
// tokens per step / t_j; MFU = model FLOPs per step / (t_j · ranks · peak FLOP/s of the job's
// first GPU at the workload's precision), as the single-workload section computes them over the
// whole run (build_workload.cpp). How the job's GPUs spend its step, as shares of ranks · t_j:
// compute = sum compute_s / (ranks · t_j), exposed communication = sum communication_s /
// (ranks · t_j) (communicating while not computing, GpuActivity), idle = 1 - both (waiting for
// peers, pipeline bubbles, done before the job's last rank); time after t_j, while another job
// still runs, is not the job's. Written only for a "jobs" scenario, so single-workload reports
// are unchanged.
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/models/scenario.hpp"
#include "twin/report/run_result.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::report {

struct JobReport {
    std::string name;
    std::string kind;  // the workload's kind ("llm-training", ...; "trace" for a plain trace)
    std::string model; // "" for a plain trace
    int first_gpu = 0;
    int gpus = 0;  // GPUs reserved
    int ranks = 0; // GPUs that run the job's programs
    double step_time_s = 0.0;
    double tokens_per_step = 0.0;
    double tokens_per_s = 0.0;
    double model_tflops_per_gpu = 0.0;
    double mfu = 0.0;
    double compute_share = 0.0;       // of ranks x step_time_s (see above)
    double communication_share = 0.0; // exposed communication
    double idle_share = 0.0;
};

[[nodiscard]] std::vector<JobReport> build_jobs(const models::Scenario& scenario, const RunResult& result);
[[nodiscard]] nlohmann::json jobs_to_json(const std::vector<JobReport>& jobs);
// Reads the "jobs" array back, every key checked (InputError at its pointer).
[[nodiscard]] std::vector<JobReport> jobs_from_json(const Value& value);
// The CLI summary's lines, one per job ("" without jobs).
[[nodiscard]] std::string jobs_text(const std::vector<JobReport>& jobs);

} // namespace twin::report
