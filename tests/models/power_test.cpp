// Power, cooling and facility equations (models/include/twin/models/power.hpp), the facility
// section's bad-input rules (facility.hpp) and the static power plan, with numbers derived by hand
// in the comments.
#include "twin/core/error.hpp"
#include "twin/models/facility.hpp"
#include "twin/models/power.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;
using twin::Joules;
using twin::Watts;
namespace m = twin::models;

// H100: idle 75 W, TDP 700 W, min limit 200 W (catalog); dynamic range 625 W.
m::GpuPowerParams h100() {
    return m::GpuPowerParams{Watts(75), Watts(700), Watts(200), 0.6, 0.3};
}

TEST(GpuPower, StatesByHand) {
    const auto p = h100();
    EXPECT_DOUBLE_EQ(m::gpu_power(p, 0.0, 1.0).value(), 75.0);                      // idle
    EXPECT_DOUBLE_EQ(m::gpu_power(p, m::compute_load(p, 1.0), 1.0).value(), 700.0); // compute-bound
    EXPECT_DOUBLE_EQ(m::gpu_power(p, m::compute_load(p, 0.0), 1.0).value(), 450.0); // 75 + 0.6 x 625
    EXPECT_DOUBLE_EQ(m::gpu_power(p, m::compute_load(p, 0.5), 1.0).value(), 575.0); // 75 + 0.8 x 625
    EXPECT_DOUBLE_EQ(m::gpu_power(p, p.communication_share, 1.0).value(), 262.5);   // 75 + 0.3 x 625
    EXPECT_DOUBLE_EQ(m::gpu_power(p, 1.0, 0.5).value(), 75.0 + 625.0 / 8);          // cube law
}

TEST(GpuPower, CapSetsTheClockByTheCubeLaw) {
    const auto p = h100();
    // 500 W: (500 - 75) / 625 = 0.68, clock = 0.68^(1/3) = 0.87937...; at that clock a compute-bound
    // op draws exactly the cap.
    const double c = m::clock_for_power(p, Watts(500));
    EXPECT_NEAR(c, 0.879366, 1e-6);
    EXPECT_NEAR(m::gpu_power(p, 1.0, c).value(), 500.0, 1e-9);
    EXPECT_DOUBLE_EQ(m::clock_for_power(p, Watts(700)), 1.0);
    EXPECT_DOUBLE_EQ(m::clock_for_power(p, Watts(900)), 1.0);
    // Lowest cap 200 W: (125 / 625)^(1/3) = 0.5848.
    EXPECT_NEAR(m::min_clock(p), std::cbrt(0.2), 1e-12);
}

TEST(Cooling, ThermalClockBalancesHeatAndCapacity) {
    // 30 kW of capacity, 10 kW static heat, 40 kW of GPU dynamic power: clock^3 = 20 / 40.
    EXPECT_NEAR(m::thermal_clock(Watts(30e3), Watts(10e3), Watts(40e3), 0.1), std::cbrt(0.5), 1e-12);
    EXPECT_DOUBLE_EQ(m::thermal_clock(Watts(50e3), Watts(10e3), Watts(40e3), 0.1), 1.0); // enough capacity
    EXPECT_DOUBLE_EQ(m::thermal_clock(Watts(5e3), Watts(10e3), Watts(40e3), 0.3), 0.3);  // floor
}

TEST(Cooling, SupplyTemperatureDeratesCapacity) {
    EXPECT_DOUBLE_EQ(m::capacity_at_inlet(Watts(100e3), 25.0).value(), 100e3);
    EXPECT_DOUBLE_EQ(m::capacity_at_inlet(Watts(100e3), 35.0).value(), 50e3); // (45 - 35) / (45 - 25)
    EXPECT_DOUBLE_EQ(m::capacity_at_inlet(Watts(100e3), 50.0).value(), 0.0);
    EXPECT_DOUBLE_EQ(m::capacity_at_inlet(Watts(100e3), 15.0).value(), 100e3); // no credit below design
}

TEST(Pue, DesignLoadPartLoadAndOutsideTemperature) {
    const Watts design(1e6);
    // Air, PUE 1.5 at design load and 20 C: k_cool = 1.5 - 1/0.95 - 0.02.
    const auto air = m::pue_model(m::CoolingType::Air, 1.5, 0.95, std::nullopt, design);
    EXPECT_NEAR(air.cooling_share, 1.5 - 1 / 0.95 - 0.02, 1e-12);
    EXPECT_NEAR(m::facility_power(air, design).value(), 1.5e6, 1e-6);
    // Half load: the fixed 2 % of the design load weighs twice: PUE = 1.5 + 0.02 = 1.52.
    EXPECT_NEAR(m::facility_power(air, design * 0.5).value() / 0.5e6, 1.52, 1e-12);
    // 30 C outside: cooling x (1 + 0.02 x 10) = 1.2: PUE = 1/0.95 + 1.2 k_cool + 0.02.
    const auto hot = m::pue_model(m::CoolingType::Air, 1.5, 0.95, 30.0, design);
    EXPECT_NEAR(m::facility_power(hot, design).value() / 1e6, 1 / 0.95 + 1.2 * air.cooling_share + 0.02, 1e-12);
    // Liquid's default PUE and its smaller temperature coefficient.
    EXPECT_DOUBLE_EQ(m::default_design_pue(m::CoolingType::Liquid), 1.15);
    const auto liquid = m::pue_model(m::CoolingType::Liquid, 1.15, 0.95, 30.0, design);
    EXPECT_NEAR(liquid.temperature_factor, 1.1, 1e-12);
}

TEST(Energy, CostAndCo2) {
    const Joules e(3.6e9); // 1,000 kWh
    EXPECT_DOUBLE_EQ(m::kilowatt_hours(e), 1000.0);
    EXPECT_DOUBLE_EQ(m::energy_cost(e, 0.1), 100.0);
    EXPECT_DOUBLE_EQ(m::co2_kg(e, 400.0), 400.0);
}

// ---------------------------------------------------------------------------------------------
// The facility section

json scenario_with(const json& facility, const std::string& node = "DGX-H100") {
    json doc = json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 7,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
                   "fabric": {"type": "explicit", "switches": [{"name": "s", "switch": "QM9700", "tier": 1}],
                              "links": []}},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [{"op": "compute", "flops": "1TFLOP"}]}]}}})");
    if (node != "DGX-H100") { // one node of another type (GB200-NVL72: a whole rack), no fabric
        doc["topology"] = {{"nodes", {{{"type", node}, {"count", 1}}}}};
    }
    // Two DGX H100: every NIC on one switch.
    for (int n = 0; n < 2 && node == "DGX-H100"; ++n) {
        for (int i = 0; i < 8; ++i) {
            doc["topology"]["fabric"]["links"].push_back(
                {{"from", "node" + std::to_string(n) + "/nic" + std::to_string(i)}, {"to", "s"}, {"cable", "NDR-DAC"}});
        }
    }
    if (!facility.is_null()) {
        doc["facility"] = facility;
    }
    return doc;
}

m::Scenario parse(const json& doc) {
    return m::parse_scenario(doc.dump(), "test.json", ".");
}

void expect_error(const json& doc, const std::string& pointer, const std::string& gist) {
    EXPECT_INPUT_ERROR(parse(doc), pointer, gist);
}

TEST(Facility, DefaultsWithoutASection) {
    const auto s = parse(scenario_with(nullptr));
    EXPECT_FALSE(s.facility.present);
    EXPECT_EQ(s.facility.cooling.type, m::CoolingType::Air);
    EXPECT_FALSE(s.facility.cooling.given);
    EXPECT_DOUBLE_EQ(s.facility.cooling.design_pue, 1.5);
    EXPECT_FALSE(s.facility.gpu_power_cap);
    // A liquid-only GPU defaults to liquid cooling (and no capacity limit) without a section.
    const auto gb = parse(scenario_with(nullptr, "GB200-NVL72"));
    EXPECT_EQ(gb.facility.cooling.type, m::CoolingType::Liquid);
    EXPECT_DOUBLE_EQ(gb.facility.cooling.design_pue, 1.15);
}

TEST(Facility, ReadsEveryKey) {
    const auto s = parse(scenario_with(json::parse(R"({
      "feed": "1MW", "rack_power_limit": "12kW", "conversion_efficiency": 0.97,
      "layout": {"racks_per_row": 2, "rows_per_hall": 3},
      "cooling": {"type": "rear-door", "rack_capacity": "40kW", "cdu_capacity": "500kW", "racks_per_cdu": 4,
                  "plant_capacity": "2MW", "inlet_temperature_c": 27, "outside_temperature_c": 35, "pue": 1.3},
      "gpu": {"power_cap": "600W", "memory_bound_share": 0.5, "communication_share": 0.25},
      "energy": {"price_per_kwh": 0.08, "currency": "EUR", "grid_co2_g_per_kwh": 300},
      "timeline": {"ramp_window": "100ms", "points": 50}})")));
    const auto& f = s.facility;
    EXPECT_TRUE(f.present);
    EXPECT_DOUBLE_EQ(f.feed->value(), 1e6);
    EXPECT_DOUBLE_EQ(f.rack_power_limit->value(), 12e3);
    EXPECT_DOUBLE_EQ(f.conversion_efficiency, 0.97);
    EXPECT_EQ(f.racks_per_row, 2);
    EXPECT_EQ(f.rows_per_hall, 3);
    EXPECT_EQ(f.cooling.type, m::CoolingType::RearDoor);
    EXPECT_DOUBLE_EQ(f.cooling.rack_capacity->value(), 40e3);
    EXPECT_DOUBLE_EQ(f.cooling.cdu_capacity->value(), 500e3);
    EXPECT_EQ(f.cooling.racks_per_cdu, 4);
    EXPECT_DOUBLE_EQ(f.cooling.plant_capacity->value(), 2e6);
    EXPECT_DOUBLE_EQ(*f.cooling.inlet_c, 27.0);
    EXPECT_DOUBLE_EQ(*f.cooling.outside_c, 35.0);
    EXPECT_DOUBLE_EQ(f.cooling.design_pue, 1.3);
    EXPECT_DOUBLE_EQ(f.gpu_power_cap->value(), 600.0);
    EXPECT_DOUBLE_EQ(f.memory_bound_share, 0.5);
    EXPECT_DOUBLE_EQ(f.communication_share, 0.25);
    EXPECT_DOUBLE_EQ(*f.energy.price_per_kwh, 0.08);
    EXPECT_EQ(f.energy.currency, "EUR");
    EXPECT_DOUBLE_EQ(*f.energy.grid_co2_g_per_kwh, 300.0);
    EXPECT_DOUBLE_EQ(f.ramp_window.value(), 0.1);
    EXPECT_EQ(f.series_points, 50);
}

TEST(FacilityErrors, ZeroOrNegativePowers) {
    expect_error(scenario_with(json{{"feed", "0MW"}}), "/facility/feed", "power must be > 0");
    expect_error(scenario_with(json{{"rack_power_limit", "-5kW"}}), "/facility/rack_power_limit", "power must be > 0");
    expect_error(scenario_with(json{{"cooling", {{"type", "air"}, {"rack_capacity", "0W"}}}}),
                 "/facility/cooling/rack_capacity", "power must be > 0");
    expect_error(scenario_with(json{{"gpu", {{"power_cap", "0W"}}}}), "/facility/gpu/power_cap", "power must be > 0");
}

TEST(FacilityErrors, CapAboveTdpOrBelowMinimum) {
    expect_error(scenario_with(json{{"gpu", {{"power_cap", "800W"}}}}), "/facility/gpu/power_cap",
                 "power cap 800 W is above the TDP of H100-SXM (700 W)");
    expect_error(scenario_with(json{{"gpu", {{"power_cap", "150W"}}}}), "/facility/gpu/power_cap",
                 "power cap 150 W is below the minimum power limit of H100-SXM (200 W)");
}

TEST(FacilityErrors, PueBelowOne) {
    expect_error(scenario_with(json{{"cooling", {{"type", "liquid"}, {"pue", 0.9}}}}), "/facility/cooling/pue",
                 "a PUE below 1 is impossible");
    // Above 1 but below what distribution losses allow: 1/0.95 + 0.02 = 1.073.
    expect_error(scenario_with(json{{"cooling", {{"type", "liquid"}, {"pue", 1.05}}}}), "/facility/cooling/pue",
                 "below 1/conversion_efficiency");
}

TEST(FacilityErrors, LiquidOnlyGpuNeedsLiquidCapacity) {
    expect_error(scenario_with(json{{"feed", "1MW"}}, "GB200-NVL72"), "/facility/cooling",
                 "GPU type GB200 is liquid-cooled only");
    expect_error(scenario_with(json{{"cooling", {{"type", "liquid"}}}}, "GB200-NVL72"),
                 "/facility/cooling/rack_capacity", "give the liquid cooling capacity per rack");
    expect_error(scenario_with(json{{"cooling", {{"type", "air"}, {"rack_capacity", "150kW"}}}}, "GB200-NVL72"),
                 "/facility/cooling/type", "cooling type must be \"liquid\"");
}

TEST(FacilityErrors, UnknownKeysAndBadChoices) {
    expect_error(scenario_with(json{{"colling", {}}}), "/facility/colling", "unknown key");
    expect_error(scenario_with(json{{"cooling", {{"type", "immersion"}}}}), "/facility/cooling/type", "immersion");
    expect_error(scenario_with(json{{"gpu", {{"memory_bound_share", 1.5}}}}), "/facility/gpu/memory_bound_share",
                 "1.5");
    expect_error(scenario_with(json{{"conversion_efficiency", 1.2}}), "/facility/conversion_efficiency", "1.2");
    // A plain trace has no tokens per step to count a training run in.
    expect_error(scenario_with(json{{"energy", {{"training_tokens", 1e12}}}}), "/facility/energy/training_tokens",
                 "needs a generated training workload");
}

// ---------------------------------------------------------------------------------------------
// The static plan

TEST(PowerPlan, RacksRowsAndThermalClockByHand) {
    auto doc = scenario_with(json::parse(R"({
      "layout": {"racks_per_row": 1},
      "cooling": {"type": "air", "rack_capacity": "9kW", "cdu_capacity": "30kW", "racks_per_cdu": 2}})"));
    const auto s = parse(doc);
    const auto p = m::plan_power(s.cluster, s.facility);
    // Two DGX-H100 nodes, one per rack (nodes_per_rack defaults to 1).
    ASSERT_EQ(p.racks, 2);
    EXPECT_EQ(p.rows, 2);
    EXPECT_EQ(p.halls, 1);
    EXPECT_EQ(p.cdus, 1);
    EXPECT_EQ(p.rack_of_gpu[9], 1);
    // Static heat per rack: other 4,350 W + 10 NICs x 25 W (8 compute, 2 storage) + 8 GPUs idle x
    // 75 W = 5,200 W; GPU dynamic
    // 8 x 625 = 5,000 W; full power 10,200 W (sys.dgxh100.power_max).
    EXPECT_DOUBLE_EQ(p.rack_cooling[0].static_heat.value(), 5200.0);
    EXPECT_DOUBLE_EQ(p.rack_cooling[0].gpu_dynamic.value(), 5000.0);
    // Throttled clock: (9,000 - 5,200) / 5,000 = 0.76.
    EXPECT_NEAR(p.rack_cooling[0].throttled_clock, std::cbrt(0.76), 1e-12);
    // The CDU (both racks, 20.4 kW at full) never limits; the network is in no rack or CDU.
    EXPECT_DOUBLE_EQ(p.cdu_cooling[0].throttled_clock, 1.0);
    EXPECT_FALSE(p.plant.capacity);
    // Network: one QM9700 (750 W), copper cables; idle IT = 2 x 5,200 + 750.
    EXPECT_DOUBLE_EQ(p.network.value(), 750.0);
    EXPECT_DOUBLE_EQ(p.it_max.value(), 21150.0);
    EXPECT_DOUBLE_EQ(p.it_idle.value(), 11150.0);
}

TEST(PowerPlan, InletTemperatureDeratesEveryDomain) {
    const auto s = parse(scenario_with(json::parse(R"({
      "cooling": {"type": "air", "rack_capacity": "20kW", "inlet_temperature_c": 35}})")));
    const auto p = m::plan_power(s.cluster, s.facility);
    // Half of 20 kW at 35 C supply: 10 kW >= 10.2 kW? No: clock^3 = (10,000 - 5,200) / 5,000 = 0.96.
    EXPECT_DOUBLE_EQ(p.rack_cooling[0].capacity->value(), 10e3);
    EXPECT_NEAR(p.rack_cooling[0].throttled_clock, std::cbrt(0.96), 1e-12);
}

} // namespace
