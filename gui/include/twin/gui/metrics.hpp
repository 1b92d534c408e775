// The figures of a result as a flat list, and two results compared figure by figure. Plain values
// (no Qt widgets): the workload, power and compare views and their tests read these.
//
//   delta = b - a; relative = delta / |a| (0 when a = 0);
//   verdict: Same when |delta| <= 1e-9 x max(|a|, |b|), else Improved when the figure moved the way
//   its `better` says (Higher: delta > 0, Lower: delta < 0), Worsened the other way, Changed for
//   figures with no better direction (and for text figures that differ).
#pragma once

#include "twin/report/run_report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace twin::gui {

enum class Better { Higher, Lower, Neither };

// Units the views know how to print: "s", "W", "J", "B", "B/s", "tokens/s", "fraction" (shown as %),
// "" (a plain number); text figures leave `value` empty and set `text`.
struct Metric {
    std::string group; // "Run", "Workload", "Bounds", "Power", "Links"
    std::string name;
    std::string unit;
    std::optional<double> value;
    std::string text;
    Better better = Better::Neither;
};

// Every figure of a report: run, workload (when generated), time per GPU by bound, power and
// cooling, link tiers. Same report => same list, in a fixed order.
[[nodiscard]] std::vector<Metric> result_metrics(const report::RunReport& r);
// The figures of one group only.
[[nodiscard]] std::vector<Metric> group_metrics(const std::vector<Metric>& all, const std::string& group);

enum class Verdict { Same, Improved, Worsened, Changed };

struct MetricDelta {
    std::string group, name, unit;
    std::optional<Metric> a, b; // absent: the figure exists in one result only
    double delta = 0.0;
    double relative = 0.0;
    Verdict verdict = Verdict::Same;
};

// Figures of `a` in its order, then those only `b` has.
[[nodiscard]] std::vector<MetricDelta> compare_metrics(const std::vector<Metric>& a, const std::vector<Metric>& b);
// One result shown alone: deltas of 0, verdict Same.
[[nodiscard]] std::vector<MetricDelta> single_metrics(const std::vector<Metric>& a);

// "1.58 s", "312 ms", "1.33 M tokens/s", "31.6 %", "62.0 GB", "1.21 MW", "—" for none.
[[nodiscard]] std::string format_metric(const std::optional<double>& value, const std::string& unit);
[[nodiscard]] std::string format_metric(const Metric& m);
[[nodiscard]] std::string verdict_name(Verdict v);

} // namespace twin::gui
