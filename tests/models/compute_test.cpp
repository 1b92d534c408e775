#include "twin/core/json_reader.hpp"
#include "twin/models/compute.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

namespace {

using twin::Bytes;
using twin::BytesPerSecond;
using twin::Flops;
using twin::FlopsPerSecond;
using twin::models::ComputeOp;
using twin::topology::Precision;

// Round numbers so the expected times can be derived by hand:
//   effective BF16 rate  = 1000 TFLOP/s x 0.5 = 5e14 FLOP/s
//   effective HBM rate   = 4 TB/s x 0.5      = 2e12 B/s
//   ridge point          = 5e14 / 2e12       = 250 FLOP/B
twin::topology::GpuType test_gpu() {
    twin::topology::GpuType g;
    g.name = "test-gpu";
    g.peak_flops[Precision::BF16] = FlopsPerSecond(1e15);
    g.peak_flops[Precision::FP8] = FlopsPerSecond(2e15);
    g.hbm_bandwidth = BytesPerSecond(4e12);
    g.compute_efficiency = 0.5;
    g.memory_efficiency = 0.5;
    return g;
}

ComputeOp op(double flops, double bytes, Precision p = Precision::BF16) {
    return ComputeOp{Flops(flops), Bytes(bytes), p};
}

TEST(Compute, ComputeBound) {
    // 1 TFLOP over 1 GB = 1000 FLOP/B > 250: t_flops = 1e12 / 5e14 = 2 ms, t_memory = 1e9 / 2e12 = 0.5 ms.
    const auto t = twin::models::compute_time(test_gpu(), op(1e12, 1e9));
    EXPECT_DOUBLE_EQ(t.time.value(), 2e-3);
    EXPECT_DOUBLE_EQ(t.flops_time.value(), 2e-3);
    EXPECT_DOUBLE_EQ(t.memory_time.value(), 0.5e-3);
    EXPECT_FALSE(t.memory_bound);
}

TEST(Compute, MemoryBound) {
    // 10 GFLOP over 4 GB = 2.5 FLOP/B < 250: t_flops = 1e10 / 5e14 = 20 us, t_memory = 4e9 / 2e12 = 2 ms.
    const auto t = twin::models::compute_time(test_gpu(), op(1e10, 4e9));
    EXPECT_DOUBLE_EQ(t.time.value(), 2e-3);
    EXPECT_DOUBLE_EQ(t.flops_time.value(), 20e-6);
    EXPECT_TRUE(t.memory_bound);
}

TEST(Compute, LaunchGapPerKernel) {
    // 10 MB memory-bound: 1e7 / 2e12 = 5 us, plus 2 us per kernel launch: 0 -> 5 us, 10 -> 25 us,
    // 20 -> 45 us; the gap adds to the roofline time, it does not change which term bounds it.
    for (const auto& [kernels, expected] : {std::pair{0, 5e-6}, std::pair{10, 25e-6}, std::pair{20, 45e-6}}) {
        ComputeOp o = op(0, 1e7);
        o.kernels = kernels;
        const auto t = twin::models::compute_time(test_gpu(), o);
        EXPECT_NEAR(t.time.value(), expected, 1e-12) << kernels;
        EXPECT_NEAR(t.launch_time.value(), kernels * 2e-6, 1e-12);
        EXPECT_DOUBLE_EQ(t.memory_time.value(), 5e-6);
        EXPECT_TRUE(t.memory_bound);
    }
}

TEST(Compute, PrecisionSelectsPeak) {
    // FP8: 2e15 x 0.5 = 1e15 FLOP/s, so 1 TFLOP takes 1 ms.
    const auto t = twin::models::compute_time(test_gpu(), op(1e12, 0, Precision::FP8));
    EXPECT_DOUBLE_EQ(t.time.value(), 1e-3);
    EXPECT_DOUBLE_EQ(t.memory_time.value(), 0.0);
}

TEST(Compute, RidgePointCountsAsComputeBound) {
    // 250 GFLOP over 1 GB = exactly 250 FLOP/B: both terms are 0.5 ms.
    const auto t = twin::models::compute_time(test_gpu(), op(2.5e11, 1e9));
    EXPECT_DOUBLE_EQ(t.time.value(), 0.5e-3);
    EXPECT_FALSE(t.memory_bound);
}

TEST(Compute, MemoryOnlyNeedsNoPeak) {
    // No FP4 peak on this GPU, but an op with no FLOP does not need it: 2 GB / 2e12 B/s = 1 ms.
    const auto t = twin::models::compute_time(test_gpu(), op(0, 2e9, Precision::FP4));
    EXPECT_DOUBLE_EQ(t.time.value(), 1e-3);
    EXPECT_TRUE(t.memory_bound);
}

TEST(Compute, MissingPeakIsProgrammerError) {
    EXPECT_FALSE(twin::models::has_peak(test_gpu(), Precision::FP4));
    EXPECT_TRUE(twin::models::has_peak(test_gpu(), Precision::BF16));
    EXPECT_THROW((void)twin::models::compute_time(test_gpu(), op(1e12, 0, Precision::FP4)), std::invalid_argument);
}

TEST(Compute, CheckSupportNamesTheStep) {
    const auto doc = twin::Document::parse(R"({"schema_version": 1, "name": "t", "ranks": 2,
      "classes": [{"name": "a", "ranks": [0], "program": [{"op": "compute", "flops": "1TFLOP"}]},
                  {"name": "b", "ranks": [1], "program": [
                    {"op": "compute", "bytes": "1GB", "precision": "fp4"},
                    {"repeat": 2, "body": [{"op": "compute", "flops": "1TFLOP", "precision": "fp4"}]}]}]})",
                                           "test.json");
    const auto trace = twin::models::load_trace(doc.root().as_object());
    const auto gpu = test_gpu();
    EXPECT_NO_THROW(twin::models::check_compute_support(trace, trace.classes[0], gpu));
    try {
        twin::models::check_compute_support(trace, trace.classes[1], gpu);
        ADD_FAILURE() << "expected an InputError";
    } catch (const twin::InputError& e) {
        EXPECT_STREQ(e.what(), "test.json: /classes/1/program/1/body/0/precision: GPU type \"test-gpu\" has no peak "
                               "FLOP rate for fp4 (it has: bf16, fp8)");
    }
}

} // namespace
