// The step on a degraded fabric against a hand-derived case (issue 19; topology/README.md "Failed
// links"): tests/scenarios/failed-link-hand.json has two DGX H100 on leaves a and b, each leaf with
// one 200G uplink (HDR-optical) to each of two spines, and the 8 GPUs of node 0 each send 1 GB to
// their peer on node 1 at once. With a-s1 failed every flow crosses a-s2, shared 8 ways:
//   T = 8 · 1e9 B / (200e9 / 8 B/s · 0.94) = 0.34043 s
// (0.94: the switch-to-switch efficiency of DGX-H100 NICs on InfiniBand; access links, 400G per
// GPU, are not the bound). Healthy, ECMP splits the 8 flows over the two uplinks: k of them on the
// busier one, 4 <= k <= 8, so T = k · 1e9 / 23.5e9 and the failed step is never shorter.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double step_of(const json& scenario, const std::string& tag) {
    const fs::path dir = fs::temp_directory_path() / ("clustertwin-flink-" + std::to_string(::getpid()) + "-" + tag);
    fs::create_directories(dir);
    std::ofstream(dir / "s.json") << scenario.dump(1);
    const std::string cmd =
        std::string(CLUSTERTWIN_EXE) + " run -q -o " + (dir / "out").string() + " " + (dir / "s.json").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(dir / "out" / "report.json");
    const json r = json::parse(in);
    fs::remove_all(dir);
    return r.at("simulated_time_s").get<double>();
}

TEST(FailedLinkStep, EveryFlowOnTheRemainingUplink) {
    const fs::path folder = fs::path(TWIN_SOURCE_DIR) / "tests" / "scenarios";
    std::ifstream in(folder / "failed-link-hand.json");
    json s = json::parse(in);
    s["workload"]["file"] = (folder / s["workload"]["file"].get<std::string>()).string();
    const double bandwidth = 200e9 / 8 * 0.94;
    const double failed = step_of(s, "failed");
    EXPECT_NEAR(failed, 8 * 1e9 / bandwidth, 0.01 * failed);
    s.erase("failed_links");
    const double healthy = step_of(s, "healthy");
    EXPECT_GE(healthy, 4 * 1e9 / bandwidth * 0.99);
    EXPECT_LE(healthy, failed * 1.0001);
}

} // namespace
