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
// A blocking group (Megatron's wait_on_reqs) must finish before the next step starts; an
// asynchronous one (overlap_p2p_comm) runs beside the next computes: a compute waits for the
// received tensor it consumes and for each send posted three computes earlier (Megatron waits for
// the previous send of the same direction after posting the next one), and a step marked
// wait_async waits for every transfer still in flight.
struct ScheduleUnit {
    enum class Kind { Forward, Backward, P2P } kind = Kind::P2P;
    int chunk = 0;
    bool last = false; // last backward of its chunk: gradients go to data parallelism
    bool send_next = false, recv_prev = false, send_prev = false, recv_next = false;
    bool async = false;      // P2P: posted beside the computes that follow
    bool wait_async = false; // waits for every asynchronous transfer posted before it
};

// The steps of stage `stage` of p stages with v model chunks each and m micro-batches, in order,
// the last backward of each chunk marked. overlap_p2p: Megatron's overlap_p2p_comm (interleaved only).
// group: micro-batches per model chunk (Megatron's microbatch_group_size_per_vp_stage; 0 = p).
[[nodiscard]] std::vector<ScheduleUnit> pipeline_schedule(PipelineSchedule kind, int p, int v, std::int64_t m,
                                                          int stage, bool overlap_p2p = false, std::int64_t group = 0);

// Run-length folding of periodic runs of identical steps (equal keys) into repeat blocks named
// "microbatches", periods of up to max_period steps. Steps with unique keys are never folded.
[[nodiscard]] nlohmann::json fold_schedule(const std::vector<nlohmann::json>& steps,
                                           const std::vector<std::string>& keys, std::size_t max_period);

} // namespace twin::models::detail
