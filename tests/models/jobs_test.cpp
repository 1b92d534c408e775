// Several jobs on one cluster (models/jobs.hpp, issue 18): the merged trace's ranks, classes,
// families and peers are the job traces offset by each job's first GPU, and bad "jobs" input names
// the file and JSON pointer. Expectations derived by hand from the two small traces below.
#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace {

using nlohmann::json;

// A 4-rank trace: "dp" of 2 communicators {0,2},{1,3} (stride 2), "tp" {0,1},{2,3}; rank 0 sends to
// absolute rank 1, every rank exchanges with its "tp" neighbour.
json job_trace(const std::string& name) {
    return json::parse(R"({"type": "trace", "trace": {"schema_version": 1, "name": ")" + name + R"(", "ranks": 4,
      "groups": {"dp": {"stride": 2}, "tp": {"size": 2}},
      "classes": [
        {"name": "first", "ranks": [0], "program": [
          {"op": "all_reduce", "group": "dp", "size": "1MB"},
          {"op": "send", "peer": {"rank": 1}, "size": "1MB"}]},
        {"name": "second", "ranks": [1], "program": [
          {"op": "all_reduce", "group": "dp", "size": "1MB"},
          {"op": "recv", "peer": {"group": "tp", "to": "prev"}, "size": "1MB"}]},
        {"name": "rest", "ranks": [2, 3], "program": [
          {"op": "all_reduce", "group": "tp", "size": "1MB"},
          {"op": "all_reduce", "group": "dp", "size": "1MB"}]}]}})");
}

// Two DGX-H100 nodes (16 GPUs); job "a" on GPUs 0-3 (node 0), job "b" on GPUs 8-11 (node 1).
json two_jobs() {
    json s = json::parse(R"({"schema_version": 1, "name": "j", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 2}], "fabric": {"type": "rail-optimized-fat-tree",
        "access_cable": "NDR-DAC", "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    s["jobs"] = json::array({{{"name", "a"}, {"gpus", {{"first", 0}, {"count", 4}}}, {"workload", job_trace("ta")}},
                             {{"name", "b"}, {"gpus", {{"first", 8}}}, {"workload", job_trace("tb")}}});
    return s;
}

twin::models::Scenario parse(const json& doc) {
    return twin::models::parse_scenario(doc.dump(), "test.json", ".");
}

void expect_error(const json& doc, const std::string& pointer, const std::string& gist) {
    EXPECT_INPUT_ERROR(parse(doc), pointer, gist);
}

const twin::models::Op& op_at(const twin::models::RankClass& cls, std::size_t i) {
    return std::get<twin::models::Op>(cls.program.body[i]);
}

TEST(Jobs, MergedTraceOffsetsRanksClassesAndFamilies) {
    const auto s = parse(two_jobs());
    const auto& t = s.trace;
    ASSERT_EQ(s.jobs.size(), 2U);
    EXPECT_EQ(s.jobs[1].first_gpu, 8);
    EXPECT_EQ(s.jobs[1].gpus, 4); // count defaults to the workload's ranks
    EXPECT_EQ(s.jobs[1].ranks, 4);
    EXPECT_EQ(t.ranks, 12); // the last job's last rank + 1; GPUs 12-15 are idle
    ASSERT_EQ(t.classes.size(), 6U);
    EXPECT_EQ(t.classes[0].name, "a/first");
    EXPECT_EQ(t.classes[5].name, "b/rest");
    EXPECT_EQ(t.classes[5].ranks, (std::vector<int>{10, 11}));
    for (int r = 4; r < 8; ++r) {
        EXPECT_EQ(t.class_of_rank[static_cast<std::size_t>(r)], -1) << r; // between the jobs: idle
    }
    EXPECT_EQ(t.class_of_rank[8], 3);
    // Same-named families merge: "dp" has both jobs' 2 communicators, "tp" too.
    ASSERT_EQ(t.groups.size(), 2U);
    EXPECT_EQ(t.groups[0].name, "dp");
    EXPECT_EQ(t.groups[0].communicators, (std::vector<std::vector<int>>{{0, 2}, {1, 3}, {8, 10}, {9, 11}}));
    EXPECT_EQ(t.groups[0].comm_of_rank[11], 3);
    EXPECT_EQ(t.groups[0].position_of_rank[10], 1);
    EXPECT_EQ(t.groups[0].comm_of_rank[5], -1);
    EXPECT_EQ(t.groups[1].communicators, (std::vector<std::vector<int>>{{0, 1}, {2, 3}, {8, 9}, {10, 11}}));
    // Absolute peers move with the job; group peers resolve inside the job.
    const auto& b_first = t.classes[3];
    EXPECT_EQ(op_at(b_first, 1).p2p.peer.value, 9);
    EXPECT_EQ(twin::models::peer_of(t, op_at(b_first, 1).p2p.peer, 8), 9);
    EXPECT_EQ(twin::models::peer_of(t, op_at(t.classes[4], 1).p2p.peer, 9), 8);
    EXPECT_EQ(op_at(t.classes[5], 0).collective.family, 1); // "tp"
    EXPECT_EQ(op_at(t.classes[5], 1).collective.family, 0); // "dp"
}

TEST(Jobs, DifferentFamilyNamesStaySeparate) {
    auto doc = two_jobs();
    auto& tr = doc["jobs"][1]["workload"]["trace"];
    tr["groups"] = {{"dp2", {{"stride", 2}}}, {"tp", {{"size", 2}}}};
    tr["classes"][0]["program"][0]["group"] = "dp2";
    tr["classes"][1]["program"][0]["group"] = "dp2";
    tr["classes"][2]["program"][1]["group"] = "dp2";
    const auto s = parse(doc);
    ASSERT_EQ(s.trace.groups.size(), 3U); // dp, tp, dp2
    EXPECT_EQ(s.trace.groups[2].name, "dp2");
    EXPECT_EQ(s.trace.groups[2].communicators, (std::vector<std::vector<int>>{{8, 10}, {9, 11}}));
    EXPECT_EQ(op_at(s.trace.classes[3], 0).collective.family, 2);
}

TEST(Jobs, GeneratedWorkloadSeesItsOwnGpus) {
    // An 8-GPU llm-training job fits the 8 GPUs from GPU 8, but not from GPU 8 with count 4.
    auto doc = two_jobs();
    doc["jobs"][1]["workload"] = json::parse(R"({"type": "llm-training", "model": {"preset": "llama3-8b"},
      "parallelism": {"tp": 8}, "batch": {"global_batch": 1, "micro_batch": 1}, "precision": "bf16"})");
    const auto s = parse(doc);
    EXPECT_EQ(s.jobs[1].ranks, 8);
    EXPECT_TRUE(s.jobs[1].info.present);
    EXPECT_EQ(s.trace.classes.back().ranks.front(), 8);
    doc["jobs"][1]["gpus"]["count"] = 4;
    expect_error(doc, "/jobs/1/workload/parallelism", "the job has 4 GPUs");
}

TEST(JobsErrors, BadInputNamesThePointer) {
    auto doc = two_jobs();
    doc["jobs"][1]["gpus"]["first"] = 4;
    expect_error(doc, "/jobs/1/gpus/first", "node boundary");
    doc = two_jobs();
    doc["jobs"][1]["gpus"]["first"] = 16;
    expect_error(doc, "/jobs/1/gpus/first", "");
    doc = two_jobs();
    doc["jobs"][0]["gpus"]["count"] = 9;
    doc["jobs"][1]["gpus"]["first"] = 8;
    expect_error(doc, "/jobs/1/gpus/first", "overlaps job \"a\"");
    doc = two_jobs();
    doc["jobs"][1]["gpus"]["count"] = 9;
    expect_error(doc, "/jobs/1/gpus/count", "");
    doc = two_jobs();
    doc["jobs"][0]["gpus"]["count"] = 2;
    expect_error(doc, "/jobs/0/workload", "the workload has 4 ranks but job \"a\" has 2 GPUs");
    doc = two_jobs();
    doc["jobs"][1]["name"] = "a";
    expect_error(doc, "/jobs/1/name", "used twice");
    doc = two_jobs();
    doc["jobs"][0]["name"] = "x/y";
    expect_error(doc, "/jobs/0/name", "'/'");
    doc = two_jobs();
    doc["jobs"][0]["gpus"]["last"] = 3;
    expect_error(doc, "/jobs/0/gpus/last", "");
    doc = two_jobs();
    doc["jobs"][0].erase("gpus");
    expect_error(doc, "/jobs/0/gpus", "missing");
    doc = two_jobs();
    doc["jobs"] = json::array();
    expect_error(doc, "/jobs", "at least one job");
    doc = two_jobs();
    doc["workload"] = job_trace("t");
    expect_error(doc, "/jobs", "not both");
    doc = two_jobs();
    doc["jobs"] = json::array();
    for (int j = 0; j < 4097; ++j) {
        doc["jobs"].push_back(two_jobs()["jobs"][0]);
    }
    expect_error(doc, "/jobs", "at most 4096 jobs (there are 4097)");
    doc = two_jobs();
    doc["jobs"][1]["workload"]["type"] = "nope";
    expect_error(doc, "/jobs/1/workload/type", "unknown workload type");
}

TEST(JobsErrors, UnsupportedPrecisionNamesTheJobsOwnTraceFile) {
    // Job "b" reads its trace from a file whose compute step asks H100 for FP4: the error names that
    // file and the step's pointer in it, not the scenario or job "a"'s trace (merged traces keep one
    // file name, so the check runs on each job's trace before the merge).
    const auto dir = std::filesystem::temp_directory_path() / ("clustertwin-jobs-fp4-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "b.json") << R"({"schema_version": 1, "name": "b", "ranks": 2,
      "classes": [{"name": "all", "ranks": [0, 1], "program": [{"op": "compute", "flops": "1TFLOP", "precision": "fp4"}]}]})";
    auto doc = two_jobs();
    doc["jobs"][1]["workload"] = {{"type", "trace"}, {"file", (dir / "b.json").string()}};
    try {
        (void)parse(doc);
        ADD_FAILURE() << "expected an InputError";
    } catch (const twin::InputError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind((dir / "b.json").string() + ": /classes/0/program/0/precision: ", 0), 0U) << what;
        EXPECT_NE(what.find("no peak FLOP rate for fp4"), std::string::npos) << what;
    }
    std::filesystem::remove_all(dir);
}

} // namespace
