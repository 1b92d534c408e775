// Issue 11: files other people wrote, run as a planner's CI would. Every one of these used to crash
// (deep nesting segfaulted `validate` in every format), hang (a FIFO as input), be an internal error
// (1e400), be accepted silently (duplicate keys, hex-float quantities) or print raw control
// characters. Each must end in one printable line naming the file and the JSON pointer, exit 2.
#include "cli_util.hpp"

#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>

namespace {

namespace fs = std::filesystem;
using twin::test::sh_quote;
using twin::test::write_text;

class CliHostile : public twin::test::CliTest {
protected:
    // Runs `validate` on `file` and expects exit 2 and one line that starts with `prefix` and holds
    // `part`.
    void expect_refused(const fs::path& file, const std::string& prefix, const std::string& part) const {
        const auto r = run("validate " + sh_quote(file.string()));
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err.rfind("error: " + prefix, 0), 0U) << r.err;
        EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
    }

    // A one-node scenario whose workload is `workload` (JSON text).
    fs::path scenario(const std::string& workload, const std::string& extra = "") const {
        const fs::path p = dir_ / "s.json";
        write_text(p, R"({"schema_version": 1, "name": "s", "seed": 1,)" + extra +
                          R"( "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}, "workload": )" + workload +
                          "}");
        return p;
    }
};

std::string brackets(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

TEST_F(CliHostile, DeepNestingInEveryFormatIsOneLine) {
    // ~100 KB of brackets at a value position of a scenario, a trace v1 file and a Chakra file.
    const std::string deep = brackets(50000);
    const auto s = scenario(R"({"type": "trace", "trace": )" + deep + "}");
    expect_refused(s, s.string() + ": /workload/trace/0/0/", "nesting deeper than 128 levels");

    const fs::path trace = dir_ / "t.json";
    write_text(trace, R"({"schema_version": 1, "name": "t", "ranks": )" + deep + "}");
    const auto s2 = scenario(R"({"type": "trace", "file": "t.json"})");
    expect_refused(s2, trace.string() + ": /ranks/0/0/", "nesting deeper than 128 levels");

    write_text(dir_ / "c" / "rank0.json", R"({"version": "0.0.4"}{"id": "1", "attr": )" + deep + "}");
    const auto s3 = scenario(R"({"type": "chakra", "files": "c/rank{rank}.json"})");
    expect_refused(s3, (dir_ / "c" / "rank0.json").string() + ": /1/attr/0/", "nesting deeper than 128 levels");
}

TEST_F(CliHostile, OverflowDuplicateKeysAndHexFloats) {
    const std::string trace =
        R"({"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [{"op": "all_reduce", "group": "all", "size": SIZE}]}]}})";
    const auto with_size = [&](const std::string& size) {
        std::string w = trace;
        w.replace(w.find("SIZE"), 4, size);
        return scenario(w);
    };
    auto s = with_size("1e400");
    expect_refused(s, s.string() + ": /workload/trace/classes/0/program/0/size: ", "number overflow");
    s = with_size(R"("0x1p3MB")");
    expect_refused(s, s.string() + ": /workload/trace/classes/0/program/0/size: ", "is not a valid data size");
    s = with_size(R"("1e-999MB")");
    expect_refused(s, s.string() + ": /workload/trace/classes/0/program/0/size: ", "out of range");
    s = with_size(R"("  7MB")");
    expect_refused(s, s.string() + ": /workload/trace/classes/0/program/0/size: ", "is not a valid data size");
    s = scenario(R"({"type": "trace"})", R"( "seed": 2,)");
    expect_refused(s, s.string() + ": /seed: ", "duplicate key \"seed\"");
}

TEST_F(CliHostile, UnknownKeysWithControlCharactersStayOneLine) {
    const std::string key = "evil\\n\\u001b[2J" + std::string(10000, 'k');
    const auto s = scenario(R"({"type": "trace"})", " \"" + key + "\": 1,");
    const auto r = run("validate " + sh_quote(s.string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
    EXPECT_LT(r.err.size(), 1000U);
    EXPECT_NE(r.err.find(": unknown key \"evil\\u000a\\u001b[2Jkkk"), std::string::npos) << r.err;
}

TEST_F(CliHostile, OnlyRegularFilesAreRead) {
    const fs::path fifo = dir_ / "fifo.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    expect_refused(fifo, fifo.string() + ": /: ", "is not a regular file");
    expect_refused("/dev/zero", "/dev/zero: /: ", "is not a regular file");
    // A FIFO named as a scenario's trace file, too.
    const fs::path trace_fifo = dir_ / "t.json";
    ASSERT_EQ(::mkfifo(trace_fifo.c_str(), 0600), 0);
    const auto s = scenario(R"({"type": "trace", "file": "t.json"})");
    expect_refused(s, trace_fifo.string() + ": /: ", "is not a regular file");
}

// Found by the fuzzer: a file name longer than the file system allows made std::filesystem::exists
// throw, an internal error (exit 1) instead of bad input.
TEST_F(CliHostile, FileNamesTooLongForTheFileSystemAreBadInput) {
    const std::string name = std::string(300, 'P') + ".json";
    auto s = scenario(R"({"type": "trace", "file": ")" + name + R"("})");
    expect_refused(s, s.string() + ": /workload/file: ", "cannot be read: File name too long");
    s = scenario(R"({"type": "chakra", "files": [")" + name + R"("]})");
    expect_refused(s, s.string() + ": /workload/files/0: ", "cannot be read: File name too long");
    s = scenario(R"({"type": "chakra", "files": ")" + name + R"({rank}"})");
    expect_refused(s, s.string() + ": /workload/files: ", "cannot be read: File name too long");
}

} // namespace
