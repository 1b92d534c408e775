// Layout search for an "llm-training" workload (`clustertwin tune`, issue 16): enumerate parallel
// layouts, keep those that the workload reader accepts (divisibility) and that fit in HBM (the
// models library's training_memory), rank them by a fast analytic estimate, and hand the best k to
// the sweep runner as cases.
//
// Enumerated: tp in {1, 2, 4, 8} (at most the GPUs of a node: TP stays in the NVLink domain),
// pp in {1, 2, 4, 8, 16}, virtual stages v in {1, 2, 3, 4, 5} (v > 1: interleaved schedule, pp > 1),
// cp in {1, 2}, dp = GPUs / (tp·pp·cp), micro_batch in {1, 2}, recompute in {none, selective, full};
// ep and zero stay as in the base scenario.
//
// Estimate (for ranking only; the child runs give the real numbers):
//   t = F_hw / (G · P · e) / (1 − b),   b = (pp − 1) / (v·m + pp − 1)
// F_hw hardware FLOPs of a step (training_step_flops: recompute included), G GPUs, P the GPU's dense
// peak at the workload's precision, e its compute_efficiency (catalog), m micro-batches per step.
// It has no communication term: layouts that differ mostly in exposed communication tie here and
// are told apart by the simulation of the best k.
#pragma once

#include "twin/sweep/sweep.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::sweep {

struct Layout {
    int tp = 1;
    int pp = 1;
    int vp = 1;
    int cp = 1;
    int dp = 1;
    int micro_batch = 1;
    std::string recompute = "none";
};

struct Candidate {
    Layout layout;
    nlohmann::json scenario;
    double estimate_s = 0.0;
    double memory_bytes = 0.0; // the largest stage's, per GPU
    double bubble = 0.0;
};

struct TuneResult {
    std::vector<Candidate> ranked; // fitting layouts, fastest estimate first (ties: enumeration order)
    std::size_t enumerated = 0;
    std::size_t rejected_layout = 0; // the workload reader refused it (divisibility, batch)
    std::size_t rejected_memory = 0; // does not fit in HBM
};

// `scenario_file`: a valid llm-training scenario (InputError otherwise, at /workload/type when the
// workload is another kind).
[[nodiscard]] TuneResult tune_layouts(const std::filesystem::path& scenario_file);

// The pointers that tune varies, as the table's columns.
[[nodiscard]] const std::vector<std::string>& tune_columns();

} // namespace twin::sweep
