// from_json() on bad report files: each problem is an InputError naming the file and the JSON
// pointer of the key (missing, unknown, wrong type, wrong format_version).
#include "report_test_util.hpp"
#include "twin/core/error.hpp"
#include "twin/report/run_report.hpp"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

json good() {
    const auto s = twin::test::report_scenario();
    return twin::report::to_json(twin::report::build_report(s, twin::test::blank_result(s, 1.0)));
}

// Runs from_json and returns the error ("" when none).
std::string error_of(const json& j) {
    try {
        (void)twin::report::from_json(j, "r.json");
    } catch (const twin::InputError& e) {
        return e.what();
    }
    return "";
}

TEST(FromJson, AGoodReportReads) {
    const auto j = good();
    EXPECT_EQ(error_of(j), "");
    EXPECT_EQ(twin::report::to_json(twin::report::from_json(j)), j);
}

TEST(FromJson, MissingKeyNamesItsPointer) {
    auto j = good();
    j["power"]["it"].erase("peak_w");
    EXPECT_EQ(error_of(j), "r.json: /power/it/peak_w: missing required key \"peak_w\"");
}

TEST(FromJson, WrongTypeNamesItsPointer) {
    auto j = good();
    j["phases"] = json::array({{{"name", "x"},
                                {"kind", "compute"},
                                {"ranks", "eight"},
                                {"count", 1},
                                {"time_per_rank_s", 1.0},
                                {"bytes_per_rank", 0.0},
                                {"time_per_rank_by_bound_s", json::object()}}});
    EXPECT_EQ(error_of(j).rfind("r.json: /phases/0/ranks: expected an integer", 0), 0U) << error_of(j);
    j = good();
    j["time_per_gpu_by_bound_s"]["bubble"] = "lots";
    EXPECT_EQ(error_of(j).rfind("r.json: /time_per_gpu_by_bound_s/bubble: expected a number", 0), 0U);
    j = good();
    j["series"]["tiers"] = json::array({{{"tier", "host"}, {"capacity_bytes_per_s", 1.0}, {"util_mean", {1, "x"}}}});
    EXPECT_EQ(error_of(j).rfind("r.json: /series/tiers/0/util_mean/1: expected a number", 0), 0U) << error_of(j);
}

// Every series has one value per bin (the text report indexes time_s with them).
TEST(FromJson, SeriesLengthsMatchTheBins) {
    auto j = good();
    j["series"]["time_s"] = {0.0, 0.5};
    j["series"]["tiers"] = json::array(
        {{{"tier", "host"}, {"capacity_bytes_per_s", 1.0}, {"util_mean", {1, 2, 3}}, {"util_max", {1, 2}}}});
    EXPECT_EQ(error_of(j), "r.json: /series/tiers/0/util_mean: expected 2 values (one per bin of time_s), got 3");
}

TEST(FromJson, UnknownKeyIsRejected) {
    auto j = good();
    j["engine"]["turbo"] = true;
    EXPECT_EQ(error_of(j), "r.json: /engine/turbo: unknown key \"turbo\"");
}

TEST(FromJson, OtherFormatVersionIsRejected) {
    auto j = good();
    j["format_version"] = 2;
    EXPECT_EQ(error_of(j).rfind("r.json: /format_version: expected format_version 1", 0), 0U) << error_of(j);
}

TEST(FromJson, NotAnObject) {
    EXPECT_EQ(error_of(json::array()).rfind("r.json: /: expected an object", 0), 0U) << error_of(json::array());
}

} // namespace
