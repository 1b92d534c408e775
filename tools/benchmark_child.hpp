// One child process of the benchmark, timed: wall time, CPU time (user + system) and peak resident
// memory from wait4's rusage (tools/benchmark_child.cpp).
#pragma once

#include <string>
#include <vector>

namespace twin::bench {

struct Usage {
    int exit_code = -1; // 128 + signal when killed; -1 when it could not be started
    double wall_s = 0.0;
    double cpu_s = 0.0;
    double peak_rss_bytes = 0.0;
};

// Runs argv[0] (searched in PATH when it has no '/') with the rest as its arguments and waits.
[[nodiscard]] Usage run_child(std::vector<std::string> argv);

} // namespace twin::bench
