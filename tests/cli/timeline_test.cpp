// `clustertwin run S.json --timeline FILE` (README "Timeline"): the file is a valid Chrome trace
// (tests/sim/timeline_check.hpp), identical across reruns; bad paths are one-line errors with exit
// 2, reported before the run.
#include "../sim/timeline_check.hpp"
#include "cli_util.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using twin::test::read_text;
using twin::test::sh_quote;
using twin::test::write_text;

// One DGX-H100 node: 8 ranks compute, then all-reduce 64 MB.
std::string scenario() {
    return R"({"schema_version": 1, "name": "tl", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [
          {"op": "compute", "name": "fwd", "flops": "500TFLOP"},
          {"op": "all_reduce", "name": "grad_sync", "group": "all", "size": "64MB"}]}]}}})";
}

class CliTimeline : public twin::test::CliTest {
protected:
    void expect_error(const std::string& args, const std::string& line) const {
        const auto r = run(args, dir_);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_EQ(r.err, line + "\n") << args;
    }
};

TEST_F(CliTimeline, WritesAValidTraceThatIsTheSameOnEveryRun) {
    write_text(dir_ / "s.json", scenario());
    const auto r = run("run -o out s.json --timeline trace.json", dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("wrote trace.json: timeline of "), std::string::npos) << r.out;
    const auto text = read_text(dir_ / "trace.json");
    const auto j = twin::test::expect_valid_trace(text);
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(j["otherData"]["scenario"], "tl");
    // The trace's ops as slices: fwd on a compute track, the all-reduce (named with size and
    // algorithm) on a comm track, after fwd.
    std::map<int, std::string> tracks;
    std::map<std::string, double> first_ts;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name") {
            tracks[e["tid"]] = e["args"]["name"];
        } else if (e["ph"] == "X") {
            const std::string name = e["name"];
            const std::string track = tracks[e["tid"]];
            const std::string key =
                name.substr(0, name.find(' ')) + (track.find(" comm") != std::string::npos ? "@comm" : "");
            first_ts.try_emplace(key, e["ts"].get<double>());
            if (name.rfind("grad_sync (", 0) == 0) {
                EXPECT_NE(name.find("MiB, "), std::string::npos) << name;
            }
        }
    }
    ASSERT_EQ(first_ts.count("fwd"), 1u);
    ASSERT_EQ(first_ts.count("grad_sync@comm"), 1u);
    EXPECT_GT(first_ts["grad_sync@comm"], first_ts["fwd"]);
    EXPECT_EQ(tracks[1], "rank 0 (w)");
    ASSERT_EQ(run("run -q -o out2 s.json --timeline trace2.json", dir_).exit_code, 0);
    EXPECT_EQ(read_text(dir_ / "trace2.json"), text);
}

TEST_F(CliTimeline, BadPathsAreOneLineErrorsBeforeTheRun) {
    write_text(dir_ / "s.json", scenario());
    fs::create_directories(dir_ / "folder");
    expect_error("run -q -o out s.json --timeline missing/t.json",
                 "error: command line: --timeline: the folder \"missing\" does not exist");
    expect_error("run -q -o out s.json --timeline folder",
                 "error: command line: --timeline: \"folder\" names a folder; give a file name");
    expect_error("run -q -o out s.json --timeline folder/",
                 "error: command line: --timeline: \"folder/\" names a folder; give a file name");
    // Reported before the run: no results were written.
    EXPECT_FALSE(fs::exists(dir_ / "out"));
    // Usage errors: one line naming the option (the rest is CLI11's wording).
    for (const std::string args : {"--timeline-ranks 4", "--timeline t.json --timeline-ranks 0"}) {
        const auto r = run("run -q -o out s.json " + args, dir_);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_EQ(r.err.rfind("error: command line: --timeline", 0), 0u) << r.err;
        EXPECT_NE(r.err.find("--timeline-ranks"), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    EXPECT_FALSE(fs::exists(dir_ / "t.json"));
}

// Bundled scenarios (small enough for every test run; a pipeline and a fabric with leaf groups
// among them): the timeline of the recorded ranks is valid (each counter, per-pod ones too, rises in
// time), has slices on every recorded rank's track, and counters for the fabric tiers and for power.
class CliTimelineBundled : public twin::test::CliTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(CliTimelineBundled, WritesAValidTimeline) {
    const fs::path sc = fs::path(TWIN_SOURCE_DIR) / "scenarios" / (GetParam() + ".json");
    const auto r = run("run -q -o " + sh_quote((dir_ / "out").string()) + " " + sh_quote(sc.string()) + " --timeline " +
                       sh_quote((dir_ / "t.json").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = twin::test::expect_valid_trace(read_text(dir_ / "t.json"));
    ASSERT_FALSE(j.is_null());
    std::set<int> compute_tracks;
    std::set<int> tracks_with_slices;
    std::set<std::string> counters;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name" &&
            e["args"]["name"].get<std::string>().find(" (") != std::string::npos) {
            compute_tracks.insert(e["tid"].get<int>());
        } else if (e["ph"] == "X") {
            tracks_with_slices.insert(e["tid"].get<int>());
        } else if (e["ph"] == "C") {
            counters.insert(e["name"].get<std::string>());
        }
    }
    const auto& other = j["otherData"];
    EXPECT_EQ(other["scenario"], GetParam());
    EXPECT_EQ(other["truncated"], false);
    EXPECT_GT(other["ranks_recorded"].get<int>(), 0);
    EXPECT_LE(other["ranks_recorded"].get<int>(), 64); // the default --timeline-ranks
    // One named compute track per recorded rank, and each recorded rank computed something.
    EXPECT_EQ(compute_tracks.size(), other["ranks_recorded"].get<std::size_t>());
    for (const int tid : compute_tracks) {
        EXPECT_EQ(tracks_with_slices.count(tid), 1u) << "track " << tid << " is empty";
    }
    EXPECT_EQ(counters.count("IT power (MW)"), 1u);
    EXPECT_EQ(counters.count("facility power (MW)"), 1u);
    EXPECT_EQ(counters.count("scale-up utilisation"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CliTimelineBundled,
                         ::testing::Values("dgx-h100-1node", "chakra-small-dgx-h100", "gb200-nvl72-rack",
                                           "llama3-70b-superpod", "cluster-1024-oversub"),
                         [](const auto& case_info) {
                             std::string n = case_info.param;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

} // namespace
