// The scale-up shortcut (collectives inside one NVLink domain timed by the planner instead of
// SimGrid) must give the same step time as the unfolded simulation (within 1 %, DESIGN.md) on
// clusters where both run. Each case runs the CLI twice, once with --unfolded.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

nlohmann::json run_report(const std::string& scenario, bool unfolded) {
    const fs::path out = fs::temp_directory_path() / ("clustertwin-shortcut-" + std::to_string(::getpid()) +
                                                      (unfolded ? "-unfolded" : "-shortcut"));
    const std::string cmd = std::string("cd ") + TWIN_SOURCE_DIR + " && " + CLUSTERTWIN_EXE + " run -q " +
                            (unfolded ? "--unfolded " : "") + "-o " + out.string() + " " + scenario;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out / "report.json");
    auto j = nlohmann::json::parse(in);
    fs::remove_all(out);
    return j;
}

class ShortcutMatchesUnfolded : public ::testing::TestWithParam<std::string> {};

TEST_P(ShortcutMatchesUnfolded, StepTimeWithinOnePercent) {
    const auto fast = run_report(GetParam(), false);
    const auto full = run_report(GetParam(), true);
    const double a = fast.at("simulated_time_s").get<double>();
    const double b = full.at("simulated_time_s").get<double>();
    EXPECT_NEAR(a / b, 1.0, 0.01) << "shortcut " << a << " s, unfolded " << b << " s";
    // The shortcut was taken (and reported) on these clusters; never in the unfolded run.
    ASSERT_FALSE(fast.at("engine").at("shortcuts").empty());
    EXPECT_GT(fast.at("engine").at("shortcuts").at(0).at("flow_groups").get<int>(), 0);
    EXPECT_TRUE(full.at("engine").at("shortcuts").empty());
    // Collective times agree too, not only the (possibly compute-bound) step.
    for (std::size_t i = 0; i < full.at("collectives").size(); ++i) {
        EXPECT_NEAR(fast.at("collectives").at(i).at("mean_time_s").get<double>() /
                        full.at("collectives").at(i).at("mean_time_s").get<double>(),
                    1.0, 0.01)
            << full.at("collectives").at(i).at("name");
    }
}

INSTANTIATE_TEST_SUITE_P(Bundled, ShortcutMatchesUnfolded,
                         ::testing::Values("scenarios/gb200-nvl72-rack.json", "scenarios/superpod-4su-h100-ndr.json"),
                         [](const auto& param_info) {
                             return std::string(param_info.index == 0 ? "nvl72_rack" : "h100_1024");
                         });

} // namespace
