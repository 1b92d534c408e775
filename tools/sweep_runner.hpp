// Running the cases of a sweep as child processes of `clustertwin run` (tools/sweep_runner.cpp):
// at most `jobs` at once, progress with an ETA on stderr, a case whose report.json reads back
// skipped (resume), one Row per case.
#pragma once

#include "twin/report/run_report.hpp"
#include "twin/sweep/sweep.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace twin::cli {

struct RunnerOptions {
    std::filesystem::path out;             // the sweep's output folder; cases go to out/cases/<key>
    std::filesystem::path scenario_folder; // the base scenario's folder (relative trace paths)
    int jobs = 1;
    bool no_limits = false; // passed on to each run
    bool quiet = false;     // no progress
};

// A report.json read back (nullopt when missing or incomplete: the case runs again).
[[nodiscard]] std::optional<report::RunReport> read_report(const std::filesystem::path& file);
// The last line of a run.log, without "error: " (the child's error), printable.
[[nodiscard]] std::string last_line(const std::filesystem::path& log);
// This executable (/proc/self/exe).
[[nodiscard]] std::filesystem::path self_exe();
// Starts `exe run DIR/scenario.json -o DIR/report -q [--no-limits]` with stdout and stderr in
// DIR/run.log; returns the child's pid.
[[nodiscard]] pid_t spawn_case_run(const std::filesystem::path& exe, const std::filesystem::path& dir, bool no_limits);

// Runs the cases (those not already complete) and returns their rows in the order given.
[[nodiscard]] std::vector<sweep::Row> run_cases(const std::vector<sweep::Case>& cases, std::size_t total,
                                                const std::vector<std::string>& columns, const RunnerOptions& o);

// Reads the table(s) of a sweep output folder: the shard tables sweep-I-of-N.csv when there are
// any, else sweep.csv.
[[nodiscard]] std::vector<std::pair<std::string, sweep::Table>> read_tables(const std::filesystem::path& dir);

// Prints the summary (unless quiet) and applies the checks file (when given): the exit code.
[[nodiscard]] int finish_table(const sweep::Table& table, const std::string& sort,
                               const std::optional<sweep::CheckSpec>& checks, bool quiet, bool failed_cases);

} // namespace twin::cli
