// Weather over a day (models/include/twin/models/weather.hpp): the outside -> coolant -> GPU
// temperature -> clock chain, the day's step time and power, and facility.weather's bad-input rules,
// with numbers derived by hand.
#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/weather.hpp"
#include "twin_test/input_error.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace m = twin::models;
using nlohmann::json;
using twin::Watts;

// An H100-like GPU: idle 100 W, TDP 700 W, lowest power limit 200 W.
const m::GpuPowerParams kGpu{Watts(100.0), Watts(700.0), Watts(200.0)};

m::WeatherSpec air_dry_cooler() {
    m::WeatherSpec w;
    w.plant = m::PlantType::DryCooler;
    w.approach_c = 8.0;
    w.supply_setpoint_c = 18.0;
    w.crah_approach_c = 6.0;
    w.thermal_resistance_c_per_w = 0.06;
    return w;
}

TEST(Weather, SinusoidPeaksAtThePeakHour) {
    // mid 20, amplitude 10: cos(0) at 15 h, cos(pi) at 3 h, cos(-pi/2) at 9 h.
    EXPECT_NEAR(m::sinusoid_c(10.0, 30.0, 15.0, 15), 30.0, 1e-12);
    EXPECT_NEAR(m::sinusoid_c(10.0, 30.0, 15.0, 3), 10.0, 1e-12);
    EXPECT_NEAR(m::sinusoid_c(10.0, 30.0, 15.0, 9), 20.0, 1e-12);
    EXPECT_NEAR(m::sinusoid_c(10.0, 30.0, 15.0, 21), 20.0, 1e-12);
}

TEST(Weather, DryCoolerFloatsAboveTheSetpointAChillerHoldsIt) {
    auto w = air_dry_cooler();
    // 10 C + 8 K = 18 C: the setpoint, an economizer hour; 30 C + 8 = 38 C.
    EXPECT_DOUBLE_EQ(m::coolant_supply_c(w, 10.0), 18.0);
    EXPECT_TRUE(m::economizer_hour(w, 10.0));
    EXPECT_DOUBLE_EQ(m::coolant_supply_c(w, 30.0), 38.0);
    EXPECT_FALSE(m::economizer_hour(w, 30.0));
    w.plant = m::PlantType::Chiller;
    EXPECT_DOUBLE_EQ(m::coolant_supply_c(w, 30.0), 18.0);
    EXPECT_FALSE(m::economizer_hour(w, 30.0)); // the compressor runs
}

TEST(Weather, GpuBelowSlowdownKeepsItsClock) {
    // 24 C inlet + 0.06 C/W x 700 W = 66 C <= 89 C.
    const auto t = m::gpu_thermal(air_dry_cooler(), kGpu, Watts(700.0), 24.0);
    EXPECT_DOUBLE_EQ(t.clock, 1.0);
    EXPECT_NEAR(t.gpu_c, 66.0, 1e-12);
    EXPECT_FALSE(t.over_shutdown);
}

TEST(Weather, GpuAboveSlowdownHoldsAtTheThreshold) {
    // 55 C inlet: 55 + 42 = 97 C > 89. Allowed power (89 - 55) / 0.06 = 566.67 W:
    // c = cbrt((566.67 - 100) / 600) = cbrt(0.77778) = 0.91964, and the GPU sits at 89 C.
    const auto t = m::gpu_thermal(air_dry_cooler(), kGpu, Watts(700.0), 55.0);
    EXPECT_NEAR(t.clock, std::cbrt((34.0 / 0.06 - 100.0) / 600.0), 1e-12);
    EXPECT_NEAR(t.clock, 0.91964, 1e-5);
    EXPECT_NEAR(t.gpu_c, 89.0, 1e-9);
    EXPECT_FALSE(t.over_shutdown);
}

TEST(Weather, GpuThatCannotCoolEvenAtTheLowestClockIsOverShutdown) {
    // 85 C inlet allows 66.7 W, below idle: the clock stops at c_min = cbrt((200 - 100) / 600) =
    // 0.5503, drawing 200 W: 85 + 12 = 97 C > 92 C.
    const auto t = m::gpu_thermal(air_dry_cooler(), kGpu, Watts(700.0), 85.0);
    EXPECT_NEAR(t.clock, std::cbrt(1.0 / 6.0), 1e-12);
    EXPECT_NEAR(t.gpu_c, 97.0, 1e-9);
    EXPECT_TRUE(t.over_shutdown);
}

TEST(Weather, PowerCapLowersTheHeat) {
    // At a 500 W cap: 55 + 30 = 85 C, no thermal slowdown (the cap's clock is the run's business).
    const auto t = m::gpu_thermal(air_dry_cooler(), kGpu, Watts(500.0), 55.0);
    EXPECT_DOUBLE_EQ(t.clock, 1.0);
    EXPECT_NEAR(t.gpu_c, 85.0, 1e-12);
}

// A step of 1 s of compute on 8 GPUs (idle 100 W, TDP 700 W), 1,000 W of other IT power:
// E_0 = 1 s x (1,000 + 8 x 700) = 6,600 J, P_IT,idle = 1,800 W.
m::RunBaseline compute_step() {
    m::RunBaseline r;
    r.step_s = 1.0;
    r.ranks = 8;
    r.bound_gpu_s = {{"compute", 8.0}};
    r.it_energy_j = 6600.0;
    r.it_idle_w = 1800.0;
    r.gpu_dynamic_w = 8 * 600.0;
    r.gpu_params = {kGpu};
    r.full_power = {Watts(700.0)};
    r.pue = m::pue_model(m::CoolingType::Air, 1.5, 0.95, std::nullopt, Watts(6600.0));
    r.cooling = m::CoolingType::Air;
    r.design_pue = 1.5;
    return r;
}

TEST(WeatherDay, HotAfternoonThrottlesACoolNightDoesNot) {
    auto w = air_dry_cooler();
    w.outside_c.fill(20.0);
    w.outside_c[3] = 5.0;   // water 18 C, inlet 24 C, GPU 66 C: full clock, economizer
    w.outside_c[15] = 41.0; // water 49 C, inlet 55 C, GPU 97 C at full power: c = 0.91964
    const auto d = m::weather_day(w, compute_step());
    ASSERT_EQ(d.hours.size(), 24u);
    const auto& night = d.hours[3];
    EXPECT_DOUBLE_EQ(night.clock, 1.0);
    EXPECT_DOUBLE_EQ(night.step_s, 1.0);
    EXPECT_NEAR(night.it_mean_w, 6600.0, 1e-9);
    EXPECT_TRUE(night.economizer);
    const auto& hot = d.hours[15];
    const double c = std::cbrt((34.0 / 0.06 - 100.0) / 600.0);
    EXPECT_NEAR(hot.coolant_c, 49.0, 1e-12);
    EXPECT_NEAR(hot.gpu_inlet_c, 55.0, 1e-12);
    EXPECT_NEAR(hot.clock, c, 1e-12);
    // Compute alone: the step takes 1/c as long.
    EXPECT_NEAR(hot.step_s, 1.0 / c, 1e-12);
    EXPECT_NEAR(hot.relative_throughput, c, 1e-12);
    // Every GPU holds at 566.67 W: IT 1,000 + 8 x 566.67 = 5,533.3 W.
    EXPECT_NEAR(hot.it_mean_w, 1000.0 + 8 * 34.0 / 0.06, 1e-9);
    // Facility at 41 C: P/eta + k_cool (1 + 0.02 x 21) P + 0.02 x 6,600, k_cool = 1.5 - 1/0.95 - 0.02.
    const double k = 1.5 - 1 / 0.95 - 0.02;
    EXPECT_NEAR(hot.facility_mean_w, hot.it_mean_w / 0.95 + k * 1.42 * hot.it_mean_w + 132.0, 1e-9);
    // 20 C hours: water 28, inlet 34, GPU 76 C: full clock.
    EXPECT_DOUBLE_EQ(d.hours[10].clock, 1.0);
    EXPECT_EQ(d.throttled_hours, 1);
    EXPECT_EQ(d.economizer_hours, 1);
    EXPECT_EQ(d.hours_above_max_operating, 1); // 89 C > 87 C in the hot hour
    EXPECT_EQ(d.hours_over_shutdown, 0);
    EXPECT_DOUBLE_EQ(d.step_min_s, 1.0);
    EXPECT_NEAR(d.step_max_s, 1.0 / c, 1e-12);
    EXPECT_NEAR(d.throughput_swing, 1.0 - c, 1e-12);
}

TEST(WeatherDay, ExposedCommunicationDoesNotStretchPipelineBubblesDo) {
    auto w = air_dry_cooler();
    w.outside_c.fill(41.0); // c = 0.91964 every hour
    auto run = compute_step();
    // 2 s step per GPU: 1 s compute, 0.4 s bubble, 0.6 s exposed communication.
    run.step_s = 2.0;
    run.bound_gpu_s = {{"compute", 8.0}, {"bubble", 3.2}, {"scale-up", 4.8}};
    const double c = std::cbrt((34.0 / 0.06 - 100.0) / 600.0);
    const auto d = m::weather_day(w, run);
    EXPECT_NEAR(d.hours[0].step_s, 2.0 + 1.4 * (1.0 / c - 1.0), 1e-12);
}

TEST(WeatherDay, ARunAlreadyThrottledSlowsOnlyBelowItsOwnClock) {
    auto w = air_dry_cooler();
    w.outside_c.fill(20.0);
    w.outside_c[15] = 41.0; // c_w = 0.91964
    auto run = compute_step();
    // The run computed at clock 0.8 (1 s at full clock took 1.25 s): the weather clock is higher.
    run.step_s = 1.25;
    run.bound_gpu_s = {{"compute", 8.0}, {"throttling", 2.0}};
    const auto d = m::weather_day(w, run);
    EXPECT_DOUBLE_EQ(d.hours[15].clock, 0.8);
    EXPECT_DOUBLE_EQ(d.hours[15].step_s, 1.25);
    EXPECT_EQ(d.throttled_hours, 1); // the weather throttles the GPU, the run was already slower
}

// ---------------------------------------------------------------------------------------------
// facility.weather in a scenario

json scenario_with(const json& facility) {
    json doc = json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 7,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [{"op": "compute", "flops": "1TFLOP"}]}]}}})");
    doc["facility"] = facility;
    return doc;
}

m::Scenario parse(const json& doc) {
    return m::parse_scenario(doc.dump(), "test.json", ".");
}

json sine() {
    return {{"min_c", 12}, {"max_c", 32}};
}

TEST(WeatherScenario, SinusoidAndDefaultsByCoolingType) {
    const auto air = parse(scenario_with({{"weather", {{"sinusoid", sine()}}}}));
    ASSERT_TRUE(air.facility.weather);
    const auto& w = *air.facility.weather;
    EXPECT_NEAR(w.outside_c[15], 32.0, 1e-12); // peak_hour defaults to 15
    EXPECT_NEAR(w.outside_c[3], 12.0, 1e-12);
    EXPECT_EQ(w.plant, m::PlantType::Chiller);
    EXPECT_DOUBLE_EQ(w.supply_setpoint_c, 18.0);
    EXPECT_DOUBLE_EQ(w.crah_approach_c, 6.0);
    EXPECT_DOUBLE_EQ(w.thermal_resistance_c_per_w, 0.06);
    EXPECT_DOUBLE_EQ(w.slowdown_c, 89.0);
    EXPECT_DOUBLE_EQ(w.shutdown_c, 92.0);
    EXPECT_DOUBLE_EQ(w.max_operating_c, 87.0);
    const auto liquid = parse(scenario_with({{"cooling", {{"type", "liquid"}}}, {"weather", {{"sinusoid", sine()}}}}));
    const auto& l = *liquid.facility.weather;
    EXPECT_EQ(l.plant, m::PlantType::DryCooler);
    EXPECT_DOUBLE_EQ(l.supply_setpoint_c, 25.0);
    EXPECT_DOUBLE_EQ(l.crah_approach_c, 0.0);
    EXPECT_DOUBLE_EQ(l.thermal_resistance_c_per_w, 0.03);
    EXPECT_FALSE(parse(scenario_with(json::object())).facility.weather);
}

TEST(WeatherScenario, HourlyTemperaturesAndPlantKeys) {
    json hourly = json::array();
    for (int h = 0; h < 24; ++h) {
        hourly.push_back(h);
    }
    const auto s = parse(scenario_with({{"weather",
                                         {{"hourly_c", hourly},
                                          {"plant", "dry-cooler"},
                                          {"approach_c", 5},
                                          {"supply_setpoint_c", 20},
                                          {"crah_approach_c", 4},
                                          {"thermal_resistance_c_per_w", 0.05},
                                          {"slowdown_c", 85},
                                          {"shutdown_c", 90},
                                          {"max_operating_c", 83}}}}));
    const auto& w = *s.facility.weather;
    EXPECT_DOUBLE_EQ(w.outside_c[23], 23.0);
    EXPECT_EQ(w.plant, m::PlantType::DryCooler);
    EXPECT_DOUBLE_EQ(w.approach_c, 5.0);
    EXPECT_DOUBLE_EQ(w.supply_setpoint_c, 20.0);
    EXPECT_DOUBLE_EQ(w.crah_approach_c, 4.0);
    EXPECT_DOUBLE_EQ(w.thermal_resistance_c_per_w, 0.05);
    EXPECT_DOUBLE_EQ(w.slowdown_c, 85.0);
    EXPECT_DOUBLE_EQ(w.shutdown_c, 90.0);
    EXPECT_DOUBLE_EQ(w.max_operating_c, 83.0);
}

void expect_error(const json& weather, const std::string& pointer, const std::string& gist,
                  const json& cooling = nullptr) {
    json f = {{"weather", weather}};
    if (!cooling.is_null()) {
        f["cooling"] = cooling;
    }
    EXPECT_INPUT_ERROR(parse(scenario_with(f)), pointer, gist);
}

TEST(WeatherErrors, ProfileRules) {
    json hourly = json::array();
    for (int h = 0; h < 23; ++h) {
        hourly.push_back(20);
    }
    expect_error(json::object(), "/facility/weather/hourly_c", "give hourly_c (24 values, C) or sinusoid");
    expect_error({{"hourly_c", hourly}, {"sinusoid", sine()}}, "/facility/weather/sinusoid", "not both");
    expect_error({{"hourly_c", hourly}}, "/facility/weather/hourly_c", "expected 24 hourly outside temperatures");
    hourly.push_back(20);
    hourly[3] = 75;
    expect_error({{"hourly_c", hourly}}, "/facility/weather/hourly_c/3", "between -60 and 60 C, got 75");
    hourly[3] = "hot";
    expect_error({{"hourly_c", hourly}}, "/facility/weather/hourly_c/3", "number");
    expect_error({{"sinusoid", {{"min_c", 30}, {"max_c", 20}}}}, "/facility/weather/sinusoid/max_c",
                 "max_c 20 is below min_c 30");
    expect_error({{"sinusoid", {{"max_c", 20}}}}, "/facility/weather/sinusoid/min_c", "missing");
    expect_error({{"sinusoid", {{"min_c", 10}, {"max_c", 20}, {"peak_hour", 24}}}},
                 "/facility/weather/sinusoid/peak_hour", "[0, 24)");
    expect_error({{"sinusoid", {{"min_c", 10}, {"max_c", 20}, {"peak", 14}}}}, "/facility/weather/sinusoid/peak",
                 "unknown key");
}

TEST(WeatherErrors, PlantAndGpuRules) {
    expect_error({{"sinusoid", sine()}, {"plant", "cooling-tower"}}, "/facility/weather/plant", "dry-cooler");
    expect_error({{"sinusoid", sine()}, {"approach_c", -1}}, "/facility/weather/approach_c", ">= 0");
    expect_error({{"sinusoid", sine()}, {"supply_setpoint_c", 80}}, "/facility/weather/supply_setpoint_c",
                 "between 0 and 70 C");
    expect_error({{"sinusoid", sine()}, {"crah_approach_c", 5}}, "/facility/weather/crah_approach_c",
                 "air and rear-door halls only", {{"type", "liquid"}});
    expect_error({{"sinusoid", sine()}, {"thermal_resistance_c_per_w", 0}},
                 "/facility/weather/thermal_resistance_c_per_w", "> 0");
    expect_error({{"sinusoid", sine()}, {"shutdown_c", 88}}, "/facility/weather/shutdown_c",
                 "shutdown threshold (88 C) must be above the slowdown threshold (89 C)");
    expect_error({{"sinusoid", sine()}, {"max_operating_c", 90}}, "/facility/weather/max_operating_c",
                 "must not be above the slowdown threshold");
    expect_error({{"sinusoid", sine()}, {"humidity", 50}}, "/facility/weather/humidity", "unknown key");
}

} // namespace
