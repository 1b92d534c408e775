// clustertwin-benchmark --asymmetric (issue 18): the ladder's 100,000-GPU rung (Llama-3 405B
// shape, TP 8 PP 20 DP 625, 3-tier 400G Ethernet) with its symmetry broken:
//   - one failed spine-core link ("failed_links", topology/failed_links.hpp): every image flow is
//     routed around it, the run stays folded;
//   - that, plus one straggling GPU (speed 0.9) in each of 6 replicas (1 % of the 625), each at
//     another stage: partial folding simulates those 6 replicas and one that stands for the 619
//     others;
//   - that, plus 1 % of the GPUs straggling (fraction 0.01, speed 0.9): with 160-GPU replicas
//     0.99^160 = 20 % of the replicas have no straggler and nearly every other one has its own
//     (~500 exact groups), so partial folding groups the replicas by the pipeline stage of their
//     slowest GPU instead (models/fold.hpp): 20 stages + the healthy ones = 21 simulated replicas.
// Each row is a child `clustertwin run -q` under `timeout`; wall time, CPU time (user + system)
// and peak resident memory of the child. Not a test: nothing here asserts a time.
#include "benchmark_asymmetric.hpp"

#include "benchmark_child.hpp"

#include <fmt/format.h>
#include <fstream>
#include <vector>

namespace twin::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Usage run_with_timeout(const std::string& exe, const fs::path& scenario, const fs::path& out, int timeout_s) {
    return run_child({"timeout", std::to_string(timeout_s), exe, "run", "-q", "-o", out.string(), scenario.string()});
}

// The fold entry's summary: simulated ranks, groups and their grouping.
std::string fold_of(const json& report) {
    for (const auto& s : report.at("engine").at("shortcuts")) {
        if (s.at("name") == "folded data-parallel replicas") {
            if (!s.contains("groups")) {
                return fmt::format("{} ranks, 1 group", s.at("simulated_ranks").get<int>());
            }
            return fmt::format("{} ranks, {} groups ({})", s.at("simulated_ranks").get<int>(), s.at("groups").size(),
                               s.at("grouping").get<std::string>());
        }
    }
    return "not folded";
}

} // namespace

int asymmetric_table(const std::string& exe, const fs::path& dir, const json& rung, int timeout_s) {
    json failed = rung;
    // The first cable between spine 0 of pod 0 and core switch 0.
    failed["failed_links"] = json::array({json::array({"spine.g0.0", "core.0"})});
    json few = failed;
    json stragglers = json::array();
    // The layout puts TP innermost, then DP: node n holds replica n mod 625 of stage n / 625. One GPU
    // (local 3) in each of replicas 0, 104, ..., 520, at stages 0, 3, ..., 15: 6 different places.
    for (int k = 0; k < 6; ++k) {
        stragglers.push_back(8 * (k * 104 + 3 * k * 625) + 3);
    }
    few["stragglers"] = json::array({{{"gpus", stragglers}, {"speed", 0.9}}});
    json many = failed;
    many["stragglers"] = json::array({{{"fraction", 0.01}, {"speed", 0.9}}});
    const std::vector<std::pair<std::string, json>> rows = {
        {"symmetric (the ladder's rung)", rung},
        {"1 failed spine-core link", failed},
        {"1 failed link + 6 straggling GPUs (speed 0.9) in 6 replicas (1 %), 6 stages", few},
        {"1 failed link + 1 % of the GPUs straggling (speed 0.9)", many}};
    fmt::print("100,000 H100, 120 layers, TP 8 PP 20 DP 625; each run stopped after {} s\n\n", timeout_s);
    fmt::print("| case | fold | step (simulated) | wall time | CPU time | peak memory |\n");
    fmt::print("|---|---|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    int failures = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const fs::path file = dir / fmt::format("asym-{}.json", i);
        std::ofstream(file) << rows[i].second.dump(1) << "\n";
        const fs::path out = dir / fmt::format("asym-{}", i);
        const auto u = run_with_timeout(exe, file, out, timeout_s);
        if (u.exit_code != 0) {
            fmt::print("| {} | {} | | {:.1f} s | {:.1f} s | {:.2f} GB |\n", rows[i].first,
                       u.exit_code == 124 ? fmt::format("stopped after {} s", timeout_s)
                                          : fmt::format("failed (exit {})", u.exit_code),
                       u.wall_s, u.cpu_s, u.peak_rss_bytes / 1e9);
            ++failures;
        } else {
            std::ifstream in(out / "report.json");
            const auto report = json::parse(in);
            fmt::print("| {} | {} | {:.3f} s | {:.1f} s | {:.1f} s | {:.2f} GB |\n", rows[i].first, fold_of(report),
                       report.at("simulated_time_s").get<double>(), u.wall_s, u.cpu_s, u.peak_rss_bytes / 1e9);
        }
        std::fflush(stdout);
    }
    return failures == 0 ? 0 : 1;
}

} // namespace twin::bench
