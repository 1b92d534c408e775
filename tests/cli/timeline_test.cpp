// `clustertwin run S.json --timeline FILE` (README "Timeline"): the file is a valid Chrome trace
// (tests/sim/timeline_check.hpp), identical across reruns; bad paths are one-line errors with exit
// 2, reported before the run.
#include "../sim/timeline_check.hpp"
#include "cli_util.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
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

} // namespace
