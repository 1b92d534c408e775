// Workload types of a scenario's "workload" object, chosen by its "type" key. Each type registers
// a loader here (no central list of kinds): "trace" (trace v1, models/README.md), and the
// generators that produce a trace from a higher-level description ("llm-training",
// "llm-inference", "chakra", ...).
#pragma once

#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"
#include "twin/topology/limits.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace twin::models {

struct WorkloadContext {
    const topology::Cluster& cluster; // validated, for placement and memory fit
    std::filesystem::path base_dir;   // files are relative to the scenario
    topology::Limits limits{};        // resource budgets (generators check theirs before generating)
};

// Reads the whole "workload" object (including "type", already known to name this loader) and
// returns a validated trace. Throws InputError (file + JSON pointer) on bad input.
using WorkloadLoader = std::function<Trace(Object workload, const WorkloadContext& context)>;

// Registers a loader for `type`; returns true so it can initialise a static in the loader's file.
bool register_workload_type(const std::string& type, WorkloadLoader loader);
// The registered type names, sorted (for error messages and docs).
[[nodiscard]] std::vector<std::string> workload_types();
// Dispatches on workload["type"]; an unknown type is an InputError at /workload/type.
[[nodiscard]] Trace load_workload(Object workload, const WorkloadContext& context);

} // namespace twin::models
