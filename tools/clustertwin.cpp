// clustertwin — command-line front end. Parses arguments, calls the libraries, prints results.
// Exit codes: 0 success, 2 bad input (one line naming file and JSON pointer), 3 time limit
// (--time-limit) reached, 1 anything else.
#include "twin/core/units.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/trace_writer.hpp"
#include "twin/report/timeline.hpp"
#include "twin/sim/budget.hpp"
#include "twin/sim/report.hpp"
#include "twin/sim/run.hpp"
#include "twin/sim/sweep.hpp"
#include "twin/topology/load.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <unistd.h>

namespace {

// Resource budgets (topology/limits.hpp) and the wall-clock limit, from the command line.
struct Budget {
    bool no_limits = false;
    std::int64_t max_gpus = twin::topology::Limits{}.max_gpus;
    std::int64_t max_ops = twin::topology::Limits{}.max_ops;
    double time_limit_s = 0.0; // 0: none
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    [[nodiscard]] twin::topology::Limits limits() const {
        if (no_limits) {
            return twin::topology::Limits::none();
        }
        twin::topology::Limits l;
        l.max_gpus = max_gpus;
        l.max_ops = max_ops;
        return l;
    }
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const {
        if (time_limit_s <= 0) {
            return std::nullopt;
        }
        return start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(time_limit_s));
    }
};

void add_budget_options(CLI::App* cmd, Budget& b, bool time_limit) {
    cmd->add_flag("--no-limits", b.no_limits, "Lift every resource limit (GPUs, links, schedule, operations)");
    cmd->add_option("--max-gpus", b.max_gpus, "Largest topology, in GPUs")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-ops", b.max_ops, "Most operations the engine may execute (repeats expanded)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    if (time_limit) {
        cmd->add_option("--time-limit", b.time_limit_s,
                        "Stop after this many seconds of wall-clock time: exit 3, no results written")
            ->check(CLI::PositiveNumber);
    }
}

int cmd_validate(const std::string& path, const Budget& budget, bool quiet) {
    const auto s = twin::models::load_scenario(path, budget.limits());
    twin::sim::RunOptions options;
    options.max_ops = budget.limits().max_ops;
    twin::sim::check_budget(s.cluster, s.trace, options);
    if (quiet) {
        return 0;
    }
    fmt::print("{}: ok ({} GPUs, {} links, {} ranks)\n", path, s.cluster.gpu_count(), s.cluster.links().size(),
               s.trace.ranks);
    return 0;
}

int cmd_info(const std::string& path, const Budget& budget, bool quiet) {
    const auto s = twin::models::load_scenario(path, budget.limits());
    if (quiet) {
        return 0;
    }
    fmt::print("{}", twin::topology::format_summary(twin::topology::summarize(s.cluster)));
    std::int64_t ops = 0;
    for (const auto& c : s.trace.classes) {
        ops += static_cast<std::int64_t>(c.ranks.size()) * twin::models::count_ops(c.program);
    }
    fmt::print("workload: {} ({} ranks, {} rank classes, {} group families, {} ops in total)\n", s.trace.name,
               s.trace.ranks, s.trace.classes.size(), s.trace.groups.size(), ops);
    return 0;
}

int cmd_workload(const std::string& path, const std::string& out_path, const Budget& budget, bool quiet) {
    const auto s = twin::models::load_scenario(path, budget.limits());
    const auto& t = s.trace;
    if (quiet) {
        if (!out_path.empty()) {
            twin::write_file_atomically(out_path, twin::models::trace_to_json(t).dump(1) + "\n",
                                        {"command line", "--out"});
        }
        return 0;
    }
    std::int64_t ops = 0;
    for (const auto& c : t.classes) {
        ops += static_cast<std::int64_t>(c.ranks.size()) * twin::models::count_ops(c.program);
    }
    fmt::print("workload: {} ({} ranks, {} rank classes, {} group families, {} ops in total)\n", t.name, t.ranks,
               t.classes.size(), t.groups.size(), ops);
    if (t.info.present) {
        fmt::print("  kind {}, model {}, {:.4g} parameters, {:.4g} tokens per step\n", t.info.kind, t.info.model,
                   t.info.parameters, t.info.tokens_per_step);
        fmt::print("  {:.4g} model FLOP and {:.4g} hardware FLOP per step\n", t.info.model_flops_per_step,
                   t.info.hardware_flops_per_step);
        for (const auto& [k, v] : t.info.figures) {
            fmt::print("  {:<36} {:.6g}\n", k, v);
        }
    }
    if (!out_path.empty()) {
        twin::write_file_atomically(out_path, twin::models::trace_to_json(t).dump(1) + "\n", {"command line", "--out"});
        fmt::print("wrote {}\n", out_path);
    }
    return 0;
}

std::string simulated(double simulated_s) {
    return simulated_s < 0 ? std::string() : fmt::format("  simulated {:.3f} s", simulated_s);
}

// Progress of long runs on stderr, shown once a run has taken 2 s: a bar redrawn in place on a
// terminal, a plain line per 10 % otherwise (CI logs). A negative simulated time is not shown.
std::function<void(double, double)> progress_printer() {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    auto last_decile = std::make_shared<int>(-1);
    return [tty, start, last_decile](double done, double simulated_s) {
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (wall < 2.0) {
            return;
        }
        const int percent = static_cast<int>(done * 100.0);
        if (tty) {
            const int filled = percent * 30 / 100;
            fmt::print(stderr, "\r  [{:<30}] {:3d} %{}  wall {:.0f} s{}", std::string(filled, '#'), percent,
                       simulated(simulated_s), wall, done >= 1.0 ? "\n" : "");
        } else if (percent / 10 > *last_decile) {
            *last_decile = percent / 10;
            fmt::print(stderr, "  progress {:3d} %{}  wall {:.0f} s\n", percent, simulated(simulated_s), wall);
        }
        std::fflush(stderr);
    };
}

// --bin: the narrowest time-series bin ("1ms"); bins widen (x2) past 65,536 of them.
void apply_bin(const std::string& bin, twin::sim::RunOptions& options) {
    if (bin.empty()) {
        return;
    }
    double v = 0.0;
    try {
        v = twin::parse_quantity(bin, twin::Dimension::Time);
    } catch (const twin::UnitError& e) {
        throw twin::InputError("command line", "--bin", e.what());
    }
    if (!(v >= 1e-9 && v <= 1e6)) {
        throw twin::InputError("command line", "--bin", fmt::format("{} is out of range [1ns, 1e6s]", bin));
    }
    options.bin_s = v;
    options.max_bins = 65536;
}

// `run --timeline FILE [--timeline-ranks N]`: a Chrome trace-event file of the first N simulated ranks.
struct TimelineArgs {
    std::string path; // empty: no timeline
    int ranks = 64;
};

// A --timeline path that cannot be written is reported before the run (the file is written after it,
// by write_file_atomically, which checks again).
void check_timeline_path(const std::filesystem::path& p) {
    const auto fail = [](const std::string& m) { throw twin::InputError("command line", "--timeline", m); };
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

int cmd_run(const std::string& path, const std::string& out_override, bool quiet, bool unfolded, bool no_fold,
            const Budget& budget, const std::string& bin, const TimelineArgs& timeline) {
    const auto s = twin::models::load_scenario(path, budget.limits());
    twin::sim::RunOptions options;
    apply_bin(bin, options);
    options.max_ops = budget.limits().max_ops;
    options.deadline = budget.deadline();
    options.unfolded = unfolded;
    options.no_fold = no_fold;
    if (!timeline.path.empty()) {
        check_timeline_path(timeline.path);
        options.timeline_ranks = timeline.ranks;
    }
    if (!quiet) {
        options.progress = progress_printer();
    }
    // -o is relative to the working directory; run.output_dir to the scenario. The set is opened
    // before the run, so a bad output folder is reported before a long simulation.
    twin::OutputSet outputs(out_override.empty() ? s.run.output_dir : std::filesystem::path(out_override),
                            out_override.empty() ? twin::OutputOrigin{s.file, "/run/output_dir"}
                                                 : twin::OutputOrigin{"command line", "--out"},
                            twin::sim::output_file_names());
    const auto result = twin::sim::run_scenario(s, options);
    const auto written = twin::sim::write_outputs(outputs, s, result);
    if (!timeline.path.empty()) {
        twin::write_file_atomically(timeline.path, twin::report::timeline_json(s, result),
                                    {"command line", "--timeline"});
    }
    if (!quiet) {
        fmt::print("{}", twin::sim::report_text(s, result));
        fmt::print("\n  wrote {}, {} and {}  (wall time {:.2f} s)\n", written[0].string(), written[1].string(),
                   written[2].string(), result.wall_time_s);
        if (!timeline.path.empty()) {
            fmt::print("  wrote {}: timeline of {} ranks{}\n", timeline.path, result.timeline.ranks.size(),
                       result.timeline.truncated ? " (truncated)" : "");
        }
    }
    return 0;
}

struct CollectiveArgs {
    std::string op = "all_reduce";
    std::string group = "all";
    std::string min_size = "8B";
    std::string max_size = "8GiB";
    double factor = 2.0;
    bool auto_only = false;
    std::string json_path;
    bool quiet = false;
    bool unfolded = false;
    bool no_fold = false;
};

double parse_size_arg(const std::string& text, const char* option) {
    try {
        const double v = twin::parse_quantity(text, twin::Dimension::Data);
        if (v >= 1.0 && v <= twin::sim::kMaxSweepBytes) {
            return v;
        }
    } catch (const twin::UnitError&) {
    }
    throw twin::InputError("command line", option,
                           fmt::format("\"{}\" is not a size from 1 B to 1 PiB (e.g. 8B, 64MiB, 8GiB)", text));
}

int cmd_collective(const std::string& path, const CollectiveArgs& a, const Budget& budget) {
    const auto s = twin::models::load_scenario(path, budget.limits());
    twin::sim::SweepSpec spec;
    bool known = false;
    for (auto k : {twin::models::CollectiveKind::AllReduce, twin::models::CollectiveKind::AllGather,
                   twin::models::CollectiveKind::ReduceScatter, twin::models::CollectiveKind::AllToAll,
                   twin::models::CollectiveKind::Broadcast}) {
        if (twin::models::collective_name(k) == a.op) {
            spec.kind = k;
            known = true;
        }
    }
    if (!known) {
        throw twin::InputError("command line", "--op",
                               fmt::format("unknown collective \"{}\": expected all_reduce, all_gather, "
                                           "reduce_scatter, all_to_all or broadcast",
                                           a.op));
    }
    spec.members = twin::sim::parse_group(s.cluster, a.group);
    const double lo = parse_size_arg(a.min_size, "--min");
    const double hi = parse_size_arg(a.max_size, "--max");
    if (hi < lo) {
        throw twin::InputError("command line", "--max", "the largest size is below the smallest (--min)");
    }
    spec.sizes_bytes = twin::sim::size_ladder(lo, hi, a.factor);
    spec.all_algorithms = !a.auto_only;
    spec.deadline = budget.deadline();
    spec.unfolded = a.unfolded;
    spec.no_fold = a.no_fold;
    if (!a.quiet) {
        spec.progress = [print = progress_printer()](double done) { print(done, -1.0); };
    }
    const auto rows = twin::sim::run_sweep(s.cluster, spec);
    if (!a.quiet) {
        fmt::print("# clustertwin collective: {} over {} GPUs ({}) on {}\n", a.op, spec.members.size(), a.group,
                   s.name);
        fmt::print("{}{}", twin::sim::sweep_shortcuts(rows), twin::sim::sweep_table(rows));
    }
    if (!a.json_path.empty()) {
        nlohmann::json j;
        j["format_version"] = 1;
        j["scenario"] = {{"name", s.name}, {"file", twin::sim::report_file_name(s)}, {"seed", s.seed}};
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
        twin::write_file_atomically(a.json_path, j.dump(2) + "\n", {"command line", "--json"});
    }
    return 0;
}

// A CLI11 usage error in the form of every other bad input: "command line: <flag>: <message>".
// The flag is the one CLI11 names ("--factor: Value 0 not in range ..."), or the first option or
// argument its message mentions; the message comes through InputError, so it stays one line.
twin::InputError command_line_error(const CLI::ParseError& e) {
    std::string message = e.what();
    std::string where;
    const auto colon = message.find(": ");
    if (!message.empty() && message.front() == '-' && colon != std::string::npos) {
        where = message.substr(0, colon);
        message = message.substr(colon + 2);
    } else if (const auto dash = message.find(" -"); dash != std::string::npos) {
        const auto end = message.find_first_of(" ,:=", dash + 1);
        where = message.substr(dash + 1, end == std::string::npos ? std::string::npos : end - dash - 1);
    } else if (const auto req = message.find(" is required"); req != std::string::npos && message.find(' ') == req) {
        where = message.substr(0, req); // "scenario is required"
    }
    return twin::InputError("command line", where.empty() ? "/" : where, message + " (see --help)");
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"clustertwin: simulate a GPU cluster and its workload before it is built"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "clustertwin 0.1.0");

    std::string scenario;
    std::string out_dir;
    bool quiet = false;
    bool unfolded = false;
    bool no_fold = false;
    std::string bin;
    Budget budget;

    auto* run = app.add_subcommand("run", "Simulate a scenario: print the report, write report.json and links.csv");
    run->add_option("scenario", scenario, "Scenario JSON file")->required();
    run->add_option("-o,--out", out_dir,
                    "Output folder, relative to the working directory (default: the scenario's run.output_dir, "
                    "else results/<name>, both relative to the scenario's folder)");
    run->add_flag("-q,--quiet", quiet, "Print nothing on success");
    run->add_flag("--unfolded", unfolded,
                  "Take no shortcut: every collective through SimGrid, even inside one NVLink domain, and "
                  "every rank simulated (no folding)");
    run->add_flag("--no-fold", no_fold, "Simulate every data-parallel replica (no folding of symmetric ranks)");
    run->add_option("--bin", bin,
                    "Narrowest bin of the time series (series.csv), e.g. 1ms; default 1us widened to keep at most "
                    "4096 bins");
    TimelineArgs timeline;
    auto* timeline_opt =
        run->add_option("--timeline", timeline.path,
                        "Also write the ops of the first ranks, link tier utilisation and power over time to this file "
                        "(Chrome trace-event JSON: Perfetto UI, chrome://tracing)");
    run->add_option("--timeline-ranks", timeline.ranks, "Simulated ranks on the timeline (the first ones)")
        ->capture_default_str()
        ->check(CLI::Range(1, std::numeric_limits<int>::max()))
        ->needs(timeline_opt);
    add_budget_options(run, budget, true);

    auto* info = app.add_subcommand("info", "Print the cluster summary: counts, tiers, bandwidths, bisection");
    info->add_option("scenario", scenario, "Scenario JSON file")->required();
    add_budget_options(info, budget, false);
    info->add_flag("-q,--quiet", quiet, "Print nothing on success");

    auto* validate = app.add_subcommand("validate", "Check a scenario (topology and workload) without running it");

    std::string trace_out;
    auto* workload = app.add_subcommand(
        "workload", "Generate the scenario's workload: print its summary, write it as a trace v1 file (-o)");
    workload->add_option("scenario", scenario, "Scenario JSON file")->required();
    workload->add_option("-o,--out", trace_out, "Write the trace (format v1) to this file");
    add_budget_options(workload, budget, false);
    workload->add_flag("-q,--quiet", quiet, "Print nothing on success");

    CollectiveArgs coll;
    auto* collective = app.add_subcommand(
        "collective", "nccl-tests-style sweep: time, algbw and busbw of one collective per size and algorithm");
    collective->add_option("scenario", scenario, "Scenario JSON file (its cluster is used)")->required();
    collective->add_option("--op", coll.op, "all_reduce, all_gather, reduce_scatter, all_to_all or broadcast")
        ->capture_default_str();
    collective->add_option("-g,--group", coll.group, "GPUs: all, node:N, nodes:A-B, gpus:A-B or local:K")
        ->capture_default_str();
    collective->add_option("-b,--min", coll.min_size, "Smallest size")->capture_default_str();
    collective->add_option("-e,--max", coll.max_size, "Largest size")->capture_default_str();
    collective->add_option("-f,--factor", coll.factor, "Size multiplication factor")
        ->capture_default_str()
        ->check(CLI::Range(1.01, 1024.0));
    collective->add_flag("--auto-only", coll.auto_only, "Only the automatic algorithm choice");
    collective->add_option("--json", coll.json_path, "Also write the table as JSON to this file");
    add_budget_options(collective, budget, true);
    collective->add_flag("-q,--quiet", coll.quiet, "Print nothing on success (no table, no progress)");
    collective->add_flag("--no-fold", coll.no_fold,
                         "Play every flow in SimGrid instead of timing them with the fluid solver");
    collective->add_flag("--unfolded", coll.unfolded,
                         "Take no shortcut: every flow in SimGrid, even inside one NVLink domain");
    validate->add_option("scenario", scenario, "Scenario JSON file")->required();
    validate->add_flag("-q,--quiet", quiet, "Print nothing on success");
    add_budget_options(validate, budget, false);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here with 0; a usage error is bad input: one line, exit 2.
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        fmt::print(stderr, "error: {}\n", command_line_error(e).what());
        return 2;
    }
    try {
        if (run->parsed()) {
            return cmd_run(scenario, out_dir, quiet, unfolded, no_fold, budget, bin, timeline);
        }
        if (info->parsed()) {
            return cmd_info(scenario, budget, quiet);
        }
        if (workload->parsed()) {
            return cmd_workload(scenario, trace_out, budget, quiet);
        }
        if (collective->parsed()) {
            return cmd_collective(scenario, coll, budget);
        }
        return cmd_validate(scenario, budget, quiet);
    } catch (const twin::InputError& e) {
        std::fflush(stdout);
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const twin::sim::TimeLimitExceeded& e) {
        std::fflush(stdout);
        fmt::print(stderr,
                   "error: command line: --time-limit: stopped after {} s of wall-clock time ({}); no results "
                   "written\n",
                   budget.time_limit_s, e.what());
        return 3;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "internal error: {}\n", e.what());
        return 1;
    }
}
