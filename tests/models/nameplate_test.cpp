// Nameplate sizing (models/include/twin/models/nameplate.hpp): feeds, rack PDUs and cooling sized on
// the nodes' maximum power, typical beside it. Numbers derived by hand in the comments.
#include "twin/models/facility.hpp"
#include "twin/models/nameplate.hpp"
#include "twin/models/scenario.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using nlohmann::json;
namespace m = twin::models;

m::Scenario parse(const json& doc) {
    return m::parse_scenario(doc.dump(), "test.json", ".");
}

// `racks` GB200 NVL72 racks (no fabric for one) in a liquid-cooled facility.
json gb200(const json& facility) {
    json doc = json::parse(R"({
      "schema_version": 1, "name": "s", "seed": 7,
      "topology": {"nodes": [{"type": "GB200-NVL72", "count": 1}]},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [{"op": "compute", "flops": "1TFLOP"}]}]}}})");
    doc["facility"] = facility;
    return doc;
}

TEST(Nameplate, Gb200RackSizedOnMaximumNotTypical) {
    const auto s = parse(gb200(json::parse(R"({"feed": "150kW", "rack_power_limit": "125kW",
      "cooling": {"type": "liquid", "rack_capacity": "125kW", "pue": 1.15}})")));
    const auto plan = m::plan_power(s.cluster, s.facility);
    // The simulation draws at most the typical 120 kW (idle: 120 kW - 72 x (1200 - 140) W = 43.68 kW);
    // the nameplate is the 132 kW shelf; no network in a one-rack cluster.
    EXPECT_DOUBLE_EQ(plan.it_max.value(), 132000.0);
    EXPECT_DOUBLE_EQ(plan.it_typical.value(), 120000.0);
    EXPECT_DOUBLE_EQ(plan.network.value(), 0.0);
    EXPECT_DOUBLE_EQ(plan.it_idle.value(), 43680.0);
    const auto n = m::size_nameplate(s.cluster, s.facility, plan);
    EXPECT_DOUBLE_EQ(n.rack_max.value(), 132000.0);
    EXPECT_DOUBLE_EQ(n.rack_typical.value(), 120000.0);
    // PUE model at design: 1/0.95 + k_cool + k_fix = 1.15, with k_fix on the 132 kW design IT.
    // Max: 132 kW x 1.15 = 151.8 kW. Typical: 120 kW x (1.15 - 0.02) + 0.02 x 132 kW = 138.24 kW.
    EXPECT_NEAR(n.facility_max.value(), 151800.0, 1e-6);
    EXPECT_NEAR(n.facility_typical.value(), 138240.0, 1e-6);
    // Sized on typical everything fits (138.24 <= 150, 120 <= 125); on maximum it does not.
    ASSERT_TRUE(n.feed_headroom && n.rack_power_headroom && n.rack_cooling_headroom);
    EXPECT_NEAR(n.feed_headroom->value(), -1800.0, 1e-6);
    EXPECT_DOUBLE_EQ(n.rack_power_headroom->value(), -7000.0);
    EXPECT_DOUBLE_EQ(n.rack_cooling_headroom->value(), -7000.0);
}

TEST(Nameplate, NoLimitsNoHeadroom) {
    const auto s = parse(gb200(json::parse(R"({"cooling": {"type": "liquid", "rack_capacity": "140kW"}})")));
    const auto n = m::size_nameplate(s.cluster, s.facility, m::plan_power(s.cluster, s.facility));
    EXPECT_FALSE(n.feed_headroom);
    EXPECT_FALSE(n.rack_power_headroom);
    ASSERT_TRUE(n.rack_cooling_headroom);
    EXPECT_DOUBLE_EQ(n.rack_cooling_headroom->value(), 8000.0); // 140 - 132 kW
}

// A GB200 scalable unit: 8 racks on the bundled 800G/400G fabric of gb200-nvl72-8racks-800g. The SU
// figure hw.gb200.superpod_su_power (1.2 MW per 8 racks, networking included) is held out: the
// racks' nameplate alone is 8 x 132 kW = 1.056 MW; the compute fabric adds its switches and optics.
TEST(Nameplate, Gb200ScalableUnitAgainstTheHeldOutSuFigure) {
    json doc = gb200(json::parse(R"({"cooling": {"type": "liquid", "rack_capacity": "140kW"}})"));
    doc["topology"] = json::parse(R"({"nodes": [{"type": "GB200-NVL72", "count": 8}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", "nodes_per_leaf_group": 4,
                 "rails": 4, "tiers": [{"switch": "Q3400", "uplink_cable": "XDR-optical"}, {"switch": "Q3400"}]}})");
    const auto s = parse(doc);
    const auto plan = m::plan_power(s.cluster, s.facility);
    const auto n = m::size_nameplate(s.cluster, s.facility, plan);
    EXPECT_EQ(plan.racks, 8);
    // 10 Q3400 (8 leaves, 2 spines) x 3.6 kW + 288 XDR optics x 30 W = 36 + 8.64 kW.
    EXPECT_DOUBLE_EQ(plan.network.value(), 44640.0);
    EXPECT_DOUBLE_EQ(n.it_max.value(), 8 * 132000.0 + 44640.0);
    EXPECT_DOUBLE_EQ(n.it_typical.value(), 8 * 120000.0 + 44640.0);
    // 1.1006 MW vs 1.2 MW: 8.3 % below the SU's TDP, which also budgets storage and management.
    EXPECT_NEAR(n.it_max.value() / 1.2e6, 0.917, 0.001);
}

} // namespace
