// Megatron-LM's pipeline schedules as a list of steps per stage (internal to the training
// generator; equations and sources at the top of llm_training_schedule.cpp).
#pragma once

#include "twin/models/llm_training.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::models::detail {

// One schedule step: a forward or backward chunk, or a group of concurrent transfers.
struct ScheduleUnit {
    enum class Kind { Forward, Backward, P2P } kind = Kind::P2P;
    int chunk = 0;
    bool last = false; // last backward of its chunk: gradients go to data parallelism
    bool send_next = false, recv_prev = false, send_prev = false, recv_next = false;
};

// The steps of stage `stage` of p stages with v model chunks each and m micro-batches, in order,
// the last backward of each chunk marked.
[[nodiscard]] std::vector<ScheduleUnit> pipeline_schedule(PipelineSchedule kind, int p, int v, std::int64_t m,
                                                          int stage);

// Run-length folding of periodic runs of identical steps (equal keys) into repeat blocks named
// "microbatches", periods of up to max_period steps. Steps with unique keys are never folded.
[[nodiscard]] nlohmann::json fold_schedule(const std::vector<nlohmann::json>& steps,
                                           const std::vector<std::string>& keys, std::size_t max_period);

} // namespace twin::models::detail
