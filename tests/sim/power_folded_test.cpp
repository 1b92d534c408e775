// Power accounting of folded ranks (sim/src/power_classes.hpp, power_folded.cpp): the equivalent
// domains a folded rank updates through their representative give, domain by domain, what
// reporting every GPU on its own gives.
//
// Cluster: 8 T1 nodes (sim_test_util.hpp: 1 GPU, idle 50 W, max 500 W; 1 NIC, 10 W; 100 W other),
// one node per rack, 2 racks per row and per CDU, 2 rows per hall: racks 0..7, rows 0..3, halls
// 0..1, CDUs 0..3, and a star fabric of one switch (100 W, counted in hall 0). Each rack holds
// 160 W static. Rank 0 stands for GPUs {0, 2, 4, 6}, rank 1 for {1, 3, 5, 7}: racks {0, 2, 4, 6}
// and {1, 3, 5, 7} form two classes, the four rows one and the four CDUs one; the halls stay apart
// (the switch's power is in hall 0).
#include "power_accounting.hpp"
#include "power_classes.hpp"
#include "sim_test_util.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace {

using twin::sim::GpuState;
using twin::sim::PowerAccounting;

twin::models::Scenario scenario(const std::string& rack_capacity) {
    std::string text = twin::test::star_scenario(
        8, R"({"schema_version": 1, "name": "p", "ranks": 8, "groups": {"all": {}}, "classes": [{"name": "w",
              "ranks": "all", "program": [{"op": "compute", "flops": "1TFLOP"}]}]})");
    const std::string topology = R"("topology": {)";
    text.insert(text.find(topology) + topology.size(), R"("racks": {"nodes_per_rack": 1}, )");
    text = text.substr(0, text.rfind('}')) + R"(, "facility": {"layout": {"racks_per_row": 2, "rows_per_hall": 2},
        "cooling": {"type": "air", "rack_capacity": ")" +
           rack_capacity + R"("}}})";
    return twin::models::parse_scenario(text, "test.json", ".");
}

// What the engine reports, in simulated-time order (ties in the order given).
struct Event {
    double t;
    int rank;
    int what; // 0 idle, 1 compute clock, 2 compute (full), 3 compute (half), 4 communicate
};

// One rank's activity, starting `shift` late: a compute op, a second one at 1 s (throttled when
// its rack's heat just before exceeds the capacity), communication at 2 s, idle at 3 s.
void add_rank(std::vector<Event>& events, int rank, double shift) {
    for (const Event& e : std::vector<Event>{{0.0, rank, 0},
                                             {shift, rank, 1},
                                             {shift, rank, 2},
                                             {1.0 + shift, rank, 1},
                                             {1.0 + shift, rank, 3},
                                             {2.0 + shift, rank, 4},
                                             {3.0 + shift, rank, 0}}) {
        events.push_back(e);
    }
}

twin::sim::PowerResult play(PowerAccounting& acc, std::vector<Event> events) {
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    for (const auto& e : events) {
        switch (e.what) {
        case 0:
            acc.state_changed(e.rank, e.t, GpuState::Idle, 0.0);
            break;
        case 1:
            (void)acc.compute_speed(e.rank, e.t);
            break;
        case 4:
            acc.state_changed(e.rank, e.t, GpuState::Communicate, 0.0);
            break;
        default:
            acc.state_changed(e.rank, e.t, GpuState::Compute, e.what == 2 ? 1.0 : 0.5);
        }
    }
    acc.finished(4.0);
    return acc.result();
}

void expect_same_domains(const std::vector<twin::sim::DomainPower>& a, const std::vector<twin::sim::DomainPower>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_DOUBLE_EQ(a[i].it.peak_w, b[i].it.peak_w) << i;
        EXPECT_DOUBLE_EQ(a[i].it.min_w, b[i].it.min_w) << i;
        EXPECT_DOUBLE_EQ(a[i].it.mean_w, b[i].it.mean_w) << i;
    }
}

void expect_same(const twin::sim::PowerResult& a, const twin::sim::PowerResult& b) {
    EXPECT_DOUBLE_EQ(a.it.peak_w, b.it.peak_w);
    EXPECT_DOUBLE_EQ(a.it.min_w, b.it.min_w);
    EXPECT_DOUBLE_EQ(a.it_energy_j, b.it_energy_j);
    EXPECT_DOUBLE_EQ(a.fastest_ramp_w_per_s, b.fastest_ramp_w_per_s);
    expect_same_domains(a.racks, b.racks);
    expect_same_domains(a.rows, b.rows);
    expect_same_domains(a.halls, b.halls);
    expect_same_domains(a.cdus, b.cdus);
    ASSERT_EQ(a.throttles.size(), b.throttles.size());
    for (std::size_t i = 0; i < a.throttles.size(); ++i) {
        EXPECT_EQ(a.throttles[i].domain, b.throttles[i].domain) << i;
        EXPECT_EQ(a.throttles[i].id, b.throttles[i].id) << i;
        EXPECT_DOUBLE_EQ(a.throttles[i].time_s, b.throttles[i].time_s) << i;
        EXPECT_DOUBLE_EQ(a.throttles[i].heat_w, b.throttles[i].heat_w) << i;
    }
    ASSERT_EQ(a.violations.size(), b.violations.size());
    for (std::size_t i = 0; i < a.violations.size(); ++i) {
        EXPECT_EQ(a.violations[i].kind, b.violations[i].kind) << i;
        EXPECT_EQ(a.violations[i].id, b.violations[i].id) << i;
    }
}

// Folded: ranks 0 and 1 stand for the even and odd GPUs (rank 1 starts 0.25 s late); `alone`
// (7 or -1) is a GPU left out of rank 1's images and simulated on its own, 0.5 s late.
twin::sim::PowerResult folded(const twin::models::Scenario& s, int alone) {
    PowerAccounting acc(s.cluster, s.facility);
    acc.stands_for(0, {0, 2, 4, 6});
    acc.stands_for(1, alone == 7 ? std::vector<int>{1, 3, 5} : std::vector<int>{1, 3, 5, 7});
    std::vector<Event> events;
    add_rank(events, 0, 0.0);
    add_rank(events, 1, 0.25);
    if (alone >= 0) {
        add_rank(events, alone, 0.5);
    }
    return play(acc, events);
}

// Every GPU on its own, with its stand-in's activity.
twin::sim::PowerResult one_by_one(const twin::models::Scenario& s, int alone) {
    PowerAccounting acc(s.cluster, s.facility);
    std::vector<Event> events;
    for (int g : {0, 2, 4, 6}) {
        add_rank(events, g, 0.0);
    }
    for (int g : {1, 3, 5, 7}) {
        add_rank(events, g, g == alone ? 0.5 : 0.25);
    }
    return play(acc, events);
}

TEST(PowerFolded, EquivalentDomainsByHand) {
    using twin::sim::DomainShare;
    using twin::sim::DomainStart;
    // Five domains; folded rank 0 puts 1 GPU in 0, 1, 2 and 3, rank 1 puts 2 GPUs in 0 and 2 and 1
    // in 1 and 3. Domains 0 and 2 match, 1 and 3 match; 4 (no GPU) is alone by its start; 3 is
    // kept alone when asked.
    std::vector<DomainStart> starts(5);
    starts[4].w = 7.0;
    const std::vector<std::vector<DomainShare>> shares{{{0, 1}, {1, 1}, {2, 1}, {3, 1}},
                                                       {{0, 2}, {1, 1}, {2, 2}, {3, 1}}};
    EXPECT_EQ(twin::sim::classify_domains(starts, shares, {0, 0, 0, 0, 0}), (std::vector<std::int32_t>{0, 1, 0, 1, 4}));
    EXPECT_EQ(twin::sim::classify_domains(starts, shares, {0, 0, 0, 1, 0}), (std::vector<std::int32_t>{0, 1, 0, 3, 4}));
    // A different limit or a different order of one rank's counts splits a class.
    auto limited = starts;
    limited[2].limit[1] = 100.0;
    EXPECT_EQ(twin::sim::classify_domains(limited, shares, {0, 0, 0, 0, 0}),
              (std::vector<std::int32_t>{0, 1, 2, 1, 4}));
    const std::vector<std::vector<DomainShare>> reordered{{{0, 1}, {1, 1}, {2, 1}, {3, 1}},
                                                          {{0, 2}, {0, 1}, {1, 1}, {2, 1}, {2, 2}, {3, 1}}};
    EXPECT_EQ(twin::sim::classify_domains(starts, reordered, {0, 0, 0, 0, 0}),
              (std::vector<std::int32_t>{0, 1, 2, 1, 4}));
}

// No throttling (rack capacity far above the 660 W a busy rack draws).
TEST(PowerFolded, FoldedRanksGiveEveryDomainItsOwnFigures) {
    const auto s = scenario("10kW");
    expect_same(folded(s, -1), one_by_one(s, -1));
    // A busy rack draws 160 + 450 = 610 W at full clock: its peak is that.
    EXPECT_DOUBLE_EQ(folded(s, -1).racks.at(6).it.peak_w, 610.0);
}

// 400 W of rack cooling: each rack's heat passes it during its first op (610 W), so every rack
// throttles at its second op, the even racks at 1 s and the odd ones at 1.25 s, each logging its
// own event in the order one-by-one accounting logs them.
TEST(PowerFolded, ThrottlingLogsEveryMemberOfAClass) {
    const auto s = scenario("400W");
    const auto a = folded(s, -1);
    expect_same(a, one_by_one(s, -1));
    ASSERT_EQ(a.throttles.size(), 8U);
    EXPECT_EQ(a.throttles[0].id, 0);
    EXPECT_EQ(a.throttles[1].id, 2);
    EXPECT_DOUBLE_EQ(a.throttles[3].time_s, 1.0);
    EXPECT_DOUBLE_EQ(a.throttles[4].time_s, 1.25);
    EXPECT_EQ(a.throttles[7].id, 7);
}

// GPU 7 simulated on its own (a straggler's block): its rack, row, hall and CDU stay alone, the
// others keep their classes, and the figures still match.
TEST(PowerFolded, AGpuOnItsOwnKeepsItsDomainsAlone) {
    for (const char* capacity : {"10kW", "400W"}) {
        const auto s = scenario(capacity);
        expect_same(folded(s, 7), one_by_one(s, 7));
    }
}

} // namespace
