// The collective sweep's shortcut (sim/src/sweep_fluid.hpp: each case's flows timed by the fluid
// solver instead of SimGrid) must give the times SimGrid gives (--no-fold), within 1 %, for every
// algorithm and protocol, on a 1,024-GPU 2:1 oversubscribed fabric where both run in seconds.
// Measured: at most 0.32 % (tree/ll, 64 KiB) there and on the 4-SU SuperPOD.
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

json sweep(const std::string& args, const std::string& tag) {
    const fs::path out =
        fs::temp_directory_path() / ("clustertwin-sweep-" + std::to_string(::getpid()) + tag + ".json");
    const std::string cmd = std::string("cd ") + TWIN_SOURCE_DIR + " && " + CLUSTERTWIN_EXE + " collective -q " + args +
                            " --json " + out.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out);
    auto j = json::parse(in);
    fs::remove(out);
    return j;
}

TEST(SweepFold, FluidTimesMatchSimGridWithinOnePercent) {
    const std::string args = "scenarios/cluster-1024-oversub.json -b 64KiB -e 64MiB -f 32";
    const json fast = sweep(args, "-fluid");
    const json full = sweep(args + " --no-fold", "-simgrid");
    ASSERT_EQ(fast.at("rows").size(), full.at("rows").size());
    ASSERT_EQ(fast.at("rows").size(), 27U); // 3 sizes x (auto + 8 algorithm/protocol pairs)
    for (std::size_t i = 0; i < full.at("rows").size(); ++i) {
        const auto& a = fast.at("rows").at(i);
        const auto& b = full.at("rows").at(i);
        EXPECT_EQ(a.at("timed_by"), "fluid");
        EXPECT_EQ(b.at("timed_by"), "simgrid");
        EXPECT_EQ(a.at("algorithm"), b.at("algorithm"));
        EXPECT_NEAR(a.at("time_s").get<double>() / b.at("time_s").get<double>(), 1.0, 0.01)
            << a.at("size_bytes") << " " << a.at("requested");
    }
}

// One node: the scale-up shortcut, as in `run` (the fluid solver is not needed there).
TEST(SweepFold, OneNodeGroupsKeepTheScaleUpEstimate) {
    const json j = sweep("scenarios/dgx-h100-1node.json -b 1MiB -e 1MiB", "-node");
    for (const auto& row : j.at("rows")) {
        EXPECT_EQ(row.at("timed_by"), "scale-up estimate") << row.at("requested");
    }
}

} // namespace
