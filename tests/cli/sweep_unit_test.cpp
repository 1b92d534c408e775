// The sweep library (twin/sweep/sweep.hpp) without running anything: grid/zip/cases expansion,
// ranges, groups, keys, shards, the CSV table, checks and merge. Expectations derived by hand.
#include "twin/sweep/sweep.hpp"
#include "twin_test/input_error.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>

namespace twin::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SweepSpecTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("clustertwin-sweep-unit-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        std::ofstream(dir_ / "base.json")
            << R"({"a": 1, "b": "x", "c": {"d": true}, "workload": {"file": "traces/t.json"},
                  "run": {"output_dir": "out"}})";
    }
    void TearDown() override { fs::remove_all(dir_); }
    SweepSpec parse(const std::string& text) const { return parse_sweep(json::parse(text), "test.json", dir_); }
    fs::path dir_;
};

TEST_F(SweepSpecTest, GridVariesTheLastAxisFastestInKeyOrder) {
    const auto cases = expand(parse(R"({"scenario": "base.json", "axes": {"/b": ["x", "y"], "/a": [1, 2, 3]}})"));
    // axes sorted by key: /a then /b; 3 x 2 = 6 cases; case i = (a index i / 2, b index i % 2)
    ASSERT_EQ(cases.size(), 6U);
    EXPECT_EQ(cases[1].scenario["a"], 1);
    EXPECT_EQ(cases[1].scenario["b"], "y");
    EXPECT_EQ(cases[4].scenario["a"], 3);
    EXPECT_EQ(cases[4].scenario["b"], "x");
    EXPECT_EQ(cases[4].values, (std::vector<json>{3, "x"}));
    EXPECT_EQ(cases[4].scenario["c"]["d"], true); // the rest of the base is kept
}

TEST_F(SweepSpecTest, RangesIncludeTheirEndAndKeepIntegers) {
    const auto f = expand(parse(R"({"scenario": "base.json", "axes": {"/a": {"from": 1, "to": 2, "step": 0.5}}})"));
    ASSERT_EQ(f.size(), 3U); // 1, 1.5, 2
    EXPECT_DOUBLE_EQ(f[1].scenario["a"].get<double>(), 1.5);
    const auto i = expand(parse(R"({"scenario": "base.json", "axes": {"/a": {"from": 2, "to": 9, "step": 3}}})"));
    ASSERT_EQ(i.size(), 3U); // 2, 5, 8 (11 > 9)
    EXPECT_TRUE(i[2].scenario["a"].is_number_integer());
    EXPECT_EQ(i[2].scenario["a"], 8);
}

TEST_F(SweepSpecTest, ZipTakesTheIthOfEachAndGroupsVaryTogether) {
    const auto z =
        expand(parse(R"({"scenario": "base.json", "mode": "zip", "axes": {"/a": [1, 2], "/b": ["x", "y"]}})"));
    ASSERT_EQ(z.size(), 2U);
    EXPECT_EQ(z[1].scenario["a"], 2);
    EXPECT_EQ(z[1].scenario["b"], "y");
    // A group and a pointer axis: "/c/d" sorts before "g", so it is the slower axis; 2 x 2 cases.
    const auto g = expand(
        parse(R"({"scenario": "base.json", "axes": {"g": {"/a": [5, 6], "/b": ["p", "q"]}, "/c/d": [true, false]}})"));
    ASSERT_EQ(g.size(), 4U);
    EXPECT_EQ(g[3].scenario["c"]["d"], false);
    EXPECT_EQ(g[3].scenario["a"], 6);
    EXPECT_EQ(g[3].scenario["b"], "q");
    EXPECT_EQ(g[2].scenario["a"], 5);
    EXPECT_EQ(g[2].scenario["b"], "p");
}

TEST_F(SweepSpecTest, CasesModeListsEachCase) {
    const auto spec =
        parse(R"({"scenario": "base.json", "mode": "cases", "cases": [{"/a": 7}, {"/b": "z", "/a": 8}]})");
    EXPECT_EQ(spec.columns, (std::vector<std::string>{"/a", "/b"}));
    const auto c = expand(spec);
    ASSERT_EQ(c.size(), 2U);
    EXPECT_EQ(c[0].values, (std::vector<json>{7, "x"})); // /b from the base
    EXPECT_EQ(c[1].values, (std::vector<json>{8, "z"}));
}

TEST_F(SweepSpecTest, KeysAreTheHashOfTheResolvedScenario) {
    EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL); // FNV-1a 64 test vectors
    EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
    const auto c = expand(parse(R"({"scenario": "base.json", "mode": "cases", "cases": [{"/a": 1}, {"/a": 2}, {}]})"));
    EXPECT_EQ(c[0].key, c[2].key); // /a = 1 is the base: the same scenario
    EXPECT_NE(c[0].key, c[1].key);
    EXPECT_EQ(c[1].key, fmt::format("{:016x}", fnv1a64(c[1].scenario.dump())));
}

TEST_F(SweepSpecTest, RunnableScenarioHasAbsoluteTracePathsAndNoOutputDir) {
    const json s = runnable_scenario(
        json::parse(R"({"workload": {"file": "traces/t.json"}, "run": {"output_dir": "o"}})"), "/data/scen");
    EXPECT_EQ(s["workload"]["file"], "/data/scen/traces/t.json");
    EXPECT_FALSE(s["run"].contains("output_dir"));
    // A serving workload's JSONL request trace too (it failed in every child run before).
    const json v = runnable_scenario(
        json::parse(R"({"workload": {"serving": {"requests": {"file": "traces/r.jsonl"}}}})"), "/data/scen");
    EXPECT_EQ(v["workload"]["serving"]["requests"]["file"], "/data/scen/traces/r.jsonl");
}

TEST_F(SweepSpecTest, BadInputNamesTheSweepFileAndPointer) {
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"/nope": [1]}})"), "/axes/~1nope",
                       "the pointer /nope does not exist in the scenario");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"/a": [1, "two"]}})"), "/axes/~1a/1",
                       "a number for /a, whose value in the scenario is a number; got a string");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"/a": []}})"), "/axes/~1a", "an empty axis");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"/a": {"from": 1, "to": 2, "step": 0}}})"),
                       "/axes/~1a/step", "a step that goes from 1 to 2");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "mode": "zip", "axes": {"/a": [1, 2], "/b": ["x"]}})"),
                       "/axes/~1b", "zip takes the i-th of each");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"g": {"/a": [1, 2], "/b": ["x"]}}})"), "/axes/g/~1b",
                       "vary together");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "mode": "cases", "cases": [{"/c/e": 1}]})"),
                       "/cases/0/~1c~1e", "does not exist");
    EXPECT_INPUT_ERROR(parse(R"({"scenario": "base.json", "axes": {"/a": [1]}, "extra": 1})"), "/extra", "unknown");
}

TEST(SweepShard, EveryCaseInExactlyOneShard) {
    std::multiset<std::size_t> seen;
    for (std::size_t s = 0; s < 3; ++s) {
        const Shard shard = parse_shard(fmt::format("{}/3", s));
        for (std::size_t i = 0; i < 10; ++i) {
            if (in_shard(i, shard)) {
                seen.insert(i);
            }
        }
    }
    ASSERT_EQ(seen.size(), 10U);
    EXPECT_EQ(std::set<std::size_t>(seen.begin(), seen.end()).size(), 10U);
    EXPECT_TRUE(in_shard(4, parse_shard("1/3"))); // 4 mod 3 = 1
    for (const char* bad : {"3/3", "0/0", "a/2", "1", "/2", "1/", "-1/2"}) {
        EXPECT_INPUT_ERROR_IN(parse_shard(bad), "command line", "--shard", "0 <= I < N");
    }
}

Table two_rows() {
    Table t;
    t.columns = {"/a"};
    Row r0{0, 2, "k0", "ok", {{"/a", "1"}}, {}, "compute", "", "cases/k0"};
    r0.metrics = {{"step_time_s", 1.03}, {"mfu", 0.25}, {"tokens_per_s", std::nullopt}};
    Row r1{1, 2, "k1", "failed", {{"/a", "x,\"y\""}}, {}, "", "bad \"thing\", here", "cases/k1"};
    t.rows = {r0, r1};
    return t;
}

TEST(SweepTable, CsvReadsBackWhatItWrote) {
    const Table t = two_rows();
    const std::string csv = to_csv(t);
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "case,cases,key,status,/a,step_time_s,tokens_per_s,mfu,facility_peak_mw,"
              "energy_per_token_j,simulated_time_s,gpus,goodput,mtbi_h,interruptions,days_to_train,"
              "campaign_energy_mwh,ttft_p99_s,tpot_p99_s,slo_attainment,bound_by,error,"
              "report");
    const Table back = table_from_csv(csv, "t.csv");
    EXPECT_EQ(to_csv(back), csv);
    EXPECT_EQ(back.rows[1].error, "bad \"thing\", here");
    EXPECT_EQ(back.rows[1].axes.at("/a"), "x,\"y\"");
    EXPECT_DOUBLE_EQ(*back.rows[0].metrics.at("mfu"), 0.25);
    EXPECT_FALSE(back.rows[0].metrics.at("tokens_per_s").has_value());
    EXPECT_INPUT_ERROR_IN(table_from_csv("x,y\n", "t.csv"), "t.csv", "line 1", "not a sweep table");
}

TEST(SweepTable, ReadsATableWrittenBeforeTheCampaignColumns) {
    // The header of a sweep.csv written before issue 19's columns: they read back empty.
    const std::string old = "case,cases,key,status,/a,step_time_s,tokens_per_s,mfu,facility_peak_mw,"
                            "energy_per_token_j,simulated_time_s,gpus,bound_by,error,report\n"
                            "0,1,k0,ok,7,1.5,,0.4,2,,1.5,8,compute,,cases/k0\n";
    const Table t = table_from_csv(old, "old.csv");
    ASSERT_EQ(t.columns, std::vector<std::string>{"/a"});
    EXPECT_EQ(t.rows[0].axes.at("/a"), "7");
    EXPECT_DOUBLE_EQ(*t.rows[0].metrics.at("gpus"), 8.0);
    EXPECT_FALSE(t.rows[0].metrics.at("goodput").has_value());
    EXPECT_EQ(t.rows[0].bound_by, "compute");
    EXPECT_INPUT_ERROR_IN(table_from_csv("case,cases,key,status,/a,step_time_s,speed,bound_by,error,report\n", "u.csv"),
                          "u.csv", "line 1", "unknown metric column \"speed\"");
}

TEST(SweepTable, CampaignAndServingFiguresBecomeColumns) {
    report::RunReport r;
    r.gpus = 16;
    r.simulated_time_s = 2.0;
    models::CampaignResult c;
    c.goodput = {0.9, 0.88, 0.92};
    c.mtbi_s = 7200.0; // 2 h
    c.interruptions = {12.0, 10.0, 14.0};
    c.energy_j = {7.2e9, 7.0e9, 7.4e9}; // 2 MWh
    c.days_for_tokens = models::Estimate{30.5, 30.0, 31.0};
    r.campaign = c;
    Row row;
    fill_metrics(row, r);
    EXPECT_DOUBLE_EQ(*row.metrics.at("goodput"), 0.9);
    EXPECT_DOUBLE_EQ(*row.metrics.at("mtbi_h"), 2.0);
    EXPECT_DOUBLE_EQ(*row.metrics.at("interruptions"), 12.0);
    EXPECT_DOUBLE_EQ(*row.metrics.at("days_to_train"), 30.5);
    EXPECT_DOUBLE_EQ(*row.metrics.at("campaign_energy_mwh"), 2.0);
    EXPECT_FALSE(row.metrics.count("ttft_p99_s") && row.metrics.at("ttft_p99_s").has_value());

    report::RunReport s;
    s.serving = report::RequestServingReport{};
    s.serving->summary.ttft_s.p99 = 0.25;
    s.serving->summary.tpot_s.p99 = 0.04;
    s.serving->summary.slo_attainment = 0.97;
    Row srow;
    fill_metrics(srow, s);
    EXPECT_DOUBLE_EQ(*srow.metrics.at("ttft_p99_s"), 0.25);
    EXPECT_DOUBLE_EQ(*srow.metrics.at("tpot_p99_s"), 0.04);
    EXPECT_DOUBLE_EQ(*srow.metrics.at("slo_attainment"), 0.97);
    EXPECT_FALSE(srow.metrics.count("goodput") && srow.metrics.at("goodput").has_value());

    Table t;
    row.status = "ok";
    t.rows = {row};
    EXPECT_NE(format_summary(t, "goodput").find("days_to_train"), std::string::npos); // shown when a row has it
    EXPECT_EQ(format_summary(Table{}, "").find("goodput"), std::string::npos);
}

TEST(SweepTable, SummarySortsByAMetricWithMissingValuesLast) {
    Table t = two_rows();
    Row r2 = t.rows[0];
    r2.index = 2;
    r2.metrics["mfu"] = 0.5;
    t.rows.push_back(r2);
    const std::string s = format_summary(t, "-mfu");
    EXPECT_LT(s.find("\n2 "), s.find("\n0 ")); // 0.5 before 0.25
    EXPECT_LT(s.find("\n0 "), s.find("\n1 ")); // the failed case has no MFU: last
    EXPECT_INPUT_ERROR_IN(check_sort_metric("speed"), "command line", "--sort", "unknown metric \"speed\"");
}

TEST(SweepCheck, FailedConditionsSlowdownAndFailedCases) {
    const auto failures = evaluate(parse_checks(json::parse(R"({"all": ["mfu > 0.3", "mfu < 1"],
                                                                "cases": {"0": ["step_time_s <= 2"]}})"),
                                                "c.json", "."),
                                   two_rows());
    ASSERT_EQ(failures.size(), 2U);
    EXPECT_EQ(failures[0].check, "mfu > 0.3");
    EXPECT_EQ(failures[0].value, "0.25");
    EXPECT_EQ(failures[1].index, 1U);
    EXPECT_EQ(failures[1].value, "failed: bad \"thing\", here");
    EXPECT_EQ(format_failures(failures), "case  check          value\n"
                                         "0     mfu > 0.3      0.25\n"
                                         "1     the case runs  failed: bad \"thing\", here\n");
    // Baseline: 1.03 s now vs 1.0 s then is +3 %: fails a 2 % limit, passes 5 %.
    CheckSpec c;
    c.baseline = two_rows();
    c.baseline->rows[0].metrics["step_time_s"] = 1.0;
    c.max_slowdown = 0.02;
    const auto slow = evaluate(c, two_rows());
    ASSERT_EQ(slow.size(), 2U);
    EXPECT_EQ(slow[0].value, "1.03 s vs 1 s (+3.00 %)");
    c.max_slowdown = 0.05;
    EXPECT_EQ(evaluate(c, two_rows()).size(), 1U);
}

TEST(SweepCheck, BadChecksNameThePointer) {
    const auto parse = [](const char* text) { return parse_checks(json::parse(text), "test.json", "."); };
    EXPECT_INPUT_ERROR(parse(R"({"all": ["speed > 1"]})"), "/all/0", "unknown metric \"speed\"");
    EXPECT_INPUT_ERROR(parse(R"({"all": ["mfu ~ 1"]})"), "/all/0", "METRIC OP NUMBER");
    EXPECT_INPUT_ERROR(parse(R"({"all": ["mfu > fast"]})"), "/all/0", "\"fast\" is not a number");
    EXPECT_INPUT_ERROR(parse(R"({"cases": {"x": []}})"), "/cases/x", "not a case index");
    EXPECT_INPUT_ERROR(parse(R"({"max_slowdown": 0.1})"), "/max_slowdown", "give \"baseline\" too");
    EXPECT_INPUT_ERROR(parse(R"({"baseline": "/nonexistent-sweep-baseline"})"), "/baseline", "baseline table");
}

TEST(SweepMerge, ReportsDuplicatesAndGaps) {
    Table a;
    a.columns = {"/a"};
    a.rows = {Row{0, 4, "k0", "ok", {}, {}, "", "", ""}, Row{2, 4, "k2", "ok", {}, {}, "", "", ""}};
    Table b = a;
    b.rows = {Row{1, 4, "k1", "ok", {}, {}, "", "", ""}, Row{2, 4, "k2", "ok", {}, {}, "", "", ""}};
    const auto m = merge_tables({{"a.csv", a}, {"b.csv", b}});
    EXPECT_EQ(m.duplicates, (std::vector<std::size_t>{2}));
    EXPECT_EQ(m.gaps, (std::vector<std::size_t>{3}));
    ASSERT_EQ(m.table.rows.size(), 3U);
    EXPECT_EQ(m.table.rows[1].index, 1U);
    Table other = a;
    other.columns = {"/b"};
    EXPECT_INPUT_ERROR_IN(merge_tables({{"a.csv", a}, {"o.csv", other}}), "o.csv", "line 1", "not the same sweep");
}

} // namespace
} // namespace twin::sweep

namespace twin::sweep {
namespace {

// The bundled example sweeps expand without running anything (CI runs none of their cases: the
// 16,384-GPU one takes minutes): network-gpu-16k.json crosses 2 oversubscriptions x 2 GPU types x
// 2 networks = 8 cases (axes in key order, '/' sorting before letters: oversubscription slowest,
// the network group fastest, so case 7 is 2:1, B200, 800G); gtc-moe-1.8t.json
// lists 4 cases (H100 former and tuned layouts, B200 former and tuned); both checks files read.
TEST(BundledSweeps, SixteenKAndGtcSweepsExpandAndTheirChecksRead) {
    const std::filesystem::path dir = std::filesystem::path(TWIN_SOURCE_DIR) / "scenarios" / "sweeps";
    const auto big = expand(load_sweep(dir / "network-gpu-16k.json"));
    ASSERT_EQ(big.size(), 8U);
    for (const auto& c : big) {
        EXPECT_EQ(c.scenario["topology"]["nodes"][0]["count"], 2048); // 16,384 GPUs
    }
    EXPECT_EQ(big[0].scenario["topology"]["fabric"]["tiers"][0]["oversubscription"], "1:1");
    EXPECT_EQ(big[7].scenario["topology"]["fabric"]["tiers"][0]["oversubscription"], "2:1");
    EXPECT_EQ(big[7].scenario["catalog"]["nodes"]["sweep-node"]["gpu"], "B200");
    EXPECT_EQ(big[7].scenario["topology"]["fabric"]["tiers"][2]["switch"], "Q3400");
    const auto gtc = expand(load_sweep(dir / "gtc-moe-1.8t.json"));
    ASSERT_EQ(gtc.size(), 4U);
    EXPECT_EQ(gtc[0].scenario["topology"]["nodes"][0]["count"], 1000); // 8,000 H100
    EXPECT_EQ(gtc[3].scenario["topology"]["nodes"][0]["count"], 250);  // 2,000 B200
    EXPECT_EQ(gtc[1].scenario["workload"]["parallelism"]["pp"], 20);   // the H100's tuned layout
    EXPECT_NO_THROW((void)load_checks(dir / "network-gpu-16k.checks.json"));
    EXPECT_NO_THROW((void)load_checks(dir / "gtc-moe-1.8t.checks.json"));
}

// "description" is free text for the reader; it must be a string.
TEST(BundledSweeps, DescriptionIsAString) {
    const auto dir = std::filesystem::path(TWIN_SOURCE_DIR) / "scenarios";
    EXPECT_NO_THROW((void)parse_sweep(
        nlohmann::json::parse(R"({"scenario": "dgx-h100-1node.json", "description": "x", "axes": {"/seed": [1]}})"),
        "s.json", dir));
    EXPECT_INPUT_ERROR_IN(
        parse_sweep(
            nlohmann::json::parse(R"({"scenario": "dgx-h100-1node.json", "description": 3, "axes": {"/seed": [1]}})"),
            "s.json", dir),
        "s.json", "/description", "string");
}

} // namespace
} // namespace twin::sweep
