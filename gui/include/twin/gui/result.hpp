// A result the GUI shows: the typed RunReport read back from a report.json (report::from_json), the
// folder it came from and a short label ("A", "B" or the scenario name) for views and compare.
#pragma once

#include "twin/report/run_report.hpp"

#include <QString>

namespace twin::gui {

struct LoadedResult {
    QString path;  // the report.json read
    QString label; // the scenario name unless the caller sets another
    report::RunReport report;
};

// `path` is a result folder (one `clustertwin run` wrote: it holds report.json) or a report.json.
// Throws InputError naming the file (and the JSON pointer for a report that does not read back).
[[nodiscard]] LoadedResult load_result(const QString& path);

// Whether `path` looks like a result (a folder with report.json, or a *.report.json / report.json
// file) rather than a scenario.
[[nodiscard]] bool is_result_path(const QString& path);

} // namespace twin::gui
