// The timeline writer (report/src/timeline.cpp) on hand-built run results: the file is a valid
// Chrome trace, the slices land on the tracks the rule in twin/report/timeline.hpp gives, and the
// counters carry the series.
#include "timeline_check.hpp"
#include "twin/report/timeline.hpp"
#include "twin/sim/results.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdexcept>

namespace twin {
namespace {

constexpr double kUs = 1e-6;

models::Scenario two_rank_scenario() {
    models::Scenario s;
    s.file = "/some/folder/tiny.json";
    s.name = "tiny";
    s.seed = 7;
    s.trace.ranks = 2;
    s.trace.classes.push_back(models::RankClass{"stage0", {0, 1}, {}});
    s.trace.class_of_rank = {0, 0};
    return s;
}

// Two ranks. Rank 0 runs fwd [0, 10] us, arrives at the all-reduce grad_sync at 10 us, which
// starts when rank 1 arrives at 12 us and ends at 30 us; meanwhile rank 0 computes bwd [10, 25] us
// and sends pp_send [15, 20] us. Rank 1 runs fwd [0, 12] us, then grad_sync [12, 30] us.
sim::RunResult two_rank_run() {
    sim::RunResult r;
    r.simulated_time_s = 30 * kUs;
    r.ranks = 2;
    auto& t = r.timeline;
    t.ops = {{"fwd", "compute", "", 0.0, 0},
             {"grad_sync", "all_reduce", "ring/simple", 1048576.0, 2},
             {"bwd", "compute", "", 0.0, 0},
             {"pp_send", "send", "", 65536.0, 0}};
    t.ranks = {0, 1};
    // By end time, then rank (as the engine records them).
    t.slices = {{0, 0, 0.0, 0.0, 10 * kUs},           {1, 0, 0.0, 0.0, 12 * kUs},
                {0, 3, 15 * kUs, 15 * kUs, 20 * kUs}, {0, 2, 10 * kUs, 10 * kUs, 25 * kUs},
                {0, 1, 10 * kUs, 12 * kUs, 30 * kUs}, {1, 1, 12 * kUs, 12 * kUs, 30 * kUs}};
    r.series.bin_s = 10 * kUs;
    r.series.bins = 3;
    r.series.tiers.push_back(sim::TierSeries{"scale-up", -1, 1e12, {0.1, 0.5, 0.25}, {0.2, 1.0, 0.5}});
    // Leaf group 1's part of the access tier: a counter of its own.
    r.series.pod_kind = "leaf group";
    r.series.tiers.push_back(sim::TierSeries{"access", 1, 1e11, {0.0, 0.3, 0.0}, {0.0, 0.6, 0.0}});
    r.series.classes.push_back(sim::ClassSeries{"stage0", 2, {1.0, 0.6, 0.0}, {0.0, 0.4, 1.0}, {0.0, 0.0, 0.0}});
    r.power.facility_slope = 1.2;
    r.power.facility_fixed_w = 1e5;
    r.power.bin_s = 15 * kUs;
    r.power.series = {{0.0, 1e6, 0.9e6, 1.1e6}, {15 * kUs, 0.5e6, 0.5e6, 0.5e6}};
    return r;
}

struct Slice {
    int tid;
    std::string name;
    std::int64_t ts_ns;
    std::int64_t dur_ns;
    bool operator==(const Slice&) const = default;
};

std::vector<Slice> slices_of(const nlohmann::json& j) {
    std::vector<Slice> out;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "X") {
            out.push_back(Slice{e["tid"], e["name"], test::trace_ns(e["ts"]), test::trace_ns(e["dur"])});
        }
    }
    return out;
}

std::map<int, std::string> thread_names(const nlohmann::json& j) {
    std::map<int, std::string> out;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name") {
            out[e["tid"]] = e["args"]["name"];
        }
    }
    return out;
}

TEST(Timeline, HandBuiltRunGivesTheDerivedTracksAndSlices) {
    const auto text = report::timeline_json(two_rank_scenario(), two_rank_run());
    const auto j = test::expect_valid_trace(text);
    ASSERT_FALSE(j.is_null());
    // Tracks by rank, compute before communication. Rank 0's comm track holds grad_sync from its
    // arrival (10 us) to 30 us; pp_send [15, 20] us arrives while it is busy, so it gets a second
    // comm track. bwd overlaps grad_sync but is compute: rank 0's first track, after fwd.
    EXPECT_EQ(thread_names(j), (std::map<int, std::string>{{1, "rank 0 (stage0)"},
                                                           {2, "rank 0 comm"},
                                                           {3, "rank 0 comm 2"},
                                                           {4, "rank 1 (stage0)"},
                                                           {5, "rank 1 comm"}}));
    const std::string ar = "grad_sync (1 MiB, ring/simple)";
    // Rank 0 waits 12 - 10 = 2 us at the rendezvous: "wait: ..." [10, 12] us, then the op
    // [12, 30] us. Rank 1 arrives last (12 us): no wait slice.
    EXPECT_EQ(slices_of(j), (std::vector<Slice>{{1, "fwd", 0, 10'000},
                                                {1, "bwd", 10'000, 15'000},
                                                {2, "wait: " + ar, 10'000, 2'000},
                                                {2, ar, 12'000, 18'000},
                                                {3, "pp_send (64 KiB)", 15'000, 5'000},
                                                {4, "fwd", 0, 12'000},
                                                {5, ar, 12'000, 18'000}}));
    // The exact text of one slice: ts/dur in us with 3 decimals, args for a collective.
    EXPECT_NE(text.find(R"x({"ph":"X","name":"grad_sync (1 MiB, ring/simple)","pid":1,"tid":2,"cat":"communication",)x"
                        R"x("ts":12.000,"dur":18.000,"args":{"kind":"all_reduce","bytes":1048576,)x"
                        R"x("algorithm":"ring/simple","members":2,"wait_us":2.000}})x"),
              std::string::npos)
        << text;
    EXPECT_EQ(j["otherData"]["scenario"], "tiny");
    EXPECT_EQ(j["otherData"]["file"], "tiny.json"); // no folder: the file is the same on every machine
    EXPECT_EQ(j["otherData"]["seed"], 7);
    EXPECT_EQ(j["otherData"]["ranks_recorded"], 2);
    EXPECT_EQ(j["otherData"]["truncated"], false);
}

TEST(Timeline, CountersCarryTheSeriesAndPowerInMegawatts) {
    const auto j = test::expect_valid_trace(report::timeline_json(two_rank_scenario(), two_rank_run()));
    ASSERT_FALSE(j.is_null());
    std::map<std::string, std::vector<std::pair<std::int64_t, nlohmann::json>>> counters;
    std::map<int, std::string> processes;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "C") {
            counters[std::to_string(e["pid"].get<int>()) + " " + e["name"].get<std::string>()].emplace_back(
                test::trace_ns(e["ts"]), e["args"]);
        }
        if (e["ph"] == "M" && e["name"] == "process_name") {
            processes[e["pid"]] = e["args"]["name"];
        }
    }
    EXPECT_EQ(processes, (std::map<int, std::string>{{1, "ranks"}, {2, "fabric"}, {3, "power"}}));
    ASSERT_EQ(counters.size(), 5u);
    EXPECT_EQ(counters["2 access utilisation, leaf group 1"].size(), 3u);
    // One sample per 10 us bin, at its start.
    const auto& tier = counters["2 scale-up utilisation"];
    ASSERT_EQ(tier.size(), 3u);
    EXPECT_EQ(tier[1].first, 10'000);
    EXPECT_DOUBLE_EQ(tier[1].second["mean"], 0.5);
    EXPECT_DOUBLE_EQ(tier[1].second["max"], 1.0);
    const auto& activity = counters["1 stage0 activity"];
    ASSERT_EQ(activity.size(), 3u);
    EXPECT_DOUBLE_EQ(activity[1].second["communication"], 0.4);
    // IT 1 MW (0.9 .. 1.1) in the first bin; facility = 1.2 x IT + 0.1 MW = 1.3 MW (1.18 .. 1.42).
    const auto& it = counters["3 IT power (MW)"];
    const auto& facility = counters["3 facility power (MW)"];
    ASSERT_EQ(it.size(), 2u);
    ASSERT_EQ(facility.size(), 2u);
    EXPECT_EQ(it[1].first, 15'000);
    EXPECT_DOUBLE_EQ(it[0].second["mean"], 1.0);
    EXPECT_DOUBLE_EQ(facility[0].second["mean"], 1.3);
    EXPECT_DOUBLE_EQ(facility[0].second["min"], 1.18);
    EXPECT_DOUBLE_EQ(facility[0].second["max"], 1.42);
    EXPECT_DOUBLE_EQ(facility[1].second["mean"], 0.7);
}

TEST(Timeline, SameRunGivesTheSameBytes) {
    EXPECT_EQ(report::timeline_json(two_rank_scenario(), two_rank_run()),
              report::timeline_json(two_rank_scenario(), two_rank_run()));
}

TEST(Timeline, RecordedRankWithoutOpsStillHasItsTrackAndNoSeriesMeansNoCounters) {
    sim::RunResult r;
    r.ranks = 2;
    r.timeline.ranks = {0, 1};
    r.timeline.truncated = true;
    const auto j = test::expect_valid_trace(report::timeline_json(two_rank_scenario(), r));
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(thread_names(j), (std::map<int, std::string>{{1, "rank 0 (stage0)"}, {2, "rank 1 (stage0)"}}));
    for (const auto& e : j["traceEvents"]) {
        EXPECT_EQ(e["ph"], "M");
    }
    EXPECT_EQ(j["otherData"]["truncated"], true);
}

TEST(Timeline, NamesWithQuotesAndControlCharactersSurvive) {
    auto s = two_rank_scenario();
    s.name = "a \"quoted\"\\name";
    s.trace.classes[0].name = "stage\t0";
    auto r = two_rank_run();
    r.timeline.ops[0].name = "fwd \"x\"\n\x01";
    const auto j = test::expect_valid_trace(report::timeline_json(s, r));
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(j["otherData"]["scenario"], s.name);
    EXPECT_EQ(thread_names(j)[1], "rank 0 (stage\t0)");
    EXPECT_EQ(slices_of(j)[0].name, r.timeline.ops[0].name);
}

// Three compute ops in flight at once on one rank (a trace with independent ops): first-fit by
// arrival puts them on three compute tracks, each track's slices disjoint.
TEST(Timeline, OverlappingOpsOfOneSortGetTheFewestTracks) {
    sim::RunResult r;
    r.ranks = 1;
    r.timeline.ops = {{"a", "compute", "", 0.0, 0}};
    r.timeline.ranks = {0};
    // [0, 10], [2, 5], [4, 8], [6, 9] us: at 4 us three run; [6, 9] reuses the track [2, 5] freed.
    r.timeline.slices = {{0, 0, 2 * kUs, 2 * kUs, 5 * kUs},
                         {0, 0, 4 * kUs, 4 * kUs, 8 * kUs},
                         {0, 0, 6 * kUs, 6 * kUs, 9 * kUs},
                         {0, 0, 0.0, 0.0, 10 * kUs}};
    const auto j = test::expect_valid_trace(report::timeline_json(two_rank_scenario(), r));
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(thread_names(j),
              (std::map<int, std::string>{{1, "rank 0 (stage0)"}, {2, "rank 0 compute 2"}, {3, "rank 0 compute 3"}}));
    EXPECT_EQ(slices_of(j),
              (std::vector<Slice>{
                  {1, "a", 0, 10'000}, {2, "a", 2'000, 3'000}, {2, "a", 6'000, 3'000}, {3, "a", 4'000, 4'000}}));
}

// Slice times are rounded once to the 0.125 us grid, so adjacent slices still meet exactly (no
// overlap from rounding ts and dur separately), also when added up in doubles.
TEST(Timeline, AdjacentSlicesMeetExactlyAfterRounding) {
    sim::RunResult r;
    r.ranks = 1;
    r.timeline.ops = {{"a", "compute", "", 0.0, 0}};
    r.timeline.ranks = {0};
    const double t1 = 1000.06e-6; // 8000.48 grid steps: rounds to 1000.000 us
    const double t2 = 2000.07e-6; // 16000.56 steps: rounds to 2000.125 us (dur 1000.01 would round to 1000.000)
    r.timeline.slices = {{0, 0, 0.0, 0.05e-6, t1}, {0, 0, t1, t1, t2}};
    const auto text = report::timeline_json(two_rank_scenario(), r);
    const auto j = test::expect_valid_trace(text);
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(slices_of(j), (std::vector<Slice>{{1, "a", 0, 1'000'000}, {1, "a", 1'000'000, 1'000'125}}));
    EXPECT_NE(text.find(R"("ts":1000.000,"dur":1000.125,)"), std::string::npos) << text;
}

// The grid's reason: at ns resolution, 1.000 + 1.014 = 2.0140000000000002 in doubles, past a slice
// starting at 2.014, which the check reads as an overlap the way speedscope does.
TEST(Timeline, NsResolutionWouldOverlapInDoubles) {
    EXPECT_GT(1.000 + 1.014, 2.014);
    EXPECT_NONFATAL_FAILURE(
        test::expect_valid_trace(
            R"({"displayTimeUnit":"ns","traceEvents":[{"ph":"M","name":"process_name","pid":1,"tid":0,"args":{"name":"p"}},)"
            R"({"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"t"}},)"
            R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":1.000,"dur":1.014},)"
            R"({"ph":"X","name":"b","pid":1,"tid":1,"ts":2.014,"dur":1.000}]})"),
        "speedscope");
}

TEST(Timeline, InconsistentSliceIsAProgrammerError) {
    auto r = two_rank_run();
    r.timeline.slices[0].start_s = 20 * kUs; // after its end
    EXPECT_THROW((void)report::timeline_json(two_rank_scenario(), r), std::logic_error);
    r = two_rank_run();
    r.timeline.slices[0].op = 99;
    EXPECT_THROW((void)report::timeline_json(two_rank_scenario(), r), std::logic_error);
}

// A large timeline stays a few hundred bytes a slice (2M slices: well under a GB).
TEST(Timeline, SizeGrowsLinearlyWithSlices) {
    sim::RunResult r;
    r.ranks = 64;
    r.timeline.ops = {{"layer_forward", "compute", "", 0.0, 0},
                      {"tp_all_reduce", "all_reduce", "ring/simple", 16777216.0, 8}};
    for (int rank = 0; rank < 64; ++rank) {
        r.timeline.ranks.push_back(rank);
    }
    const int per_rank = 1000;
    for (int rank = 0; rank < 64; ++rank) {
        for (int i = 0; i < per_rank; ++i) {
            const double t0 = i * 10 * kUs;
            r.timeline.slices.push_back({rank, 0, t0, t0, t0 + 6 * kUs});
            r.timeline.slices.push_back({rank, 1, t0 + 6 * kUs, t0 + 7 * kUs, t0 + 10 * kUs});
        }
    }
    const auto text = report::timeline_json(two_rank_scenario(), r);
    EXPECT_LT(text.size(), 300 * r.timeline.slices.size());
    EXPECT_GT(text.size(), 100 * r.timeline.slices.size());
}

// The check itself catches what it is for (else the tests above prove nothing).
TEST(TimelineCheck, RejectsBrokenTraces) {
    const auto events = [](const std::string& list) {
        return R"({"displayTimeUnit":"ns","traceEvents":[{"ph":"M","name":"process_name","pid":1,"tid":0,"args":{"name":"p"}},)"
               R"({"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"t"}},)" +
               list + "]}";
    };
    // Fine: [0, 10] holding [2, 5], then [10, 12].
    test::expect_valid_trace(events(R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},)"
                                    R"({"ph":"X","name":"b","pid":1,"tid":1,"ts":2,"dur":3},)"
                                    R"({"ph":"X","name":"c","pid":1,"tid":1,"ts":10,"dur":2})"));
    EXPECT_NONFATAL_FAILURE(
        test::expect_valid_trace(events(R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},)"
                                        R"({"ph":"X","name":"b","pid":1,"tid":1,"ts":5,"dur":10})")),
        "without nesting");
    EXPECT_NONFATAL_FAILURE(test::expect_valid_trace(events(R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0})")), "dur");
    EXPECT_NONFATAL_FAILURE(test::expect_valid_trace(events(R"({"ph":"X","name":"a","pid":1,"tid":2,"ts":0,"dur":1})")),
                            "no thread_name");
    EXPECT_NONFATAL_FAILURE(
        test::expect_valid_trace(events(R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":-1,"dur":1})")),
        "ts (finite, >= 0)");
    EXPECT_NONFATAL_FAILURE(
        test::expect_valid_trace(events(R"({"ph":"C","name":"c","pid":1,"tid":0,"ts":2,"args":{"v":1}},)"
                                        R"({"ph":"C","name":"c","pid":1,"tid":0,"ts":1,"args":{"v":1}})")),
        "does not rise in time");
    EXPECT_NONFATAL_FAILURE(test::expect_valid_trace(events(R"({"ph":"C","name":"c","pid":1,"tid":0,"ts":2})")),
                            "args");
    EXPECT_NONFATAL_FAILURE(test::expect_valid_trace("{\"traceEvents\":["), "not JSON");
}

} // namespace
} // namespace twin
