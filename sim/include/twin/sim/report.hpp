// The run report and the files of a run's result set live in the SimGrid-free report library
// (twin/report/run_report.hpp, twin/report/outputs.hpp); the names are brought in here for the
// CLI and tests that use them as twin::sim::report_json etc.
#pragma once

#include "twin/report/outputs.hpp"
#include "twin/report/run_report.hpp"

namespace twin::sim {

using report::kReportFormatVersion;
using report::links_csv;
using report::output_file_names;
using report::report_file_name;
using report::report_json;
using report::report_text;
using report::write_outputs;

} // namespace twin::sim
