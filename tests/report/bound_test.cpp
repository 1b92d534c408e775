// Bound attribution in the report, on hand-built results: time per GPU by bound (a fixed key set
// that adds up to the simulated time), "bound by" the largest of all of them, the dominant bound
// of each phase, and the shares in the text report.
#include "report_test_util.hpp"
#include "twin/report/run_report.hpp"

#include <gtest/gtest.h>
#include <numeric>

namespace {

using twin::report::build_report;
using twin::report::format_text;
using twin::report::PhaseStats;
using twin::test::blank_result;
using twin::test::report_scenario;

double total(const std::map<std::string, double>& m) {
    return std::accumulate(m.begin(), m.end(), 0.0, [](double a, const auto& kv) { return a + kv.second; });
}

// The line of `text` that starts with `prefix` ("" when none).
std::string line_of(const std::string& text, const std::string& prefix) {
    const auto at = text.find("\n" + prefix);
    if (at == std::string::npos) {
        return "";
    }
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

// A 4-stage pipeline step of 1 s on 8 GPUs: each GPU computes 0.35 s at full clock, its stage's
// transfers take 0.05 s of scale-up time, and it waits 0.6 s in the bubble (8 x 1 s = 8 GPU-s:
// 2.8 compute + 0.4 scale-up + 4.8 bubble). Compute is the largest *activity*, but the bubble is
// larger: the report must say "bubble".
TEST(Bounds, BubbleLargerThanComputeIsTheBound) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.0);
    r.bound_gpu_s = {{"compute", 2.8}, {"scale-up", 0.4}, {"bubble", 4.8}};
    r.phases.push_back(PhaseStats{"fwd", "compute", 8, 8, 2.8, 0.0, {{"compute", 2.8}}});
    r.phases.push_back(PhaseStats{"act", "send", 32, 8, 5.2, 8e9, {{"bubble", 4.8}, {"scale-up", 0.4}}});
    const auto rep = build_report(s, r);
    EXPECT_EQ(rep.bound_by, "bubble");
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("bubble"), 0.6);    // 4.8 / 8
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("compute"), 0.35);  // 2.8 / 8
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("scale-up"), 0.05); // 0.4 / 8
    EXPECT_NEAR(total(rep.time_per_gpu_by_bound_s), rep.simulated_time_s, 1e-12);
    // Every key of the fixed set, zero when the run had none of it.
    ASSERT_EQ(rep.time_per_gpu_by_bound_s.size(), twin::report::kBoundKeys.size());
    EXPECT_EQ(rep.time_per_gpu_by_bound_s.at("throttling"), 0.0);
    EXPECT_EQ(rep.time_per_gpu_by_bound_s.at("waiting"), 0.0);
    // Phases, longest first: "act" (5.2 GPU-s) is held up by the bubble, 0.6 s per rank.
    ASSERT_EQ(rep.phases.size(), 2U);
    EXPECT_EQ(rep.phases[0].name, "act");
    EXPECT_EQ(rep.phases[0].time_per_rank_by_bound_s,
              (std::map<std::string, double>{{"bubble", 0.6}, {"scale-up", 0.05}}));
    const auto j = twin::report::to_json(rep);
    EXPECT_EQ(j["bound_by"], "bubble");
    EXPECT_EQ(j["phases"][0]["time_per_rank_by_bound_s"]["bubble"], 0.6);
    EXPECT_EQ(j["time_per_gpu_by_bound_s"]["waiting"], 0.0);
    const auto text = format_text(rep);
    EXPECT_NE(text.find("  bound by               bubble\n"), std::string::npos) << text;
    EXPECT_NE(
        text.find(
            "  time per GPU by bound:  bubble 600 ms (60.0 %)  compute 350 ms (35.0 %)  scale-up 50 ms (5.0 %)\n"),
        std::string::npos)
        << text;
    // The phase table names what held each phase up.
    const auto act = line_of(text, "    act ");
    EXPECT_TRUE(act.ends_with(" x4            650 ms     954 MiB  bubble")) << act;
    EXPECT_TRUE(line_of(text, "    fwd ").ends_with(" x1            350 ms              compute")) << text;
}

// An all-reduce step limited by the leaf-spine tier: of 2 s per GPU, 0.5 s compute, 1.2 s exposed
// communication whose bottleneck was leaf-spine, 0.1 s latency and 0.2 s waiting for the last
// member to arrive (16 GPU-s in all).
TEST(Bounds, TierBoundAllReduce) {
    const auto s = report_scenario();
    auto r = blank_result(s, 2.0);
    r.bound_gpu_s = {{"compute", 4.0}, {"leaf-spine", 9.6}, {"latency", 0.8}, {"waiting", 1.6}};
    r.phases.push_back(
        PhaseStats{"grad", "all_reduce", 8, 8, 11.2, 8e9, {{"leaf-spine", 9.6}, {"waiting", 1.6}, {"latency", 0.0}}});
    const auto rep = build_report(s, r);
    EXPECT_EQ(rep.bound_by, "leaf-spine");
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("leaf-spine"), 1.2);
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("waiting"), 0.2);
    EXPECT_NEAR(total(rep.time_per_gpu_by_bound_s), 2.0, 1e-12);
    // Only the bounds with time are listed per phase.
    EXPECT_EQ(rep.phases[0].time_per_rank_by_bound_s,
              (std::map<std::string, double>{{"leaf-spine", 1.2}, {"waiting", 0.2}}));
    const auto text = format_text(rep);
    EXPECT_NE(text.find("  bound by               leaf-spine\n"), std::string::npos) << text;
    EXPECT_NE(text.find("leaf-spine 1.2 s (60.0 %)  compute 500 ms (25.0 %)  waiting 200 ms (10.0 %)  latency 100 ms "
                        "(5.0 %)"),
              std::string::npos)
        << text;
    EXPECT_TRUE(line_of(text, "    grad ").ends_with("  leaf-spine")) << text; // the phase's column
}

// A throttled run: a power cap slows compute, 1 s per GPU: 0.6 s compute at full clock, 0.3 s lost
// to throttling, 0.1 s scale-up. The share of throttling is reported; compute remains the bound.
TEST(Bounds, ThrottlingHasItsShare) {
    const auto s = report_scenario();
    auto r = blank_result(s, 1.0);
    r.bound_gpu_s = {{"compute", 4.8}, {"throttling", 2.4}, {"scale-up", 0.8}};
    r.phases.push_back(PhaseStats{"fwd", "compute", 8, 8, 7.2, 0.0, {{"compute", 4.8}, {"throttling", 2.4}}});
    const auto rep = build_report(s, r);
    EXPECT_EQ(rep.bound_by, "compute");
    EXPECT_DOUBLE_EQ(rep.time_per_gpu_by_bound_s.at("throttling"), 0.3);
    EXPECT_EQ(twin::report::to_json(rep)["time_per_gpu_by_bound_s"]["throttling"], 0.3);
    const auto text = format_text(rep);
    EXPECT_NE(text.find("compute 600 ms (60.0 %)  throttling 300 ms (30.0 %)  scale-up 100 ms (10.0 %)"),
              std::string::npos)
        << text;
}

// Nothing attributed (an empty run): "idle", every key 0, phases without a bound column.
TEST(Bounds, NothingAttributedIsIdle) {
    const auto s = report_scenario();
    const auto rep = build_report(s, blank_result(s, 0.0));
    EXPECT_EQ(rep.bound_by, "idle");
    EXPECT_EQ(total(rep.time_per_gpu_by_bound_s), 0.0);
    EXPECT_EQ(format_text(rep).find("held up by"), std::string::npos);
}

} // namespace
