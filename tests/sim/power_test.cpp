// Power and cooling accounting over simulated runs (sim/src/power_accounting.hpp), with the numbers
// derived by hand. Test node T8 (sim_test_util.hpp): 8 GPUs "T" (100 TFLOPS, 1 TB/s, idle 50 W,
// TDP 500 W, efficiencies 1), 8 NICs x 10 W, other 1 kW, no fabric. One rack:
//   static heat  = 1,000 + 8 x 10 + 8 x 50 = 1,480 W      GPU dynamic = 8 x 450 = 3,600 W
//   a compute-bound op (100 TFLOP, 1 s) draws 500 W per GPU: rack 5,080 W
//   a memory-bound op (1 TB, 1 s) draws 50 + 0.6 x 450 = 320 W per GPU: rack 1,480 + 8 x 270 = 3,640 W
// Each test runs one simulation (one SimGrid engine per process: ctest runs each test alone).
#include "power_accounting.hpp"
#include "sim_test_util.hpp"
#include "twin/sim/report.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace {

using twin::sim::RunResult;

const char* kCompute = R"({"op": "compute", "flops": "100TFLOP"})";
const char* kMemory = R"({"op": "compute", "flops": "0TFLOP", "bytes": "1TB"})";

std::string trace(const std::vector<const char*>& ops) {
    std::string program;
    for (const char* op : ops) {
        program += (program.empty() ? "" : ", ") + std::string(op);
    }
    return R"({"schema_version": 1, "name": "p", "ranks": 8, "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [)" +
           program + "]}]}";
}

// The one-node scenario with a "facility" section.
std::string with_facility(const std::string& scenario, const std::string& facility) {
    return scenario.substr(0, scenario.rfind('}')) + R"(, "facility": )" + facility + "}";
}

twin::models::Scenario parse(const std::string& text) {
    return twin::models::parse_scenario(text, "test.json", ".");
}

TEST(PowerRun, EnergyOfOneComputeSecondByHand) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kCompute})),
                                       R"({"energy": {"price_per_kwh": 0.2, "grid_co2_g_per_kwh": 500}})"));
    const RunResult r = twin::sim::run_scenario(s);
    ASSERT_DOUBLE_EQ(r.simulated_time_s, 1.0);
    const auto& p = r.power;
    // 5,080 W for 1 s.
    EXPECT_DOUBLE_EQ(p.it.peak_w, 5080.0);
    EXPECT_DOUBLE_EQ(p.it.min_w, 5080.0);
    EXPECT_DOUBLE_EQ(p.it_energy_j, 5080.0);
    EXPECT_DOUBLE_EQ(p.it_idle_w, 1480.0);
    EXPECT_DOUBLE_EQ(p.it_max_w, 5080.0);
    // Air by default, PUE 1.5 at the design (= max) load: 7,620 W, 7,620 J.
    EXPECT_NEAR(p.facility.peak_w, 7620.0, 1e-9);
    EXPECT_NEAR(p.facility_energy_j, 7620.0, 1e-9);
    const auto j = twin::sim::report_json(s, r)["power"];
    // 7,620 J = 2.1167e-3 kWh: x 0.2 = 4.2333e-4; x 500 g = 1.0583 g.
    EXPECT_NEAR(j["energy"]["cost"].get<double>(), 7620.0 / 3.6e6 * 0.2, 1e-15);
    EXPECT_NEAR(j["energy"]["co2_kg"].get<double>(), 7620.0 / 3.6e6 * 0.5, 1e-15);
    EXPECT_NEAR(j["pue_mean"].get<double>(), 1.5, 1e-12);
    EXPECT_EQ(j["cooling"]["throttled_domains"], 0);
    EXPECT_EQ(j["violations"]["count"], 0);
}

// Compute 1 s, memory-bound 1 s, compute 1 s: levels 5,080, 3,640, 5,080 W.
TEST(PowerRun, SwingAndRampOfATwoPhaseWorkload) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kCompute, kMemory, kCompute})),
                                       R"({"timeline": {"ramp_window": "10ms"}})"));
    const RunResult r = twin::sim::run_scenario(s);
    ASSERT_DOUBLE_EQ(r.simulated_time_s, 3.0);
    const auto& p = r.power;
    EXPECT_DOUBLE_EQ(p.it.peak_w, 5080.0);
    EXPECT_DOUBLE_EQ(p.it.min_w, 3640.0);
    EXPECT_NEAR(p.it.mean_w, (2 * 5080.0 + 3640.0) / 3, 1e-9);
    EXPECT_NEAR(p.it_energy_j, 2 * 5080.0 + 3640.0, 1e-9);
    EXPECT_DOUBLE_EQ(p.largest_swing_w, 1440.0);
    // 1,440 W within one 10 ms window: 144 kW/s.
    EXPECT_NEAR(p.fastest_ramp_w_per_s, 144e3, 1e-6);
    // Series: 200 bins of 1 us x 2^14 = 16.384 ms cover 3 s in 184 points; the bins are exact.
    EXPECT_DOUBLE_EQ(p.bin_s, 16.384e-3);
    ASSERT_EQ(p.series.size(), 184U);
    double energy = 0;
    for (const auto& pt : p.series) {
        energy += pt.it_mean_w * std::min(p.bin_s, 3.0 - pt.time_s);
        EXPECT_GE(pt.it_min_w, 3640.0);
        EXPECT_LE(pt.it_max_w, 5080.0);
    }
    EXPECT_NEAR(energy, p.it_energy_j, 1e-6);
    // The bin holding t = 1 s sees both levels.
    const auto& edge = p.series[61];
    EXPECT_DOUBLE_EQ(edge.it_min_w, 3640.0);
    EXPECT_DOUBLE_EQ(edge.it_max_w, 5080.0);
}

// Memory-bound 1 s (3,640 W), compute 1 s (5,080 W), compute 1 s. With 4,180 W of rack cooling the
// heat first exceeds the capacity during the second op; the third op, which starts at t = 2 s,
// runs at clock (4,180 - 1,480) / 3,600 = 0.75^(1/3) = 0.90856 and takes 1 / 0.90856 = 1.10064 s.
// The second op starts when the heat just before (3,640 W) is still below capacity: not throttled.
TEST(PowerRun, ThrottlingBeginsExactlyWhenCapacityIsExceeded) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kMemory, kCompute, kCompute})),
                                       R"({"cooling": {"type": "air", "rack_capacity": "4180W"}})"));
    const RunResult r = twin::sim::run_scenario(s);
    const double clock = std::cbrt(0.75);
    EXPECT_NEAR(r.simulated_time_s, 2.0 + 1.0 / clock, 1e-12);
    const auto& p = r.power;
    ASSERT_EQ(p.throttles.size(), 1U);
    EXPECT_EQ(p.throttles[0].domain, "rack");
    EXPECT_DOUBLE_EQ(p.throttles[0].time_s, 2.0);
    EXPECT_DOUBLE_EQ(p.throttles[0].heat_w, 5080.0);
    EXPECT_DOUBLE_EQ(p.throttles[0].capacity_w, 4180.0);
    EXPECT_NEAR(p.throttles[0].clock, clock, 1e-12);
    EXPECT_EQ(p.compute_ops, 24);
    EXPECT_EQ(p.throttled_ops, 8);
    // The step's attribution: 8 GPUs x 3 s of compute at full clock, 8 x (1 / clock - 1) s lost to
    // throttling, and nothing else.
    EXPECT_NEAR(r.bound_gpu_s.at("compute"), 24.0, 1e-9);
    EXPECT_NEAR(r.bound_gpu_s.at("throttling"), 8 * (1.0 / clock - 1.0), 1e-9);
    EXPECT_EQ(r.bound_gpu_s.size(), 2U);
    // The throttled op's heat equals the capacity; the peak before it exceeded it by 900 W.
    ASSERT_GE(p.series.size(), 2U);
    EXPECT_NEAR(p.series.back().it_mean_w, 4180.0, 1e-9);
    ASSERT_EQ(p.violations.size(), 1U);
    EXPECT_EQ(p.violations[0].kind, "rack_cooling");
    EXPECT_DOUBLE_EQ(p.violations[0].excess_w, 900.0);
    EXPECT_DOUBLE_EQ(p.violations[0].first_s, 1.0);
}

// A supply at the 45 C return limit leaves no capacity: the rack's static heat (1,480 W) exceeds it
// before the first op, which runs at the lowest clock. GPU "T" has no minimum power limit in the
// catalog (idle 50 W), so the floor of 10 % applies: 1 s of compute takes 10 s.
TEST(PowerRun, SupplyAtTheReturnLimitThrottlesFromTheStart) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kCompute})),
                                       R"({"cooling": {"type": "liquid", "rack_capacity": "100kW",
                                                       "inlet_temperature_c": 45}})"));
    const RunResult r = twin::sim::run_scenario(s);
    EXPECT_NEAR(r.simulated_time_s, 10.0, 1e-12);
    ASSERT_EQ(r.power.throttles.size(), 1U);
    EXPECT_DOUBLE_EQ(r.power.throttles[0].time_s, 0.0);
    EXPECT_DOUBLE_EQ(r.power.throttles[0].heat_w, 1480.0);
    EXPECT_DOUBLE_EQ(r.power.throttles[0].capacity_w, 0.0);
    EXPECT_DOUBLE_EQ(r.power.throttles[0].clock, 0.1);
    // 8 GPUs at 50 + 450 x 0.001 W.
    EXPECT_NEAR(r.power.it.peak_w, 1480.0 + 8 * 450 * 0.001, 1e-9);
}

// At exactly the peak heat the capacity is not exceeded: nothing throttles.
TEST(PowerRun, NoThrottlingAtExactlyTheCapacity) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kMemory, kCompute, kCompute})),
                                       R"({"cooling": {"type": "air", "rack_capacity": "5080W"}})"));
    const RunResult r = twin::sim::run_scenario(s);
    EXPECT_DOUBLE_EQ(r.simulated_time_s, 3.0);
    EXPECT_TRUE(r.power.throttles.empty());
    EXPECT_EQ(r.power.throttled_ops, 0);
    EXPECT_TRUE(r.power.violations.empty());
}

// A 365 W cap: clock = ((365 - 50) / 450)^(1/3) = 0.7^(1/3); the op takes 1 / clock s at 365 W per
// GPU (rack 1,480 + 8 x 315 = 4,000 W). Limits: the rack limit of 3.9 kW is exceeded by 100 W; the
// feed of 5 kW is below facility power 4,000 x (1/0.95 + k_cool) + 0.02 x 5,080.
TEST(PowerRun, PowerCapSlowsComputeAndLimitsAreFlagged) {
    const auto s = parse(with_facility(twin::test::one_node_scenario(trace({kCompute})),
                                       R"({"gpu": {"power_cap": "365W"}, "rack_power_limit": "3.9kW",
                                           "feed": "5kW"})"));
    const RunResult r = twin::sim::run_scenario(s);
    const double clock = std::cbrt(0.7);
    EXPECT_NEAR(r.simulated_time_s, 1.0 / clock, 1e-12);
    EXPECT_NEAR(r.power.it.peak_w, 4000.0, 1e-9);
    EXPECT_EQ(r.power.throttled_ops, 0); // the cap is not a thermal throttle
    ASSERT_EQ(r.power.violations.size(), 2U);
    EXPECT_EQ(r.power.violations[0].kind, "feed");
    const double k_cool = 1.5 - 1 / 0.95 - 0.02;
    const double facility = 4000.0 * (1 / 0.95 + k_cool) + 0.02 * 5080.0;
    EXPECT_NEAR(r.power.violations[0].peak_w, facility, 1e-9);
    EXPECT_NEAR(r.power.violations[0].excess_w, facility - 5000.0, 1e-9);
    EXPECT_EQ(r.power.violations[1].kind, "rack_power");
    EXPECT_NEAR(r.power.violations[1].excess_w, 100.0, 1e-9);
}

// A folded rank moves the power of every GPU it stands for (driven by hand, without the engine).
TEST(PowerAccounting, StandsForCountsEveryGpu) {
    const auto s = parse(twin::test::one_node_scenario(trace({kCompute})));
    twin::sim::PowerAccounting acc(s.cluster, s.facility);
    acc.stands_for(0, {0, 1, 2, 3, 4, 5, 6, 7});
    acc.state_changed(0, 0.0, twin::sim::GpuState::Idle, 0.0);
    EXPECT_DOUBLE_EQ(acc.compute_speed(0, 0.0), 1.0);
    acc.state_changed(0, 0.0, twin::sim::GpuState::Compute, 1.0);
    acc.state_changed(0, 2.0, twin::sim::GpuState::Communicate, 0.0);
    acc.finished(3.0);
    const auto& p = acc.result();
    // 2 s at 5,080 W, then 1 s with 8 GPUs communicating: 1,480 + 8 x 0.3 x 450 = 2,560 W.
    EXPECT_DOUBLE_EQ(p.it.peak_w, 5080.0);
    EXPECT_DOUBLE_EQ(p.it.min_w, 2560.0);
    EXPECT_DOUBLE_EQ(p.it_energy_j, 2 * 5080.0 + 2560.0);
    EXPECT_DOUBLE_EQ(p.racks.at(0).it.mean_w, (2 * 5080.0 + 2560.0) / 3);
}

// Ramps over a window longer than a phase: P(t) - P(t - w) is largest while t - w still falls in
// the first level (P(t < 0) = P(0)).
TEST(PowerAccounting, RampWindowLongerThanAPhase) {
    const auto s = parse(
        with_facility(twin::test::one_node_scenario(trace({kCompute})), R"({"timeline": {"ramp_window": "2s"}})"));
    twin::sim::PowerAccounting acc(s.cluster, s.facility);
    for (int g = 0; g < 8; ++g) {
        acc.state_changed(g, 0.0, twin::sim::GpuState::Compute, 1.0);
    }
    for (int g = 0; g < 8; ++g) {
        acc.state_changed(g, 1.0, twin::sim::GpuState::Idle, 0.0);
    }
    for (int g = 0; g < 8; ++g) {
        acc.state_changed(g, 2.5, twin::sim::GpuState::Compute, 1.0);
    }
    acc.finished(4.0);
    // Levels: 5,080 on [0, 1), 1,480 on [1, 2.5), 5,080 on [2.5, 4). |P(t) - P(t - 2)| is 3,600 W on
    // [1, 2.5) and [3, 4): 3,600 / 2 = 1,800 W/s.
    EXPECT_DOUBLE_EQ(acc.result().fastest_ramp_w_per_s, 1800.0);
    EXPECT_DOUBLE_EQ(acc.result().largest_swing_w, 3600.0);
}

} // namespace
