// Budget options and the progress printer shared by the clustertwin subcommands (cli_common.hpp).
#include "cli_common.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>
#include <string>
#include <unistd.h>

namespace twin::cli {

topology::Limits Budget::limits() const {
    if (no_limits) {
        return topology::Limits::none();
    }
    topology::Limits l;
    l.max_gpus = max_gpus;
    l.max_ops = max_ops;
    return l;
}

std::optional<std::chrono::steady_clock::time_point> Budget::deadline() const {
    if (time_limit_s <= 0) {
        return std::nullopt;
    }
    return start +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(time_limit_s));
}

void add_budget_options(CLI::App* cmd, Budget& b, bool time_limit) {
    cmd->add_flag("--no-limits", b.no_limits, "Lift every resource limit (GPUs, links, schedule, operations)");
    cmd->add_option("--max-gpus", b.max_gpus, "Largest topology, in GPUs")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-ops", b.max_ops, "Most operations the engine may execute (repeats expanded)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    if (time_limit) {
        cmd->add_option("--time-limit", b.time_limit_s,
                        "Stop after this many seconds of wall-clock time: exit 3, no results written")
            ->check(CLI::PositiveNumber);
    }
}

namespace {

std::string simulated(double simulated_s) {
    return simulated_s < 0 ? std::string() : fmt::format("  simulated {:.3f} s", simulated_s);
}

} // namespace

std::function<void(double, double)> progress_printer() {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    auto last_decile = std::make_shared<int>(-1);
    return [tty, start, last_decile](double done, double simulated_s) {
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (wall < 2.0) {
            return;
        }
        const int percent = static_cast<int>(done * 100.0);
        if (tty) {
            const int filled = percent * 30 / 100;
            fmt::print(stderr, "\r  [{:<30}] {:3d} %{}  wall {:.0f} s{}", std::string(filled, '#'), percent,
                       simulated(simulated_s), wall, done >= 1.0 ? "\n" : "");
        } else if (percent / 10 > *last_decile) {
            *last_decile = percent / 10;
            fmt::print(stderr, "  progress {:3d} %{}  wall {:.0f} s\n", percent, simulated(simulated_s), wall);
        }
        std::fflush(stderr);
    };
}

} // namespace twin::cli
