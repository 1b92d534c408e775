// clustertwin-benchmark --contention (issue 18): an all-GPU 1 GiB all-reduce on the bundled 16k
// H100 fabric whose aggregation tier is 1:7 oversubscribed (scenarios/llama3-405b-16k-h100.json,
// its topology kept, its workload replaced by a trace of one all-reduce over every GPU), at 512,
// 2,048 and 16,384 GPUs (pods of 8 racks below 16k). Each row is a child process: `run` (the
// all-reduce is a fluid-timed collective), `collective --auto-only` (the sweep's fluid solver) and,
// for the smaller sizes, `run --no-fold` (every flow in SimGrid) as the reference. Reports the
// child's wall time, CPU time (user + system: the machine is shared, wall time depends on its
// load) and peak resident memory. Target: the 16k rows under 10 s on 2 cores.
#include "benchmark_contention.hpp"

#include "benchmark_child.hpp"

#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

namespace twin::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json all_reduce_scenario(const json& base, int nodes) {
    json s = base;
    const int gpus = nodes * 8;
    s["name"] = fmt::format("allreduce-{}-oversub", gpus);
    s["topology"]["nodes"][0]["count"] = nodes;
    if (nodes < 2048) {
        s["topology"]["fabric"]["leaf_groups_per_pod"] = 8;
    }
    s["workload"] = {
        {"type", "trace"},
        {"trace",
         {{"schema_version", 1},
          {"name", "all-GPU all-reduce"},
          {"ranks", gpus},
          {"groups", {{"all", json::object()}}},
          {"classes",
           json::array({{{"name", "w"},
                         {"ranks", "all"},
                         {"program", json::array({{{"op", "all_reduce"}, {"group", "all"}, {"size", "1GiB"}}})}}})}}}};
    return s;
}

} // namespace

int contention_table(const std::string& exe, const fs::path& dir, const fs::path& base_scenario, bool with_simgrid) {
    std::ifstream in(base_scenario);
    if (!in) {
        fmt::print(stderr, "--contention: cannot read {}\n", base_scenario.string());
        return 2;
    }
    const json base = json::parse(in);
    fmt::print("| GPUs | command | all-reduce (simulated) | wall time | CPU time | peak memory |\n");
    fmt::print("|---:|---|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    int failures = 0;
    for (const int nodes : {64, 256, 2048}) {
        const int gpus = nodes * 8;
        const fs::path file = dir / fmt::format("allreduce-{}.json", gpus);
        std::ofstream(file) << all_reduce_scenario(base, nodes).dump(1) << "\n";
        struct Row {
            std::string label;
            std::vector<std::string> args;
            bool report; // run: read the all-reduce's time from report.json
        };
        const fs::path out = dir / fmt::format("allreduce-{}-out", gpus);
        std::vector<Row> rows = {{"`run`", {"run", "-q", "-o", out.string(), file.string()}, true},
                                 {"`collective -b 1GiB -e 1GiB --auto-only`",
                                  {"collective", "-q", "-b", "1GiB", "-e", "1GiB", "--auto-only", file.string()},
                                  false}};
        if (with_simgrid && gpus <= 2048) {
            rows.push_back(
                {"`run --no-fold` (SimGrid)", {"run", "-q", "--no-fold", "-o", out.string(), file.string()}, true});
        }
        for (const auto& row : rows) {
            std::vector<std::string> argv = row.args;
            argv.insert(argv.begin(), exe);
            const auto u = run_child(std::move(argv));
            std::string simulated = "";
            if (u.exit_code != 0) {
                simulated = fmt::format("failed (exit {})", u.exit_code);
                ++failures;
            } else if (row.report) {
                std::ifstream r(out / "report.json");
                const auto c = json::parse(r).at("collectives").at(0);
                simulated = fmt::format("{:.3f} ms ({})", c.at("mean_time_s").get<double>() * 1e3,
                                        c.at("algorithm").get<std::string>());
            }
            fmt::print("| {} | {} | {} | {:.1f} s | {:.1f} s | {:.2f} GB |\n", gpus, row.label, simulated, u.wall_s,
                       u.cpu_s, u.peak_rss_bytes / 1e9);
            std::fflush(stdout);
        }
    }
    return failures == 0 ? 0 : 1;
}

} // namespace twin::bench
