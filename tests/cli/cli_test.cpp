// End-to-end tests of the clustertwin executable: golden reports for every bundled scenario,
// determinism, info/validate/--help, and bad input (exit 2, one line naming file and JSON pointer,
// nothing written).
//
// The CLI runs with the repository root as working directory and the scenario path relative to it
// (report.json names the scenario by its file name alone, the same from any working directory).
// After an intended change of the report, regenerate the golden files and review the diff
// (golden.hpp: the update mode, and the coarse comparison of time series):
//   TWIN_UPDATE_GOLDEN=1 ctest --preset dev -R RunMatchesGoldenReport
#include "../sim/timeline_check.hpp"
#include "cli_util.hpp"
#include "golden.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using twin::test::CliResult;
using twin::test::read_text;
using twin::test::sh_quote;
using twin::test::write_text;

class Cli : public twin::test::CliTest {};

// ---------------------------------------------------------------------------------------------
// Bundled scenarios

struct Bundled {
    std::string name;
    int gpus;
    int links;
    std::string gpu;      // GPU type in the info summary
    std::string workload; // trace name
    int ranks = 0;        // ranks of the trace; 0: one per GPU
};

const std::vector<Bundled> kBundled = {
    {"dgx-h100-1node", 8, 16, "H100-SXM", "GPT-3 XL (1.3B) data-parallel step, 8 replicas"},
    {"superpod-su-h100-256", 256, 1024, "H100-SXM", "GPT-3 XL (1.3B) data-parallel step, 256 replicas"},
    {"cluster-1024-oversub", 1024, 3584, "H100-SXM", "GPT-3 XL (1.3B) data-parallel step, 1024 replicas"},
    {"gb200-nvl72-rack", 72, 144, "GB200", "GPT-style 40B-class step, TP 8 x DP 9 in one NVLink domain (illustrative)"},
    {"gb200-nvl72-8racks-800g", 576, 2304, "GB200", "GPT-style 40B-class step, TP 8 x DP 72 (illustrative)"},
    {"superpod-4su-h100-ndr", 1024, 4096, "H100-SXM", "GPT-style 40B-class step, TP 8 x DP 128 (illustrative)"},
    {"superpod-4su-h100-spectrumx", 1024, 4096, "H100-SXM", "GPT-style 40B-class step, TP 8 x DP 128 (illustrative)"},
    {"llama3-70b-inference-8xh100", 8, 16, "H100-SXM",
     "Llama-3 70B inference, TP 8, BF16, batch 32 x (2048 + 256) tokens"},
    {"gb300-nvl72-fp4-inference", 72, 144, "GB300", "Llama-3 70B inference, TP 8, FP4, batch 32 x (2048 + 256) tokens",
     8},
    {"chakra-small-dgx-h100", 8, 16, "H100-SXM", "chakra-small", 4},
    {"chakra-et-gpt-dgx-h100", 8, 16, "H100-SXM", "chakra-et-gpt", 8},
    {"llama3-70b-serving-8xh100", 8, 16, "H100-SXM",
     "Llama-3 70B inference, TP 8, FP8, batch 128 x (952 + 242) tokens"},
    {"llama3-70b-serving-64xh100", 64, 256, "H100-SXM",
     "Llama-3 70B inference, TP 8, FP8, batch 256 x (1468 + 258) tokens", 8},
    {"gpt3-175b-superpod", 1024, 4096, "H100-SXM", "GPT-3 175B training"},
    {"llama3-70b-superpod", 1024, 4096, "H100-SXM", "Llama-3 70B training"},
    {"llama3-405b-16k-h100", 16384, 68096, "H100-SXM", "Llama-3 405B training"},
    {"llama3-405b-16k-h100-campaign", 16384, 68096, "H100-SXM", "Llama-3 405B training"},
    {"moe-1.8t-8k-h100", 8000, 40384, "H100-SXM", "GPT-MoE 1.8T training"},
    {"moe-1.8t-2k-b200", 2000, 10400, "B200", "GPT-MoE 1.8T training"},
    {"hall-100k-h100-liquid", 100000, 502752, "H100-SXM",
     "hall power swing: compute, TP all-reduce, compute (illustrative)"},
    {"hall-100k-h100-llama3-405b", 100000, 502752, "H100-SXM", "Llama-3 405B training"},
    {"hall-100k-h100-llama3-405b-campaign", 100000, 502752, "H100-SXM", "Llama-3 405B training"},
    {"hall-100k-h100-moe-1.8t", 100000, 502752, "H100-SXM", "GPT-MoE 1.8T training"},
    {"hall-100k-h100-spectrumx", 100000, 502752, "H100-SXM", "Llama-3 405B training"},
    {"b200-air-hall-throttle", 64, 256, "B200", "Llama-3 8B training"},
    {"llama3-8b-storage-dgx-h100", 64, 256, "H100-SXM", "Llama-3 8B training"},
    {"b200-air-hall-day", 64, 256, "B200", "Llama-3 8B training"},
    {"two-jobs-160xh100", 160, 672, "H100-SXM", "llama70b+llama8b"},
};

// gtest prints the parameter in test names and failures.
void PrintTo(const Bundled& b, std::ostream* os) {
    *os << b.name;
}

class CliScenario : public Cli, public ::testing::WithParamInterface<Bundled> {
protected:
    std::string scenario_path() const { return "scenarios/" + GetParam().name + ".json"; }
};

std::string bundled_name(const ::testing::TestParamInfo<Bundled>& info) {
    std::string name = info.param.name;
    for (auto& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            c = '_'; // gtest accepts only [A-Za-z0-9_] in parameter names
        }
    }
    return name;
}

TEST(CliBundled, EveryScenarioFileIsCovered) {
    std::vector<std::string> on_disk;
    for (const auto& e : fs::directory_iterator(fs::path(TWIN_SOURCE_DIR) / "scenarios")) {
        if (e.path().extension() == ".json") {
            on_disk.push_back(e.path().stem().string());
        }
    }
    std::vector<std::string> tested;
    for (const auto& b : kBundled) {
        tested.push_back(b.name);
    }
    std::sort(on_disk.begin(), on_disk.end());
    std::sort(tested.begin(), tested.end());
    EXPECT_EQ(on_disk, tested) << "add new scenarios to kBundled and generate their golden files";
}

// One quiet run with a timeline (checked against the golden report) and one run that prints the
// report: every output file must be byte-identical between the two (determinism, and neither -q
// nor --timeline changes a result). Two runs per scenario, not four: the 100k halls dominate CI.
TEST_P(CliScenario, RunMatchesGoldenReport) {
    const fs::path out = dir_ / "out";
    const fs::path timeline = dir_ / "timeline.json";
    const auto r = run("run -q -o " + sh_quote(out.string()) + " --timeline " + sh_quote(timeline.string()) + " " +
                       scenario_path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    // Every bundled scenario gives a timeline that passes the trace-event checks (timeline_check.hpp).
    const json trace = twin::test::expect_valid_trace(read_text(timeline));
    EXPECT_FALSE(trace["traceEvents"].empty());
    ASSERT_TRUE(fs::is_regular_file(out / "report.json"));
    ASSERT_TRUE(fs::is_regular_file(out / "links.csv"));
    EXPECT_EQ(read_text(out / "links.csv").rfind("link_id,direction,from,to,tier,", 0), 0U);
    ASSERT_TRUE(fs::is_regular_file(out / "power.csv"));
    EXPECT_EQ(read_text(out / "power.csv").rfind("time_s,bin_s,it_mean_w,", 0), 0U);
    ASSERT_TRUE(fs::is_regular_file(out / "series.csv"));
    EXPECT_EQ(read_text(out / "series.csv").rfind("time_s,bin_s", 0), 0U);
    ASSERT_TRUE(fs::is_regular_file(out / "racks.csv"));
    EXPECT_EQ(read_text(out / "racks.csv").rfind("rack,hall,row,cdu,pod,", 0), 0U);
    ASSERT_TRUE(fs::is_regular_file(out / "nodes.csv"));
    EXPECT_EQ(read_text(out / "nodes.csv").rfind("node,rack,type,gpus,ranks,", 0), 0U);

    const std::string text = read_text(out / "report.json");
    const json got = json::parse(text);
    const fs::path golden = fs::path(TWIN_SOURCE_DIR) / "tests" / "golden" / (GetParam().name + ".report.json");
    EXPECT_EQ(got["format_version"], 1);
    EXPECT_EQ(got["scenario"]["file"], GetParam().name + ".json"); // the same from any working directory
    EXPECT_EQ(got["gpus"], GetParam().gpus);
    twin::test::check_golden(text, golden);

    // The second run, without -q: it prints the report, and stderr carries nothing but progress
    // lines (runs longer than 2 s; plain lines off a terminal).
    const fs::path again = dir_ / "again";
    const auto p = run("run -o " + sh_quote(again.string()) + " " + scenario_path());
    ASSERT_EQ(p.exit_code, 0) << p.err;
    std::istringstream err(p.err);
    for (std::string line; std::getline(err, line);) {
        EXPECT_EQ(line.rfind("  progress ", 0), 0U) << line;
    }
    EXPECT_EQ(p.out.rfind("clustertwin run: " + GetParam().name + "  (" + std::to_string(GetParam().gpus) + " GPUs", 0),
              0U)
        << p.out;
    EXPECT_NE(p.out.find("wrote " + (again / "report.json").string()), std::string::npos) << p.out;
    for (const char* f : {"report.json", "links.csv", "power.csv", "series.csv", "racks.csv", "nodes.csv"}) {
        const std::string first = read_text(out / f);
        EXPECT_FALSE(first.empty()) << f;
        EXPECT_TRUE(first == read_text(again / f)) << f << " differs between two runs";
    }
}

TEST_P(CliScenario, ValidatePrintsOk) {
    const auto r = run("validate " + scenario_path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const std::string n = std::to_string(GetParam().gpus);
    const std::string ranks = std::to_string(GetParam().ranks > 0 ? GetParam().ranks : GetParam().gpus);
    EXPECT_EQ(r.out, scenario_path() + ": ok (" + n + " GPUs, " + std::to_string(GetParam().links) + " links, " +
                         ranks + " ranks)\n");
}

TEST_P(CliScenario, InfoPrintsTheSummary) {
    const auto r = run("info " + scenario_path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const std::string n = std::to_string(GetParam().gpus);
    EXPECT_EQ(r.out.rfind("cluster \"", 0), 0U) << r.out;
    // "  GPUs                      8 (8 x H100-SXM)"
    const auto pos = r.out.find("\n  GPUs ");
    ASSERT_NE(pos, std::string::npos) << r.out;
    const auto eol = r.out.find('\n', pos + 1);
    std::istringstream line(r.out.substr(pos + 1, eol - pos - 1));
    std::string word;
    int count = 0;
    line >> word >> count;
    EXPECT_EQ(count, GetParam().gpus) << r.out;
    EXPECT_NE(r.out.find(" (" + n + " x " + GetParam().gpu + ")"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bisection bandwidth"), std::string::npos) << r.out;
    const std::string ranks = std::to_string(GetParam().ranks > 0 ? GetParam().ranks : GetParam().gpus);
    EXPECT_NE(r.out.find("\nworkload: " + GetParam().workload + " (" + ranks + " ranks"), std::string::npos) << r.out;
}

// `clustertwin collective` works on every bundled scenario (one size, automatic choice), up to
// the 100,000-GPU halls: the fluid solver times the flows (sim/src/sweep_fluid.hpp).
TEST_P(CliScenario, CollectiveSweepRuns) {
    const auto r = run("collective " + scenario_path() + " -b 1MiB -e 1MiB --auto-only");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // stderr carries nothing but progress lines (sweeps longer than 2 s; plain lines off a terminal).
    std::istringstream err(r.err);
    for (std::string line; std::getline(err, line);) {
        EXPECT_EQ(line.rfind("  progress ", 0), 0U) << line;
    }
    EXPECT_NE(r.out.find(" over " + std::to_string(GetParam().gpus) + " GPUs (all)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n# shortcut: "), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out; // title, shortcut, header, one row
}

INSTANTIATE_TEST_SUITE_P(Bundled, CliScenario, ::testing::ValuesIn(kBundled), bundled_name);

// The air-cooled B200 hall runs out of cooling: its racks throttle and the step takes longer than
// the same scenario with enough cooling (run as a copy whose racks shed 1 MW each).
TEST_F(Cli, AirHallThrottlesAndTheStepGrows) {
    const std::string scenario = "scenarios/b200-air-hall-throttle.json";
    json cool = json::parse(read_text(fs::path(TWIN_SOURCE_DIR) / scenario));
    cool["facility"]["cooling"]["rack_capacity"] = "1MW";
    const fs::path cool_file = dir_ / "cool.json";
    write_text(cool_file, cool.dump(1));
    ASSERT_EQ(run("run -q -o " + sh_quote((dir_ / "hot").string()) + " " + scenario).exit_code, 0);
    ASSERT_EQ(run("run -q -o " + sh_quote((dir_ / "cool").string()) + " " + sh_quote(cool_file.string())).exit_code, 0);
    const json hot = json::parse(read_text(dir_ / "hot" / "report.json"));
    const json ok = json::parse(read_text(dir_ / "cool" / "report.json"));
    EXPECT_EQ(hot["power"]["cooling"]["throttled_domains"], 2); // both racks
    EXPECT_GT(hot["power"]["cooling"]["throttled_compute_ops"].get<std::int64_t>(), 0);
    EXPECT_EQ(ok["power"]["cooling"]["throttled_domains"], 0);
    EXPECT_EQ(ok["power"]["cooling"]["throttled_compute_ops"], 0);
    const double t_hot = hot["workload"]["step_time_s"].get<double>();
    const double t_ok = ok["workload"]["step_time_s"].get<double>();
    EXPECT_GT(t_hot, 1.1 * t_ok) << t_hot << " vs " << t_ok;
    // Throttled, the racks run hotter than nothing but cooler than unthrottled on average.
    EXPECT_LT(hot["power"]["racks"]["hottest"][0]["mean_w"].get<double>(),
              ok["power"]["racks"]["hottest"][0]["mean_w"].get<double>());
}

// Text report: the power summary lines.
TEST_F(Cli, RunPrintsPowerSummary) {
    const auto r = run("run -o " + sh_quote((dir_ / "out").string()) + " scenarios/b200-air-hall-throttle.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* s : {"\n  power                  IT peak ", "\n  energy                 per step ",
                          "\n  cooling                air", "\n  THROTTLED              2 domain(s)",
                          "\n  VIOLATION              rack_cooling 0: "}) {
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    }
}

// The fabric summary of a large run: per tier its busiest links, per pod (here the 4 scalable units
// of a 2-tier SuperPOD) its load; the pods together carry exactly the fabric tiers' bytes.
TEST_F(Cli, RunSummarisesTheFabricByTierAndPod) {
    const fs::path out = dir_ / "out";
    const auto r = run("run -o " + sh_quote(out.string()) + " scenarios/superpod-4su-h100-ndr.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\n  fabric by leaf group (4 leaf groups, the busiest 4 shown;"), std::string::npos) << r.out;
    const json j = json::parse(read_text(out / "report.json"));
    ASSERT_TRUE(j.contains("pods"));
    ASSERT_EQ(j["pods"].size(), 4U);
    double pod_bytes = 0.0;
    for (const auto& p : j["pods"]) {
        EXPECT_EQ(p["kind"], "leaf group");
        EXPECT_LE(p["mean_utilization"].get<double>(), p["max_utilization"].get<double>());
        EXPECT_EQ(p["busiest_link"]["utilization"], p["max_utilization"]);
        pod_bytes += p["bytes"].get<double>();
    }
    double fabric_bytes = 0.0;
    for (const auto& t : j["link_tiers"]) {
        ASSERT_FALSE(t["busiest"].empty()) << t.dump();
        EXPECT_EQ(t["busiest"][0]["utilization"], t["max_utilization"]) << t.dump();
        if (t["tier"] == "access" || t["tier"] == "leaf-spine") {
            fabric_bytes += t["bytes"].get<double>();
        }
    }
    EXPECT_GT(pod_bytes, 0.0);
    EXPECT_NEAR(pod_bytes, fabric_bytes, 1e-9 * fabric_bytes);
}

// A 100,000-GPU report names its halls and hottest rows.
TEST_F(Cli, RunPrintsPowerByHallAndRow) {
    const auto r = run("run -o " + sh_quote((dir_ / "out").string()) + " scenarios/hall-100k-h100-liquid.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\n  by hall                 4 halls, hottest: hall "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n  by row                  196 rows, hottest: row "), std::string::npos) << r.out;
}

// ---------------------------------------------------------------------------------------------
// Help

TEST_F(Cli, AppHelp) {
    const auto r = run("--help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    for (const char* s : {"Usage:", "run", "info", "validate", "--version"}) {
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    }
}

TEST_F(Cli, RunHelp) {
    const auto r = run("run --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    for (const char* s : {"scenario", "-o,--out", "-q,--quiet", "-h,--help"}) {
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    }
}

TEST_F(Cli, InfoHelp) {
    const auto r = run("info --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    for (const char* s : {"Usage:", "info", "scenario", "-h,--help"}) {
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    }
    EXPECT_EQ(r.out.find("--out"), std::string::npos) << r.out;
}

TEST_F(Cli, ValidateHelp) {
    const auto r = run("validate --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    for (const char* s : {"Usage:", "validate", "scenario", "-h,--help"}) {
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    }
    EXPECT_EQ(r.out.find("--out"), std::string::npos) << r.out;
}

// ---------------------------------------------------------------------------------------------
// Bad input

TEST_F(Cli, NonexistentScenario) {
    for (const char* cmd : {"validate", "info", "run -q -o OUT"}) {
        std::string c = cmd;
        if (const auto p = c.find("OUT"); p != std::string::npos) {
            c.replace(p, 3, sh_quote((dir_ / "out").string()));
        }
        const auto r = run(c + " scenarios/no-such-scenario.json");
        EXPECT_EQ(r.exit_code, 2) << cmd;
        EXPECT_EQ(r.err, "error: scenarios/no-such-scenario.json: /: cannot open file: No such file or directory\n")
            << cmd;
        EXPECT_EQ(r.out, "") << cmd;
    }
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

// Usage errors (no subcommand, a missing argument, an unknown option or subcommand) are bad
// input too: exit 2, never CLI11's own codes.
TEST_F(Cli, UsageErrorsExitTwo) {
    for (const char* args : {"", "run", "frobnicate x.json", "run --bogus scenarios/dgx-h100-1node.json"}) {
        const auto r = run(args);
        EXPECT_EQ(r.exit_code, 2) << "'" << args << "'";
        EXPECT_NE(r.err, "") << "'" << args << "'";
    }
}

// A valid one-node scenario with an inline 8-rank all-reduce trace; the cases below edit it.
const std::string kTrace = R"({"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
      "classes": [{"name": "w", "ranks": "all", "program": [{"op": "all_reduce", "group": "all", "size": "1MB"}]}]})";

std::string scenario(const std::string& topology = R"({"nodes": [{"type": "DGX-H100", "count": 1}]})",
                     const std::string& workload = R"({"type": "trace", "trace": )" + kTrace + "}",
                     const std::string& extra = "") {
    return R"({"schema_version": 1, "name": "x", "seed": 1,)" + extra + R"( "topology": )" + topology +
           R"(, "workload": )" + workload + "}";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto p = text.find(from);
    if (p == std::string::npos) {
        ADD_FAILURE() << "\"" << from << "\" not in " << text;
        return text;
    }
    return text.replace(p, from.size(), to);
}

std::string fat_tree(int nodes, const std::string& spine_extra) {
    return R"({"nodes": [{"type": "DGX-H100", "count": )" + std::to_string(nodes) + R"(}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", "nodes_per_leaf_group": 32,
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700")" +
           spine_extra + "}]}}";
}

struct BadCase {
    std::string name;
    std::string text;    // the scenario, written as bad.json
    std::string pointer; // expected JSON pointer ("/" for the whole document)
    std::string gist;    // expected part of the message
};

// Builds the cases lazily: the helpers above call ADD_FAILURE, which needs a running test.
std::vector<BadCase> bad_cases() {
    return {
        {"MalformedJson", R"({"schema_version": 1, "name": )", "/", "malformed JSON at line 1"},
        {"UnknownTopLevelKey",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "seeds": 2,)"),
         "/seeds", "unknown key \"seeds\""},
        {"MissingSeed", replaced(scenario(), R"("seed": 1,)", ""), "/seed", "missing required key \"seed\""},
        {"BadUnit",
         scenario(fat_tree(2, ""), R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "catalog": {"cables": {"NDR-DAC": {"bandwidth": "400Gbs", "latency": "10ns"}}},)"),
         "/catalog/cables/NDR-DAC/bandwidth", "\"400Gbs\" is not a valid bandwidth"},
        {"ZeroCollectiveSize", replaced(scenario(), R"("size": "1MB")", R"("size": "0B")"),
         "/workload/trace/classes/0/program/0/size", "must be > 0"},
        {"GpuTypeNotInCatalog",
         scenario(R"({"nodes": [{"type": "N", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "catalog": {"nodes": {"N": {"gpu": "H100-PCIe", "gpus": 8, "scaleup_switch": "NVSwitch-gen3",
                       "scaleup_switches": 4, "other_power": "1kW"}}},)"),
         "/catalog/nodes/N/gpu", "unknown GPU type \"H100-PCIe\""},
        // 288 nodes in groups of 32 = 9 groups x 8 rails = 72 leaves, but a QM9700 spine has 64 ports.
        {"TwoTierFabricTooLarge", scenario(fat_tree(288, "")), "/topology/fabric/tiers/1/switch",
         "72 leaves (9 groups x 8 rails) need spines with at least 72 ports"},
        // 32 nodes: 8 leaves x 32 uplinks = 256 ports, more than 3 spines x 64.
        {"ExplicitSpineCountTooSmall", scenario(fat_tree(32, R"(, "count": 3)")), "/topology/fabric/tiers/1/count",
         "each spine needs 86 ports"},
        {"UnknownGroup", replaced(scenario(), R"("group": "all")", R"("group": "ep")"),
         "/workload/trace/classes/0/program/0/group", "unknown group family \"ep\""},
        {"RankOutOfRange", replaced(scenario(), R"("ranks": "all")", R"("ranks": [[0, 8]])"),
         "/workload/trace/classes/0/ranks/0/1", "expected an integer in [0, 7], got 8"},
        {"MoreRanksThanGpus", replaced(scenario(), R"("ranks": 8)", R"("ranks": 16)"), "/workload",
         "the trace has 16 ranks but the cluster has only 8 GPUs"},
        {"ZeroFeed",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "facility": {"feed": "0MW"},)"),
         "/facility/feed", "power must be > 0"},
        {"PowerCapAboveTdp",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "facility": {"gpu": {"power_cap": "750W"}},)"),
         "/facility/gpu/power_cap", "power cap 750 W is above the TDP of H100-SXM (700 W)"},
        {"PowerCapBelowMinimum",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "facility": {"gpu": {"power_cap": "100W"}},)"),
         "/facility/gpu/power_cap", "below the minimum power limit of H100-SXM (200 W)"},
        {"PueBelowOne",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "trace": )" + kTrace + "}",
                  R"( "facility": {"cooling": {"type": "liquid", "pue": 0.95}},)"),
         "/facility/cooling/pue", "a PUE below 1 is impossible"},
        {"LiquidOnlyGpuWithoutCapacity",
         scenario(R"({"nodes": [{"type": "GB200-NVL72", "count": 1}]})",
                  R"({"type": "trace", "trace": )" + kTrace + "}", R"( "facility": {"cooling": {"type": "liquid"}},)"),
         "/facility/cooling/rack_capacity", "GPU type GB200 is liquid-cooled only"},
        {"MissingTraceFile",
         scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", R"({"type": "trace", "file": "nope.json"})"),
         "/workload/file", "nope.json\" does not exist"},
    };
}

// For each case: validate, info and run all exit 2 with exactly one line on stderr, nothing on
// stdout, and run leaves no file in its output directory.
TEST_F(Cli, BadInput) {
    for (const auto& c : bad_cases()) {
        SCOPED_TRACE(c.name);
        const fs::path file = dir_ / c.name / "bad.json";
        write_text(file, c.text);
        const fs::path out = dir_ / c.name / "out";
        const std::string prefix = "error: " + file.string() + ": " + c.pointer + ": ";
        const std::vector<std::string> commands = {"validate", "info", "run -q -o " + sh_quote(out.string()),
                                                   "run -o " + sh_quote(out.string())};
        for (const auto& cmd : commands) {
            SCOPED_TRACE(cmd);
            const auto r = run(cmd + " " + sh_quote(file.string()));
            EXPECT_EQ(r.exit_code, 2);
            EXPECT_EQ(r.out, "");
            EXPECT_EQ(r.err.rfind(prefix, 0), 0U) << r.err;
            EXPECT_NE(r.err.find(c.gist), std::string::npos) << r.err;
            EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
            EXPECT_EQ(r.err.back(), '\n');
        }
        if (fs::exists(out)) {
            for (const auto& e : fs::recursive_directory_iterator(out)) {
                ADD_FAILURE() << "run left " << e.path();
            }
        }
    }
}

// A trace in a file of its own: the error names the trace file and the pointer inside it.
TEST_F(Cli, BadTraceFileNamesTheTraceFile) {
    write_text(dir_ / "traces" / "t.json", replaced(kTrace, R"("group": "all")", R"("group": "tp")"));
    const fs::path file = dir_ / "bad.json";
    write_text(file, scenario(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})",
                              R"({"type": "trace", "file": "traces/t.json"})"));
    const auto r = run("validate " + sh_quote(file.string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("error: " + (dir_ / "traces" / "t.json").string() + ": /classes/0/program/0/group: ", 0), 0U)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// The base of the bad cases is valid, so each case fails for the reason it names.
TEST_F(Cli, BadInputBaseIsValid) {
    const fs::path file = dir_ / "good.json";
    write_text(file, scenario());
    const auto r = run("validate " + sh_quote(file.string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, file.string() + ": ok (8 GPUs, 16 links, 8 ranks)\n");
    write_text(file, scenario(fat_tree(32, ""), R"({"type": "trace", "trace": )" + kTrace + "}"));
    EXPECT_EQ(run("validate " + sh_quote(file.string())).exit_code, 0);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// clustertwin collective: the nccl-tests-style sweep

namespace {

class CliCollective : public Cli {};

TEST_F(CliCollective, SweepPrintsOneRowPerSizeAndAlgorithmAndWritesJson) {
    const auto json_path = dir_ / "sweep.json";
    const auto r = run("collective scenarios/dgx-h100-1node.json --op all_reduce -g all -b 1MiB -e 4MiB --json " +
                       sh_quote(json_path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("# clustertwin collective: all_reduce over 8 GPUs (all) on dgx-h100-1node"), std::string::npos)
        << r.out;
    const auto j = nlohmann::json::parse(read_text(json_path));
    EXPECT_EQ(j.at("format_version"), 1);
    EXPECT_EQ(j.at("members"), 8);
    std::set<double> sizes;
    std::set<std::string> requested;
    for (const auto& row : j.at("rows")) {
        sizes.insert(row.at("size_bytes").get<double>());
        requested.insert(row.at("requested").get<std::string>());
        EXPECT_GT(row.at("time_s").get<double>(), 0.0);
        // busbw = algbw x 2(n-1)/n for all-reduce
        EXPECT_NEAR(row.at("busbw_bytes_per_s").get<double>(), row.at("algbw_bytes_per_s").get<double>() * 1.75,
                    1e-6 * row.at("busbw_bytes_per_s").get<double>());
    }
    EXPECT_EQ(sizes, (std::set<double>{1048576.0, 2097152.0, 4194304.0}));
    EXPECT_TRUE(requested.contains("auto"));
    EXPECT_TRUE(requested.contains("ring/simple"));
    EXPECT_TRUE(requested.contains("nvls/simple"));
}

// -q prints nothing, not even progress, and still writes --json.
TEST_F(CliCollective, QuietPrintsNothing) {
    const auto json_path = dir_ / "sweep.json";
    const auto r =
        run("collective -q scenarios/cluster-1024-oversub.json -b 1MiB -e 4MiB --json " + sh_quote(json_path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(nlohmann::json::parse(read_text(json_path)).at("rows").size(), 27U);
    for (const char* cmd : {"validate -q", "info -q", "workload -q"}) {
        const auto q = run(std::string(cmd) + " scenarios/dgx-h100-1node.json");
        EXPECT_EQ(q.exit_code, 0) << cmd << q.err;
        EXPECT_EQ(q.out + q.err, "") << cmd;
    }
}

TEST_F(CliCollective, AutoOnlyAcrossNodes) {
    const auto r = run("collective scenarios/superpod-su-h100-256.json --op all_gather -g nodes:0-1 -b 8B -e 32B "
                       "--auto-only");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Title, shortcut, header + 3 sizes x 1 variant.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 6) << r.out;
}

TEST_F(CliCollective, BadArgumentsExitTwoWithOneLine) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"-g node:9", "error: command line: --group: \"node:9\": the cluster has nodes 0-0"},
        {"-g gpus:3-3", "error: command line: --group: \"gpus:3-3\": a collective needs at least 2 GPUs"},
        {"-g racks:1", "error: command line: --group: \"racks:1\": expected all, node:N"},
        {"--op all_sum", "error: command line: --op: unknown collective \"all_sum\""},
        {"-b 8Bytes", "error: command line: --min: \"8Bytes\" is not a size"},
        {"-b 1GiB -e 1MiB", "error: command line: --max: the largest size is below the smallest"},
        // Usage errors that CLI11 finds take the same form (issue 11).
        {"-f 0.5", "error: command line: --factor: Value 0.5 not in range"},
        {"--bogus", "error: command line: --bogus: The following argument was not expected: --bogus"},
    };
    for (const auto& [args, expected] : cases) {
        const auto r = run("collective scenarios/dgx-h100-1node.json " + args);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_EQ(r.err.rfind(expected, 0), 0u) << args << "\n" << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

TEST_F(Cli, UsageErrorsNameTheArgument) {
    auto r = run("run");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "error: command line: scenario: scenario is required (see --help)\n");
    r = run("");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "error: command line: /: A subcommand is required (see --help)\n");
}

} // namespace
