// One replica's iteration-level scheduler (serving.hpp): decodes first, then running partial
// prefills, then new requests (FIFO) within the token budget, max_num_seqs and the free KV blocks;
// a decode without a free block preempts the most recently admitted sequence (recompute).
#include "serving_replica.hpp"

#include <algorithm>

namespace twin::models::detail {

void Replica::preempt_last() {
    Sequence s = running_.back();
    running_.pop_back();
    free_blocks_ += s.blocks;
    // Recompute: prompt and generated tokens are prefilled again; the next token comes with it. In
    // decode the cache holds P + g − 1 tokens (the last sampled token's KV is written by the next
    // step), so the new prompt is kv + 1; a sequence still prefilling keeps its prompt.
    if (!s.prefilling()) {
        s.prompt = s.kv_tokens + 1;
    }
    s.computed = 0;
    s.kv_tokens = 0;
    s.blocks = 0;
    waiting_.push_front(s);
    ++preemptions_;
}

std::int64_t Replica::fitting_chunk(const Sequence& s, std::int64_t limit) const {
    const std::int64_t room = (s.blocks + free_blocks_) * spec_.block_size - s.computed;
    const std::int64_t remaining = s.prompt - s.computed;
    std::int64_t chunk = std::min({limit, remaining, room});
    if (!spec_.chunked_prefill && chunk < remaining) {
        chunk = 0;
    }
    return std::max<std::int64_t>(chunk, 0);
}

void Replica::schedule_prefill(std::size_t index, std::int64_t chunk, Iteration& it, std::int64_t& budget) {
    Sequence& s = running_[index];
    const std::int64_t need = blocks_for(s.computed + chunk) - s.blocks;
    free_blocks_ -= std::max<std::int64_t>(need, 0);
    s.blocks += std::max<std::int64_t>(need, 0);
    planned_.push_back({index, chunk});
    it.prefill_tokens += static_cast<double>(chunk);
    it.pairs += static_cast<double>(chunk) * (static_cast<double>(s.computed) + static_cast<double>(chunk) / 2.0);
    budget -= chunk;
}

bool Replica::admit_ready() {
    // Sequences whose KV cache arrived from a prefill replica (or none waiting): admitted whole.
    if (waiting_.empty() || waiting_.front().prefilling()) {
        return false;
    }
    Sequence& s = waiting_.front();
    const std::int64_t need = blocks_for(s.kv_tokens);
    if (need > free_blocks_ || static_cast<std::int64_t>(running_.size()) >= spec_.max_num_seqs) {
        return false;
    }
    free_blocks_ -= need;
    s.blocks = need;
    running_.push_back(s);
    waiting_.pop_front();
    return true;
}

Iteration Replica::plan_once() {
    planned_.clear();
    Iteration it;
    std::int64_t budget = spec_.max_num_batched_tokens;
    while (admit_ready()) {
    }
    // Decodes, in order of admission.
    for (std::size_t i = 0; i < running_.size(); ++i) {
        Sequence& s = running_[i];
        if (s.prefilling()) {
            continue;
        }
        const std::int64_t need = blocks_for(s.kv_tokens + 1) - s.blocks;
        bool self = false;
        while (need > free_blocks_) {
            self = running_.size() - 1 == i;
            preempt_last();
            if (self) {
                break;
            }
        }
        if (self) {
            break;
        }
        Sequence& d = running_[i];
        free_blocks_ -= std::max<std::int64_t>(need, 0);
        d.blocks += std::max<std::int64_t>(need, 0);
        planned_.push_back({i, 0});
        it.decodes += 1.0;
        it.context += static_cast<double>(d.kv_tokens + 1);
        --budget;
    }
    // Running partial prefills, then new requests.
    const std::size_t admitted = running_.size();
    for (std::size_t i = 0; i < admitted && budget > 0; ++i) {
        if (running_[i].prefilling()) {
            const std::int64_t chunk = fitting_chunk(running_[i], budget);
            if (chunk > 0) {
                schedule_prefill(i, chunk, it, budget);
            }
        }
    }
    while (!waiting_.empty() && budget > 0 && static_cast<std::int64_t>(running_.size()) < spec_.max_num_seqs) {
        if (admit_ready()) {
            continue;
        }
        const std::int64_t chunk = fitting_chunk(waiting_.front(), budget);
        if (chunk == 0) {
            break;
        }
        running_.push_back(waiting_.front());
        waiting_.pop_front();
        schedule_prefill(running_.size() - 1, chunk, it, budget);
    }
    return it;
}

Iteration Replica::plan() {
    preemptions_ = 0;
    for (;;) {
        Iteration it = plan_once();
        // Partial prefills holding every block and none able to grow: free the latest (recompute).
        if (!it.empty() || running_.empty()) {
            it.preemptions = preemptions_;
            return it;
        }
        preempt_last();
    }
}

IterationEnd Replica::finish() {
    IterationEnd e;
    std::vector<char> leave(running_.size(), 0);
    for (const auto& p : planned_) {
        Sequence& s = running_[p.index];
        if (p.chunk > 0) {
            s.computed += p.chunk;
            s.kv_tokens += p.chunk;
            if (s.prefilling()) {
                continue;
            }
        } else {
            s.kv_tokens += 1;
        }
        s.generated += 1;
        if (s.generated == 1) {
            e.first_token_requests.push_back(s.request);
        }
        if (s.generated >= s.output) {
            e.finished.push_back(s.request);
            leave[p.index] = 1;
        } else if (prefill_only_) {
            Sequence moved = s;
            moved.blocks = 0;
            e.first_tokens.push_back(moved);
            leave[p.index] = 1;
        }
    }
    planned_.clear();
    std::size_t out = 0;
    for (std::size_t i = 0; i < running_.size(); ++i) {
        if (leave[i] != 0) {
            free_blocks_ += running_[i].blocks;
        } else {
            running_[out++] = running_[i];
        }
    }
    running_.resize(out);
    return e;
}

} // namespace twin::models::detail
