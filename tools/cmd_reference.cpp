// `clustertwin reference`: writes the reference build of a scenario (buildout/reference.hpp) and,
// with --compare, runs it and the full scenario (each in its own process: SimGrid allows one engine
// per process) and prints their per-GPU figures side by side.
#include "cli_common.hpp"
#include "twin/buildout/load.hpp"
#include "twin/buildout/reference.hpp"
#include "twin/core/error.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/core/output_set.hpp"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace twin::cli {
namespace {

struct ReferenceArgs {
    std::string scenario;
    std::string out;
    bool compare = false;
};

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// Runs `clustertwin run` on a scenario into `dir` and returns its report's workload section.
nlohmann::json run_workload(const std::string& scenario, const std::filesystem::path& dir) {
    const std::string cmd =
        fmt::format("{} run {} -o {} --quiet", quote(std::filesystem::read_symlink("/proc/self/exe")), quote(scenario),
                    quote(dir.string()));
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("clustertwin run " + scenario + " failed");
    }
    std::ifstream in(dir / "report.json");
    return nlohmann::json::parse(in).at("workload");
}

int reference_command(const ReferenceArgs& a, const Budget& budget) {
    const Document doc = Document::load(a.scenario);
    auto in = buildout::load_buildout(a.scenario, budget.limits());
    const auto ref = buildout::make_reference(doc.root().json(), in.cluster, doc.file());
    write_file_atomically(a.out, ref.scenario.dump(2) + "\n", {"command line", "--out"});
    fmt::print("wrote {}: {} leaf group(s), {} nodes, {} of {} GPUs, dp {} (full: {})\n", a.out, ref.leaf_groups,
               ref.nodes, ref.gpus, ref.full_gpus, ref.dp, ref.full_dp);
    if (!a.compare) {
        fmt::print("compare: clustertwin run {} and clustertwin run {} (tokens/s per GPU, MFU, step time)\n",
                   a.scenario, a.out);
        return 0;
    }
    const auto tmp =
        std::filesystem::path(a.out).parent_path() / (std::filesystem::path(a.out).stem().string() + ".runs");
    const auto full = run_workload(a.scenario, tmp / "full");
    const auto small = run_workload(a.out, tmp / "reference");
    fmt::print("{:<24} {:>14} {:>14} {:>8}\n", "per-GPU figure", "full", "reference", "ratio");
    for (const char* k : {"step_time_s", "tokens_per_s_per_gpu", "mfu", "model_tflops_per_gpu"}) {
        if (full.contains(k) && small.contains(k)) {
            const double f = full[k].get<double>();
            const double s = small[k].get<double>();
            fmt::print("{:<24} {:>14.6g} {:>14.6g} {:>8.4f}\n", k, f, s, f != 0 ? s / f : 0.0);
        }
    }
    return 0;
}

} // namespace

Command add_reference_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<ReferenceArgs>();
    auto* cmd = app.add_subcommand("reference", "Write the smallest build with every part type and tier as a scenario");
    cmd->add_option("scenario", a->scenario, "Scenario file")->required();
    cmd->add_option("-o,--out", a->out, "The reference scenario (JSON)")->required();
    cmd->add_flag("--compare", a->compare, "Simulate both and compare their per-GPU figures");
    add_budget_options(cmd, budget, false);
    return {cmd, [a, &budget] { return reference_command(*a, budget); }};
}

} // namespace twin::cli
