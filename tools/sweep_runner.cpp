// Child processes for the cases of a sweep (sweep_runner.hpp). Each case runs as
// `<this executable> run <out>/cases/<key>/scenario.json -o <out>/cases/<key>/report -q` with its stdout
// and stderr in cases/<key>/run.log; the case is complete when report/report.json reads back (the run
// writes its result set as a whole), so a sweep stopped at any point resumes by skipping
// complete cases. ETA = wall time so far / cases finished x cases left (runs of one sweep take
// similar time).
#include "sweep_runner.hpp"

#include "twin/core/error.hpp"
#include "twin/core/input_file.hpp"
#include "twin/core/output_set.hpp"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace twin::cli {

namespace fs = std::filesystem;

std::optional<report::RunReport> read_report(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        return std::nullopt;
    }
    try {
        return report::from_json(nlohmann::json::parse(read_input_file(file)), file.string());
    } catch (const std::exception&) {
        return std::nullopt; // not a complete report: run the case again
    }
}

std::string last_line(const fs::path& log) {
    std::error_code ec;
    if (!fs::is_regular_file(log, ec)) {
        return "no run.log";
    }
    std::string text;
    try {
        text = read_input_file(log);
    } catch (const std::exception&) {
        return "run.log unreadable";
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    std::string line = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    if (line.rfind("error: ", 0) == 0) {
        line = line.substr(7);
    }
    return printable(line, 400);
}

fs::path self_exe() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        throw std::runtime_error("cannot find this executable (/proc/self/exe): " + ec.message());
    }
    return p;
}

pid_t spawn_case_run(const fs::path& exe, const fs::path& dir, bool no_limits) {
    const std::string exe_s = exe.string();
    const std::string scenario = (dir / "scenario.json").string();
    const std::string out = (dir / "report").string();
    const std::string log = (dir / "run.log").string();
    std::vector<std::string> args{exe_s, "run", scenario, "-o", out, "-q"};
    if (no_limits) {
        args.emplace_back("--no-limits");
    }
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        if (null_fd >= 0) {
            ::dup2(null_fd, STDIN_FILENO);
        }
        ::execv(exe_s.c_str(), argv.data());
        ::_exit(127);
    }
    return pid;
}

namespace {

std::string duration_text(double s) {
    const auto t = static_cast<long long>(s + 0.5);
    return t >= 3600 ? fmt::format("{}h{:02}m", t / 3600, t / 60 % 60) : fmt::format("{}m{:02}s", t / 60, t % 60);
}

} // namespace

std::vector<sweep::Row> run_cases(const std::vector<sweep::Case>& cases, std::size_t total,
                                  const std::vector<std::string>& columns, const RunnerOptions& o) {
    const fs::path cases_dir = o.out / "cases";
    fs::create_directories(cases_dir);
    // The cases to run: incomplete ones, each key once (two cases with one resolved scenario share it).
    std::vector<const sweep::Case*> todo;
    std::set<std::string> queued;
    for (const auto& c : cases) {
        const fs::path dir = cases_dir / c.key;
        if (!read_report(dir / "report" / "report.json") && queued.insert(c.key).second) {
            fs::create_directories(dir);
            write_file_atomically(dir / "scenario.json",
                                  sweep::runnable_scenario(c.scenario, o.scenario_folder).dump(2) + "\n",
                                  {"command line", "--out"});
            todo.push_back(&c);
        }
    }
    if (!o.quiet) {
        fmt::print(stderr, "sweep: {} cases, {} complete already, {} to run with -j {}\n", cases.size(),
                   cases.size() - todo.size(), todo.size(), o.jobs);
    }
    const fs::path exe = todo.empty() ? fs::path() : self_exe();
    const auto start = std::chrono::steady_clock::now();
    std::map<pid_t, const sweep::Case*> running;
    std::size_t next = 0;
    std::size_t finished = 0;
    std::size_t failed = 0;
    while (next < todo.size() || !running.empty()) {
        while (next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
            running[spawn_case_run(exe, cases_dir / todo[next]->key, o.no_limits)] = todo[next];
            ++next;
        }
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            break; // no child left (cannot happen while `running` holds one)
        }
        const auto it = running.find(pid);
        if (it == running.end()) {
            continue;
        }
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        failed += ok ? 0 : 1;
        ++finished;
        if (!o.quiet) {
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double eta = wall / static_cast<double>(finished) * static_cast<double>(todo.size() - finished);
            const int filled = static_cast<int>(finished * 20 / todo.size());
            fmt::print(stderr, "  [{:<20}] {}/{} run, {} failed, case {} {}  elapsed {}  ETA {}\n",
                       std::string(filled, '#'), finished, todo.size(), failed, it->second->index, ok ? "ok" : "FAILED",
                       duration_text(wall), duration_text(eta));
        }
        running.erase(it);
    }
    std::vector<sweep::Row> rows;
    for (const auto& c : cases) {
        sweep::Row r;
        r.index = c.index;
        r.total = total;
        r.key = c.key;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            r.axes[columns[i]] = sweep::cell_text(c.values[i]);
        }
        r.report = "cases/" + c.key;
        const fs::path dir = cases_dir / c.key;
        if (const auto rep = read_report(dir / "report" / "report.json")) {
            r.status = "ok";
            sweep::fill_metrics(r, *rep);
        } else {
            r.status = "failed";
            r.error = last_line(dir / "run.log");
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

std::vector<std::pair<std::string, sweep::Table>> read_tables(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw InputError(dir.string(), "/", "not a folder (give the output folder of a sweep or shard)");
    }
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("sweep-", 0) == 0 && n.find("-of-") != std::string::npos && e.path().extension() == ".csv") {
            files.push_back(e.path());
        }
    }
    if (files.empty() && fs::is_regular_file(dir / "sweep.csv", ec)) {
        files.push_back(dir / "sweep.csv");
    }
    if (files.empty()) {
        throw InputError(dir.string(), "/", "holds no sweep.csv nor shard tables sweep-I-of-N.csv");
    }
    std::sort(files.begin(), files.end());
    std::vector<std::pair<std::string, sweep::Table>> out;
    for (const auto& f : files) {
        out.emplace_back(f.string(), sweep::table_from_csv(read_input_file(f), f.string()));
    }
    return out;
}

int finish_table(const sweep::Table& table, const std::string& sort, const std::optional<sweep::CheckSpec>& checks,
                 bool quiet, bool failed_cases) {
    if (!quiet) {
        fmt::print("{}", sweep::format_summary(table, sort));
    }
    int code = failed_cases ? 1 : 0;
    if (checks) {
        const auto failures = sweep::evaluate(*checks, table);
        if (failures.empty()) {
            fmt::print("checks: all passed ({} cases)\n", table.rows.size());
        } else {
            fmt::print("checks: {} failed\n{}", failures.size(), sweep::format_failures(failures));
            code = 1;
        }
    }
    return code;
}

} // namespace twin::cli
