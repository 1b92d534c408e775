// A rank's compute ops waiting for its GPU, first in first out (the engine's coordinator,
// engine.cpp).
#pragma once

#include "engine_types.hpp"

#include <cstddef>
#include <vector>

namespace twin::sim {

struct QueuedCompute {
    OpRef op;
    double duration = 0.0;    // roofline time at full speed; the actual time once started
    double sm_activity = 1.0; // flops time / roofline time
    double full_speed = 0.0;  // roofline time at full speed
    double queued = 0.0;      // when the op was reached
};

// A rank's compute ops waiting for the GPU (front: running), first in first out. A vector and a
// head index rather than std::deque: libstdc++'s deque allocates a 512-byte block even when
// empty, and there is one queue per rank (half a gigabyte at a million ranks, folded or not).
class ComputeQueue {
public:
    [[nodiscard]] bool empty() const { return head_ == items_.size(); }
    [[nodiscard]] std::size_t size() const { return items_.size() - head_; }
    QueuedCompute& front() { return items_[head_]; }
    void push_back(const QueuedCompute& q) { items_.push_back(q); }
    void pop_front() {
        if (++head_ == items_.size()) { // drained: reuse the memory from the start
            items_.clear();
            head_ = 0;
        } else if (head_ >= 64 && 2 * head_ >= items_.size()) { // never drained: drop the done half
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

private:
    std::vector<QueuedCompute> items_;
    std::size_t head_ = 0;
};

} // namespace twin::sim
