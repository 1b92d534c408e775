// ComputeQueue (sim/src/compute_queue.hpp): first in first out through drains and compactions.
#include "compute_queue.hpp"

#include <gtest/gtest.h>

namespace twin::test {
namespace {

sim::QueuedCompute op(int i) {
    sim::QueuedCompute q;
    q.duration = i;
    return q;
}

TEST(ComputeQueue, FirstInFirstOutWhenDrainedAndWhenNever) {
    sim::ComputeQueue q;
    EXPECT_TRUE(q.empty());
    q.push_back(op(1));
    q.push_back(op(2));
    EXPECT_EQ(q.size(), 2U);
    EXPECT_EQ(q.front().duration, 1);
    q.pop_front();
    q.pop_front();
    EXPECT_TRUE(q.empty()); // drained
    // Never drained: one more pushed than popped each round, past the compaction threshold.
    int next_in = 0;
    int next_out = 0;
    for (int round = 0; round < 500; ++round) {
        q.push_back(op(next_in++));
        q.push_back(op(next_in++));
        ASSERT_EQ(q.front().duration, next_out);
        q.pop_front();
        ++next_out;
        ASSERT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
    }
    while (!q.empty()) {
        ASSERT_EQ(q.front().duration, next_out++);
        q.pop_front();
    }
    EXPECT_EQ(next_out, next_in);
}

} // namespace
} // namespace twin::test
