// on_large_stack (sim/src/large_stack.hpp): SimGrid's recursion over a 100,000-GPU fabric needs
// far more than the main thread's 8 MiB; run_trace runs the engine on such a stack. Here a
// recursion of about 64 MiB (1M frames of 64 B) runs, which on an 8 MiB stack dies with SIGSEGV.
#include "large_stack.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

namespace twin::test {
namespace {

// Not a loop: the frame's buffer is read after the call returns, so every frame stays.
std::size_t deep(std::size_t n) {
    volatile char frame[48];
    frame[0] = 1;
    if (n == 0) {
        return 0;
    }
    const std::size_t below = deep(n - 1);
    return below + static_cast<std::size_t>(frame[0]);
}

TEST(LargeStack, ADeepRecursionRunsAndExceptionsComeBack) {
    std::size_t got = 0;
    sim::on_large_stack(std::size_t{256} << 20U, [&] { got = deep(1'000'000); });
    EXPECT_EQ(got, 1'000'000U);
    EXPECT_THROW(sim::on_large_stack(std::size_t{1} << 20U, [] { throw std::runtime_error("x"); }), std::runtime_error);
}

TEST(LargeStack, TheStackGrowsWithTheFabric) {
    EXPECT_EQ(sim::simgrid_stack_bytes(10), sim::kMinStackBytes);
    EXPECT_EQ(sim::simgrid_stack_bytes(502'752), 2U * 502'752U * 256U); // the 100k hall: 257 MB
}

} // namespace
} // namespace twin::test
