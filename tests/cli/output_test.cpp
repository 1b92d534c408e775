// Where results go and how they appear (README "Where results go"): run.output_dir and the default
// results/<name> resolve against the scenario's folder, -o against the working directory; the
// report is byte-identical from any working directory; names that are not plain file names are
// refused; output paths that cannot be written are one-line errors with exit 2; concurrent runs
// into one folder leave one run's complete set.
#include "cli_util.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using twin::test::CliResult;
using twin::test::read_text;
using twin::test::sh_quote;
using twin::test::write_text;

// A valid one-node scenario with an inline 8-rank all-reduce trace.
std::string scenario(const std::string& name, const std::string& extra = "") {
    return R"({"schema_version": 1, "name": )" + json(name).dump() + R"(, "seed": 1,)" + extra +
           R"( "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [{"op": "all_reduce", "group": "all", "size": "1MB"}]}]}}})";
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class CliOutput : public twin::test::CliTest {
protected:
    // Expects exit 2 and exactly `line` (plus a newline) on stderr.
    void expect_error(const std::string& args, const fs::path& cwd, const std::string& line) const {
        const auto r = run(args, cwd);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_EQ(r.err, line + "\n") << args;
    }
};

TEST_F(CliOutput, OutputFolderResolvesAgainstTheScenarioFromAnyWorkingDirectory) {
    const fs::path sc = dir_ / "scenarios" / "s.json";
    write_text(sc, scenario("s", R"( "run": {"output_dir": "out/s"},)"));
    fs::create_directories(dir_ / "elsewhere");
    ASSERT_EQ(run("run -q " + sh_quote(sc.string()), TWIN_SOURCE_DIR).exit_code, 0);
    ASSERT_EQ(run("run -q ../scenarios/s.json", dir_ / "elsewhere").exit_code, 0);
    EXPECT_EQ(
        entries(dir_ / "scenarios" / "out" / "s"),
        (std::vector<std::string>{"links.csv", "nodes.csv", "power.csv", "racks.csv", "report.json", "series.csv"}));
    EXPECT_EQ(entries(dir_ / "elsewhere"), std::vector<std::string>{});
    EXPECT_EQ(entries(dir_ / "scenarios"), (std::vector<std::string>{"out", "s.json"}));

    // Without run.output_dir: results/<name> beside the scenario.
    write_text(sc, scenario("plain"));
    const auto r = run("run scenarios/s.json", dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::is_regular_file(dir_ / "scenarios" / "results" / "plain" / "report.json"));
    EXPECT_NE(r.out.find("wrote scenarios/results/plain/report.json"), std::string::npos) << r.out;
}

// -o is what the user typed: relative to the working directory.
TEST_F(CliOutput, CommandLineOutputFolderIsRelativeToTheWorkingDirectory) {
    write_text(dir_ / "scenarios" / "s.json", scenario("s", R"( "run": {"output_dir": "out"},)"));
    ASSERT_EQ(run("run -q -o here scenarios/s.json", dir_).exit_code, 0);
    EXPECT_TRUE(fs::is_regular_file(dir_ / "here" / "report.json"));
    EXPECT_FALSE(fs::exists(dir_ / "scenarios" / "out"));
}

TEST_F(CliOutput, ReportIsByteIdenticalFromAnyWorkingDirectory) {
    const fs::path sc = dir_ / "sc" / "s.json";
    write_text(sc, scenario("s"));
    ASSERT_EQ(run("run -q -o " + sh_quote((dir_ / "a").string()) + " s.json", dir_ / "sc").exit_code, 0);
    ASSERT_EQ(run("run -q -o " + sh_quote((dir_ / "b").string()) + " " + sh_quote(sc.string()), "/").exit_code, 0);
    ASSERT_EQ(run("run -q -o c sc/../sc/s.json", dir_).exit_code, 0);
    const std::string a = read_text(dir_ / "a" / "report.json");
    EXPECT_EQ(json::parse(a)["scenario"]["file"], "s.json");
    EXPECT_TRUE(a == read_text(dir_ / "b" / "report.json"));
    EXPECT_TRUE(a == read_text(dir_ / "c" / "report.json"));
}

// A name like "../../x" named a folder outside results/ before; now it is refused at /name.
TEST_F(CliOutput, NamesThatAreNotPlainFileNamesAreRefused) {
    for (const std::string& name :
         std::vector<std::string>{"../../x", "a/b", ".hidden", "..", "tab\there", std::string(101, 'n')}) {
        SCOPED_TRACE(name);
        const fs::path sc = dir_ / "sc" / "s.json";
        write_text(sc, scenario(name));
        const auto r = run("run -q " + sh_quote(sc.string()), dir_);
        EXPECT_EQ(r.exit_code, 2);
        EXPECT_EQ(r.err.rfind("error: " + sc.string() + ": /name: the scenario name must be a plain file name", 0), 0U)
            << r.err;
        EXPECT_EQ(entries(dir_), (std::vector<std::string>{"sc"}));
        EXPECT_EQ(entries(dir_ / "sc"), (std::vector<std::string>{"s.json"}));
    }
}

TEST_F(CliOutput, OutputFoldersThatCannotBeWrittenAreOneLineErrors) {
    const fs::path sc = dir_ / "s.json";
    write_text(dir_ / "file", "x");
    fs::create_directories(dir_ / "target");
    fs::create_directory_symlink(dir_ / "target", dir_ / "link");
    write_text(sc, scenario("s", R"( "run": {"output_dir": "file"},)"));
    expect_error("run -q s.json", dir_, "error: s.json: /run/output_dir: \"file\" exists and is not a folder");
    write_text(sc, scenario("s", R"( "run": {"output_dir": "link"},)"));
    expect_error("run -q " + sh_quote(sc.string()), "/",
                 "error: " + sc.string() + ": /run/output_dir: \"" + (dir_ / "link").string() +
                     "\" is a symbolic link; results are written only into a real folder");
    expect_error(
        "run -q -o link s.json", dir_,
        "error: command line: --out: \"link\" is a symbolic link; results are written only into a real folder");
    expect_error("run -q -o . s.json", dir_,
                 "error: command line: --out: \".\" names no folder that can be replaced as a whole; give a folder "
                 "name such as results/run1");
    write_text(dir_ / "mine" / "notes.txt", "keep");
    expect_error("run -q -o mine s.json", dir_,
                 "error: command line: --out: \"mine\" holds \"notes.txt\", which is not part of a result set; it is "
                 "replaced as a whole, so choose another folder or empty it");
    EXPECT_EQ(entries(dir_ / "target"), std::vector<std::string>{});
    EXPECT_EQ(read_text(dir_ / "mine" / "notes.txt"), "keep");
    EXPECT_EQ(entries(dir_), (std::vector<std::string>{"file", "link", "mine", "s.json", "target"}));
}

TEST_F(CliOutput, SingleFileOutputsRefuseFoldersAndMissingFolders) {
    const std::string sc = sh_quote(fs::path(TWIN_SOURCE_DIR) / "scenarios" / "dgx-h100-1node.json");
    expect_error("workload " + sc + " -o .", dir_,
                 "error: command line: --out: \".\" names a folder; give a file name");
    fs::create_directories(dir_ / "d");
    expect_error("workload " + sc + " -o d", dir_, "error: command line: --out: \"d\" is a folder; give a file name");
    expect_error("workload " + sc + " -o no/t.json", dir_,
                 "error: command line: --out: the folder \"no\" does not exist");
    expect_error("collective " + sc + " -b 1MiB -e 1MiB --auto-only --json d/", dir_,
                 "error: command line: --json: \"d/\" names a folder; give a file name");
    write_text(dir_ / "victim", "precious");
    fs::create_symlink(dir_ / "victim", dir_ / "t.json");
    expect_error("workload " + sc + " -o t.json", dir_,
                 "error: command line: --out: \"t.json\" is a symbolic link; it is not followed or replaced");
    EXPECT_EQ(read_text(dir_ / "victim"), "precious");
    ASSERT_EQ(run("workload " + sc + " -o d/t.json", dir_).exit_code, 0);
    EXPECT_EQ(json::parse(read_text(dir_ / "d" / "t.json"))["schema_version"], 1);
    EXPECT_EQ(entries(dir_ / "d"), std::vector<std::string>{"t.json"});
    // The sweep's JSON names the scenario as report.json does: by its file name alone.
    ASSERT_EQ(run("collective " + sc + " -b 1MiB -e 1MiB --auto-only --json d/s.json", dir_).exit_code, 0);
    EXPECT_EQ(json::parse(read_text(dir_ / "d" / "s.json"))["scenario"]["file"], "dgx-h100-1node.json");
    EXPECT_EQ(entries(dir_ / "d"), (std::vector<std::string>{"s.json", "t.json"}));
}

// Two runs of different scenarios into one folder at once, many times: the folder always ends with
// the complete set of one of them (all four files equal to that scenario's own run).
TEST_F(CliOutput, ConcurrentRunsIntoOneFolderLeaveOneCompleteSet) {
    write_text(dir_ / "a.json", scenario("a"));
    std::string b = scenario("b");
    b.replace(b.find("1MB"), 3, "4MB"); // a different links.csv too
    write_text(dir_ / "b.json", b);
    ASSERT_EQ(run("run -q -o ref-a a.json && " + sh_quote(CLUSTERTWIN_EXE) + " run -q -o ref-b b.json", dir_).exit_code,
              0);
    const std::vector<std::string> files{"report.json", "links.csv", "power.csv",
                                         "series.csv",  "racks.csv", "nodes.csv"};
    for (int i = 0; i < 12; ++i) {
        const auto r =
            run("run -q -o out a.json & " + sh_quote(CLUSTERTWIN_EXE) + " run -q -o out b.json & wait", dir_);
        EXPECT_EQ(r.err, "");
        const std::string name = json::parse(read_text(dir_ / "out" / "report.json"))["scenario"]["name"];
        ASSERT_TRUE(name == "a" || name == "b") << name;
        for (const auto& f : files) {
            EXPECT_TRUE(read_text(dir_ / "out" / f) == read_text(dir_ / ("ref-" + name) / f)) << i << " " << f;
        }
        EXPECT_EQ(entries(dir_ / "out"), (std::vector<std::string>{"links.csv", "nodes.csv", "power.csv", "racks.csv",
                                                                   "report.json", "series.csv"}));
    }
    EXPECT_EQ(entries(dir_), (std::vector<std::string>{"a.json", "b.json", "out", "ref-a", "ref-b"}));
}

} // namespace
