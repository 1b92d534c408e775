// clustertwin-benchmark --jobs (issue 18): two jobs sharing the ladder's 100,000-GPU fabric (3-tier
// 400G Ethernet, 12,500 DGX H100), "jobs" instead of one workload (models/jobs.hpp):
//   - "big": the rung's Llama-3 405B shape (120 layers), TP 8 PP 20 DP 416 on GPUs 80-66,639
//     (node 10's first GPU to node 8,329);
//   - "small": Llama-3 70B, TP 8 PP 20 DP 208 on GPUs 66,640-99,919 (node 8,330's first GPU),
//     so both jobs share leaf group 130 (nodes 8,320-8,383) and every spine and core switch.
// The data-parallel families differ in size (416 and 208 replicas) and merge into one "dp" family,
// which folds into M = gcd = 208 blocks of 2 and 1 replicas (models/fold.hpp): 3 replicas, 480
// ranks, simulated. Wall time, CPU time (user + system) and peak resident memory of the child
// `clustertwin run -q`. Not a test: nothing asserts a time.
#include "benchmark_jobs.hpp"

#include "benchmark_child.hpp"

#include <fmt/format.h>
#include <fstream>

namespace twin::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json training(const std::string& preset, int layers, int dp) {
    return {{"type", "llm-training"},
            {"model", {{"preset", preset}, {"layers", layers}}},
            {"parallelism", {{"tp", 8}, {"pp", 20}, {"dp", dp}, {"sequence_parallel", true}, {"zero", 1}}},
            {"batch", {{"global_batch", 16 * dp}, {"micro_batch", 1}}},
            {"precision", "bf16"},
            {"recompute", "full"}};
}

std::string fold_of(const json& report) {
    for (const auto& s : report.at("engine").at("shortcuts")) {
        if (s.at("name") == "folded data-parallel replicas") {
            return fmt::format("{} ranks", s.at("simulated_ranks").get<int>());
        }
    }
    return "not folded";
}

} // namespace

int jobs_table(const std::string& exe, const fs::path& dir, const json& rung, int timeout_s) {
    constexpr int kDpBig = 416;
    constexpr int kDpSmall = 208;
    constexpr int kFirstBig = 80; // node 10: the big job's last node shares leaf group 130 with the small job
    constexpr int kFirstSmall = kFirstBig + kDpBig * 160;
    json s = rung;
    s.erase("workload");
    s["name"] = "bench-100k-two-jobs";
    s["jobs"] = json::array(
        {{{"name", "big"}, {"gpus", {{"first", kFirstBig}}}, {"workload", training("llama3-405b", 120, kDpBig)}},
         {{"name", "small"}, {"gpus", {{"first", kFirstSmall}}}, {"workload", training("llama3-70b", 80, kDpSmall)}}});
    const fs::path file = dir / "jobs-100k.json";
    std::ofstream(file) << s.dump(1) << "\n";
    const fs::path out = dir / "jobs-100k";
    fmt::print("100,000 H100 (3-tier 400G Ethernet), two jobs: Llama-3 405B shape (120 layers) at TP 8 PP 20 DP {} "
               "and Llama-3 70B at TP 8 PP 20 DP {}; stopped after {} s\n\n",
               kDpBig, kDpSmall, timeout_s);
    fmt::print("| case | fold | step big / small (simulated) | wall time | CPU time | peak memory |\n");
    fmt::print("|---|---|---:|---:|---:|---:|\n");
    const auto u =
        run_child({"timeout", std::to_string(timeout_s), exe, "run", "-q", "-o", out.string(), file.string()});
    if (u.exit_code != 0) {
        fmt::print("| two jobs | {} | | {:.1f} s | {:.1f} s | {:.2f} GB |\n",
                   u.exit_code == 124 ? fmt::format("stopped after {} s", timeout_s)
                                      : fmt::format("failed (exit {})", u.exit_code),
                   u.wall_s, u.cpu_s, u.peak_rss_bytes / 1e9);
        return 1;
    }
    std::ifstream in(out / "report.json");
    const auto report = json::parse(in);
    const auto& jobs = report.at("jobs");
    fmt::print("| two jobs sharing the 100k fabric | {} | {:.3f} s / {:.3f} s | {:.1f} s | {:.1f} s | {:.2f} GB |\n",
               fold_of(report), jobs.at(0).at("step_time_s").get<double>(), jobs.at(1).at("step_time_s").get<double>(),
               u.wall_s, u.cpu_s, u.peak_rss_bytes / 1e9);
    return 0;
}

} // namespace twin::bench
