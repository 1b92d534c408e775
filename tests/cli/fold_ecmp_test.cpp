// Folding under ECMP (sim/README.md, "Shortcuts"; issue 13 item 8). A folded run routes every
// image flow with the same salted (src, dst) hash the unfolded run uses for that flow
// (topology/cluster.hpp: route, set_ecmp_seed), so the folded step sees the ECMP collisions of the
// unfolded cluster, seed by seed. tests/scenarios/fold-1024-ecmp.json (1,024 GPUs, 3 tiers, 2:1 at
// the leaves, rail-optimized) runs folded and with --no-fold for two seeds under ECMP and once
// under adaptive routing; each pair must agree within 1 % (DESIGN.md "Symmetry").
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

struct Case {
    const char* name;
    const char* routing;
    int seed;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.routing << " seed " << c.seed;
}

// The scenario with `seed` and `routing`, written next to the run's outputs.
fs::path variant(const Case& c, const fs::path& dir) {
    std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/tests/scenarios/fold-1024-ecmp.json");
    json s = json::parse(in);
    s["seed"] = c.seed;
    s["topology"]["fabric"]["routing"] = c.routing;
    const fs::path file = dir / "scenario.json";
    std::ofstream(file) << s.dump(1);
    return file;
}

double step(const fs::path& scenario, const fs::path& out, bool fold) {
    const std::string cmd = std::string(CLUSTERTWIN_EXE) + " run -q " + (fold ? "" : "--no-fold ") + "-o " +
                            out.string() + " " + scenario.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out / "report.json");
    return json::parse(in).at("simulated_time_s").get<double>();
}

class FoldEcmp : public ::testing::TestWithParam<Case> {};

TEST_P(FoldEcmp, FoldedMatchesUnfoldedSeedBySeed) {
    const fs::path dir = fs::temp_directory_path() / ("clustertwin-fold-ecmp-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path file = variant(GetParam(), dir);
    const double folded = step(file, dir / "folded", true);
    const double full = step(file, dir / "full", false);
    fs::remove_all(dir);
    EXPECT_NEAR(folded / full, 1.0, 0.01) << "folded " << folded << " s, every rank simulated " << full << " s";
}

INSTANTIATE_TEST_SUITE_P(Seeds, FoldEcmp,
                         ::testing::Values(Case{"ecmp_seed1", "ecmp", 1}, Case{"ecmp_seed2", "ecmp", 2},
                                           Case{"adaptive", "adaptive", 1}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

} // namespace
