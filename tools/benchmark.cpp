// clustertwin-benchmark: the scale ladder of issue 6. For each rung it writes a scenario (an
// H100 cluster of N GPUs on a 3-tier rail-optimized Ethernet fabric of 64 x 800G switches with
// ports split to 400G, one 400G NIC per GPU on 8 rails, running one training step of a
// 405B-class dense model), runs `clustertwin run -q` on it as a child process and reports the
// child's wall time and peak resident memory (getrusage of the child: ru_maxrss).
//
// With --fold-ecmp N it runs instead one comparison (issue 13, item 8): the rung of N GPUs with its
// leaf tier 2:1 oversubscribed, under ECMP (seeds 1, 2, 3: the seed salts the ECMP hash) and
// adaptive routing, each folded and with --no-fold, and prints the step times side by side.
//
// With --contention it runs instead the all-GPU all-reduce on the bundled 1:7 oversubscribed 16k
// fabric (issue 18; benchmark_contention.cpp).
//
// With --asymmetric it runs instead the 100k rung with a failed spine-core link and stragglers
// (issue 18; benchmark_asymmetric.cpp).
//
// With --jobs it runs instead two training jobs sharing the 100k rung's fabric (issue 18;
// benchmark_jobs.cpp).
//
// Not a test: nothing here asserts a time. The README's performance table is this program's output.
#include "benchmark_asymmetric.hpp"
#include "benchmark_child.hpp"
#include "benchmark_contention.hpp"
#include "benchmark_jobs.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using twin::bench::run_child;
using twin::bench::Usage;

struct Rung {
    int gpus;
    int pp;     // pipeline stages
    int layers; // divisible by pp: 128 (Llama-3 405B shape + 2 layers, as Meta's 16k run) or 120
};

// TP 8 everywhere; DP = gpus / (8 pp); 16 micro-batches of one 8k-token sequence per replica.
const std::vector<Rung> kLadder = {{1024, 16, 128},  {8192, 16, 128},   {16384, 16, 128},
                                   {32768, 16, 128}, {100000, 20, 120}, {1000000, 20, 120}};

// Above 524,288 GPUs (128^3 / 4) one 3-tier fabric of 128-port switches cannot reach every GPU:
// the 1M rung splits each 400G NIC into 2 x 200G ports on 2 independent planes of the same
// switches run as 256 x 200G (Spectrum-4 ports split in four; an assumption of this benchmark).
json multi_plane_catalog() {
    return json{
        {"nics",
         {{"ConnectX-7-2x200G",
           {{"port_bandwidth", "200Gbps"},
            {"ports", 2},
            {"latency", "600ns"},
            {"power", "25W"},
            {"efficiency", 0.94}}}}},
        {"switches",
         {{"SN5600-200G", {{"radix", 256}, {"port_bandwidth", "200Gbps"}, {"latency", "600ns"}, {"power", "1500W"}}}}},
        {"nodes",
         {{"DGX-H100-2x200G",
           {{"gpu", "H100-SXM"},
            {"gpus", 8},
            {"nic", "ConnectX-7-2x200G"},
            {"nics", 8},
            {"scaleup_switch", "NVSwitch-gen3"},
            {"scaleup_switches", 4},
            {"host_link", "PCIe5-x16"},
            {"other_power", "4400W"}}}}}};
}

json single_plane_scenario(const Rung& r);

// 1M GPUs fill ~18 halls of the default floorplan: some spine-core links are longer than the
// default rules' longest fibre (FR4, 2 km), so the 1M rung lists the default rules
// (buildout/src/cable_rules.cpp, default_cable_rules) and adds single-mode LR4 to 10 km
// (IEEE 802.3cu 400GBASE-LR4-6 reaches 6 km, 100G-LR 10 km; an assumption of the benchmark).
json long_reach_cable_rules() {
    const auto rule = [](const char* name, const char* type, double length_m, double gbps) {
        json r = {{"name", name}, {"type", type}, {"max_length_m", length_m}, {"source", "default rule"}};
        if (gbps > 0) {
            r["max_gbps"] = gbps;
        }
        return r;
    };
    json rules = json::array({rule("DAC-800G", "DAC", 2, 800), rule("DAC", "DAC", 3, 400), rule("ACC", "ACC", 5, 800),
                              rule("AEC", "AEC", 7, 800), rule("AOC", "AOC", 100, 200), rule("SR", "fibre", 50, 0),
                              rule("DR", "fibre", 500, 0), rule("FR", "fibre", 2000, 0)});
    json lr = rule("LR", "fibre", 10000, 0);
    lr["source"] = "single-mode LR4 to 10 km (assumption of the benchmark: longer than the default rules' 2 km)";
    rules.push_back(lr);
    for (auto& r : rules) {
        if (r["type"] == "fibre") {
            r["transceiver_w_per_400g"] = 9; // as the defaults
        } else if (r["type"] == "AOC") {
            r["end_w"] = 4.5;
        }
    }
    return rules;
}

json scenario(const Rung& r) {
    json s = single_plane_scenario(r);
    if (r.gpus > 524288) {
        s["catalog"] = multi_plane_catalog();
        s["topology"]["nodes"][0]["type"] = "DGX-H100-2x200G";
        auto& f = s["topology"]["fabric"];
        f["planes"] = 2;
        f["nodes_per_leaf_group"] = 128;
        for (auto& t : f["tiers"]) {
            t["switch"] = "SN5600-200G";
        }
        s["floorplan"] = {{"cable_rules", long_reach_cable_rules()}};
    }
    return s;
}

json single_plane_scenario(const Rung& r) {
    const int nodes = r.gpus / 8;
    const int dp = r.gpus / (8 * r.pp);
    return json{{"schema_version", 1},
                {"name", fmt::format("bench-{}", r.gpus)},
                {"description", "clustertwin-benchmark rung"},
                {"seed", 1},
                {"topology",
                 {{"name", fmt::format("{} H100, 3-tier 400G Ethernet", r.gpus)},
                  {"nodes", json::array({{{"type", "DGX-H100"}, {"count", nodes}}})},
                  {"racks", {{"nodes_per_rack", 4}}},
                  {"fabric",
                   {{"type", "rail-optimized-fat-tree"},
                    {"access_cable", "NDR-DAC"},
                    {"technology", "roce"},
                    {"nodes_per_leaf_group", 64},
                    {"tiers", json::array({{{"switch", "SN5600-400G"}, {"uplink_cable", "NDR-optical"}},
                                           {{"switch", "SN5600-400G"}, {"uplink_cable", "NDR-optical"}},
                                           {{"switch", "SN5600-400G"}}})}}}}},
                {"workload",
                 {{"type", "llm-training"},
                  {"model", {{"preset", "llama3-405b"}, {"layers", r.layers}}},
                  {"parallelism", {{"tp", 8}, {"pp", r.pp}, {"dp", dp}, {"sequence_parallel", true}, {"zero", 1}}},
                  {"batch", {{"global_batch", 16 * dp}, {"micro_batch", 1}}},
                  {"precision", "bf16"},
                  {"recompute", "full"}}}};
}

// One `clustertwin run` of a scenario, timed (benchmark_child.cpp).
Usage run_scenario(const std::string& exe, const fs::path& scenario_file, const fs::path& out_dir,
                   bool no_fold = false) {
    std::vector<std::string> argv{exe, "run", "-q"};
    if (no_fold) {
        argv.emplace_back("--no-fold");
    }
    argv.insert(argv.end(), {"-o", out_dir.string(), scenario_file.string()});
    return run_child(std::move(argv));
}

std::string machine() {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line;
    std::string model = "unknown CPU";
    while (std::getline(cpu, line)) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const double mem = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    return fmt::format("{}, {} cores, {:.0f} GB RAM", model, cores, mem / 1e9);
}

double step_of(const fs::path& out) {
    std::ifstream in(out / "report.json");
    return json::parse(in).at("simulated_time_s").get<double>();
}

// Fold against --no-fold under ECMP (three seeds) and adaptive routing, 2:1 at the leaves.
int fold_ecmp_table(const std::string& exe, const fs::path& dir, int gpus) {
    const auto it = std::find_if(kLadder.begin(), kLadder.end(), [&](const Rung& r) { return r.gpus == gpus; });
    if (it == kLadder.end() || gpus > 524288) {
        fmt::print(stderr, "--fold-ecmp: {} is not a single-plane rung of the ladder\n", gpus);
        return 2;
    }
    fmt::print("{} GPUs, {} layers, TP 8 PP {} DP {}, leaves 2:1 oversubscribed\n\n", gpus, it->layers, it->pp,
               gpus / (8 * it->pp));
    fmt::print("| routing | seed | step folded | step --no-fold | folded / no-fold | wall folded | wall --no-fold |\n");
    fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    int failures = 0;
    const std::vector<std::pair<std::string, int>> cases = {{"ecmp", 1}, {"adaptive", 1}, {"ecmp", 2}, {"ecmp", 3}};
    for (const auto& [routing, seed] : cases) {
        json s = scenario(*it);
        s["seed"] = seed;
        s["topology"]["fabric"]["routing"] = routing;
        s["topology"]["fabric"]["tiers"][0]["oversubscription"] = "2:1";
        const std::string name = fmt::format("fold-{}-{}-{}", gpus, routing, seed);
        const fs::path file = dir / (name + ".json");
        std::ofstream(file) << s.dump(1) << "\n";
        const auto folded = run_scenario(exe, file, dir / (name + "-folded"));
        const auto full = run_scenario(exe, file, dir / (name + "-full"), true);
        if (folded.exit_code != 0 || full.exit_code != 0) {
            fmt::print("| {} | {} | failed (exit {} / {}) | | | | |\n", routing, seed, folded.exit_code,
                       full.exit_code);
            ++failures;
            continue;
        }
        const double a = step_of(dir / (name + "-folded"));
        const double b = step_of(dir / (name + "-full"));
        fmt::print("| {} | {} | {:.3f} s | {:.3f} s | {:+.2f} % | {:.1f} s | {:.1f} s |\n", routing, seed, a, b,
                   (a / b - 1) * 100, folded.wall_s, full.wall_s);
        std::fflush(stdout);
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"clustertwin-benchmark: wall time and peak memory of one training step, 1,024 to 1,000,000 GPUs"};
    std::string exe;
    long max_gpus = 1000000;
    std::string keep;
    app.add_option("--clustertwin", exe, "The clustertwin executable (default: next to this program)");
    app.add_option("--max-gpus", max_gpus, "Stop after the rung of this many GPUs");
    long min_gpus = 0;
    app.add_option("--min-gpus", min_gpus, "Skip the rungs of fewer GPUs (--min-gpus 1000000: the 1M rung alone)");
    app.add_option("--keep", keep, "Write the rungs' scenarios and reports into this directory");
    int fold_ecmp = 0;
    app.add_option("--fold-ecmp", fold_ecmp,
                   "Instead of the ladder: the rung of this many GPUs (2:1 leaves) folded and with --no-fold, under "
                   "ECMP (seeds 1-3) and adaptive routing");
    bool contention = false;
    bool with_simgrid = false;
    app.add_flag("--contention", contention,
                 "Instead of the ladder: an all-GPU 1 GiB all-reduce on the bundled 1:7 oversubscribed 16k fabric "
                 "(512, 2,048, 16,384 GPUs)");
    app.add_flag("--with-simgrid", with_simgrid, "With --contention: also `run --no-fold` up to 2,048 GPUs (minutes)");
    bool asymmetric = false;
    int timeout_s = 600;
    app.add_flag("--asymmetric", asymmetric,
                 "Instead of the ladder: the 100k rung with a failed spine-core link and stragglers");
    bool jobs = false;
    app.add_flag("--jobs", jobs, "Instead of the ladder: two training jobs sharing the 100k rung's fabric");
    app.add_option("--timeout", timeout_s, "With --asymmetric or --jobs: stop each run after this many seconds");
    CLI11_PARSE(app, argc, argv);
    if (exe.empty()) {
        exe = (fs::canonical("/proc/self/exe").parent_path() / "clustertwin").string();
    }
    const fs::path dir =
        keep.empty() ? fs::temp_directory_path() / fmt::format("clustertwin-bench-{}", getpid()) : fs::path(keep);
    fs::create_directories(dir);
    fmt::print("machine: {}\n\n", machine());
    if (contention) {
        const int rc = twin::bench::contention_table(
            exe, dir, fs::path(TWIN_SOURCE_DIR) / "scenarios" / "llama3-405b-16k-h100.json", with_simgrid);
        if (keep.empty()) {
            fs::remove_all(dir);
        }
        return rc;
    }
    if (jobs) {
        const auto rung = std::find_if(kLadder.begin(), kLadder.end(), [](const Rung& r) { return r.gpus == 100000; });
        const int rc = twin::bench::jobs_table(exe, dir, scenario(*rung), timeout_s);
        if (keep.empty()) {
            fs::remove_all(dir);
        }
        return rc;
    }
    if (asymmetric) {
        const auto rung = std::find_if(kLadder.begin(), kLadder.end(), [](const Rung& r) { return r.gpus == 100000; });
        const int rc = twin::bench::asymmetric_table(exe, dir, scenario(*rung), timeout_s);
        if (keep.empty()) {
            fs::remove_all(dir);
        }
        return rc;
    }
    if (fold_ecmp > 0) {
        const int rc = fold_ecmp_table(exe, dir, fold_ecmp);
        if (keep.empty()) {
            fs::remove_all(dir);
        }
        return rc;
    }
    fmt::print(
        "| GPUs | model, parallelism | simulated ranks | flows | step (simulated) | wall time | peak memory |\n");
    fmt::print("|---:|---|---:|---:|---:|---:|---:|\n");
    std::fflush(stdout);
    int failures = 0;
    for (const auto& r : kLadder) {
        if (r.gpus > max_gpus) {
            break;
        }
        if (r.gpus < min_gpus) {
            continue;
        }
        const fs::path file = dir / fmt::format("bench-{}.json", r.gpus);
        std::ofstream(file) << scenario(r).dump(1) << "\n";
        const fs::path out = dir / fmt::format("bench-{}", r.gpus);
        const auto m = run_scenario(exe, file, out);
        const std::string what = fmt::format("{} layers, TP 8 PP {} DP {}", r.layers, r.pp, r.gpus / (8 * r.pp));
        if (m.exit_code != 0) {
            fmt::print("| {} | {} | failed (exit {}) | | | {:.1f} s | {:.2f} GB |\n", r.gpus, what, m.exit_code,
                       m.wall_s, m.peak_rss_bytes / 1e9);
            ++failures;
            continue;
        }
        std::ifstream in(out / "report.json");
        const auto report = json::parse(in);
        int simulated = r.gpus;
        for (const auto& s : report.at("engine").at("shortcuts")) {
            if (s.contains("simulated_ranks")) {
                simulated = s.at("simulated_ranks").get<int>();
            }
        }
        fmt::print("| {} | {} | {} | {} | {:.3f} s | {:.1f} s | {:.2f} GB |\n", r.gpus, what, simulated,
                   report.at("engine").at("flows").get<std::int64_t>(), report.at("simulated_time_s").get<double>(),
                   m.wall_s, m.peak_rss_bytes / 1e9);
        std::fflush(stdout);
    }
    if (keep.empty()) {
        fs::remove_all(dir);
    }
    return failures == 0 ? 0 : 1;
}
