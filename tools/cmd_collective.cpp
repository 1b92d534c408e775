// `clustertwin collective`: an nccl-tests-style sweep of one collective over a group of GPUs of
// the scenario's cluster; the table on stdout, the rows as JSON (--json FILE) and CSV (--csv FILE).
#include "cli_common.hpp"
#include "twin/core/error.hpp"
#include "twin/core/output_set.hpp"
#include "twin/core/units.hpp"
#include "twin/models/scenario.hpp"
#include "twin/sim/report.hpp"
#include "twin/sim/sweep.hpp"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace twin::cli {
namespace {

struct CollectiveArgs {
    std::string scenario;
    std::string op = "all_reduce";
    std::string group = "all";
    std::string min_size = "8B";
    std::string max_size = "8GiB";
    double factor = 2.0;
    bool auto_only = false;
    std::string json_path;
    std::string csv_path;
    bool quiet = false;
    bool unfolded = false;
    bool no_fold = false;
};

double parse_size_arg(const std::string& text, const char* option) {
    try {
        const double v = parse_quantity(text, Dimension::Data);
        if (v >= 1.0 && v <= sim::kMaxSweepBytes) {
            return v;
        }
    } catch (const UnitError&) {
    }
    throw InputError("command line", option,
                     fmt::format("\"{}\" is not a size from 1 B to 1 PiB (e.g. 8B, 64MiB, 8GiB)", text));
}

nlohmann::json sweep_json(const models::Scenario& s, const CollectiveArgs& a, const sim::SweepSpec& spec,
                          const std::vector<sim::SweepRow>& rows) {
    nlohmann::json j;
    j["format_version"] = 1;
    j["scenario"] = {{"name", s.name}, {"file", sim::report_file_name(s)}, {"seed", s.seed}};
    j["collective"] = a.op;
    j["group"] = a.group;
    j["members"] = spec.members.size();
    auto& out = j["rows"] = nlohmann::json::array();
    for (const auto& r : rows) {
        out.push_back({{"size_bytes", r.size_bytes},
                       {"requested", r.requested},
                       {"algorithm", r.chosen},
                       {"time_s", r.time_s},
                       {"algbw_bytes_per_s", r.algbw_bytes_per_s},
                       {"busbw_bytes_per_s", r.busbw_bytes_per_s},
                       {"timed_by", r.timed_by}});
    }
    return j;
}

int collective_command(const CollectiveArgs& a, const Budget& budget) {
    const auto s = models::load_scenario(a.scenario, budget.limits());
    sim::SweepSpec spec;
    const auto kind = models::kCollectiveNames.parse(a.op);
    if (!kind) {
        throw InputError(
            "command line", "--op",
            fmt::format("unknown collective \"{}\": expected {}", a.op, models::kCollectiveNames.list(" or ")));
    }
    spec.kind = *kind;
    spec.members = sim::parse_group(s.cluster, a.group);
    const double lo = parse_size_arg(a.min_size, "--min");
    const double hi = parse_size_arg(a.max_size, "--max");
    if (hi < lo) {
        throw InputError("command line", "--max", "the largest size is below the smallest (--min)");
    }
    spec.sizes_bytes = sim::size_ladder(lo, hi, a.factor);
    spec.all_algorithms = !a.auto_only;
    spec.deadline = budget.deadline();
    spec.unfolded = a.unfolded;
    spec.no_fold = a.no_fold;
    if (!a.quiet) {
        spec.progress = [print = progress_printer()](double done) { print(done, -1.0); };
    }
    const auto rows = sim::run_sweep(s.cluster, spec);
    if (!a.quiet) {
        fmt::print("# clustertwin collective: {} over {} GPUs ({}) on {}\n", a.op, spec.members.size(), a.group,
                   s.name);
        fmt::print("{}{}", sim::sweep_shortcuts(rows), sim::sweep_table(rows));
    }
    if (!a.json_path.empty()) {
        write_file_atomically(a.json_path, sweep_json(s, a, spec, rows).dump(2) + "\n", {"command line", "--json"});
    }
    if (!a.csv_path.empty()) {
        write_file_atomically(a.csv_path, sim::sweep_csv(rows), {"command line", "--csv"});
    }
    return 0;
}

} // namespace

Command add_collective_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<CollectiveArgs>();
    auto* collective = app.add_subcommand(
        "collective", "nccl-tests-style sweep: time, algbw and busbw of one collective per size and algorithm");
    collective->add_option("scenario", a->scenario, "Scenario JSON file (its cluster is used)")->required();
    collective->add_option("--op", a->op, "all_reduce, all_gather, reduce_scatter, all_to_all or broadcast")
        ->capture_default_str();
    collective->add_option("-g,--group", a->group, "GPUs: all, node:N, nodes:A-B, gpus:A-B or local:K")
        ->capture_default_str();
    collective->add_option("-b,--min", a->min_size, "Smallest size")->capture_default_str();
    collective->add_option("-e,--max", a->max_size, "Largest size")->capture_default_str();
    collective->add_option("-f,--factor", a->factor, "Size multiplication factor")
        ->capture_default_str()
        ->check(CLI::Range(1.01, 1024.0));
    collective->add_flag("--auto-only", a->auto_only, "Only the automatic algorithm choice");
    collective->add_option("--json", a->json_path, "Also write the table as JSON to this file");
    collective->add_option("--csv", a->csv_path, "Also write the table as CSV (RFC 4180) to this file");
    add_budget_options(collective, budget, true);
    collective->add_flag("-q,--quiet", a->quiet, "Print nothing on success (no table, no progress)");
    collective->add_flag("--no-fold", a->no_fold,
                         "Play every flow in SimGrid instead of timing them with the fluid solver");
    collective->add_flag("--unfolded", a->unfolded,
                         "Take no shortcut: every flow in SimGrid, even inside one NVLink domain");
    return {collective, [a, &budget] { return collective_command(*a, budget); }};
}

} // namespace twin::cli
