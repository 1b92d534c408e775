// The floor plan: derived rack positions, routed cable lengths and the reach rules, and the errors
// of bad floor plans (a rack position twice, a cable longer than any type allows, unknown keys).
#include "buildout_test_util.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <map>

namespace twin::buildout {
namespace {

using testing::load;
using testing::superpod;

Layout layout_of(const std::string& text) {
    auto in = load(text);
    return make_layout(in.cluster, in.floorplan);
}

const Rack& rack_named(const Layout& l, const std::string& name) {
    for (const auto& r : l.racks) {
        if (r.name == name) {
            return r;
        }
    }
    throw std::logic_error("no rack " + name);
}

// One SU, derived layout: 8 compute racks (4 DGX per rack) in one compute row; the SU's 8 leaves in
// one network rack at the row end (position 8); the 4 spines in one rack in the hall's middle
// network row, which comes first here (1 compute row: middle = row 0), pushing the compute row to 1.
TEST(Floorplan, DerivedLayoutOfOneSu) {
    const Layout l = layout_of(superpod(1));
    ASSERT_EQ(l.racks.size(), 10U);
    EXPECT_EQ(l.halls, 1);
    const Rack& c0 = rack_named(l, "compute.0");
    EXPECT_EQ(c0.row, 1);
    EXPECT_EQ(c0.position, 0);
    EXPECT_DOUBLE_EQ(c0.y_m, 2.4);
    const Rack& leaf = rack_named(l, "leaf.g0.0");
    EXPECT_EQ(leaf.row, 1);
    EXPECT_EQ(leaf.position, 8);
    EXPECT_DOUBLE_EQ(leaf.x_m, 8 * 0.6);
    const Rack& spine = rack_named(l, "spine.h0.0");
    EXPECT_EQ(spine.row, 0);
    EXPECT_EQ(spine.position, 0);
    EXPECT_NE(l.description.find("derived default floor plan"), std::string::npos);
}

// Lengths, L = (|dx| + |dy| + 2 x 2.0) x 1.1 + 1.0 (defaults), and the rule each gets at 400G:
//   node 0 (compute.0, x 0) -> leaf rack (x 4.8): (4.8 + 4) x 1.1 + 1 = 10.68 m -> SR fibre, 15 m
//   node 31 (compute.7, x 4.2) -> leaf rack:      (0.6 + 4) x 1.1 + 1 =  6.06 m -> AEC (<= 7 m), 7 m
//   leaf rack (4.8, 2.4) -> spine rack (0, 0):    (4.8 + 2.4 + 4) x 1.1 + 1 = 13.32 m -> SR, 15 m
TEST(Floorplan, RoutedLengthsAndReachRules) {
    auto in = load(superpod(1));
    const Layout l = make_layout(in.cluster, in.floorplan);
    std::map<std::string, PlanRow> first; // by "<a device>-<tier>"
    walk_plan(in.cluster, l, [&](const PlanRow& row) {
        first.try_emplace(end_device(in.cluster, row.a) + "-" + std::string(topology::link_tier_name(row.tier)), row);
    });
    const auto& rules = l.plan.rules.rules;
    const PlanRow& n0 = first.at("node0-access");
    EXPECT_NEAR(n0.length_m, 10.68, 1e-9);
    EXPECT_EQ(rules[static_cast<std::size_t>(n0.rule)].name, "SR");
    EXPECT_DOUBLE_EQ(n0.length_class_m, 15.0);
    const PlanRow& n31 = first.at("node31-access");
    EXPECT_NEAR(n31.length_m, 6.06, 1e-9);
    EXPECT_EQ(rules[static_cast<std::size_t>(n31.rule)].name, "AEC");
    EXPECT_DOUBLE_EQ(n31.length_class_m, 7.0);
    const PlanRow& up = first.at("leaf.g0.r0-leaf-spine");
    EXPECT_NEAR(up.length_m, 13.32, 1e-9);
    EXPECT_EQ(rules[static_cast<std::size_t>(up.rule)].name, "SR");
}

TEST(ReachRules, DefaultTableByLengthAndSpeed) {
    const CableRules r = default_cable_rules();
    auto name = [&](double gbps, double m) { return r.rules[static_cast<std::size_t>(r.choose(gbps, m))].name; };
    EXPECT_EQ(name(800, 2.0), "DAC-800G");
    EXPECT_EQ(name(800, 2.5), "ACC"); // 800G DAC stops at 2 m (MCP4Y10)
    EXPECT_EQ(name(400, 3.0), "DAC");
    EXPECT_EQ(name(400, 4.5), "ACC");
    EXPECT_EQ(name(400, 6.5), "AEC");
    EXPECT_EQ(name(200, 40.0), "AOC");
    EXPECT_EQ(name(400, 40.0), "SR");
    EXPECT_EQ(name(400, 120.0), "DR");
    EXPECT_EQ(name(400, 1500.0), "FR");
    EXPECT_EQ(r.choose(400, 2500.0), -1);
    EXPECT_DOUBLE_EQ(length_class_m(10.68), 15.0);
    EXPECT_DOUBLE_EQ(length_class_m(0.2), 0.5);
}

TEST(FloorplanErrors, RackPositionGivenTwice) {
    EXPECT_INPUT_ERROR(layout_of(superpod(1, R"({"racks": [
        {"rack": "compute.0", "hall": 0, "row": 5, "position": 0},
        {"rack": "compute.1", "hall": 0, "row": 5, "position": 0}]})")),
                       "/floorplan/racks/1", "hall 0 row 5 position 0 is given to two racks: compute.0 and compute.1");
    // Onto a derived rack's position (compute.3 stands at row 1, position 3).
    EXPECT_INPUT_ERROR(
        layout_of(superpod(1, R"({"racks": [{"rack": "compute.0", "hall": 0, "row": 1, "position": 3}]})")),
        "/floorplan/racks/0", "is given to two racks");
}

TEST(FloorplanErrors, UnknownRack) {
    EXPECT_INPUT_ERROR(
        layout_of(superpod(1, R"({"racks": [{"rack": "compute.99", "hall": 0, "row": 9, "position": 0}]})")),
        "/floorplan/racks/0/rack", "no rack named \"compute.99\"");
}

// The spine rack moved to hall 3 with 1 km between halls: over 3 km of cable, beyond FR's 2 km.
TEST(FloorplanErrors, CableLongerThanAnyTypeAllows) {
    auto in = load(
        superpod(1, R"({"hall_gap_m": 1000, "racks": [{"rack": "spine.h0.0", "hall": 3, "row": 0, "position": 0}]})"));
    const Layout l = make_layout(in.cluster, in.floorplan);
    EXPECT_INPUT_ERROR(walk_plan(in.cluster, l, [](const PlanRow&) {}), "/floorplan",
                       "longer than any cable type allows (2000 m at most at that speed)");
    // Copper only: the 10.68 m access cable of node 0 has no rule.
    auto in2 =
        load(superpod(1, R"({"cable_rules": [{"name": "DAC", "type": "DAC", "max_length_m": 3, "source": "x"}]})"));
    const Layout l2 = make_layout(in2.cluster, in2.floorplan);
    EXPECT_INPUT_ERROR(build_bom(in2.cluster, l2), "/floorplan/cable_rules",
                       "longer than any cable type allows (3 m at most at that speed)");
}

TEST(FloorplanErrors, BadKeys) {
    EXPECT_INPUT_ERROR(load(superpod(1, R"({"cooling": "water"})")), "/floorplan/cooling", "water");
    EXPECT_INPUT_ERROR(load(superpod(1, R"({"colour": 1})")), "/floorplan/colour", "unknown key");
    EXPECT_INPUT_ERROR(load(superpod(1, R"({"rack_pitch_m": 0})")), "/floorplan/rack_pitch_m", "");
    EXPECT_INPUT_ERROR(
        load(superpod(1, R"({"cable_rules": [{"name": "X", "type": "copper", "max_length_m": 3, "source": ""}]})")),
        "/floorplan/cable_rules/0/type", "copper");
}

} // namespace
} // namespace twin::buildout
