// clustertwin — command-line front end. Parses arguments, calls the libraries, prints results.
// Exit codes: 0 success, 2 bad input (one line naming file and JSON pointer), 1 anything else.
#include "twin/models/scenario.hpp"
#include "twin/sim/report.hpp"
#include "twin/sim/run.hpp"
#include "twin/topology/load.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <iostream>

namespace {

int cmd_validate(const std::string& path) {
    const auto s = twin::models::load_scenario(path);
    fmt::print("{}: ok ({} GPUs, {} links, {} ranks)\n", path, s.cluster.gpu_count(), s.cluster.links().size(),
               s.trace.ranks);
    return 0;
}

int cmd_info(const std::string& path) {
    const auto s = twin::models::load_scenario(path);
    fmt::print("{}", twin::topology::format_summary(twin::topology::summarize(s.cluster)));
    std::int64_t ops = 0;
    for (const auto& c : s.trace.classes) {
        ops += static_cast<std::int64_t>(c.ranks.size()) * twin::models::count_ops(c.program);
    }
    fmt::print("workload: {} ({} ranks, {} rank classes, {} group families, {} ops in total)\n", s.trace.name,
               s.trace.ranks, s.trace.classes.size(), s.trace.groups.size(), ops);
    return 0;
}

int cmd_run(const std::string& path, const std::string& out_override, bool quiet) {
    const auto s = twin::models::load_scenario(path);
    const auto result = twin::sim::run_scenario(s);
    std::string dir = out_override;
    if (dir.empty()) {
        dir = s.run.output_dir.empty() ? "results/" + s.name : s.run.output_dir;
    }
    const auto written = twin::sim::write_outputs(dir, s, result);
    if (!quiet) {
        fmt::print("{}", twin::sim::report_text(s, result));
        fmt::print("\n  wrote {} and {}  (wall time {:.2f} s)\n", written[0].string(), written[1].string(),
                   result.wall_time_s);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"clustertwin: simulate a GPU cluster and its workload before it is built"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "clustertwin 0.1.0");

    std::string scenario;
    std::string out_dir;
    bool quiet = false;

    auto* run = app.add_subcommand("run", "Simulate a scenario: print the report, write report.json and links.csv");
    run->add_option("scenario", scenario, "Scenario JSON file")->required();
    run->add_option("-o,--out", out_dir, "Output directory (default: run.output_dir or results/<name>)");
    run->add_flag("-q,--quiet", quiet, "Print nothing on success");

    auto* info = app.add_subcommand("info", "Print the cluster summary: counts, tiers, bandwidths, bisection");
    info->add_option("scenario", scenario, "Scenario JSON file")->required();

    auto* validate = app.add_subcommand("validate", "Check a scenario (topology and workload) without running it");
    validate->add_option("scenario", scenario, "Scenario JSON file")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here with 0; a usage error is bad input: exit 2.
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        if (run->parsed()) {
            return cmd_run(scenario, out_dir, quiet);
        }
        if (info->parsed()) {
            return cmd_info(scenario);
        }
        return cmd_validate(scenario);
    } catch (const twin::InputError& e) {
        std::fflush(stdout);
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "internal error: {}\n", e.what());
        return 1;
    }
}
