// The golden comparison itself (golden.hpp): time series compared by what does not depend on the
// bins, the rest exactly, and the update mode (TWIN_UPDATE_GOLDEN=1) writing the report byte for
// byte.
#include "cli_util.hpp"
#include "golden.hpp"

#include <cstdlib>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using twin::test::read_text;
using twin::test::write_text;

// IT power over 4 ms in 1 ms bins (a run ending at 3.5 ms: the last bin is 0.5 ms wide):
//   mean 100, 300, 200, 400 W; min 50, 250, 150, 350 W; max 150, 350, 250, 450 W.
// Integral of the mean: 100 + 300 + 200 + 0.5 x 400 = 800 W x 1 ms = 0.8 J.
json fine_report() {
    return {{"simulated_time_s", 0.0035},
            {"steps", 1},
            {"power",
             {{"energy_j", 0.8},
              {"series",
               {{"bin_s", 0.001},
                {"time_s", {0.0, 0.001, 0.002, 0.003}},
                {"it_mean_w", {100.0, 300.0, 200.0, 400.0}},
                {"it_min_w", {50.0, 250.0, 150.0, 350.0}},
                {"it_max_w", {150.0, 350.0, 250.0, 450.0}}}}}}};
}

// The same run in 2 ms bins: mean (100 + 300) / 2 = 200 W over [0, 2 ms); (200 + 0.5 x 400) / 1.5
// = 266.67 W over [2, 3.5 ms). Integral 2 x 200 + 1.5 x 266.67 = 800 W x 1 ms: unchanged; so are
// the smallest minimum (50 W) and the largest maximum (450 W).
json coarse_report() {
    json j = fine_report();
    j["power"]["series"] = {{"bin_s", 0.002},
                            {"time_s", {0.0, 0.002}},
                            {"it_mean_w", {200.0, 400.0 / 1.5}},
                            {"it_min_w", {50.0, 150.0}},
                            {"it_max_w", {350.0, 450.0}}};
    return j;
}

TEST(GoldenSeries, ARebinnedSeriesMatches) {
    twin::test::expect_matches_golden(fine_report(), coarse_report(), "fine");
    const json s = twin::test::series_summary(fine_report()["power"]["series"], 0.0035);
    EXPECT_NEAR(s["it_mean_w"]["integral"].get<double>(), 0.8, 1e-12);
    EXPECT_EQ(s["it_min_w"]["min"], 50.0);
    EXPECT_EQ(s["it_max_w"]["max"], 450.0);
    EXPECT_FALSE(s["it_mean_w"].contains("max")); // the bins' means peak where the bins fall
}

TEST(GoldenSeries, AChangedEnergyOrPeakFails) {
    json more = coarse_report();
    more["power"]["series"]["it_mean_w"][0] = 201.0;
    EXPECT_NONFATAL_FAILURE(twin::test::expect_matches_golden(fine_report(), more, "fine"), "/power/series/it_mean_w");
    json peak = coarse_report();
    peak["power"]["series"]["it_max_w"][1] = 460.0;
    EXPECT_NONFATAL_FAILURE(twin::test::expect_matches_golden(fine_report(), peak, "fine"), "/power/series/it_max_w");
}

TEST(GoldenSeries, TheRestIsComparedExactly) {
    json other = fine_report();
    other["power"]["energy_j"] = 0.8000001;
    EXPECT_NONFATAL_FAILURE(twin::test::expect_matches_golden(fine_report(), other, "fine"), "differs from fine");
}

class GoldenUpdate : public twin::test::CliTest {};

TEST_F(GoldenUpdate, WritesTheReportByteForByte) {
    const auto golden = dir_ / "g.report.json";
    write_text(golden, fine_report().dump(2) + "\n");
    const std::string text = coarse_report().dump(1) + "\n";
    json changed = json::parse(text);
    changed["steps"] = 2;
    const std::string changed_text = changed.dump(1) + "\n";
    EXPECT_NONFATAL_FAILURE(twin::test::check_golden(changed_text, golden), "differs from");
    ASSERT_EQ(::setenv("TWIN_UPDATE_GOLDEN", "1", 1), 0);
    twin::test::check_golden(changed_text, golden);
    ::unsetenv("TWIN_UPDATE_GOLDEN");
    EXPECT_EQ(read_text(golden), changed_text);
}

} // namespace
