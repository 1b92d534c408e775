// One child process of the benchmark, timed (benchmark_child.hpp).
#include "benchmark_child.hpp"

#include <chrono>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace twin::bench {

Usage run_child(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv.data());
        _exit(127);
    }
    Usage u;
    int status = 0;
    rusage usage{};
    if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) {
        return u;
    }
    u.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    u.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
    };
    u.cpu_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    u.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0; // Linux: KiB
    return u;
}

} // namespace twin::bench
