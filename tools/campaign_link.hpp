// The campaign's failed-link step, simulated: a second `clustertwin run` (SimGrid runs one engine
// per process) of the same scenario with one fabric cable failed (tools/campaign_link.cpp).
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_report.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace twin::cli {

// The cable the campaign fails: the busiest cable of the healthy run's top switch tier
// ("spine-core", else "leaf-spine"), as its two switches; nullopt without a switched fabric.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> campaign_failed_cable(const report::RunReport& r);

// For a scenario with a campaign: runs the scenario with that cable in "failed_links" as a child
// (campaign and floor plan left out) and returns its step. nullopt, with `why` set, when there is
// no cable to fail or the child run fails (spray routing refuses failed links; the estimate
// stays); the healthy report is not touched.
[[nodiscard]] std::optional<report::FailedLinkStep> simulate_failed_link(const models::Scenario& s,
                                                                         const std::filesystem::path& scenario_file,
                                                                         const report::RunReport& healthy,
                                                                         bool no_limits, std::string& why);

} // namespace twin::cli
