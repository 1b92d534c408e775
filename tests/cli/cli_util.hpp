// What every end-to-end CLI test needs: a fresh temporary folder per test (kept when the test
// fails, for a look), running `clustertwin <args>` through the shell in a chosen folder, and
// reading and writing small files.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace twin::test {

namespace fs = std::filesystem;

struct CliResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// Quotes one word for /bin/sh.
inline std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(info->test_suite_name()) + "." + info->name();
        std::replace(name.begin(), name.end(), '/', '_');
        dir_ = fs::temp_directory_path() / ("clustertwin-cli-" + name + "-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }

    void TearDown() override {
        if (HasFailure()) {
            std::cerr << "test files kept in " << dir_ << "\n";
        } else {
            fs::remove_all(dir_);
        }
    }

    // Runs `clustertwin <args>` in `cwd` (default: the repository root); `args` goes to the shell
    // as is (it may start more commands after a ';').
    CliResult run(const std::string& args, const fs::path& cwd = TWIN_SOURCE_DIR) const {
        const fs::path out = dir_ / "stdout.txt";
        const fs::path err = dir_ / "stderr.txt";
        const std::string cmd = "cd " + sh_quote(cwd.string()) + " && { " + sh_quote(CLUSTERTWIN_EXE) + " " + args +
                                "; } </dev/null >" + sh_quote(out.string()) + " 2>" + sh_quote(err.string());
        const int status = std::system(cmd.c_str());
        CliResult r;
        r.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = read_text(out);
        r.err = read_text(err);
        fs::remove(out);
        fs::remove(err);
        return r;
    }

    fs::path dir_;
};

} // namespace twin::test
