// What every clustertwin subcommand shares: the resource budget from the command line, progress
// on stderr, and the shape of a subcommand (tools/cmd_*.cpp each add one or more to the app).
#pragma once

#include "twin/topology/limits.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace twin::cli {

// Resource budgets (topology/limits.hpp) and the wall-clock limit, from the command line.
struct Budget {
    bool no_limits = false;
    std::int64_t max_gpus = topology::Limits{}.max_gpus;
    std::int64_t max_ops = topology::Limits{}.max_ops;
    double time_limit_s = 0.0; // 0: none
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    [[nodiscard]] topology::Limits limits() const;
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const;
};

void add_budget_options(CLI::App* cmd, Budget& b, bool time_limit);

// Progress of long runs on stderr, shown once a run has taken 2 s: a bar redrawn in place on a
// terminal, a plain line per 10 % otherwise (CI logs). Called with the share done in [0, 1] and
// the simulated time in seconds (negative: not shown).
[[nodiscard]] std::function<void(double, double)> progress_printer();

// A subcommand added to the app, and what runs it once it is the one parsed (exit code back).
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// tools/cmd_run.cpp
[[nodiscard]] Command add_run_command(CLI::App& app, Budget& budget);
// tools/cmd_inspect.cpp: validate, info and workload load a scenario and print facts about it.
[[nodiscard]] Command add_validate_command(CLI::App& app, Budget& budget);
[[nodiscard]] Command add_info_command(CLI::App& app, Budget& budget);
[[nodiscard]] Command add_workload_command(CLI::App& app, Budget& budget);
// tools/cmd_collective.cpp
[[nodiscard]] Command add_collective_command(CLI::App& app, Budget& budget);
// tools/cmd_sweep.cpp (issue 16)
[[nodiscard]] Command add_sweep_command(CLI::App& app, Budget& budget);
[[nodiscard]] Command add_merge_command(CLI::App& app, Budget& budget);
// tools/cmd_tune.cpp (issue 16)
[[nodiscard]] Command add_tune_command(CLI::App& app, Budget& budget);
// tools/cmd_buildout.cpp (issue 17)
[[nodiscard]] Command add_bom_command(CLI::App& app, Budget& budget);
[[nodiscard]] Command add_cabling_command(CLI::App& app, Budget& budget);
// tools/cmd_reference.cpp (issue 17)
[[nodiscard]] Command add_reference_command(CLI::App& app, Budget& budget);

} // namespace twin::cli
