// `clustertwin run`: simulate a scenario, print the report, write report.json, links.csv,
// power.csv, series.csv and racks.csv into one output folder.
#include "campaign_link.hpp"
#include "cli_common.hpp"
#include "twin/buildout/load.hpp"
#include "twin/core/output_set.hpp"
#include "twin/core/units.hpp"
#include "twin/models/scenario.hpp"
#include "twin/report/bom_report.hpp"
#include "twin/report/timeline.hpp"
#include "twin/sim/report.hpp"
#include "twin/sim/run.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace twin::cli {
namespace {

struct RunArgs {
    std::string scenario;
    std::string out_dir;
    bool quiet = false;
    bool unfolded = false;
    bool no_fold = false;
    std::string bin;         // --bin
    std::string timeline;    // --timeline: empty for none
    int timeline_ranks = 64; // --timeline-ranks
};

// A --timeline path that cannot be written is reported before the run (the file is written after it,
// by write_file_atomically, which checks again).
void check_timeline_path(const std::filesystem::path& p) {
    const auto fail = [](const std::string& m) { throw InputError("command line", "--timeline", m); };
    const auto shown = [](const std::filesystem::path& x) { // as write_file_atomically quotes paths
        return nlohmann::json(x.string()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    std::error_code ec;
    const auto parent = p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
    if (!p.has_filename() || std::filesystem::is_directory(p, ec)) {
        fail(shown(p) + " names a folder; give a file name");
    }
    if (!std::filesystem::is_directory(parent, ec)) {
        fail("the folder " + shown(parent) + " does not exist");
    }
    if (::access(parent.c_str(), W_OK) != 0) {
        fail("cannot write in the folder " + shown(parent));
    }
}

// --bin: the narrowest time-series bin ("1ms"); bins widen (x2) past 65,536 of them.
void apply_bin(const std::string& bin, sim::RunOptions& options) {
    if (bin.empty()) {
        return;
    }
    double v = 0.0;
    try {
        v = parse_quantity(bin, Dimension::Time);
    } catch (const UnitError& e) {
        throw InputError("command line", "--bin", e.what());
    }
    if (!(v >= 1e-9 && v <= 1e6)) {
        throw InputError("command line", "--bin", fmt::format("{} is out of range [1ns, 1e6s]", bin));
    }
    options.bin_s = v;
    options.max_bins = 65536;
}

int run_command(const RunArgs& a, const Budget& budget) {
    const auto s = models::load_scenario(a.scenario, budget.limits());
    sim::RunOptions options;
    apply_bin(a.bin, options);
    options.max_ops = budget.limits().max_ops;
    options.deadline = budget.deadline();
    options.unfolded = a.unfolded;
    options.no_fold = a.no_fold;
    if (!a.timeline.empty()) {
        check_timeline_path(a.timeline);
        options.timeline_ranks = a.timeline_ranks;
    }
    if (!a.quiet) {
        options.progress = progress_printer();
    }
    // -o is relative to the working directory; run.output_dir to the scenario. The set is opened
    // before the run, so a bad output folder is reported before a long simulation.
    OutputSet outputs(a.out_dir.empty() ? s.run.output_dir : std::filesystem::path(a.out_dir),
                      a.out_dir.empty() ? OutputOrigin{s.file, "/run/output_dir"}
                                        : OutputOrigin{"command line", "--out"},
                      sim::output_file_names());
    // The build-out (report "bom") is counted before the run, so a bad floor plan fails first.
    const report::BomPlan bom(s.cluster, buildout::load_floorplan(a.scenario));
    const auto result = sim::run_scenario(s, options);
    auto report = report::build_report(s, result);
    if (report.campaign) {
        // The campaign's degraded fabric: the step with one cable failed, simulated in a child run.
        std::string why;
        if (const auto failed = simulate_failed_link(s, a.scenario, report, budget.no_limits, why)) {
            report::rebuild_campaign(s, *failed, report);
        } else if (!why.empty()) {
            report.campaign->link_model += "; the failed-link step was not simulated: " + why;
        }
    }
    report.bom = bom.report(report.workload && report.workload->kind == "llm-training"
                                ? std::optional<double>(report.workload->tokens_per_s)
                                : std::nullopt);
    const auto written = report::write_outputs(outputs, s, result, report);
    if (!a.timeline.empty()) {
        write_file_atomically(a.timeline, report::timeline_json(s, result), {"command line", "--timeline"});
    }
    if (!a.quiet) {
        fmt::print("{}", report::format_text(report));
        std::string files;
        for (std::size_t i = 0; i < written.size(); ++i) {
            files += (i == 0 ? "" : i + 1 == written.size() ? " and " : ", ") + written[i].string();
        }
        fmt::print("\n  wrote {}  (wall time {:.2f} s)\n", files, result.wall_time_s);
        if (!a.timeline.empty()) {
            fmt::print("  wrote {}: timeline of {} ranks{}\n", a.timeline, result.timeline.ranks.size(),
                       result.timeline.truncated ? " (truncated)" : "");
        }
    }
    return 0;
}

} // namespace

Command add_run_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand(
        "run",
        "Simulate a scenario: print the report, write report.json, links.csv, power.csv, series.csv and racks.csv");
    run->add_option("scenario", a->scenario, "Scenario JSON file")->required();
    run->add_option("-o,--out", a->out_dir,
                    "Output folder, relative to the working directory (default: the scenario's run.output_dir, "
                    "else results/<name>, both relative to the scenario's folder)");
    run->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
    run->add_flag("--unfolded", a->unfolded,
                  "Take no shortcut: every collective through SimGrid, even inside one NVLink domain, and "
                  "every rank simulated (no folding)");
    run->add_flag("--no-fold", a->no_fold, "Simulate every data-parallel replica (no folding of symmetric ranks)");
    run->add_option("--bin", a->bin,
                    "Narrowest bin of the time series (series.csv), e.g. 1ms; default 1us widened to keep at most "
                    "4096 bins");
    auto* timeline_opt =
        run->add_option("--timeline", a->timeline,
                        "Also write the ops of the first ranks, link tier utilisation and power over time to this file "
                        "(Chrome trace-event JSON: Perfetto UI, chrome://tracing)");
    run->add_option("--timeline-ranks", a->timeline_ranks, "Simulated ranks on the timeline (the first ones)")
        ->capture_default_str()
        ->check(CLI::Range(1, std::numeric_limits<int>::max()))
        ->needs(timeline_opt);
    add_budget_options(run, budget, true);
    return {run, [a, &budget] { return run_command(*a, budget); }};
}

} // namespace twin::cli
