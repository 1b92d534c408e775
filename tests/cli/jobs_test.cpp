// Two jobs sharing a fabric (models/jobs.hpp, issue 18), end to end through `clustertwin run`:
//   - on disjoint leaf groups they share no link, so each job's step equals the same job alone;
//   - crossing the same oversubscribed leaf uplinks they contend: in jobs-2x24-spine.json each job's
//     3-node ring crosses the uplinks of the leaf group of nodes 2-3 (node 2 in job a, node 3 in job
//     b); at 2:1 those uplinks carry one node's worth, which one job alone fills, so with both the
//     cross-group hop runs at about half rate and the step grows by well over 1.5x (about 2x on the
//     communication-only step);
//   - two jobs with equal data-parallel sizes fold together, within 1 % of --no-fold, per job; so do
//     jobs of different sizes (DP 4 and DP 6: M = 2 blocks of 2 and 3 replicas), and with a
//     straggler in one of them (DP 4 and DP 8: M = 4, the straggler's block simulated for itself);
//   - the report has a "jobs" array (with each job's compute / exposed-communication / idle shares) and
//     the summary a "jobs" section.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Run {
    json report;
    std::string text;
};

Run run(const std::string& scenario, const std::string& flags, const std::string& tag) {
    const fs::path out = fs::temp_directory_path() / ("clustertwin-jobs-" + std::to_string(::getpid()) + "-" + tag);
    const fs::path log = out.string() + ".txt";
    const std::string cmd = std::string("cd ") + TWIN_SOURCE_DIR + " && " + CLUSTERTWIN_EXE + " run " + flags + " -o " +
                            out.string() + " " + scenario + " > " + log.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    Run r;
    std::ifstream in(out / "report.json");
    r.report = json::parse(in);
    std::ifstream t(log);
    std::stringstream ss;
    ss << t.rdbuf();
    r.text = ss.str();
    fs::remove_all(out);
    fs::remove(log);
    return r;
}

double job_step(const json& report, std::size_t j) {
    return report.at("jobs").at(j).at("step_time_s").get<double>();
}

TEST(JobsCli, DisjointLeafGroupsMatchTheJobAlone) {
    const auto both = run("tests/scenarios/jobs-2x32-disjoint.json", "-q", "both");
    const auto alone = run("tests/scenarios/jobs-1x32-alone.json", "-q", "alone");
    const double t = alone.report.at("simulated_time_s").get<double>();
    ASSERT_EQ(both.report.at("jobs").size(), 2U);
    EXPECT_NEAR(job_step(both.report, 0) / t, 1.0, 1e-9);
    EXPECT_NEAR(job_step(both.report, 1) / t, 1.0, 1e-9);
    const auto& a = both.report.at("jobs").at(0);
    EXPECT_EQ(a.at("name"), "a");
    EXPECT_EQ(a.at("first_gpu"), 0);
    EXPECT_EQ(a.at("gpus"), 32);
    EXPECT_EQ(both.report.at("jobs").at(1).at("first_gpu"), 32);
    // The job's MFU is the single workload's: same FLOPs, GPUs and step.
    EXPECT_NEAR(a.at("mfu").get<double>() / alone.report.at("workload").at("mfu").get<double>(), 1.0, 1e-9);
    EXPECT_NEAR(a.at("tokens_per_s").get<double>() / alone.report.at("workload").at("tokens_per_s").get<double>(), 1.0,
                1e-9);
    // Its compute and exposed-communication shares are the single workload's per-GPU times over its step.
    const auto& w = alone.report.at("workload");
    double exposed = 0.0; // per family there
    for (const auto& [family, seconds] : w.at("exposed_communication_per_gpu_s").items()) {
        exposed += seconds.get<double>();
    }
    EXPECT_NEAR(a.at("compute_share").get<double>() * t / w.at("compute_per_gpu_s").get<double>(), 1.0, 1e-9);
    EXPECT_NEAR(a.at("communication_share").get<double>() * t / exposed, 1.0, 1e-9);
    EXPECT_NEAR(a.at("compute_share").get<double>() + a.at("communication_share").get<double>() +
                    a.at("idle_share").get<double>(),
                1.0, 1e-12);
    EXPECT_FALSE(alone.report.contains("jobs")); // a single-workload report is unchanged
}

TEST(JobsCli, SharedOversubscribedUplinksShowContention) {
    const auto both = run("tests/scenarios/jobs-2x24-spine.json", "-q", "spine");
    const auto alone = run("tests/scenarios/jobs-1x24-spine-alone.json", "-q", "spine-alone");
    const double t = job_step(alone.report, 0);
    EXPECT_GT(job_step(both.report, 0) / t, 1.5);
    EXPECT_GT(job_step(both.report, 1) / t, 1.5);
    EXPECT_LT(job_step(both.report, 0) / t, 2.2); // at most about the halved hop
}

// The "folded data-parallel replicas" shortcut of a report (null when the run did not fold).
const json* fold_entry(const json& report) {
    for (const auto& s : report.at("engine").at("shortcuts")) {
        if (s.at("name") == "folded data-parallel replicas") {
            return &s;
        }
    }
    return nullptr;
}

// Runs `scenario` folded and with --no-fold; every job's step agrees within 1 %. The folded run.
Run expect_fold_matches_unfolded(const std::string& scenario, const std::string& tag) {
    auto folded = run(scenario, "", tag + "-fold");
    const auto full = run(scenario, "-q --no-fold", tag + "-full");
    const auto jobs = folded.report.at("jobs").size();
    EXPECT_EQ(jobs, 2U);
    for (std::size_t j = 0; j < jobs; ++j) {
        EXPECT_NEAR(job_step(folded.report, j) / job_step(full.report, j), 1.0, 0.01) << j;
    }
    return folded;
}

TEST(JobsCli, TwoJobsFoldWithinOnePercentOfUnfolded) {
    const auto folded = expect_fold_matches_unfolded("tests/scenarios/jobs-2x-fold.json", "equal");
    const json* f = fold_entry(folded.report);
    ASSERT_NE(f, nullptr) << folded.report.at("engine").dump();
    EXPECT_LT(f->at("simulated_ranks").get<int>(), 96) << f->dump();
    EXPECT_NE(folded.text.find("jobs\n"), std::string::npos) << folded.text;
    EXPECT_NE(folded.text.find("  big "), std::string::npos) << folded.text;
    EXPECT_NE(folded.text.find("MFU"), std::string::npos) << folded.text;
}

TEST(JobsCli, AnErrorFoundInTheRunNamesTheJobsOwnTraceFile) {
    // Job "b" reads its trace from b.json, where rank 0 sends 1 MB and rank 1 receives 2 MB: the
    // engine finds the mismatch when the transfer matches, and the error names b.json and the recv's
    // pointer in it (not the scenario, which holds job "a"'s inline trace).
    const fs::path dir = fs::temp_directory_path() / ("clustertwin-jobs-file-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const json trace_a = json::parse(R"({"schema_version": 1, "name": "a", "ranks": 2, "classes": [
      {"name": "all", "ranks": [0, 1], "program": [{"op": "compute", "flops": "1TFLOP"}]}]})");
    std::ofstream(dir / "b.json") << R"({"schema_version": 1, "name": "b", "ranks": 2, "classes": [
      {"name": "send", "ranks": [0], "program": [{"op": "send", "peer": {"rank": 1}, "size": "1MB"}]},
      {"name": "recv", "ranks": [1], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "2MB"}]}]})";
    json s = json::parse(R"({"schema_version": 1, "name": "jobs-file", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 2}], "fabric": {"type": "rail-optimized-fat-tree",
        "access_cable": "NDR-DAC", "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    s["jobs"] =
        json::array({{{"name", "a"}, {"gpus", {{"first", 0}}}, {"workload", {{"type", "trace"}, {"trace", trace_a}}}},
                     {{"name", "b"}, {"gpus", {{"first", 8}}}, {"workload", {{"type", "trace"}, {"file", "b.json"}}}}});
    std::ofstream(dir / "s.json") << s.dump();
    const fs::path err = dir / "err.txt";
    const std::string cmd = std::string(CLUSTERTWIN_EXE) + " run -q -o " + (dir / "out").string() + " " +
                            (dir / "s.json").string() + " 2> " + err.string();
    const int status = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << cmd;
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("b.json: /classes/1/program/0: rank 9 receives 2000000 bytes"), std::string::npos)
        << text.str();
    EXPECT_FALSE(fs::exists(dir / "out" / "report.json"));
    fs::remove_all(dir);
}

TEST(JobsCli, DifferentDataParallelSizesFoldWithinOnePercentOfUnfolded) {
    // DP 4 (32 GPUs) and DP 6 (48 GPUs): M = 2, block 0 holds 2 + 3 replicas of 8 ranks.
    const auto folded = expect_fold_matches_unfolded("tests/scenarios/jobs-2x-fold-dp4-dp6.json", "dp46");
    const json* f = fold_entry(folded.report);
    ASSERT_NE(f, nullptr) << folded.report.at("engine").dump();
    EXPECT_EQ(f->at("simulated_ranks").get<int>(), 40) << f->dump();
    EXPECT_EQ(f->at("gpus_per_simulated_rank").get<int>(), 2) << f->dump();
    EXPECT_EQ(f->at("replicas").get<int>(), 6) << f->dump(); // the largest job's, 3 per block
    EXPECT_EQ(f->at("simulated_replicas").get<int>(), 3) << f->dump();
}

TEST(JobsCli, AStragglerInOneOfTwoUnequalJobsFoldsPartially) {
    // DP 4 and DP 8: M = 4 blocks of 1 and 2 replicas; GPU 50 is in block 2, which is simulated
    // for itself while block 0 stands for blocks 1 and 3.
    const auto folded = expect_fold_matches_unfolded("tests/scenarios/jobs-2x-fold-dp4-dp8-straggler.json", "strag");
    const json* f = fold_entry(folded.report);
    ASSERT_NE(f, nullptr) << folded.report.at("engine").dump();
    EXPECT_EQ(f->at("simulated_ranks").get<int>(), 48) << f->dump();
    EXPECT_EQ(f->at("gpus_per_simulated_rank").get<int>(), 3) << f->dump();
    ASSERT_TRUE(f->contains("groups")) << f->dump();
    const auto& groups = f->at("groups");
    ASSERT_EQ(groups.size(), 2U) << groups.dump();
    EXPECT_EQ(groups[0].at("blocks").get<int>(), 3);
    EXPECT_EQ(groups[1].at("simulated_replicas"), json::array({4, 5})); // of the DP 8 job
    EXPECT_EQ(groups[1].at("stragglers").get<int>(), 1);
}

} // namespace
