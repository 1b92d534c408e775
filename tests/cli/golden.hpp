// Golden reports (tests/golden/<scenario>.report.json): how a run's report.json is compared with
// its golden file, and the update mode.
//
// Update mode: with TWIN_UPDATE_GOLDEN=1 in the environment, the golden test writes the run's
// report.json over the golden file (byte for byte) instead of failing; review the diff, commit:
//   TWIN_UPDATE_GOLDEN=1 ctest --preset dev -R RunMatchesGoldenReport
//
// Time series (kCoarseSeries) are compared coarsely, so that a change of binning does not rewrite
// every golden: a series object {"bin_s": b, "time_s": [t0, t1, ...], "<channel>": [v0, v1, ...]}
// (each value the channel over the bin starting at t_i) is reduced to its span and, per channel,
// what does not depend on the bins: for a channel of bin means, the integral sum v_i * w_i
// (w_i = t_{i+1} - t_i, the last bin up to the run's end, min(b, end - t_last)); for a "*_min_*"
// channel its smallest value, for a "*_max_*" channel its largest. These agree within
// kSeriesTolerance (relative); everything else in the report must be equal.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace twin::test {

inline const std::vector<std::string> kCoarseSeries = {"/power/series"};
inline constexpr double kSeriesTolerance = 1e-6;

inline bool update_golden() {
    const char* v = std::getenv("TWIN_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

// The binning-independent summary of one series (see the comment at the top); `end_s` is the
// run's simulated time.
inline nlohmann::json series_summary(const nlohmann::json& series, double end_s) {
    const auto& t = series.at("time_s");
    const double bin = series.at("bin_s").get<double>();
    const std::size_t n = t.size();
    std::vector<double> width(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double ti = t[i].get<double>();
        width[i] = i + 1 < n ? t[i + 1].get<double>() - ti : std::min(bin, end_s - ti);
    }
    nlohmann::json out = {{"start_s", n > 0 ? t[0].get<double>() : 0.0}, {"end_s", end_s}};
    for (const auto& [key, values] : series.items()) {
        if (key == "time_s" || key == "bin_s" || !values.is_array()) {
            continue;
        }
        double integral = 0.0;
        double lo = HUGE_VAL;
        double hi = -HUGE_VAL;
        for (std::size_t i = 0; i < values.size() && i < n; ++i) {
            const double v = values[i].get<double>();
            integral += v * width[i];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        // A bin's minimum (maximum) is the smallest (largest) over the bin: only the extreme over
        // the whole series survives rebinning. A bin's mean keeps the integral.
        if (key.find("_min_") != std::string::npos) {
            out[key] = {{"min", lo}};
        } else if (key.find("_max_") != std::string::npos) {
            out[key] = {{"max", hi}};
        } else {
            out[key] = {{"integral", integral}};
        }
    }
    return out;
}

// Numbers equal within `tol` (relative to the larger magnitude), everything else equal; failures
// name the JSON pointer.
inline void expect_near_json(const nlohmann::json& want, const nlohmann::json& got, double tol,
                             const std::string& where) {
    if (want.is_number() && got.is_number()) {
        const double a = want.get<double>();
        const double b = got.get<double>();
        EXPECT_LE(std::abs(a - b), tol * std::max(std::abs(a), std::abs(b)) + 1e-300)
            << where << ": golden " << a << ", run " << b;
        return;
    }
    if (want.is_object() && got.is_object()) {
        EXPECT_EQ(want.size(), got.size()) << where << ": golden " << want.dump() << ", run " << got.dump();
        for (const auto& [k, v] : want.items()) {
            if (!got.contains(k)) {
                ADD_FAILURE() << where << "/" << k << " missing in the run";
                continue;
            }
            expect_near_json(v, got.at(k), tol, where + "/" + k);
        }
        return;
    }
    EXPECT_EQ(want, got) << where;
}

// Compares a run's report with its golden: the coarse series as above, the rest exactly.
inline void expect_matches_golden(const nlohmann::json& want, const nlohmann::json& got, const std::string& golden) {
    nlohmann::json w = want;
    nlohmann::json g = got;
    for (const auto& p : kCoarseSeries) {
        const nlohmann::json::json_pointer ptr(p);
        const bool in_want = w.contains(ptr);
        const bool in_got = g.contains(ptr);
        EXPECT_EQ(in_want, in_got) << p << " in only one of golden and run";
        if (in_want && in_got) {
            expect_near_json(series_summary(w.at(ptr), w.value("simulated_time_s", 0.0)),
                             series_summary(g.at(ptr), g.value("simulated_time_s", 0.0)), kSeriesTolerance, p);
            w.at(ptr.parent_pointer()).erase(ptr.back());
            g.at(ptr.parent_pointer()).erase(ptr.back());
        }
    }
    EXPECT_TRUE(g == w) << "report.json differs from " << golden << " (JSON patch from golden to actual):\n"
                        << nlohmann::json::diff(w, g).dump(2)
                        << "\nafter an intended change: TWIN_UPDATE_GOLDEN=1 ctest --preset dev -R "
                           "RunMatchesGoldenReport, then review the diff";
}

// The golden test of one report: in update mode, writes `report_text` to `golden` first; then
// compares as expect_matches_golden.
inline void check_golden(const std::string& report_text, const std::filesystem::path& golden) {
    if (update_golden()) {
        std::ofstream(golden, std::ios::binary) << report_text;
    }
    ASSERT_TRUE(std::filesystem::is_regular_file(golden)) << golden;
    std::ifstream in(golden, std::ios::binary);
    std::ostringstream want;
    want << in.rdbuf();
    expect_matches_golden(nlohmann::json::parse(want.str()), nlohmann::json::parse(report_text), golden.string());
}

} // namespace twin::test
