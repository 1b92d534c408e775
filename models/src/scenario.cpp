#include "twin/models/scenario.hpp"

#include "twin/models/compute.hpp"
#include "twin/models/jobs.hpp"
#include "twin/models/stragglers.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/failed_links.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::models {
namespace {

void check_trace_fits(const Trace& trace, const topology::Cluster& cluster, const Value& workload) {
    if (trace.ranks > cluster.gpu_count()) {
        workload.fail(fmt::format("the trace has {} ranks but the cluster has only {} GPUs (rank r runs on GPU r)",
                                  trace.ranks, cluster.gpu_count()));
    }
    check_trace_compute_support(trace, cluster);
}

// The name becomes the default output folder results/<name>, so it must be one plain file name.
void check_name(const std::string& name, const Value& value) {
    if (name.empty()) {
        value.fail("the scenario name must not be empty");
    }
    const bool control = std::any_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
    if (name.size() > kMaxScenarioNameLength || name.front() == '.' || control ||
        name.find_first_of("/\\") != std::string::npos) {
        value.fail(fmt::format("the scenario name must be a plain file name (it names the output folder "
                               "results/<name>): at most {} characters, no '/', '\\' or control characters, "
                               "not starting with '.'",
                               kMaxScenarioNameLength));
    }
}

Scenario from_document(const Document& doc, const std::filesystem::path& base_dir, const topology::Limits& limits) {
    Object root = doc.root().as_object();
    // Take every known key first, so a misspelt key is reported before anything is built.
    const Value version = root.at("schema_version");
    const Value name = root.at("name");
    const auto description = root.find("description");
    const Value seed = root.at("seed");
    const auto catalog_value = root.find("catalog");
    const Value topology_value = root.at("topology");
    const auto workload_value = root.find("workload");
    const auto jobs = root.find("jobs"); // several jobs on the cluster instead (models/jobs.hpp)
    const auto run = root.find("run");
    const auto facility = root.find("facility");
    (void)root.find("floorplan"); // the build-out's floor plan: read and checked by buildout/ (bom, cabling)
    const auto campaign = root.find("campaign");
    const auto stragglers = root.find("stragglers");
    const auto failed_links = root.find("failed_links");
    if (workload_value && jobs) {
        root.fail_at("jobs", "give either \"workload\" or \"jobs\", not both");
    }
    const Value workload = jobs ? *jobs : workload_value ? *workload_value : root.at("workload");
    root.finish();

    (void)version.as_integer(1, 1);
    Scenario s;
    s.file = doc.file();
    s.name = name.as_string();
    check_name(s.name, name);
    if (description) {
        s.description = description->as_string();
    }
    s.seed = static_cast<std::uint64_t>(seed.as_integer(0, INT64_MAX));
    // Relative output folders resolve against the scenario's folder, as workload files do, so a
    // scenario writes to the same place from any working directory.
    std::filesystem::path output_dir = std::filesystem::path("results") / s.name;
    if (run) {
        Object r = run->as_object();
        if (auto dir = r.find("output_dir")) {
            output_dir = dir->as_string();
            if (output_dir.empty()) {
                dir->fail("the output folder must not be empty");
            }
        }
        if (auto top = r.find("top_links")) {
            s.run.top_links = static_cast<int>(top->as_integer(1, 100000));
        }
        r.finish();
    }
    s.run.output_dir = (base_dir / output_dir).lexically_normal();

    topology::Catalog catalog = topology::Catalog::builtin();
    if (catalog_value) {
        catalog.merge(catalog_value->as_object());
    }
    s.cluster = topology::load_topology(topology_value.as_object(), std::move(catalog), limits);
    s.cluster.set_ecmp_seed(s.seed); // the seed salts ECMP (cluster.hpp)
    if (stragglers) {
        apply_stragglers(*stragglers, s.seed, s.cluster);
    }
    if (failed_links) {
        topology::apply_failed_links(*failed_links, s.cluster);
    }
    if (jobs) {
        JobSet set = load_jobs(*jobs, WorkloadContext{s.cluster, base_dir, limits});
        s.trace = std::move(set.trace);
        s.jobs = std::move(set.jobs);
    } else {
        s.trace = load_workload(workload.as_object(), WorkloadContext{s.cluster, base_dir, limits});
    }
    check_trace_fits(s.trace, s.cluster, workload);
    s.facility = load_facility(facility, s.cluster, s.trace.info.tokens_per_step);
    if (campaign) {
        s.campaign = load_campaign(*campaign, s.cluster.storage().present);
    }
    return s;
}

} // namespace

Scenario parse_scenario(std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
                        const topology::Limits& limits) {
    return from_document(Document::parse(text, file_name), base_dir, limits);
}

Scenario load_scenario(const std::filesystem::path& path, const topology::Limits& limits) {
    return from_document(Document::load(path), path.parent_path(), limits);
}

} // namespace twin::models
