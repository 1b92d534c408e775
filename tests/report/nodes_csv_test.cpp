// nodes.csv from a hand-built result: one node of 8 GPUs (report_test_util.hpp), its shares of
// GPU-time and those of each GPU, every figure derived by hand.
#include "report_test_util.hpp"
#include "twin/report/nodes_csv.hpp"

#include <gtest/gtest.h>

namespace {

using twin::test::blank_result;
using twin::test::report_scenario;

// 2 s run: GPUs 0-3 compute 2 s (share 1), GPUs 4-7 communicate 0.5 s (0.25). Node: compute
// 4 x 2 / (8 x 2) = 0.5, communication 4 x 0.5 / 16 = 0.125, idle 0.375.
TEST(NodesCsv, OneRowPerNodeWithPerGpuShares) {
    const auto s = report_scenario();
    auto r = blank_result(s, 2.0);
    for (int g = 0; g < 8; ++g) {
        r.gpus[static_cast<std::size_t>(g)] =
            g < 4 ? twin::report::GpuActivity{2.0, 0.0, 0.0, 2.0} : twin::report::GpuActivity{0.0, 0.5, 1.5, 2.0};
    }
    EXPECT_EQ(twin::report::nodes_csv(s, r),
              "node,rack,type,gpus,ranks,compute,communication,idle,gpu_compute,gpu_communication\n"
              "0,0,T8,8,8,0.5,0.125,0.375,1.000 1.000 1.000 1.000 0.000 0.000 0.000 0.000,"
              "0.000 0.000 0.000 0.000 0.250 0.250 0.250 0.250\n");
}

// A run with 2 ranks on the 8 GPUs: the other 6 count idle (ranks 2; compute 1 / 16).
TEST(NodesCsv, GpusWithoutARankAreIdle) {
    const auto s = report_scenario();
    auto r = blank_result(s, 2.0);
    r.ranks = 2;
    r.gpus.resize(2);
    r.gpus[0] = {1.0, 0.0, 1.0, 2.0};
    r.gpus[1] = {0.0, 0.0, 2.0, 2.0};
    const auto csv = twin::report::nodes_csv(s, r);
    EXPECT_EQ(csv.substr(csv.find('\n') + 1), "0,0,T8,8,2,0.0625,0,0.9375,0.500 0.000 0.000 0.000 0.000 0.000 0.000 "
                                              "0.000,0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n");
}

} // namespace
