// The ranks' programs as they run: which steps of which block instance (frame) are ready, given
// the steps that are done. Plain C++ state, no SimGrid, no clock of its own: the coordinator passes
// the current time and dispatches the ops that became ready (compute, collective, send/recv).
//
// Semantics (engine.hpp): a step runs when the steps it depends on are done; a block repeats its
// body `repeat` times, each repeat starting when the previous one is done; a nested block is a step
// of its parent, done when its last repeat is. Ops come back in the order they became ready
// (depth first into nested blocks), the order the coordinator hands them on.
#pragma once

#include "engine_types.hpp"
#include "twin/models/trace.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace twin::sim {

// An op that became ready on `rank`.
struct ReadyOp {
    OpRef ref;
    int rank = 0;
    const models::Op* op = nullptr;
};

// What a start or a finish made happen.
struct ProgramEvents {
    std::vector<ReadyOp> ops; // ready now, in dispatch order
    int ended_rank = -1;      // the rank whose program ended, -1 when none
    bool progress = false;    // the ops done passed a multiple of 65,536: time to report progress
};

class ProgramState {
public:
    // `weight`: per rank, the GPUs it stands for (a folded run); empty: 1 each. Named blocks count
    // their executions and durations times it.
    ProgramState(const models::Trace& trace, std::vector<std::int32_t> weight)
        : trace_(trace), weight_(std::move(weight)) {}

    // Starts `rank`'s program (its class must have one) at `now`; the ops ready go to `out`.
    void start(int rank, double now, ProgramEvents& out);
    // Step `ref` is done at `now`; what became ready goes to `out`.
    void finish(OpRef ref, double now, ProgramEvents& out);

    [[nodiscard]] const models::Op& op_at(OpRef ref) const {
        return std::get<models::Op>(
            frames_[static_cast<std::size_t>(ref.frame)].block->body[static_cast<std::size_t>(ref.step)]);
    }
    // Share of the started programs' ops (repeats expanded) done, in [0, 1].
    [[nodiscard]] double fraction_done() const;
    // Named nested blocks: name -> (executions, summed seconds), per simulated rank.
    [[nodiscard]] const std::map<std::string, std::pair<std::int64_t, double>>& block_stats() const {
        return block_stats_;
    }

private:
    struct BlockPlan {
        std::vector<std::vector<int>> dependents; // steps that wait for step i
        std::vector<int> indegree;                // number of steps step i waits for
    };

    struct Frame {
        const models::Block* block = nullptr;
        const BlockPlan* plan = nullptr;
        std::int64_t iteration = 0;
        std::vector<int> pending;
        int remaining = 0;
        int parent = -1; // frame index, -1 for the rank's program
        int parent_step = -1;
        int rank = 0;
        double start = 0.0; // when the block (all its repeats) started
    };

    const BlockPlan* plan_of(const models::Block* b);
    int new_frame();
    void start_frame(int rank, const models::Block* block, int parent, int parent_step, double now, ProgramEvents& out);
    void start_iteration(int f, double now, ProgramEvents& out);
    void start_step(int f, int i, double now, ProgramEvents& out);

    const models::Trace& trace_;
    std::vector<Frame> frames_;
    std::vector<int> free_frames_;
    std::unordered_map<const models::Block*, std::unique_ptr<BlockPlan>> plans_;
    std::map<std::string, std::pair<std::int64_t, double>> block_stats_;
    std::vector<std::int32_t> weight_;
    std::int64_t total_ops_ = 0; // of the started programs, repeats expanded
    std::int64_t done_ops_ = 0;
};

} // namespace twin::sim
