// racks.csv from a hand-built result: one rack of 8 GPUs (report_test_util.hpp), its power, shares
// of GPU-time and the clock a throttle event set, every figure derived by hand.
#include "report_test_util.hpp"
#include "twin/report/racks_csv.hpp"

#include <gtest/gtest.h>

namespace {

using twin::test::blank_result;
using twin::test::report_scenario;

// 1 s step: GPUs 0-3 compute the whole second, GPUs 4-7 communicate half of it, so the rack's
// compute share is 4/8 = 0.5, communication 4 x 0.5 / 8 = 0.25, idle 1 - 0.5 - 0.25 = 0.25. No fabric:
// pod -1; no rack_power_limit: empty; cooling 30 kW; a rack throttle at clock 0.8 and a CDU one at
// 0.9 (the rack is in CDU 0): the lower, 0.8.
TEST(RacksCsv, OneRowPerRackWithPowerSharesAndClock) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.0);
    for (int g = 0; g < 8; ++g) {
        r.gpus[static_cast<std::size_t>(g)] =
            g < 4 ? twin::report::GpuActivity{1.0, 0.0, 0.0, 1.0} : twin::report::GpuActivity{0.0, 0.5, 0.5, 1.0};
    }
    r.power.racks.push_back({0, {2000.0, 1500.0, 1000.0}, 30000.0});
    r.power.throttles.push_back({"cdu", 0, 0.1, 1.0, 1.0, 0.9});
    r.power.throttles.push_back({"rack", 0, 0.2, 1.0, 1.0, 0.8});
    EXPECT_EQ(twin::report::racks_csv(s, r),
              "rack,hall,row,cdu,pod,nodes,gpus,ranks,it_mean_w,it_peak_w,power_limit_w,cooling_capacity_w,"
              "compute,communication,idle,clock\n"
              "0,0,0,0,-1,1,8,8,1500,2000,,30000,0.5,0.25,0.25,0.8\n");
}

// A throttle of another rack's CDU leaves this one at clock 1; unlimited cooling is empty; a run
// with fewer ranks than GPUs counts the rest idle (ranks 2 of 8).
TEST(RacksCsv, UnthrottledUnlimitedAndPartlyUsed) {
    const auto s = report_scenario();
    auto r = blank_result(s, 2.0);
    r.ranks = 2;
    r.gpus.resize(2);
    r.gpus[0] = {2.0, 0.0, 0.0, 2.0};
    r.gpus[1] = {1.0, 1.0, 0.0, 2.0};
    r.power.racks.push_back({0, {800.0, 400.0, 100.0}, -1.0});
    r.power.throttles.push_back({"cdu", 3, 0.1, 1.0, 1.0, 0.5});
    // compute (2 + 1) / (8 x 2) = 0.1875, communication 1 / 16 = 0.0625, idle 0.75.
    EXPECT_EQ(twin::report::racks_csv(s, r).substr(twin::report::racks_csv(s, r).find('\n') + 1),
              "0,0,0,0,-1,1,8,2,400,800,,,0.1875,0.0625,0.75,1\n");
}

} // namespace
