// The reference build: the smallest sub-cluster that holds every part type and every tier of the
// full design, written as a scenario, so the small build can be stood up (and simulated) first.
//
// Rule (rail-optimized fat-trees of one node type): g leaf groups (scalable units) of the full
// build's nodes_per_leaf_group nodes, g the smallest >= 1 such that the G = g x nodes_per_group x
// GPUs-per-node GPUs hold a whole number of model replicas (tp x pp x cp of an llm-training
// workload); the fabric keeps its tiers, switch and cable types and oversubscription, with spine
// and core counts derived for the smaller build (3 tiers: one pod of g groups, so the pod's spines
// and its share of cores). The workload keeps its per-replica shape: dp' = G / (tp pp cp) and
// global_batch' = global_batch / dp x dp' (the batch per replica stays). Compare the per-GPU
// figures (tokens/s per GPU, MFU, step time) of `clustertwin run` on both.
// Errors: a fabric other than rail-optimized-fat-tree (/topology/fabric/type), mixed node types
// (/topology/nodes), a trace workload (/workload/type: a trace has fixed ranks), a global batch not
// a multiple of dp (/workload/batch/global_batch).
#pragma once

#include "twin/topology/cluster.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace twin::buildout {

struct ReferenceBuild {
    nlohmann::json scenario; // the reference scenario, ready to write
    int leaf_groups = 0;
    int nodes = 0;
    int gpus = 0;
    int full_gpus = 0;
    int dp = 0, full_dp = 0;
};

// `full`: the scenario's JSON; `cluster`: its loaded cluster (for the leaf-group size).
[[nodiscard]] ReferenceBuild make_reference(const nlohmann::json& full, const topology::Cluster& cluster,
                                            const std::string& file);

} // namespace twin::buildout
