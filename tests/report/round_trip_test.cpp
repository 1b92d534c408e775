// report.json round-trips through RunReport: for every golden report, to_json(from_json(j)) == j
// and dumps to the same bytes, so the GUI reading a report file sees every key the CLI wrote.
#include "twin/report/run_report.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> goldens() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::path(TWIN_SOURCE_DIR) / "tests" / "golden")) {
        if (e.path().string().ends_with(".report.json")) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(RoundTrip, EveryGoldenReport) {
    const auto files = goldens();
    ASSERT_GE(files.size(), 10U);
    for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream text;
        text << in.rdbuf();
        const auto j = nlohmann::json::parse(text.str());
        const auto back = twin::report::to_json(twin::report::from_json(j, f.filename().string()));
        EXPECT_TRUE(back == j) << f << ":\n" << nlohmann::json::diff(j, back).dump(2);
        EXPECT_EQ(back.dump(2) + "\n", text.str()) << f;
    }
}

// The "fluid-timed collectives" shortcut (issue 18; no golden has one: no bundled scenario runs
// unfolded with a collective of 1,024 flows a phase) is read back with its count and meaning.
TEST(RoundTrip, FluidTimedShortcut) {
    std::ifstream in(fs::path(TWIN_SOURCE_DIR) / "tests" / "golden" / "chakra-small-dgx-h100.report.json");
    auto j = nlohmann::json::parse(in);
    ASSERT_TRUE(j.at("engine").contains("not_folded_because"));
    j["engine"]["shortcuts"].push_back(
        {{"name", "fluid-timed collectives"}, {"flow_groups", 3}, {"meaning", "timed by the fluid solver"}});
    const auto r = twin::report::from_json(j);
    ASSERT_TRUE(r.engine.fluid.has_value());
    EXPECT_EQ(r.engine.fluid->flow_groups, 3);
    EXPECT_TRUE(twin::report::to_json(r) == j) << nlohmann::json::diff(j, twin::report::to_json(r)).dump(2);
}

// A partially folded run's "groups" and their "grouping" (issue 18; no golden has stragglers) are
// read back.
TEST(RoundTrip, FoldGroupsAndGrouping) {
    std::ifstream in(fs::path(TWIN_SOURCE_DIR) / "tests" / "golden" / "cluster-1024-oversub.report.json");
    auto j = nlohmann::json::parse(in);
    auto& shortcuts = j["engine"]["shortcuts"];
    const auto fold = std::find_if(shortcuts.begin(), shortcuts.end(),
                                   [](const auto& s) { return s.at("name") == "folded data-parallel replicas"; });
    ASSERT_NE(fold, shortcuts.end());
    (*fold)["groups"] = nlohmann::json::parse(R"([
        {"simulated_replicas": [0, 0], "blocks": 30, "stragglers": 0, "slowest_speed": 1.0},
        {"simulated_replicas": [5, 5], "blocks": 2, "stragglers": 3, "slowest_speed": 0.9}])");
    (*fold)["grouping"] = "slowest synchronisation class";
    const auto r = twin::report::from_json(j);
    ASSERT_TRUE(r.engine.fold.has_value());
    EXPECT_EQ(r.engine.fold->grouping, "slowest synchronisation class");
    ASSERT_EQ(r.engine.fold->groups.size(), 2U);
    EXPECT_EQ(r.engine.fold->groups[1].first_replica, 5);
    EXPECT_TRUE(twin::report::to_json(r) == j) << nlohmann::json::diff(j, twin::report::to_json(r)).dump(2);
}

// A report read back prints the same text as the one it was written from.
TEST(RoundTrip, TextFromAReadReportIsTheSame) {
    for (const auto& f : goldens()) {
        std::ifstream in(f);
        const auto r = twin::report::from_json(nlohmann::json::parse(in));
        EXPECT_EQ(twin::report::format_text(twin::report::from_json(twin::report::to_json(r))),
                  twin::report::format_text(r))
            << f;
    }
}

} // namespace
