// The storage traffic of an LLM training step (equations: twin/models/storage_traffic.hpp).
#pragma once

#include "twin/models/llm_training.hpp"
#include "twin/models/storage_traffic.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::models::detail {

// Checkpoint bytes per rank of each pipeline stage: the memory accounting's optimizer term with
// the distributed optimizer (ZeRO >= 1, so sharded as a distributed checkpoint shards) x 14/12.
[[nodiscard]] std::vector<double> checkpoint_bytes_per_rank(const TrainingConfig& config);

// S, S_node, D, D_node of `config` placed rank r -> GPU r of `cluster`.
[[nodiscard]] StorageTraffic training_storage_traffic(const TrainingConfig& config, const topology::Cluster& cluster,
                                                      int first_gpu = 0);

} // namespace twin::models::detail
