// `clustertwin validate`, `info` and `workload`: load a scenario (no simulation) and print facts
// about it, as text or, with --json, as one JSON document on stdout with the same facts (numbers
// unrounded, units in the key names). Bad input prints nothing on stdout (main: one line on
// stderr, exit 2).
#include "cli_common.hpp"
#include "twin/buildout/check.hpp"
#include "twin/buildout/load.hpp"
#include "twin/core/output_set.hpp"
#include "twin/models/chakra_writer.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/trace_writer.hpp"
#include "twin/sim/budget.hpp"
#include "twin/sim/run.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::cli {
namespace {

struct InspectArgs {
    std::string scenario;
    std::string out_path;   // workload -o
    std::string chakra_dir; // workload --chakra
    bool quiet = false;
    bool json = false;
};

std::int64_t total_ops(const models::Trace& t) {
    std::int64_t ops = 0;
    for (const auto& c : t.classes) {
        ops += static_cast<std::int64_t>(c.ranks.size()) * models::count_ops(c.program);
    }
    return ops;
}

// The "workload: ..." line of info and workload.
std::string workload_line(const models::Trace& t) {
    return fmt::format("workload: {} ({} ranks, {} rank classes, {} group families, {} ops in total)\n", t.name,
                       t.ranks, t.classes.size(), t.groups.size(), total_ops(t));
}

nlohmann::json workload_json(const models::Trace& t, bool with_info) {
    nlohmann::json j = {{"name", t.name},
                        {"ranks", t.ranks},
                        {"rank_classes", t.classes.size()},
                        {"group_families", t.groups.size()},
                        {"ops", total_ops(t)}};
    if (with_info && t.info.present) {
        j["info"] = {{"kind", t.info.kind},
                     {"model", t.info.model},
                     {"parameters", t.info.parameters},
                     {"tokens_per_step", t.info.tokens_per_step},
                     {"model_flops_per_step", t.info.model_flops_per_step},
                     {"hardware_flops_per_step", t.info.hardware_flops_per_step},
                     {"figures", t.info.figures}};
        if (!t.info.stage_memory_bytes.empty()) {
            j["info"]["stage_memory_bytes"] = t.info.stage_memory_bytes;
        }
    }
    return j;
}

// The per-stage memory table of a training workload, GiB per GPU, one row per pipeline stage.
void print_stage_memory(const std::vector<std::map<std::string, double>>& stages) {
    if (stages.empty()) {
        return;
    }
    std::vector<std::string> columns = {"parameters", "weight_copies", "gradients", "optimizer",     "activations",
                                        "embedding",  "logits",        "framework", "fragmentation", "total"};
    for (const auto& [k, v] : stages.front()) {
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) {
            columns.push_back(k);
        }
    }
    constexpr double gib = 1024.0 * 1024.0 * 1024.0;
    std::string line = fmt::format("  memory per GPU (GiB)\n  {:>5}", "stage");
    for (const auto& c : columns) {
        line += fmt::format(" {:>{}}", c, std::max<std::size_t>(c.size(), 7));
    }
    fmt::print("{}\n", line);
    for (std::size_t s = 0; s < stages.size(); ++s) {
        line = fmt::format("  {:>5}", s);
        for (const auto& c : columns) {
            const auto it = stages[s].find(c);
            line += fmt::format(" {:>{}.2f}", it == stages[s].end() ? 0.0 : it->second / gib,
                                std::max<std::size_t>(c.size(), 7));
        }
        fmt::print("{}\n", line);
    }
}

void print_json(const nlohmann::json& j) {
    fmt::print("{}\n", j.dump(2));
}

int validate_command(const InspectArgs& a, const Budget& budget) {
    const auto s = models::load_scenario(a.scenario, budget.limits());
    sim::RunOptions options;
    options.max_ops = budget.limits().max_ops;
    sim::check_budget(s.cluster, s.trace, options);
    // The floor plan and the build-out files it names, as `bom` and `run` read them.
    (void)buildout::check_buildout(s.cluster, buildout::load_floorplan(a.scenario));
    if (a.quiet) {
        return 0;
    }
    if (a.json) {
        print_json({{"valid", true},
                    {"scenario", a.scenario},
                    {"name", s.name},
                    {"gpus", s.cluster.gpu_count()},
                    {"links", s.cluster.links().size()},
                    {"ranks", s.trace.ranks}});
        return 0;
    }
    fmt::print("{}: ok ({} GPUs, {} links, {} ranks)\n", a.scenario, s.cluster.gpu_count(), s.cluster.links().size(),
               s.trace.ranks);
    return 0;
}

int info_command(const InspectArgs& a, const Budget& budget) {
    const auto s = models::load_scenario(a.scenario, budget.limits());
    if (a.quiet) {
        return 0;
    }
    const auto summary = topology::summarize(s.cluster);
    if (a.json) {
        print_json({{"scenario", a.scenario},
                    {"cluster", topology::summary_to_json(summary)},
                    {"workload", workload_json(s.trace, false)}});
        return 0;
    }
    fmt::print("{}{}", topology::format_summary(summary), workload_line(s.trace));
    return 0;
}

// The trace as Chakra .et files dir/rank<r>.et (models/chakra_writer.hpp). Every rank's size is
// checked before the first file is written; each file is written atomically.
void write_chakra_files(const models::Trace& t, const std::string& dir) {
    for (const auto& c : t.classes) {
        if (const std::int64_t ops = models::count_ops(c.program); ops > models::kMaxChakraNodesPerRank) {
            throw InputError("command line", "--chakra",
                             fmt::format("rank class {} unrolls to {} operations per rank; a Chakra export holds at "
                                         "most {} (use fewer steps or layers)",
                                         c.name, ops, models::kMaxChakraNodesPerRank));
        }
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) {
        throw InputError("command line", "--chakra",
                         fmt::format("cannot use \"{}\" as the output directory: {}", dir,
                                     ec ? ec.message() : "it exists and is not a directory"));
    }
    for (int r = 0; r < t.ranks; ++r) {
        write_file_atomically((std::filesystem::path(dir) / fmt::format("rank{}.et", r)).string(),
                              models::chakra_rank_bytes(t, r), {"command line", "--chakra"});
    }
}

int workload_command(const InspectArgs& a, const Budget& budget) {
    const auto s = models::load_scenario(a.scenario, budget.limits());
    const auto& t = s.trace;
    if (!a.out_path.empty()) {
        write_file_atomically(a.out_path, models::trace_to_json(t).dump(1) + "\n", {"command line", "--out"});
    }
    if (!a.chakra_dir.empty()) {
        write_chakra_files(t, a.chakra_dir);
    }
    if (a.quiet) {
        return 0;
    }
    if (a.json) {
        nlohmann::json j = {{"scenario", a.scenario}, {"workload", workload_json(t, true)}};
        if (!a.out_path.empty()) {
            j["wrote"] = a.out_path;
        }
        print_json(j);
        return 0;
    }
    fmt::print("{}", workload_line(t));
    if (t.info.present) {
        fmt::print("  kind {}, model {}, {:.4g} parameters, {:.4g} tokens per step\n", t.info.kind, t.info.model,
                   t.info.parameters, t.info.tokens_per_step);
        fmt::print("  {:.4g} model FLOP and {:.4g} hardware FLOP per step\n", t.info.model_flops_per_step,
                   t.info.hardware_flops_per_step);
        for (const auto& [k, v] : t.info.figures) {
            fmt::print("  {:<36} {:.6g}\n", k, v);
        }
        print_stage_memory(t.info.stage_memory_bytes);
    }
    if (!a.out_path.empty()) {
        fmt::print("wrote {}\n", a.out_path);
    }
    if (!a.chakra_dir.empty()) {
        fmt::print("wrote {} Chakra rank files {}/rank{{0..{}}}.et\n", t.ranks, a.chakra_dir, t.ranks - 1);
    }
    return 0;
}

CLI::App* add_common(CLI::App& app, const char* name, const char* help, InspectArgs& a, Budget& budget,
                     bool out = false) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("scenario", a.scenario, "Scenario JSON file")->required();
    if (out) {
        cmd->add_option("-o,--out", a.out_path, "Write the trace (format v1) to this file");
        cmd->add_option("--chakra", a.chakra_dir,
                        "Write the trace as Chakra execution traces, one binary file DIR/rank<r>.et per rank");
    }
    add_budget_options(cmd, budget, false);
    cmd->add_flag("-q,--quiet", a.quiet, "Print nothing on success");
    cmd->add_flag("--json", a.json, "Print the facts as one JSON document on stdout instead of text");
    return cmd;
}

} // namespace

Command add_validate_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<InspectArgs>();
    auto* cmd = add_common(app, "validate", "Check a scenario (topology and workload) without running it", *a, budget);
    return {cmd, [a, &budget] { return validate_command(*a, budget); }};
}

Command add_info_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<InspectArgs>();
    auto* cmd = add_common(app, "info", "Print the cluster summary: counts, tiers, bandwidths, bisection", *a, budget);
    return {cmd, [a, &budget] { return info_command(*a, budget); }};
}

Command add_workload_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<InspectArgs>();
    auto* cmd = add_common(app, "workload",
                           "Generate the scenario's workload: print its summary, write it as a trace v1 file (-o)", *a,
                           budget, true);
    return {cmd, [a, &budget] { return workload_command(*a, budget); }};
}

} // namespace twin::cli
