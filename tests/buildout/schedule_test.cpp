// Bring-up schedule: hall ready dates, the critical path and what to pre-stage, by hand.
#include "buildout_test_util.hpp"
#include "twin/buildout/schedule.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>

namespace twin::buildout {
namespace {

const char* const kInput = R"({"schema_version": 1, "start_date": "2027-01-04",
  "lead_times_days": {"rack": 30, "server": 90, "NIC": 60, "switch": 120, "PDU": 30, "cable": 45, "transceiver": 60},
  "install": {"racks_per_day": 5, "cables_per_crew_day": 100, "crews": 2, "commissioning_days": 7}})";

// One SU, derived layout, one hall: 10 racks, 512 cables. Rack phase waits for the switches (day
// 120, the longest lead of rack, server, NIC, switch, PDU), lasts ceil(10 / 5) = 2 days: 120-122.
// Cabling: cables (45) and transceivers (60) are there; ceil(512 / (100 x 2)) = 3 days: 122-125.
// Ready 125 + 7 = day 132 = 2027-01-04 + 132 days = 2027-05-16. Pre-stage: the 12 switches.
TEST(Schedule, OneSuByHand) {
    auto in = testing::load(testing::superpod(1));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    const ScheduleInput si = parse_schedule_input(kInput, "schedule.json");
    const Schedule s = make_schedule(bom, layout, si);
    ASSERT_EQ(s.halls.size(), 1U);
    const HallSchedule& h = s.halls[0];
    EXPECT_EQ(h.racks, 10);
    EXPECT_EQ(h.cables, 512);
    EXPECT_DOUBLE_EQ(h.rack_start, 120.0);
    EXPECT_EQ(h.rack_bound, "arrival of switch (day 120)");
    EXPECT_DOUBLE_EQ(h.rack_end, 122.0);
    EXPECT_DOUBLE_EQ(h.cable_start, 122.0);
    EXPECT_DOUBLE_EQ(h.cable_end, 125.0);
    EXPECT_DOUBLE_EQ(h.ready, 132.0);
    EXPECT_EQ(date_after(si, h.ready), "2027-05-16");
    ASSERT_EQ(s.critical_path.size(), 3U);
    EXPECT_EQ(s.critical_path[0], "hall 0 racks days 120-122 (after arrival of switch (day 120))");
    EXPECT_EQ(s.prestage.at("switch"), 12);
    EXPECT_EQ(s.prestage.size(), 1U);
}

TEST(Schedule, MissingLeadTimeAndBadDate) {
    auto in = testing::load(testing::superpod(1));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    std::string text = kInput;
    text.replace(text.find(R"("switch": 120, )"), 15, "");
    const ScheduleInput si = parse_schedule_input(text, "test.json");
    EXPECT_INPUT_ERROR(make_schedule(bom, layout, si), "/lead_times_days/switch", "no lead time for \"switch\"");
    std::string bad = kInput;
    bad.replace(bad.find("2027-01-04"), 10, "2027-02-30");
    EXPECT_INPUT_ERROR(parse_schedule_input(bad, "test.json"), "/start_date", "YYYY-MM-DD");
}

} // namespace
} // namespace twin::buildout
