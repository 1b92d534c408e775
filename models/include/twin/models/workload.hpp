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
    // The GPU that rank 0 runs on (a job of a "jobs" scenario, models/jobs.hpp): generators check
    // rank r against GPU first_gpu + r (type, memory, node) and the GPUs the cluster has left.
    int first_gpu = 0;
    // The GPUs the workload may use from first_gpu on (0: all the rest of the cluster).
    int gpu_budget = 0;
    [[nodiscard]] int gpus_available() const { return gpu_budget > 0 ? gpu_budget : cluster.gpu_count() - first_gpu; }
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
