// A scenario file: the cluster, the work, and how to run it (format: README.md, "Scenario files").
//
//   {"schema_version": 1, "name": "...", "description": "...", "seed": 42,
//    "catalog": {...optional additions to the bundled catalog...},
//    "topology": {...topology format v1, topology/README.md...},
//    "workload": {"type": "trace", "file": "traces/dp.json"}       (path relative to the scenario)
//             or {"type": "trace", "trace": {...inline trace v1...}},
//    or "jobs": [{"name": "a", "gpus": {"first": 0, "count": 512}, "workload": {...}}, ...] (jobs.hpp),
//    "run": {"output_dir": "results/name", "top_links": 10},        (path relative to the scenario)
//    "facility": {...power, cooling and energy; twin/models/facility.hpp...},
//    "campaign": {...failures, checkpoints and goodput over a campaign; twin/models/campaign.hpp...}}
//
// Everything is validated here, before any simulation object exists.
#pragma once

#include "twin/models/campaign.hpp"
#include "twin/models/facility.hpp"
#include "twin/models/jobs.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"
#include "twin/topology/limits.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace twin::models {

// The scenario name is a plain file name of at most this many characters (it names results/<name>).
inline constexpr std::size_t kMaxScenarioNameLength = 100;

struct RunSettings {
    // Resolved against the scenario's folder (the default is results/<scenario name> there); a
    // command-line -o overrides it and stays relative to the working directory.
    std::filesystem::path output_dir;
    int top_links = 10; // busiest links listed in the report
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    std::uint64_t seed = 0;
    topology::Cluster cluster;
    Trace trace;
    std::vector<Job> jobs; // a "jobs" scenario's jobs (models/jobs.hpp); empty with a single "workload"
    RunSettings run;
    Facility facility;                      // defaults when the scenario has no "facility" section
    std::optional<CampaignConfig> campaign; // the "campaign" section (models/campaign.hpp)
};

// `limits`: the resource budgets checked while loading (topology/limits.hpp).
[[nodiscard]] Scenario load_scenario(const std::filesystem::path& path, const topology::Limits& limits = {});
// For tests and tools that hold the text in memory; relative workload files resolve against `base_dir`.
[[nodiscard]] Scenario parse_scenario(std::string_view text, const std::string& file_name,
                                      const std::filesystem::path& base_dir, const topology::Limits& limits = {});

} // namespace twin::models
