// One serving replica's vLLM-style scheduler (equations and sources: serving.hpp): plan an
// iteration from the running and waiting sequences within the token budget and the paged KV cache,
// preempting by recompute when a decode finds no free block; then apply its end.
#pragma once

#include "twin/models/serving.hpp"

#include <cstdint>
#include <deque>
#include <vector>

namespace twin::models::detail {

struct Sequence {
    int request = 0;
    std::int64_t prompt = 0;    // tokens to prefill: P, or P + generated after a recompute
    std::int64_t computed = 0;  // prefilled so far
    std::int64_t kv_tokens = 0; // context held in the cache
    std::int64_t generated = 0; // output tokens so far
    std::int64_t output = 0;    // O
    std::int64_t blocks = 0;
    [[nodiscard]] bool prefilling() const { return computed < prompt; }
};

struct Planned {
    std::size_t index = 0;  // into running
    std::int64_t chunk = 0; // prefill tokens (0: a decode)
};

struct Iteration {
    double prefill_tokens = 0.0;
    double pairs = 0.0;
    double decodes = 0.0;
    double context = 0.0;
    std::int64_t preemptions = 0;
    [[nodiscard]] bool empty() const { return prefill_tokens == 0.0 && decodes == 0.0; }
};

// What ended in an iteration: sequences whose prefill gave their first token, and finished ones.
struct IterationEnd {
    std::vector<Sequence> first_tokens; // prefill-only replicas hand these on (copies)
    std::vector<int> first_token_requests;
    std::vector<int> finished;
};

class Replica {
public:
    Replica(const ServingSpec& spec, std::int64_t kv_blocks, bool prefill_only)
        : spec_(spec), total_blocks_(kv_blocks), free_blocks_(kv_blocks), prefill_only_(prefill_only) {}

    void enqueue(const Sequence& s) { waiting_.push_back(s); }
    // Plans the next iteration (allocating its blocks); empty when there is nothing to run.
    Iteration plan();
    // Applies the planned iteration's end.
    IterationEnd finish();

    [[nodiscard]] std::int64_t load() const { return static_cast<std::int64_t>(waiting_.size() + running_.size()); }
    [[nodiscard]] std::size_t running() const { return running_.size(); }
    [[nodiscard]] std::size_t waiting() const { return waiting_.size(); }
    [[nodiscard]] double occupancy() const {
        return static_cast<double>(total_blocks_ - free_blocks_) / static_cast<double>(total_blocks_);
    }
    bool busy = false;
    double busy_s = 0.0;

private:
    [[nodiscard]] std::int64_t blocks_for(std::int64_t tokens) const {
        return (tokens + spec_.block_size - 1) / spec_.block_size;
    }
    void preempt_last();
    bool admit_ready();
    Iteration plan_once();
    void schedule_prefill(std::size_t index, std::int64_t chunk, Iteration& it, std::int64_t& budget);
    // Largest chunk of `s`'s prompt, at most `limit`, the free blocks can hold (0: none).
    [[nodiscard]] std::int64_t fitting_chunk(const Sequence& s, std::int64_t limit) const;

    const ServingSpec& spec_;
    std::int64_t total_blocks_;
    std::int64_t free_blocks_;
    bool prefill_only_;
    std::deque<Sequence> waiting_;
    std::vector<Sequence> running_; // in order of admission
    std::vector<Planned> planned_;
    std::int64_t preemptions_ = 0;
};

} // namespace twin::models::detail
