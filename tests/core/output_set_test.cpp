// Result sets appear whole or not at all (twin/core/output_set.hpp): failures and kills before the
// swap leave the previous set intact, symbolic links are never followed, concurrent writers into one
// folder each swap in a complete set, and every file-system problem is an InputError naming where
// the path came from.
#include "twin/core/error.hpp"
#include "twin/core/output_set.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace twin {
namespace {

namespace fs = std::filesystem;

const OutputOrigin kOrigin{"s.json", "/run/output_dir"};
const std::vector<std::string> kNames{"report.json", "links.csv", "power.csv"};

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

void write_set(const fs::path& folder, const std::string& tag) {
    OutputSet set(folder, kOrigin, kNames);
    for (const auto& n : kNames) {
        set.add(n, tag + " " + n);
    }
    set.commit();
}

// Entries of `dir`, sorted.
std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Expects `f` to throw an InputError naming kOrigin whose message contains `part`.
template <class F>
void expect_output_error(F f, const std::string& part, const OutputOrigin& origin = kOrigin) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one containing: " << part;
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), origin.file);
        EXPECT_EQ(e.pointer(), origin.pointer);
        EXPECT_NE(e.message().find(part), std::string::npos) << e.what();
    }
}

class OutputSetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("twin_output_set_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        out_ = dir_ / "out";
    }
    void TearDown() override { fs::remove_all(dir_); }

    void expect_set(const std::string& tag) const {
        EXPECT_EQ(entries(out_), (std::vector<std::string>{"links.csv", "power.csv", "report.json"}));
        for (const auto& n : kNames) {
            EXPECT_EQ(read_text(out_ / n), tag + " " + n);
        }
    }

    fs::path dir_;
    fs::path out_;
};

TEST_F(OutputSetTest, WritesANewFolderAndLeavesNothingElse) {
    write_set(dir_ / "a" / "b" / "out", "one"); // missing parents are created
    out_ = dir_ / "a" / "b" / "out";
    expect_set("one");
    EXPECT_EQ(entries(dir_ / "a" / "b"), std::vector<std::string>{"out"});
}

TEST_F(OutputSetTest, ReplacesThePreviousSetAsAWhole) {
    write_set(out_, "old");
    write_text(dir_ / "victim", "keep");
    OutputSet set(out_, kOrigin, kNames);
    set.add("report.json", "new report.json");
    set.commit();
    // The new set has one file: nothing of the old set survives beside it.
    EXPECT_EQ(entries(out_), std::vector<std::string>{"report.json"});
    EXPECT_EQ(read_text(out_ / "report.json"), "new report.json");
    EXPECT_EQ(entries(dir_), (std::vector<std::string>{"out", "victim"}));
}

// A failure after some files were written (what a kill between the old per-file renames did): the
// previous set stays intact and the temporary folder is removed.
TEST_F(OutputSetTest, FailureBeforeTheSwapKeepsTheOldSetAndRemovesTheTemporary) {
    write_set(out_, "old");
    try {
        OutputSet set(out_, kOrigin, kNames);
        set.add("links.csv", "new links.csv");
        set.add("power.csv", "new power.csv");
        EXPECT_TRUE(fs::is_directory(set.temporary()));
        throw std::runtime_error("injected failure before report.json");
    } catch (const std::runtime_error&) {
    }
    expect_set("old");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"out"});
}

// A writer killed after writing two files: the old set is intact, its leftover has a hidden
// temporary name (never the output folder), and the next writer removes it.
TEST_F(OutputSetTest, AKilledWritersLeftoverIsNeverTheResultAndIsRemovedNext) {
    write_set(out_, "old");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        OutputSet set(out_, kOrigin, kNames);
        set.add("links.csv", "new links.csv");
        set.add("power.csv", "new power.csv");
        ::_exit(0); // no destructor: as if killed
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    expect_set("old");
    const auto left = entries(dir_);
    ASSERT_EQ(left.size(), 2U);
    EXPECT_EQ(left[0].rfind(temporary_prefix("out"), 0), 0U) << left[0];
    write_set(out_, "new");
    expect_set("new");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"out"});
}

TEST_F(OutputSetTest, ALiveWritersTemporaryIsLeftAlone) {
    OutputSet first(out_, kOrigin, kNames);
    first.add("report.json", "first report.json");
    write_set(out_, "second"); // its clean-up of leftovers runs while `first` is still writing
    ASSERT_TRUE(fs::is_directory(first.temporary()));
    first.commit();
    EXPECT_EQ(read_text(out_ / "report.json"), "first report.json");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"out"});
}

TEST_F(OutputSetTest, ASymbolicLinkAtTheFolderIsAnErrorAndItsTargetIsUntouched) {
    fs::create_directories(dir_ / "target");
    write_text(dir_ / "target" / "report.json", "precious");
    fs::create_directory_symlink(dir_ / "target", out_);
    expect_output_error([&] { write_set(out_, "new"); }, "is a symbolic link");
    EXPECT_EQ(read_text(dir_ / "target" / "report.json"), "precious");
    EXPECT_EQ(entries(dir_ / "target"), std::vector<std::string>{"report.json"});
    EXPECT_TRUE(fs::is_symlink(out_));
}

TEST_F(OutputSetTest, AFileAtTheFolderIsAnError) {
    write_text(out_, "a file");
    expect_output_error([&] { write_set(out_, "new"); }, "exists and is not a folder");
    EXPECT_EQ(read_text(out_), "a file");
}

// A folder that holds anything but files of the set is not replaced (`-o ~` must not remove a home).
TEST_F(OutputSetTest, AFolderWithOtherFilesIsNotReplaced) {
    fs::create_directories(out_);
    write_text(out_ / "notes.txt", "mine");
    expect_output_error([&] { write_set(out_, "new"); },
                        "\"" + out_.string() + "\" holds \"notes.txt\", which is not part of a result set");
    EXPECT_EQ(entries(out_), std::vector<std::string>{"notes.txt"});
    fs::remove(out_ / "notes.txt");
    fs::create_directories(out_ / "report.json"); // a folder under a set file's name is not a set file
    expect_output_error([&] { write_set(out_, "new"); }, "holds \"report.json\"");
}

TEST_F(OutputSetTest, FoldersThatCannotBeReplacedAreErrors) {
    for (const char* bad : {".", "..", "/", "a/.."}) {
        expect_output_error([&] { OutputSet(bad, kOrigin, kNames); }, "names no folder that can be replaced");
    }
    write_text(dir_ / "file", "x");
    expect_output_error([&] { OutputSet(dir_ / "file" / "out", kOrigin, kNames); }, "cannot create the folder");
}

// Planted symbolic links: at report.json inside the old set, at the old fixed "links.csv.partial"
// names (inside the set it goes with the old set), and at a name that looks like an abandoned
// temporary. None is followed.
TEST_F(OutputSetTest, PlantedSymbolicLinksAreNotFollowed) {
    write_set(out_, "old");
    write_text(dir_ / "victim", "precious");
    fs::create_directories(dir_ / "victim_dir");
    write_text(dir_ / "victim_dir" / "keep", "precious");
    fs::remove(out_ / "report.json");
    fs::create_symlink(dir_ / "victim", out_ / "report.json");
    fs::create_symlink(dir_ / "victim", out_ / "links.csv.partial");
    fs::create_symlink(dir_ / "victim", dir_ / "links.csv.partial");
    fs::create_directory_symlink(dir_ / "victim_dir", dir_ / (temporary_prefix("out") + "AAAAAA"));
    write_set(out_, "new");
    expect_set("new");
    EXPECT_EQ(read_text(dir_ / "victim"), "precious");
    EXPECT_EQ(read_text(dir_ / "victim_dir" / "keep"), "precious");
    EXPECT_TRUE(fs::is_symlink(dir_ / (temporary_prefix("out") + "AAAAAA")));
}

// Several processes write sets into one folder at once while a reader looks in: every swap
// succeeds, a folder never holds files of two sets, and the last one left is one complete set.
TEST_F(OutputSetTest, ConcurrentWritersEachSwapInACompleteSet) {
    write_set(out_, "start");
    constexpr int kWriters = 4;
    constexpr int kRounds = 40;
    std::vector<pid_t> children;
    for (int w = 0; w < kWriters; ++w) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            int failures = 0;
            for (int i = 0; i < kRounds; ++i) {
                try {
                    write_set(out_, "w" + std::to_string(w) + "i" + std::to_string(i));
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "writer %d: %s\n", w, e.what());
                    ++failures;
                }
            }
            ::_exit(failures == 0 ? 0 : 1);
        }
        children.push_back(child);
    }
    std::atomic<bool> done{false};
    int mixed = 0;
    std::thread reader([&] {
        while (!done) {
            // One folder inode holds one set: files read through one descriptor never mix sets
            // (some may be gone when the set was just swapped out and is being removed).
            const int fd = ::open(out_.c_str(), O_RDONLY | O_DIRECTORY);
            std::set<std::string> tags;
            for (const auto& n : kNames) {
                const int f = fd >= 0 ? ::openat(fd, n.c_str(), O_RDONLY) : -1;
                char buf[64] = {};
                if (f >= 0 && ::read(f, buf, sizeof buf - 1) > 0) {
                    const std::string text(buf);
                    tags.insert(text.substr(0, text.find(' ')));
                }
                if (f >= 0) {
                    ::close(f);
                }
            }
            if (fd >= 0) {
                ::close(fd);
            }
            mixed += tags.size() > 1 ? 1 : 0;
        }
    });
    for (const pid_t child : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    done = true;
    reader.join();
    EXPECT_EQ(mixed, 0);
    const std::string report = read_text(out_ / "report.json");
    expect_set(report.substr(0, report.find(' ')));
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"out"});
}

class WriteFileTest : public OutputSetTest {};

const OutputOrigin kCommandLine{"command line", "--out"};

TEST_F(WriteFileTest, WritesAndReplacesAFile) {
    const auto file = dir_ / "trace.json";
    write_file_atomically(file, "one", kCommandLine);
    write_file_atomically(file, "two", kCommandLine);
    EXPECT_EQ(read_text(file), "two");
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"trace.json"});
}

TEST_F(WriteFileTest, PathsThatAreNoFileAreErrors) {
    for (const fs::path& bad : {fs::path("."), fs::path(".."), dir_, dir_ / "", fs::path("x/")}) {
        expect_output_error([&] { write_file_atomically(bad, "x", kCommandLine); }, "folder", kCommandLine);
    }
    expect_output_error([&] { write_file_atomically(dir_ / "no" / "t.json", "x", kCommandLine); },
                        "the folder \"" + (dir_ / "no").string() + "\" does not exist", kCommandLine);
    ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
    expect_output_error([&] { write_file_atomically(dir_ / "fifo", "x", kCommandLine); },
                        "exists and is not a regular file", kCommandLine);
}

TEST_F(WriteFileTest, ASymbolicLinkIsNeitherFollowedNorReplaced) {
    write_text(dir_ / "victim", "precious");
    fs::create_symlink(dir_ / "victim", dir_ / "trace.json");
    fs::create_symlink(dir_ / "victim", dir_ / "trace.json.partial");
    expect_output_error([&] { write_file_atomically(dir_ / "trace.json", "x", kCommandLine); }, "is a symbolic link",
                        kCommandLine);
    EXPECT_EQ(read_text(dir_ / "victim"), "precious");
    fs::remove(dir_ / "trace.json");
    write_file_atomically(dir_ / "trace.json", "x", kCommandLine); // the old fixed temporary name is unused
    EXPECT_EQ(read_text(dir_ / "victim"), "precious");
    EXPECT_TRUE(fs::is_symlink(dir_ / "trace.json.partial"));
}

} // namespace
} // namespace twin
