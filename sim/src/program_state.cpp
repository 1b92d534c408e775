// Program interpretation for the coordinator (see program_state.hpp): frames of block instances,
// their dependency counts and repeats.
#include "program_state.hpp"

#include <algorithm>
#include <limits>

namespace twin::sim {

using models::Block;
using models::Op;

void ProgramState::start(int rank, double now, ProgramEvents& out) {
    const auto& program =
        trace_.classes[static_cast<std::size_t>(trace_.class_of_rank[static_cast<std::size_t>(rank)])].program;
    const auto ops = models::count_ops(program);
    total_ops_ = ops > std::numeric_limits<std::int64_t>::max() - total_ops_ ? std::numeric_limits<std::int64_t>::max()
                                                                             : total_ops_ + ops;
    start_frame(rank, &program, -1, -1, now, out);
}

double ProgramState::fraction_done() const {
    return total_ops_ > 0 ? std::min(1.0, static_cast<double>(done_ops_) / static_cast<double>(total_ops_)) : 1.0;
}

const ProgramState::BlockPlan* ProgramState::plan_of(const Block* b) {
    auto it = plans_.find(b);
    if (it != plans_.end()) {
        return it->second.get();
    }
    auto p = std::make_unique<BlockPlan>();
    const auto n = b->body.size();
    p->dependents.resize(n);
    p->indegree.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        for (int d : b->deps[i]) {
            p->dependents[static_cast<std::size_t>(d)].push_back(static_cast<int>(i));
            ++p->indegree[i];
        }
    }
    return plans_.emplace(b, std::move(p)).first->second.get();
}

int ProgramState::new_frame() {
    if (!free_frames_.empty()) {
        const int f = free_frames_.back();
        free_frames_.pop_back();
        return f;
    }
    frames_.emplace_back();
    return static_cast<int>(frames_.size() - 1);
}

void ProgramState::start_frame(int rank, const Block* block, int parent, int parent_step, double now,
                               ProgramEvents& out) {
    const int f = new_frame();
    auto& fr = frames_[static_cast<std::size_t>(f)];
    fr.block = block;
    fr.plan = plan_of(block);
    fr.iteration = 0;
    fr.parent = parent;
    fr.parent_step = parent_step;
    fr.rank = rank;
    fr.start = now;
    start_iteration(f, now, out);
}

void ProgramState::start_iteration(int f, double now, ProgramEvents& out) {
    std::vector<int> ready;
    {
        auto& fr = frames_[static_cast<std::size_t>(f)];
        fr.pending = fr.plan->indegree;
        fr.remaining = static_cast<int>(fr.block->body.size());
        for (std::size_t i = 0; i < fr.pending.size(); ++i) {
            if (fr.pending[i] == 0) {
                ready.push_back(static_cast<int>(i));
            }
        }
    }
    for (int i : ready) {
        start_step(f, i, now, out);
    }
}

void ProgramState::start_step(int f, int i, double now, ProgramEvents& out) {
    const auto& fr = frames_[static_cast<std::size_t>(f)];
    const auto& step = fr.block->body[static_cast<std::size_t>(i)];
    const int rank = fr.rank;
    if (const auto* b = std::get_if<Block>(&step)) {
        start_frame(rank, b, f, i, now, out);
        return;
    }
    out.ops.push_back(ReadyOp{OpRef{f, i}, rank, &std::get<Op>(step)});
}

void ProgramState::finish(OpRef ref, double now, ProgramEvents& out) {
    if (std::holds_alternative<Op>(
            frames_[static_cast<std::size_t>(ref.frame)].block->body[static_cast<std::size_t>(ref.step)]) &&
        (++done_ops_ & 0xFFFFU) == 0) {
        out.progress = true;
    }
    std::vector<int> ready;
    const int f = ref.frame;
    {
        auto& fr = frames_[static_cast<std::size_t>(f)];
        for (int d : fr.plan->dependents[static_cast<std::size_t>(ref.step)]) {
            if (--fr.pending[static_cast<std::size_t>(d)] == 0) {
                ready.push_back(d);
            }
        }
        --fr.remaining;
    }
    for (int d : ready) {
        start_step(f, d, now, out);
    }
    auto& fr = frames_[static_cast<std::size_t>(f)];
    if (fr.remaining > 0) {
        return;
    }
    if (++fr.iteration < fr.block->repeat) {
        start_iteration(f, now, out);
        return;
    }
    const int parent = fr.parent;
    const int parent_step = fr.parent_step;
    if (!fr.block->name.empty() && parent >= 0) {
        auto& bs = block_stats_[fr.block->name];
        const std::int32_t w = weight_.empty() ? 1 : weight_[static_cast<std::size_t>(fr.rank)];
        bs.first += w;
        bs.second += (now - fr.start) * w;
    }
    free_frames_.push_back(f);
    if (parent >= 0) {
        finish(OpRef{parent, parent_step}, now, out);
    } else {
        out.ended_rank = fr.rank;
    }
}

} // namespace twin::sim
