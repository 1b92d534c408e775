// `clustertwin run`: simulate a scenario, print the report, write report.json, links.csv and
// power.csv into one output folder.
#include "cli_common.hpp"
#include "twin/core/output_set.hpp"
#include "twin/core/units.hpp"
#include "twin/models/scenario.hpp"
#include "twin/sim/report.hpp"
#include "twin/sim/run.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <string>

namespace twin::cli {
namespace {

struct RunArgs {
    std::string scenario;
    std::string out_dir;
    bool quiet = false;
    bool unfolded = false;
    bool no_fold = false;
    std::string bin; // --bin
};

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
    if (!a.quiet) {
        options.progress = progress_printer();
    }
    // -o is relative to the working directory; run.output_dir to the scenario. The set is opened
    // before the run, so a bad output folder is reported before a long simulation.
    OutputSet outputs(a.out_dir.empty() ? s.run.output_dir : std::filesystem::path(a.out_dir),
                      a.out_dir.empty() ? OutputOrigin{s.file, "/run/output_dir"}
                                        : OutputOrigin{"command line", "--out"},
                      sim::output_file_names());
    const auto result = sim::run_scenario(s, options);
    const auto written = sim::write_outputs(outputs, s, result);
    if (!a.quiet) {
        fmt::print("{}", sim::report_text(s, result));
        fmt::print("\n  wrote {}, {} and {}  (wall time {:.2f} s)\n", written[0].string(), written[1].string(),
                   written[2].string(), result.wall_time_s);
    }
    return 0;
}

} // namespace

Command add_run_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand("run", "Simulate a scenario: print the report, write report.json and links.csv");
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
    add_budget_options(run, budget, true);
    return {run, [a, &budget] { return run_command(*a, budget); }};
}

} // namespace twin::cli
