// Batch sweeps over scenario variants (issue 16): the sweep file, its cases, shards, the result table
// (one CSV row per case), checks over that table and the merge of shard outputs. Plain data and
// arithmetic; no SimGrid: the cases run as child processes of `clustertwin run` (tools/cmd_sweep.cpp).
//
// A case is the base scenario with one value set at each axis pointer. Its key is the FNV-1a 64-bit
// hash of the resolved scenario's JSON text (nlohmann's dump(): sorted keys, no spaces), as 16 hex
// digits: equal scenarios share a key on every machine, so a finished case is never run again.
// Shard I/N holds the cases whose index i satisfies i mod N == I: every case in exactly one shard.
#pragma once

#include "twin/report/run_report.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace twin::sweep {

// The most cases one sweep may expand to, and the most values one range may have.
inline constexpr std::size_t kMaxCases = 100000;
inline constexpr std::size_t kMaxRangeValues = 10000;

enum class Mode { Grid, Zip, Cases };

// One axis: its pointers (a single pointer, or a named group whose pointers vary together) and,
// for each pointer, its values (all of one length).
struct Axis {
    std::string name; // the pointer, or the group's name
    std::vector<std::string> pointers;
    std::vector<std::vector<nlohmann::json>> values; // values[pointer][i]
    [[nodiscard]] std::size_t size() const { return values.empty() ? 0 : values.front().size(); }
};

struct SweepSpec {
    std::string file;               // the sweep file as given
    std::filesystem::path scenario; // the base scenario (relative to the sweep file's folder)
    nlohmann::json base;            // its JSON
    std::string name;               // the sweep's name (default: the file's stem)
    Mode mode = Mode::Grid;
    std::vector<Axis> axes;            // grid and zip
    std::vector<nlohmann::json> cases; // cases mode: objects pointer -> value
    std::vector<std::string> columns;  // every pointer a case sets, in column order
};

struct Case {
    std::size_t index = 0;
    nlohmann::json scenario;            // the resolved scenario
    std::vector<nlohmann::json> values; // the value at each column's pointer
    std::string key;
};

// Reads and checks a sweep file (InputError naming the file and JSON pointer: a pointer the base
// scenario does not have, a value of another JSON type than the base's, an empty axis, zip axes of
// different lengths, more than kMaxCases cases).
[[nodiscard]] SweepSpec load_sweep(const std::filesystem::path& file);
[[nodiscard]] SweepSpec parse_sweep(const nlohmann::json& doc, const std::string& file,
                                    const std::filesystem::path& folder);
[[nodiscard]] std::vector<Case> expand(const SweepSpec& spec);
[[nodiscard]] std::string case_key(const nlohmann::json& scenario);
[[nodiscard]] std::uint64_t fnv1a64(const std::string& text);

// The scenario as the child run reads it from the case folder: relative trace paths made absolute
// against `scenario_folder`, run.output_dir dropped (the sweep gives -o).
[[nodiscard]] nlohmann::json runnable_scenario(const nlohmann::json& resolved,
                                               const std::filesystem::path& scenario_folder);

// --shard "I/N": 0 <= I < N, N >= 1 (InputError at "--shard" otherwise).
struct Shard {
    std::size_t index = 0;
    std::size_t count = 1;
};
[[nodiscard]] Shard parse_shard(const std::string& text);
[[nodiscard]] bool in_shard(std::size_t case_index, const Shard& shard);

// ---- the result table --------------------------------------------------------------------------

// The numeric metrics of a row, in column order (step_time_s ... gpus); bound_by is text.
[[nodiscard]] const std::vector<std::string>& metric_names();

struct Row {
    std::size_t index = 0;
    std::size_t total = 0;
    std::string key;
    std::string status;                      // "ok", "failed"
    std::map<std::string, std::string> axes; // column pointer -> value text
    std::map<std::string, std::optional<double>> metrics;
    std::string bound_by;
    std::string error;
    std::string report; // the case folder, relative to the sweep's output folder
};

// A row's metrics from a typed report: step time (the workload's, else the simulated time),
// tokens/s, MFU, facility peak in MW, facility energy per token, GPUs and the bound.
void fill_metrics(Row& row, const report::RunReport& report);
// The value of an axis cell: a string as is, anything else as JSON text.
[[nodiscard]] std::string cell_text(const nlohmann::json& v);

struct Table {
    std::vector<std::string> columns; // axis pointers
    std::vector<Row> rows;
};
[[nodiscard]] std::string to_csv(const Table& table);
// Reads a CSV written by to_csv (InputError naming `file` and the line on anything else).
[[nodiscard]] Table table_from_csv(const std::string& text, const std::string& file);
// A fixed-width summary; sort: "" (case order), "METRIC" (ascending) or "-METRIC" (descending);
// rows without the metric last.
[[nodiscard]] std::string format_summary(const Table& table, const std::string& sort);
void check_sort_metric(const std::string& sort); // InputError at "--sort"

// ---- checks -------------------------------------------------------------------------------------

struct Condition {
    std::string text; // as written, "mfu > 0.3"
    std::string metric;
    std::string op; // < <= > >= == !=
    double value = 0.0;
};
struct CheckSpec {
    std::vector<Condition> all;
    std::map<std::size_t, std::vector<Condition>> cases; // by case index
    std::optional<Table> baseline;
    std::string baseline_dir;
    double max_slowdown = 0.0; // step_time_s may grow by this share over the baseline
};
[[nodiscard]] CheckSpec load_checks(const std::filesystem::path& file);
[[nodiscard]] CheckSpec parse_checks(const nlohmann::json& doc, const std::string& file,
                                     const std::filesystem::path& folder);
struct Failure {
    std::size_t index = 0;
    std::string check;
    std::string value;
};
// Failed checks, by case index then in the order the checks are written; a failed case fails.
[[nodiscard]] std::vector<Failure> evaluate(const CheckSpec& checks, const Table& table);
[[nodiscard]] std::string format_failures(const std::vector<Failure>& failures);

// ---- merge --------------------------------------------------------------------------------------

struct MergeResult {
    Table table;                         // each case once, by index
    std::vector<std::size_t> duplicates; // case indices found more than once
    std::vector<std::size_t> gaps;       // case indices found nowhere
};
[[nodiscard]] MergeResult merge_tables(const std::vector<std::pair<std::string, Table>>& tables);

} // namespace twin::sweep
