// Weather over a day on a simulated step (models/weather.hpp, report "power.weather"), numbers
// derived by hand. Test node T8 (sim_test_util.hpp): 8 GPUs "T" (idle 50 W, TDP 500 W), 8 NICs x
// 10 W, other 1 kW; a compute-bound op of 100 TFLOP takes 1 s at full clock. IT power computing:
// 1,080 + 8 x 500 = 5,080 W; idle 1,480 W.
//
// Air hall on a dry cooler: setpoint 18 C, approach 8 K, CRAH approach 6 K, R_th 0.1 C/W (500 W: +50 K).
//   night  10 C: water max(18, 18) = 18 C, inlet 24 C, GPU 74 C <= 89: full clock, economizer hour
//   day    20 C: water 28 C, inlet 34 C, GPU 84 C: full clock
//   15-17h 40 C: water 48 C, inlet 54 C, GPU 104 C at full power > 89: allowed (89 - 54) / 0.1 = 350 W,
//                c = cbrt((350 - 50) / 450) = cbrt(2/3) = 0.87358; the 1 s of compute takes 1/c = 1.14471 s
//                and every GPU draws 350 W: IT 1,080 + 8 x 350 = 3,880 W.
// Each test runs one simulation (one SimGrid engine per process: ctest runs each test alone).
#include "sim_test_util.hpp"
#include "twin/report/run_report.hpp"
#include "twin/sim/report.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace {

std::string scenario() {
    const std::string base = twin::test::one_node_scenario(
        R"({"schema_version": 1, "name": "p", "ranks": 8, "groups": {"all": {}},
            "classes": [{"name": "w", "ranks": "all", "program": [{"op": "compute", "flops": "100TFLOP"}]}]})");
    std::string hourly;
    for (int h = 0; h < 24; ++h) {
        hourly += (h == 0 ? "" : ", ") + std::string(h < 6 ? "10" : h >= 15 && h <= 17 ? "40" : "20");
    }
    return base.substr(0, base.rfind('}')) + R"(, "facility": {"cooling": {"type": "air"}, "weather": {
        "hourly_c": [)" +
           hourly +
           R"(], "plant": "dry-cooler", "supply_setpoint_c": 18, "approach_c": 8, "crah_approach_c": 6,
        "thermal_resistance_c_per_w": 0.1}}})";
}

TEST(WeatherRun, HotAfternoonSlowsTheStepByTheThermalClockCoolNightDoesNot) {
    const auto s = twin::models::parse_scenario(scenario(), "test.json", ".");
    const auto r = twin::sim::run_scenario(s);
    ASSERT_DOUBLE_EQ(r.simulated_time_s, 1.0);
    const auto j = twin::sim::report_json(s, r)["power"]["weather"];
    const auto& h = j["hours"];
    ASSERT_EQ(h["step_s"].size(), 24u);
    const double c = std::cbrt(2.0 / 3.0);
    // Night (hour 3): no slowdown.
    EXPECT_DOUBLE_EQ(h["coolant_c"][3].get<double>(), 18.0);
    EXPECT_DOUBLE_EQ(h["gpu_inlet_c"][3].get<double>(), 24.0);
    EXPECT_NEAR(h["gpu_c"][3].get<double>(), 74.0, 1e-9);
    EXPECT_DOUBLE_EQ(h["clock"][3].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(h["step_s"][3].get<double>(), 1.0);
    EXPECT_NEAR(h["it_mean_w"][3].get<double>(), 5080.0, 1e-9);
    EXPECT_TRUE(h["economizer"][3].get<bool>());
    // Hot afternoon (hour 16): the thermal clock, the step 1/c as long, 350 W per GPU.
    EXPECT_DOUBLE_EQ(h["gpu_inlet_c"][16].get<double>(), 54.0);
    EXPECT_NEAR(h["gpu_c"][16].get<double>(), 89.0, 1e-9);
    EXPECT_NEAR(h["clock"][16].get<double>(), c, 1e-12);
    EXPECT_NEAR(h["step_s"][16].get<double>(), 1.0 / c, 1e-12);
    EXPECT_NEAR(h["it_mean_w"][16].get<double>(), 3880.0, 1e-9);
    // Day (hour 10): 84 C, full clock.
    EXPECT_NEAR(h["gpu_c"][10].get<double>(), 84.0, 1e-9);
    EXPECT_DOUBLE_EQ(h["step_s"][10].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(j["step_min_s"].get<double>(), 1.0);
    EXPECT_NEAR(j["step_max_s"].get<double>(), 1.0 / c, 1e-12);
    EXPECT_EQ(j["throttled_hours"], 3);
    EXPECT_EQ(j["economizer_hours"], 6);
    EXPECT_EQ(j["hours_over_shutdown"], 0);
    // The report reads back to the same JSON and text.
    const auto full = twin::sim::report_json(s, r);
    const auto back = twin::report::from_json(full);
    EXPECT_TRUE(twin::report::to_json(back) == full);
    EXPECT_NE(twin::report::format_text(back).find("weather over a day"), std::string::npos);
}

} // namespace
