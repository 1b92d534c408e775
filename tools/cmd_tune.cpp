// `clustertwin tune S.json` (issue 16): rank the parallel layouts of an llm-training scenario by an
// analytic estimate (twin/sweep/tune.hpp), simulate the best k as child runs (sweep_runner.hpp) and
// print both tables and the best layout. Exit codes: 0, 1 a simulated layout failed, 2 bad input.
// On a request-mode llm-inference scenario: the serving capacity search (cmd_tune_serving.cpp).
#include "cli_common.hpp"
#include "cmd_tune_serving.hpp"
#include "sweep_runner.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/core/output_set.hpp"
#include "twin/sweep/tune.hpp"
#include "twin/sweep/tune_serving.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <thread>

namespace twin::cli {
namespace {

namespace fs = std::filesystem;

struct TuneArgs {
    std::string scenario;
    std::string out_dir;
    int k = 4;
    int rows = 10;
    int jobs = 0;
    bool quiet = false;
    bool k_given = false;
};

std::string layout_text(const sweep::Layout& l) {
    return fmt::format("tp {} pp {} v {} cp {} dp {} ep {} zero {} mb {} {}", l.tp, l.pp, l.vp, l.cp, l.dp, l.ep,
                       l.zero, l.micro_batch, l.recompute);
}

int tune_command(const TuneArgs& a) {
    if (sweep::is_serving_scenario(Document::load(a.scenario).root().json())) {
        return tune_serving_command(
            {a.scenario, a.out_dir, a.k_given ? std::optional<int>(a.k) : std::nullopt, a.jobs, a.quiet});
    }
    const auto r = sweep::tune_layouts(a.scenario);
    fmt::print("tune: {} layouts enumerated, {} refused by the workload reader or the framework, {} do not fit in HBM, "
               "{} fit\n",
               r.enumerated, r.rejected_layout, r.rejected_memory, r.ranked.size());
    if (r.ranked.empty()) {
        throw InputError(a.scenario, "/workload/parallelism", "no enumerated layout divides the model and fits");
    }
    fmt::print("\nestimate (s per step): compute, bubble share, exposed communication by dimension\n"
               "rank  {:<58}  estimate  compute  bubble  tp      cp      ep      pp      dp      memory_GiB\n",
               "layout");
    for (std::size_t i = 0; i < r.ranked.size() && i < std::max<std::size_t>(a.rows, a.k); ++i) {
        const auto& c = r.ranked[i];
        const auto& e = c.estimate;
        fmt::print("{:<4}  {:<58}  {:<8.4g}  {:<7.4g}  {:<6.3f}  {:<6.3g}  {:<6.3g}  {:<6.3g}  {:<6.3g}  {:<6.3g}  "
                   "{:<10.1f}{}\n",
                   i, layout_text(c.layout), c.estimate_s, e.compute_s, c.bubble, e.tp_s, e.cp_s, e.ep_s, e.pp_s,
                   e.dp_s, c.memory_bytes / (1024.0 * 1024.0 * 1024.0),
                   i < static_cast<std::size_t>(a.k) ? "  (simulated)" : "");
    }
    const std::size_t k = std::min<std::size_t>(a.k, r.ranked.size());
    if (k == 0) {
        return 0; // -k 0: the estimate's table only
    }
    std::vector<sweep::Case> cases;
    for (std::size_t i = 0; i < k; ++i) {
        sweep::Case c;
        c.index = i;
        c.scenario = r.ranked[i].scenario;
        for (const auto& p : sweep::tune_columns()) {
            const nlohmann::json::json_pointer jp(p);
            c.values.push_back(c.scenario.contains(jp) ? c.scenario.at(jp) : nlohmann::json(""));
        }
        c.key = sweep::case_key(c.scenario);
        cases.push_back(std::move(c));
    }
    RunnerOptions o;
    o.out = a.out_dir.empty()
                ? fs::path(a.scenario).parent_path() / "results" / (fs::path(a.scenario).stem().string() + "-tune")
                : fs::path(a.out_dir);
    o.scenario_folder = fs::path(a.scenario).parent_path();
    o.jobs = a.jobs > 0 ? a.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    o.quiet = a.quiet;
    sweep::Table table;
    table.columns = sweep::tune_columns();
    table.rows = run_cases(cases, k, table.columns, o);
    write_file_atomically(o.out / "sweep.csv", sweep::to_csv(table), {"command line", "--out"});
    fmt::print("\nsimulated (the estimate's rank in the case column):\n{}",
               sweep::format_summary(table, "step_time_s"));
    const sweep::Row* best = nullptr;
    std::size_t failed = 0;
    for (const auto& row : table.rows) {
        failed += row.status == "ok" ? 0 : 1;
        if (row.status == "ok" && (!best || row.metrics.at("step_time_s") < best->metrics.at("step_time_s"))) {
            best = &row;
        }
    }
    if (best) {
        const auto mfu = best->metrics.at("mfu");
        fmt::print("\nbest layout: {}  step {:.4g} s  MFU {}  ({})\n", layout_text(r.ranked[best->index].layout),
                   best->metrics.at("step_time_s").value_or(0.0), mfu ? fmt::format("{:.3f}", *mfu) : "-",
                   (o.out / best->report).string());
    }
    return failed > 0 ? 1 : 0;
}

} // namespace

Command add_tune_command(CLI::App& app, Budget& /*budget*/) {
    auto a = std::make_shared<TuneArgs>();
    auto* cmd = app.add_subcommand("tune", "Search the parallel layout of an llm-training scenario (rank layouts that "
                                           "fit by an analytic estimate, simulate the best k), or the GPUs a serving "
                                           "scenario needs (layouts x replicas)");
    cmd->add_option("scenario", a->scenario, "Scenario JSON file (llm-training workload)")->required();
    cmd->add_option("-k", a->k, "Layouts to simulate (0: print the estimate's ranking only)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--rows", a->rows, "Rows of the estimate's table")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("-j,--jobs", a->jobs, "Runs at once (default: the core count)")->check(CLI::Range(1, 4096));
    cmd->add_option("-o,--out", a->out_dir, "Output folder (default: results/<scenario>-tune beside the scenario)");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress");
    return {cmd, [a, cmd] {
                a->k_given = cmd->count("-k") > 0;
                return tune_command(*a);
            }};
}

} // namespace twin::cli
