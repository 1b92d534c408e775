// The files of a run's result set, written as one set (twin/core/output_set.hpp).
#include "twin/report/outputs.hpp"

#include "twin/report/nodes_csv.hpp"
#include "twin/report/racks_csv.hpp"

namespace twin::report {

nlohmann::json report_json(const models::Scenario& s, const RunResult& r) {
    return to_json(build_report(s, r));
}

std::string report_text(const models::Scenario& s, const RunResult& r) {
    return format_text(build_report(s, r));
}

const std::vector<std::string>& output_file_names() {
    static const std::vector<std::string> names{"report.json", "links.csv", "power.csv",
                                                "series.csv",  "racks.csv", "nodes.csv"};
    return names;
}

std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& s, const RunResult& r,
                                                 const RunReport& report) {
    std::vector<std::filesystem::path> written;
    written.push_back(set.add("report.json", to_json(report).dump(2) + "\n"));
    written.push_back(
        set.add_streamed("links.csv", [&](const OutputSet::Chunks& write) { write_links_csv(s, r, write); }));
    written.push_back(set.add("power.csv", power_csv(r)));
    written.push_back(set.add("series.csv", series_csv(r)));
    written.push_back(set.add("racks.csv", racks_csv(s, r)));
    written.push_back(set.add("nodes.csv", nodes_csv(s, r)));
    set.commit();
    return written;
}

std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& s, const RunResult& r) {
    return write_outputs(set, s, r, build_report(s, r));
}

} // namespace twin::report
