// Partial folding (models/fold.hpp, "Partial folding"; issue 18): with stragglers in a few
// replicas, the replicas that are still identical fold and the others are simulated. The step must
// match simulating every rank (--no-fold) within 1 %, the report must list the folded groups, and a
// hand-derived case must grow by what the synchronous math says.
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

json run_report(const std::string& scenario, const std::string& flags, const std::string& tag) {
    const fs::path out = fs::temp_directory_path() / ("clustertwin-pfold-" + std::to_string(::getpid()) + "-" + tag);
    const std::string cmd = std::string("cd ") + TWIN_SOURCE_DIR + " && " + CLUSTERTWIN_EXE + " run -q " + flags +
                            " -o " + out.string() + " " + scenario;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out / "report.json");
    auto j = json::parse(in);
    fs::remove_all(out);
    return j;
}

const json* fold_entry(const json& report) {
    for (const auto& s : report.at("engine").at("shortcuts")) {
        if (s.at("name") == "folded data-parallel replicas") {
            return &s;
        }
    }
    return nullptr;
}

// Mean compute seconds per GPU: the mean compute fraction of the step.
double compute_per_gpu(const json& report) {
    return report.at("gpu_time_fraction").at("compute").at("mean").get<double>() *
           report.at("simulated_time_s").get<double>();
}

struct Case {
    const char* name;
    const char* scenario;
    int groups;     // simulated blocks (0: only block 0, no "groups" listed)
    int stragglers; // in all simulated blocks
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.scenario;
}

class PartialFoldMatchesUnfolded : public ::testing::TestWithParam<Case> {};

TEST_P(PartialFoldMatchesUnfolded, StepTimeWithinOnePercent) {
    const auto folded = run_report(GetParam().scenario, "", "fold");
    const auto full = run_report(GetParam().scenario, "--no-fold", "full");
    const double a = folded.at("simulated_time_s").get<double>();
    const double b = full.at("simulated_time_s").get<double>();
    EXPECT_NEAR(a / b, 1.0, 0.01) << "partially folded " << a << " s, every rank simulated " << b << " s";
    const json* f = fold_entry(folded);
    ASSERT_NE(f, nullptr) << folded.at("engine").dump();
    if (GetParam().groups == 0) { // a failed link: everything folds onto block 0, images routed around it
        EXPECT_FALSE(f->contains("groups")) << f->dump();
        EXPECT_LT(f->at("simulated_ranks").get<int>(), folded.at("ranks").get<int>());
        return;
    }
    ASSERT_TRUE(f->contains("groups")) << f->dump();
    EXPECT_EQ(f->at("grouping"), "exact");
    const auto& groups = f->at("groups");
    EXPECT_EQ(static_cast<int>(groups.size()), GetParam().groups) << groups.dump();
    int blocks = 0;
    int stragglers = 0;
    for (const auto& g : groups) {
        blocks += g.at("blocks").get<int>();
        stragglers += g.at("stragglers").get<int>();
    }
    // Every block is in exactly one group; the first group is block 0, without stragglers.
    EXPECT_EQ(groups.front().at("simulated_replicas").at(0).get<int>(), 0);
    EXPECT_EQ(groups.front().at("stragglers").get<int>(), 0);
    EXPECT_EQ(blocks * (groups.front().at("simulated_replicas").at(1).get<int>() + 1), f->at("replicas").get<int>());
    EXPECT_EQ(stragglers, GetParam().stragglers);
    EXPECT_LT(f->at("simulated_ranks").get<int>(), folded.at("ranks").get<int>());
    // Per-GPU figures count every GPU once: the compute per GPU agrees with the full run.
    EXPECT_NEAR(compute_per_gpu(folded) / compute_per_gpu(full), 1.0, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Asymmetric, PartialFoldMatchesUnfolded,
                         ::testing::Values(Case{"tp8_dp4_32", "tests/scenarios/straggler-32-tp8.json", 2, 1},
                                           Case{"llama3_8b_64", "tests/scenarios/straggler-64-llama3-8b.json", 3, 2},
                                           Case{"failed_link_1024", "tests/scenarios/failed-link-1024.json", 0, 0}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// 15 % of 256 GPUs at speed 0.9 (drawn with the seed) on TP 4 x PP 2 x DP 32: most of the 32
// replicas have stragglers at places of their own, more than kExactGroupCap = 16 exact groups, so
// the replicas are grouped by the pipeline stage (the synchronisation class: the tensor-parallel
// group) of their slowest GPU: 2 stages x 1 speed + the replicas without a straggler = 3 groups,
// each stood for by its slowest member. The step is the slowest replica's, which is simulated
// itself, so it matches --no-fold within 1 %. Per-GPU figures err on the slow side: an image gets
// its stand-in's compute, which has at least as many slow GPUs, so the mean compute per GPU is at
// least the full run's and at most that of every GPU at speed 0.9 (1 / 0.9 = 1.111 times).
TEST(PartialFold, CoarseGroupsBySlowestStageMatchUnfolded) {
    const char* scenario = "tests/scenarios/straggler-256-coarse.json";
    const auto folded = run_report(scenario, "", "coarse");
    const auto full = run_report(scenario, "--no-fold", "coarse-full");
    const double a = folded.at("simulated_time_s").get<double>();
    const double b = full.at("simulated_time_s").get<double>();
    EXPECT_NEAR(a / b, 1.0, 0.01) << "partially folded " << a << " s, every rank simulated " << b << " s";
    const json* f = fold_entry(folded);
    ASSERT_NE(f, nullptr) << folded.at("engine").dump();
    ASSERT_TRUE(f->contains("groups")) << f->dump();
    EXPECT_EQ(f->at("grouping"), "slowest synchronisation class");
    const auto& groups = f->at("groups");
    ASSERT_EQ(groups.size(), 3U) << groups.dump();
    int blocks = 0;
    for (const auto& g : groups) {
        blocks += g.at("blocks").get<int>();
    }
    EXPECT_EQ(blocks, 32);
    EXPECT_EQ(f->at("simulated_ranks").get<int>(), 3 * 8);
    const double ratio = compute_per_gpu(folded) / compute_per_gpu(full);
    EXPECT_GE(ratio, 1.0 - 1e-9);
    EXPECT_LT(ratio, 1.0 / 0.9);
}

// One GPU at speed f in one replica. Each layer's compute (time c at full speed) is followed by a
// tensor-parallel all-reduce inside the node, which starts when its last member arrives; the slow
// GPU arrives c (1/f - 1) late at each of the 12, and the data-parallel all-reduce waits for that
// replica. So the step grows by exactly the compute per GPU x (1/f - 1) = 12 c (1/f - 1).
TEST(PartialFold, OneSlowGpuGrowsTheStepByItsExtraComputeTime) {
    const fs::path dir = fs::temp_directory_path() / ("clustertwin-pfold-sym-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    json s;
    {
        std::ifstream in(fs::path(TWIN_SOURCE_DIR) / "tests/scenarios/straggler-32-tp8.json");
        s = json::parse(in);
    }
    const double f = s.at("stragglers").at(0).at("speed").get<double>();
    s.erase("stragglers");
    const fs::path sym = dir / "symmetric.json";
    std::ofstream(sym) << s.dump();
    const auto slow = run_report("tests/scenarios/straggler-32-tp8.json", "", "slow");
    const auto even = run_report(sym.string(), "", "even");
    fs::remove_all(dir);
    const double c = compute_per_gpu(even);
    const double grow = slow.at("simulated_time_s").get<double>() - even.at("simulated_time_s").get<double>();
    EXPECT_GT(c, 0.0);
    EXPECT_NEAR(grow, c * (1.0 / f - 1.0), 1e-6 * c) << "compute per GPU " << c << " s";
    // The symmetric run folds onto one block and lists no groups.
    ASSERT_NE(fold_entry(even), nullptr);
    EXPECT_FALSE(fold_entry(even)->contains("groups"));
    const auto& groups = fold_entry(slow)->at("groups");
    ASSERT_EQ(groups.size(), 2U);
    EXPECT_EQ(groups[0].at("blocks").get<int>(), 3);
    EXPECT_EQ(groups[1].at("simulated_replicas"), json::array({2, 2}));
    EXPECT_EQ(groups[1].at("slowest_speed").get<double>(), f);
}

} // namespace
