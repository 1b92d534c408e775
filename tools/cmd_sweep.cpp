// `clustertwin sweep SWEEP.json` and `clustertwin merge OUT DIR...` (issue 16): run the cases of a
// sweep file (twin/sweep/sweep.hpp) as child runs, write one CSV row per case, print a summary and
// apply --check; merge joins the outputs of shards. Exit codes: 0 all cases ran (and checks pass),
// 1 a case failed, a check failed or merge found duplicates or gaps, 2 bad input.
#include "cli_common.hpp"
#include "sweep_runner.hpp"
#include "twin/core/output_set.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <thread>

namespace twin::cli {
namespace {

namespace fs = std::filesystem;

struct SweepArgs {
    std::string file;
    std::string out_dir;
    int jobs = 0; // 0: the core count
    std::string shard;
    std::string sort;
    std::string check;
    bool quiet = false;
    bool no_limits = false;
};

std::optional<sweep::CheckSpec> read_checks(const std::string& file) {
    return file.empty() ? std::nullopt : std::optional<sweep::CheckSpec>(sweep::load_checks(file));
}

int sweep_command(const SweepArgs& a) {
    // Every input is checked before the first case runs.
    const sweep::SweepSpec spec = sweep::load_sweep(a.file);
    const sweep::Shard shard = a.shard.empty() ? sweep::Shard{} : sweep::parse_shard(a.shard);
    sweep::check_sort_metric(a.sort);
    const auto checks = read_checks(a.check);
    const auto all = sweep::expand(spec);
    std::vector<sweep::Case> mine;
    for (const auto& c : all) {
        if (sweep::in_shard(c.index, shard)) {
            mine.push_back(c);
        }
    }
    RunnerOptions o;
    o.out = a.out_dir.empty() ? fs::path(a.file).parent_path() / "results" / spec.name : fs::path(a.out_dir);
    o.scenario_folder = spec.scenario.parent_path();
    o.jobs = a.jobs > 0 ? a.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    o.no_limits = a.no_limits;
    o.quiet = a.quiet;
    sweep::Table table;
    table.columns = spec.columns;
    table.rows = run_cases(mine, all.size(), spec.columns, o);
    const std::string csv = a.shard.empty() ? "sweep.csv" : fmt::format("sweep-{}-of-{}.csv", shard.index, shard.count);
    write_file_atomically(o.out / csv, sweep::to_csv(table), {"command line", "--out"});
    std::size_t failed = 0;
    for (const auto& r : table.rows) {
        failed += r.status == "ok" ? 0 : 1;
    }
    const int code = finish_table(table, a.sort, checks, a.quiet, failed > 0);
    if (!a.quiet || failed > 0) {
        fmt::print(stderr, "sweep: wrote {} ({} cases{}, {} failed)\n", (o.out / csv).string(), table.rows.size(),
                   a.shard.empty() ? "" : " of " + std::to_string(all.size()), failed);
    }
    return code;
}

struct MergeArgs {
    std::string out;
    std::vector<std::string> dirs;
    std::string sort;
    std::string check;
    bool quiet = false;
};

int merge_command(const MergeArgs& a) {
    sweep::check_sort_metric(a.sort);
    const auto checks = read_checks(a.check);
    std::vector<std::pair<std::string, sweep::Table>> tables;
    std::map<std::string, fs::path> source; // table file -> its folder
    for (const auto& d : a.dirs) {
        for (auto& t : read_tables(d)) {
            source[t.first] = d;
            tables.push_back(std::move(t));
        }
    }
    const auto m = sweep::merge_tables(tables);
    const fs::path out(a.out);
    fs::create_directories(out / "cases");
    // Each case's report folder comes along (the first table's copy of a duplicate).
    for (const auto& [file, t] : tables) {
        for (const auto& r : t.rows) {
            const fs::path from = source[file] / r.report;
            const fs::path to = out / r.report;
            std::error_code ec;
            if (fs::is_directory(from, ec) && !fs::exists(to, ec)) {
                fs::copy(from, to, fs::copy_options::recursive, ec);
            }
        }
    }
    write_file_atomically(out / "sweep.csv", sweep::to_csv(m.table), {"command line", "OUT"});
    for (const auto i : m.duplicates) {
        fmt::print(stderr, "merge: case {} is in more than one table (the first kept)\n", i);
    }
    if (!m.gaps.empty()) {
        std::vector<std::string> g;
        for (const auto i : m.gaps) {
            g.push_back(std::to_string(i));
        }
        fmt::print(stderr, "merge: {} case(s) in no table: {}\n", m.gaps.size(), fmt::join(g, ", "));
    }
    std::size_t failed = 0;
    for (const auto& r : m.table.rows) {
        failed += r.status == "ok" ? 0 : 1;
    }
    const int code = finish_table(m.table, a.sort, checks, a.quiet, failed > 0);
    fmt::print(stderr, "merge: wrote {} ({} cases from {} tables, {} duplicate, {} missing, {} failed)\n",
               (out / "sweep.csv").string(), m.table.rows.size(), tables.size(), m.duplicates.size(), m.gaps.size(),
               failed);
    return m.duplicates.empty() && m.gaps.empty() ? code : 1;
}

} // namespace

Command add_sweep_command(CLI::App& app, Budget& /*budget*/) {
    auto a = std::make_shared<SweepArgs>();
    auto* cmd =
        app.add_subcommand("sweep", "Run the cases of a sweep file (a base scenario and axes) as parallel runs: "
                                    "one CSV row and one report folder per case");
    cmd->add_option("sweep", a->file, "Sweep JSON file")->required();
    cmd->add_option("-o,--out", a->out_dir,
                    "Output folder (default: results/<name> beside the sweep file); complete cases in it are not "
                    "run again");
    cmd->add_option("-j,--jobs", a->jobs, "Cases run at once (default: the core count)")->check(CLI::Range(1, 4096));
    cmd->add_option("--shard", a->shard, "Run shard I of N (cases whose index mod N is I), I counted from 0");
    cmd->add_option("--sort", a->sort, "Sort the summary by a metric (a leading '-': descending)");
    cmd->add_option("--check", a->check, "Checks file: exit 1 with a table of the checks that failed");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress and no summary");
    cmd->add_flag("--no-limits", a->no_limits, "Run each case without the resource budgets");
    return {cmd, [a] { return sweep_command(*a); }};
}

Command add_merge_command(CLI::App& app, Budget& /*budget*/) {
    auto a = std::make_shared<MergeArgs>();
    auto* cmd = app.add_subcommand("merge", "Join the outputs of sweep shards into one folder: every case once, "
                                            "duplicates and gaps reported (exit 1)");
    cmd->add_option("out", a->out, "Output folder of the merged sweep")->required();
    cmd->add_option("dirs", a->dirs, "Output folders of the shards (each with sweep.csv or sweep-I-of-N.csv)")
        ->required();
    cmd->add_option("--sort", a->sort, "Sort the summary by a metric (a leading '-': descending)");
    cmd->add_option("--check", a->check, "Checks file: exit 1 with a table of the checks that failed");
    cmd->add_flag("-q,--quiet", a->quiet, "No summary");
    return {cmd, [a] { return merge_command(*a); }};
}

} // namespace twin::cli
