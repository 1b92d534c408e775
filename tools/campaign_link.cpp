// The campaign's failed-link step, simulated (issue 19): the healthy run's busiest cable of its
// top switch tier is failed ("failed_links", topology/README.md "Failed links": routes take the
// remaining shortest paths, ECMP hashes over the remaining next hops) and the same scenario runs
// again in a child process; the campaign's failed-link slowdown is then
//   δ_link = T_step(one cable failed) / T_step − 1   (≥ 0)
// instead of the estimate (models/src/campaign_mc.cpp). The busiest cable gives the worst single
// cable failure of that tier under the healthy run's routing, an upper bound for a random one.
#include "campaign_link.hpp"

#include "sweep_runner.hpp"
#include "twin/core/input_file.hpp"
#include "twin/sweep/sweep.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace twin::cli {

namespace fs = std::filesystem;

std::optional<std::pair<std::string, std::string>> campaign_failed_cable(const report::RunReport& r) {
    for (const char* tier : {"spine-core", "leaf-spine"}) {
        for (const auto& t : r.link_tiers) {
            if (t.tier != tier || t.busiest.empty()) {
                continue;
            }
            const std::string& name = t.busiest.front().link; // "a -> b"
            const auto arrow = name.find(" -> ");
            if (arrow == std::string::npos) {
                continue;
            }
            return std::make_pair(name.substr(0, arrow), name.substr(arrow + 4));
        }
    }
    return std::nullopt;
}

std::optional<report::FailedLinkStep> simulate_failed_link(const models::Scenario& s, const fs::path& scenario_file,
                                                           const report::RunReport& healthy, bool no_limits,
                                                           std::string& why) {
    if (!s.campaign) {
        return std::nullopt;
    }
    const auto cable = campaign_failed_cable(healthy);
    if (!cable) {
        why = "no switch-to-switch cable carried traffic";
        return std::nullopt;
    }
    nlohmann::json doc =
        sweep::runnable_scenario(nlohmann::json::parse(read_input_file(scenario_file)), scenario_file.parent_path());
    doc.erase("campaign");
    doc.erase("floorplan");
    doc["failed_links"] = nlohmann::json::array({nlohmann::json::array({cable->first, cable->second})});
    std::string dir_template = (fs::temp_directory_path() / "clustertwin-link-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) {
        why = "cannot create a temporary folder";
        return std::nullopt;
    }
    const fs::path dir = dir_template;
    std::optional<report::FailedLinkStep> out;
    {
        std::ofstream(dir / "scenario.json") << doc.dump(1) << '\n';
        const pid_t pid = spawn_case_run(self_exe(), dir, no_limits);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        const auto rep = read_report(dir / "report" / "report.json");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && rep) {
            const double step = rep->workload ? rep->workload->step_time_s : rep->simulated_time_s;
            out = report::FailedLinkStep{fmt::format("{} - {}", cable->first, cable->second), step};
        } else {
            why = last_line(dir / "run.log");
        }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return out;
}

} // namespace twin::cli
