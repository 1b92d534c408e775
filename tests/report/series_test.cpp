// The time series in report.json: the run's bins merged to at most 64, means weighted by bin
// width (the last bin ends with the run), maxima the max of the maxima.
#include "report_test_util.hpp"
#include "twin/report/outputs.hpp"
#include "twin/report/run_report.hpp"

#include <gtest/gtest.h>

namespace {

using twin::report::build_report;
using twin::test::blank_result;
using twin::test::report_scenario;

// 200 bins of 1 ms over a run of 199.5 ms (the last bin is 0.5 ms wide). The smallest power of two
// that leaves at most 64 bins is 4: 50 bins of 4 ms. Tier mean in run bin i: i / 1000; max:
// i / 100. Report bin 49 holds run bins 196..199 of widths 1, 1, 1, 0.5 ms:
//   mean = (0.196 + 0.197 + 0.198 + 0.5 x 0.199) / 3.5 = 0.19742857...
//   max  = 1.99
// Report bin 0: mean (0 + 0.001 + 0.002 + 0.003) / 4 = 0.0015, max 0.03.
TEST(Series, MergedByWidth) {
    const auto s = report_scenario();
    auto r = blank_result(s, 0.1995);
    auto& ts = r.series;
    ts.bin_s = 1e-3;
    ts.bins = 200;
    twin::report::TierSeries tier{"scale-up", -1, 1.6e12, {}, {}};
    twin::report::ClassSeries cls{"s0", 4, {}, {}, {}};
    for (std::size_t i = 0; i < ts.bins; ++i) {
        tier.mean.push_back(static_cast<double>(i) / 1000);
        tier.max.push_back(static_cast<double>(i) / 100);
        cls.compute.push_back(i < 100 ? 1.0 : 0.0);
        cls.communication.push_back(0.0);
        cls.idle.push_back(i < 100 ? 0.0 : 1.0);
    }
    ts.tiers.push_back(tier);
    ts.classes.push_back(cls);
    const auto rep = build_report(s, r);
    const auto& out = rep.series;
    EXPECT_DOUBLE_EQ(out.bin_s, 4e-3);
    ASSERT_EQ(out.time_s.size(), 50U);
    EXPECT_DOUBLE_EQ(out.time_s[49], 0.196);
    ASSERT_EQ(out.tiers.size(), 1U);
    const auto& t = out.tiers[0];
    EXPECT_EQ(t.tier, "scale-up");
    EXPECT_EQ(t.capacity_bytes_per_s, 1.6e12);
    ASSERT_EQ(t.util_mean.size(), 50U);
    EXPECT_DOUBLE_EQ(t.util_mean[0], 0.0015);
    EXPECT_DOUBLE_EQ(t.util_max[0], 0.03);
    EXPECT_NEAR(t.util_mean[49], (0.196 + 0.197 + 0.198 + 0.5 * 0.199) / 3.5, 1e-15);
    EXPECT_DOUBLE_EQ(t.util_max[49], 1.99);
    // Class shares: computing in the first half (run bins 0..99 = report bins 0..24), idle after.
    const auto& c = out.classes[0];
    EXPECT_EQ(c.name, "s0");
    EXPECT_EQ(c.ranks, 4);
    EXPECT_EQ(c.compute[24], 1.0);
    EXPECT_EQ(c.compute[25], 0.0);
    EXPECT_EQ(c.idle[49], 1.0);
    const auto j = twin::report::to_json(rep)["series"];
    EXPECT_EQ(j["bin_s"], 4e-3);
    EXPECT_EQ(j["tiers"][0]["util_max"].size(), 50U);
    EXPECT_EQ(j["classes"][0]["idle"][49], 1.0);
    EXPECT_NE(twin::report::format_text(rep).find("  over time              50 bins of 4 ms"), std::string::npos);
}

// At most 64 bins: kept as they are.
TEST(Series, FewBinsStay) {
    const auto s = report_scenario();
    auto r = blank_result(s, 0.064);
    r.series.bin_s = 1e-3;
    r.series.bins = 64;
    r.series.tiers.push_back({"host", -1, 1.0, std::vector<double>(64, 0.25), std::vector<double>(64, 0.5)});
    const auto rep = build_report(s, r);
    EXPECT_EQ(rep.series.bin_s, 1e-3);
    EXPECT_EQ(rep.series.tiers[0].util_mean, std::vector<double>(64, 0.25));
    EXPECT_EQ(rep.series.tiers[0].util_max, std::vector<double>(64, 0.5));
}

// 65 bins need a factor of 2: 33 bins, the last one a single run bin.
TEST(Series, OneBinTooManyHalves) {
    const auto s = report_scenario();
    auto r = blank_result(s, 0.065);
    r.series.bin_s = 1e-3;
    r.series.bins = 65;
    r.series.tiers.push_back({"host", -1, 1.0, std::vector<double>(65, 0.25), std::vector<double>(65, 0.5)});
    r.series.tiers[0].mean.back() = 1.0;
    const auto rep = build_report(s, r);
    EXPECT_EQ(rep.series.bin_s, 2e-3);
    ASSERT_EQ(rep.series.tiers[0].util_mean.size(), 33U);
    EXPECT_EQ(rep.series.tiers[0].util_mean.back(), 1.0);
}

// A run without a series (no bins): an empty series object, no "over time" lines.
TEST(Series, NoneRecorded) {
    const auto s = report_scenario();
    const auto rep = build_report(s, blank_result(s, 1.0));
    EXPECT_TRUE(rep.series.time_s.empty());
    const auto j = twin::report::to_json(rep)["series"];
    EXPECT_EQ(j, (nlohmann::json{{"bin_s", 0.0},
                                 {"time_s", nlohmann::json::array()},
                                 {"tiers", nlohmann::json::array()},
                                 {"classes", nlohmann::json::array()}}));
    EXPECT_EQ(twin::report::format_text(rep).find("over time"), std::string::npos);
}

} // namespace

namespace {

// Per-pod series (two leaf groups' access links) follow the whole tiers: "pod" in report.json,
// "<tier>_pod<N>_" columns in series.csv, and the busiest pod per tier in the text report.
TEST(Series, PerPodSeries) {
    const auto s = twin::test::report_scenario();
    auto r = twin::test::blank_result(s, 2e-3);
    r.series.bin_s = 1e-3;
    r.series.bins = 2;
    r.series.pod_kind = "leaf group";
    r.series.tiers.push_back({"access", -1, 4.0, {0.25, 0.5}, {0.5, 1.0}});
    r.series.tiers.push_back({"access", 0, 2.0, {0.25, 0.25}, {0.5, 0.5}});
    r.series.tiers.push_back({"access", 1, 2.0, {0.25, 0.75}, {0.5, 1.0}});
    const auto rep = twin::report::build_report(s, r);
    const auto j = twin::report::to_json(rep)["series"];
    EXPECT_EQ(j["pod_kind"], "leaf group");
    EXPECT_FALSE(j["tiers"][0].contains("pod"));
    EXPECT_EQ(j["tiers"][2]["pod"], 1);
    EXPECT_EQ(twin::report::to_json(twin::report::from_json(twin::report::to_json(rep)))["series"], j);
    const auto csv = twin::report::series_csv(r);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "time_s,bin_s,access_util_mean,access_util_max,access_pod0_util_mean,"
                                             "access_pod0_util_max,access_pod1_util_mean,access_pod1_util_max");
    const auto text = twin::report::format_text(rep);
    EXPECT_NE(text.find("    access             mean util up to  50.0 % (bin at 1 ms), highest 100.0 %\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("    access leaf group 1 mean util up to  75.0 % (bin at 1 ms), highest 100.0 %\n"),
              std::string::npos)
        << text;
}

} // namespace
