// series.csv and links.csv from hand-built results: columns named from tiers and classes, fields
// quoted per RFC 4180, the last bin as wide as the run leaves it, peak utilisation per link.
#include "report_test_util.hpp"
#include "twin/report/outputs.hpp"

#include <gtest/gtest.h>

namespace {

using twin::test::blank_result;
using twin::test::report_scenario;

// Two bins of 1 ms over 1.5 ms; a class named `s,"0"` (comma and quotes) is quoted, its inner
// quotes doubled.
TEST(SeriesCsv, OneRowPerBinAtTheRunsResolution) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.5e-3);
    r.series.bin_s = 1e-3;
    r.series.bins = 2;
    r.series.tiers.push_back({"scale-up", -1, 1.6e12, {0.25, 0.5}, {0.75, 1}});
    r.series.classes.push_back({"s,\"0\"", 4, {1, 0.5}, {0, 0.25}, {0, 0.25}});
    EXPECT_EQ(twin::report::series_csv(r),
              "time_s,bin_s,scale-up_util_mean,scale-up_util_max,\"s,\"\"0\"\"_compute\",\"s,\"\"0\"\"_communication\","
              "\"s,\"\"0\"\"_idle\"\n"
              "0,0.001,0.25,0.75,1,0,0\n"
              "0.001,0.0005,0.5,1,0.5,0.25,0.25\n");
}

TEST(SeriesCsv, HeaderOnlyWithoutASeries) {
    const auto s = report_scenario();
    EXPECT_EQ(twin::report::series_csv(blank_result(s, 1.0)), "time_s,bin_s\n");
}

// Link 0 (GPU 0 -> NVSwitch, 100 GB/s) carried 50 GB in 1 s up (utilisation 0.5) with a peak rate
// of 80 GB/s (peak utilisation 0.8); down it has no peak recorded for other links.
TEST(LinksCsv, PeakUtilisationAfterUtilisation) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.0);
    r.link_bytes_up[0] = 50e9;
    r.link_peak_rate_up.assign(s.cluster.links().size(), 0.0);
    r.link_peak_rate_down.assign(s.cluster.links().size(), 0.0);
    r.link_peak_rate_up[0] = 80e9;
    const auto csv = twin::report::links_csv(s, r);
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "link_id,direction,from,to,tier,bandwidth_bytes_per_s,latency_s,bytes,utilization,peak_utilization");
    const auto row = csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1);
    EXPECT_TRUE(row.starts_with("0,up,")) << row;
    EXPECT_TRUE(row.ends_with(",50000000000,0.5,0.8")) << row;
}

// Not recorded (empty vectors): 0.
TEST(LinksCsv, NoPeakRecordedIsZero) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.0);
    r.link_bytes_up[0] = 50e9;
    const auto csv = twin::report::links_csv(s, r);
    const auto row = csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1);
    EXPECT_TRUE(row.ends_with(",50000000000,0.5,0")) << row;
}

TEST(Outputs, TheSetHasSeriesAndRacksCsv) {
    EXPECT_EQ(twin::report::output_file_names(), (std::vector<std::string>{"report.json", "links.csv", "power.csv",
                                                                           "series.csv", "racks.csv", "nodes.csv"}));
}

} // namespace
