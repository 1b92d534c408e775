// clustertwin — command-line front end. Parses arguments, calls the libraries, prints results.
// Each subcommand lives in tools/cmd_*.cpp (cli_common.hpp); main() only dispatches and turns
// exceptions into exit codes.
// Before anything else, main() may re-execute itself once to run with transparent huge pages
// (huge_pages.hpp; TWIN_HUGE_PAGES=0 turns that off).
// Exit codes: 0 success, 2 bad input (one line naming file and JSON pointer), 3 time limit
// (--time-limit) reached, 1 anything else.
#include "cli_common.hpp"
#include "huge_pages.hpp"
#include "twin/core/error.hpp"
#include "twin/sim/budget.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace {

// A CLI11 usage error in the form of every other bad input: "command line: <flag>: <message>".
// The flag is the one CLI11 names ("--factor: Value 0 not in range ..."), or the first option or
// argument its message mentions; the message comes through InputError, so it stays one line.
twin::InputError command_line_error(const CLI::ParseError& e) {
    std::string message = e.what();
    std::string where;
    const auto colon = message.find(": ");
    if (!message.empty() && message.front() == '-' && colon != std::string::npos) {
        where = message.substr(0, colon);
        message = message.substr(colon + 2);
    } else if (const auto dash = message.find(" -"); dash != std::string::npos) {
        const auto end = message.find_first_of(" ,:=", dash + 1);
        where = message.substr(dash + 1, end == std::string::npos ? std::string::npos : end - dash - 1);
    } else if (const auto req = message.find(" is required"); req != std::string::npos && message.find(' ') == req) {
        where = message.substr(0, req); // "scenario is required"
    }
    return twin::InputError("command line", where.empty() ? "/" : where, message + " (see --help)");
}

} // namespace

int main(int argc, char** argv) {
    twin::cli::use_huge_pages(argv); // may re-execute this process once (huge_pages.hpp)
    CLI::App app{"clustertwin: simulate a GPU cluster and its workload before it is built"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "clustertwin 0.1.0");

    twin::cli::Budget budget;
    const std::vector<twin::cli::Command> commands = {
        twin::cli::add_run_command(app, budget),        twin::cli::add_info_command(app, budget),
        twin::cli::add_validate_command(app, budget),   twin::cli::add_workload_command(app, budget),
        twin::cli::add_collective_command(app, budget), twin::cli::add_sweep_command(app, budget),
        twin::cli::add_merge_command(app, budget),      twin::cli::add_tune_command(app, budget),
        twin::cli::add_bom_command(app, budget),        twin::cli::add_cabling_command(app, budget),
        twin::cli::add_reference_command(app, budget),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here with 0; a usage error is bad input: one line, exit 2.
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        fmt::print(stderr, "error: {}\n", command_line_error(e).what());
        return 2;
    }
    try {
        for (const auto& c : commands) {
            if (c.app->parsed()) {
                return c.run();
            }
        }
        return 1; // unreachable: require_subcommand(1)
    } catch (const twin::InputError& e) {
        std::fflush(stdout);
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const twin::sim::TimeLimitExceeded& e) {
        std::fflush(stdout);
        fmt::print(stderr,
                   "error: command line: --time-limit: stopped after {} s of wall-clock time ({}); no results "
                   "written\n",
                   budget.time_limit_s, e.what());
        return 3;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "internal error: {}\n", e.what());
        return 1;
    }
}
