// Layout search for an "llm-training" workload (`clustertwin tune`, issue 16): enumerate parallel
// layouts, keep those that the workload reader accepts (divisibility) and that fit in HBM (the
// models library's training_memory), rank them by a fast analytic estimate, and hand the best k to
// the sweep runner as cases.
//
// Enumerated: tp in {1, 2, 4, 8} (at most the GPUs of a node: TP stays in the NVLink domain),
// pp among the divisors of the layer count up to 32, virtual stages v in {1, ..., 5} (v > 1:
// interleaved schedule, pp > 1), cp in {1, 2}, dp = GPUs / (tp·pp·cp), ep among the powers of two
// dividing the experts (1 for a dense model; the reader wants it to divide dp), zero in {0, 1, 3}
// (3 only with pp = 1: DeepSpeed's pipeline engine refuses ZeRO-2/3 with pipeline parallelism),
// micro_batch in {1, 2}, recompute in {none, selective, full}. A combination the workload reader
// refuses (divisibility, Megatron's rules such as overlap.param_gather needing zero >= 1) is not
// allowed by the framework and is skipped; one that does not fit in HBM too. The base's explicit
// stage split (pipeline_layers, first/last_stage_layers) and microbatch_group_size are dropped
// (the candidate splits evenly); other keys (rank order, overlap, precision) stay.
//
// Estimate (for ranking only; the child runs give the real numbers): compute, pipeline bubble and
// the exposed communication of TP, CP, EP, PP and DP/ZeRO, tune_estimate.hpp.
#pragma once

#include "twin/sweep/sweep.hpp"
#include "twin/sweep/tune_estimate.hpp"

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
    int ep = 1;
    int zero = 0;
};

struct Candidate {
    Layout layout;
    nlohmann::json scenario;
    double estimate_s = 0.0;
    double memory_bytes = 0.0; // the largest stage's, per GPU
    double bubble = 0.0;
    StepEstimate estimate; // its terms (tune_estimate.hpp)
};

struct TuneResult {
    std::vector<Candidate> ranked; // fitting layouts, fastest estimate first (ties: enumeration order)
    std::size_t enumerated = 0;
    std::size_t rejected_layout = 0; // the workload reader refused it (divisibility, batch), or ZeRO-3 with pp > 1
    std::size_t rejected_memory = 0; // does not fit in HBM
};

// `scenario_file`: a valid llm-training scenario (InputError otherwise, at /workload/type when the
// workload is another kind).
[[nodiscard]] TuneResult tune_layouts(const std::filesystem::path& scenario_file);

// The pointers that tune varies, as the table's columns.
[[nodiscard]] const std::vector<std::string>& tune_columns();

} // namespace twin::sweep
