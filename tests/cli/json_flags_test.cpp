// Output conventions of the subcommands (issue 12): `info`, `validate` and `workload` take --json
// (one JSON document on stdout with the facts of the text; bad input: one line on stderr, exit 2,
// nothing on stdout), `collective` takes --csv (RFC 4180, the rows of --json), every subcommand
// takes -q.
#include "cli_util.hpp"
#include "twin_test/rfc4180.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using twin::test::parse_rfc4180;
using twin::test::read_text;
using twin::test::sh_quote;
using twin::test::write_text;

class CliFlags : public twin::test::CliTest {};

constexpr const char* kOneNode = "scenarios/dgx-h100-1node.json";

TEST_F(CliFlags, ValidateJson) {
    const auto r = run(std::string("validate --json ") + kOneNode);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const json j = json::parse(r.out);
    EXPECT_EQ(j["valid"], true);
    EXPECT_EQ(j["scenario"], kOneNode);
    EXPECT_EQ(j["name"], "dgx-h100-1node");
    EXPECT_EQ(j["gpus"], 8); // as the text: "8 GPUs, 16 links, 8 ranks"
    EXPECT_EQ(j["links"], 16);
    EXPECT_EQ(j["ranks"], 8);
}

// The text and the JSON of `info` carry the same facts: compare the numbers the text prints.
TEST_F(CliFlags, InfoJsonHasTheFactsOfTheText) {
    const auto text = run("info scenarios/superpod-su-h100-256.json");
    const auto r = run("info --json scenarios/superpod-su-h100-256.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const json j = json::parse(r.out);
    const json& c = j["cluster"];
    EXPECT_EQ(c["gpus"], 256);
    EXPECT_EQ(c["gpus_by_type"]["H100-SXM"], 256);
    EXPECT_EQ(c["nodes"], 32);
    EXPECT_NE(text.out.find("  nodes                     " + std::to_string(c["nodes"].get<int>()) + " in " +
                            std::to_string(c["racks"].get<int>()) + " rack"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("  NICs                      " + std::to_string(c["nics"].get<int>()) + "\n"),
              std::string::npos);
    ASSERT_FALSE(c["link_tiers"].empty());
    for (const auto& t : c["link_tiers"]) {
        EXPECT_NE(text.out.find("    " + t["tier"].get<std::string>()), std::string::npos) << t.dump();
        EXPECT_GT(t["total_bandwidth_bytes_per_s"].get<double>(), 0.0);
    }
    EXPECT_GT(c["bisection_bandwidth_bytes_per_s"].get<double>(), 0.0);
    EXPECT_GT(c["it_power_max_w"].get<double>(), 0.0);
    EXPECT_TRUE(c.contains("fabric")) << c.dump();
    EXPECT_EQ(j["workload"]["ranks"], 256);
    EXPECT_NE(text.out.find("\nworkload: " + j["workload"]["name"].get<std::string>() + " (256 ranks, " +
                            std::to_string(j["workload"]["rank_classes"].get<int>()) + " rank classes, " +
                            std::to_string(j["workload"]["group_families"].get<int>()) + " group families, " +
                            std::to_string(j["workload"]["ops"].get<long>()) + " ops in total)\n"),
              std::string::npos)
        << text.out;
}

TEST_F(CliFlags, WorkloadJsonWithTheGeneratorsFigures) {
    const fs::path trace = dir_ / "trace.json";
    const auto r = run("workload --json -o " + sh_quote(trace.string()) + " scenarios/llama3-70b-superpod.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["workload"]["name"], "Llama-3 70B training");
    EXPECT_EQ(j["workload"]["ranks"], 1024);
    EXPECT_EQ(j["workload"]["info"]["kind"], "llm-training");
    EXPECT_GT(j["workload"]["info"]["parameters"].get<double>(), 6e10);
    EXPECT_FALSE(j["workload"]["info"]["figures"].empty());
    // The memory breakdown per pipeline stage (pp 4): terms that sum to the total, the largest of
    // which is the stage's memory_per_gpu_bytes figure.
    const auto& stages = j["workload"]["info"]["stage_memory_bytes"];
    ASSERT_EQ(stages.size(), 4U);
    double largest = 0.0;
    for (const auto& s : stages) {
        double sum = 0.0;
        for (const auto& [k, v] : s.items()) {
            sum += k == "total" ? 0.0 : v.get<double>();
        }
        EXPECT_NEAR(sum, s["total"].get<double>(), 1.0);
        EXPECT_GT(s["activations"].get<double>(), 0.0);
        largest = std::max(largest, s["total"].get<double>());
    }
    EXPECT_GT(stages[0]["embedding"].get<double>(), 0.0);
    EXPECT_GT(stages[3]["logits"].get<double>(), 0.0);
    EXPECT_EQ(stages[1]["logits"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(largest, j["workload"]["info"]["figures"]["memory_per_gpu_bytes"].get<double>());
    EXPECT_EQ(j["wrote"], trace.string());
    EXPECT_TRUE(fs::is_regular_file(trace));
}

// Bad input with --json: the one-line error on stderr, exit 2, nothing on stdout.
TEST_F(CliFlags, JsonBadInputPrintsNothingOnStdout) {
    write_text(dir_ / "bad.json", R"({"schema_version": 1, "name": "x", "seed": 1, "topology": {"nodes": []}})");
    for (const char* cmd : {"validate", "info", "workload"}) {
        const auto r = run(std::string(cmd) + " --json " + sh_quote((dir_ / "bad.json").string()));
        EXPECT_EQ(r.exit_code, 2) << cmd;
        EXPECT_EQ(r.out, "") << cmd;
        EXPECT_EQ(r.err.rfind("error: ", 0), 0U) << cmd << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << ": " << r.err;
    }
}

TEST_F(CliFlags, EverySubcommandTakesQuiet) {
    const std::string out = sh_quote((dir_ / "out").string());
    const std::vector<std::string> commands = {"validate -q",
                                               "info -q",
                                               "workload -q",
                                               "run -q -o " + out,
                                               "collective -q -b 1MiB -e 1MiB --auto-only",
                                               "validate --quiet --json"};
    for (const auto& cmd : commands) {
        const auto r = run(cmd + " " + kOneNode);
        EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        EXPECT_EQ(r.out, "") << cmd;
        EXPECT_EQ(r.err, "") << cmd;
    }
}

// --csv writes the rows of --json as RFC 4180 CSV.
TEST_F(CliFlags, CollectiveCsvHasTheRowsOfJson) {
    const fs::path csv = dir_ / "sweep.csv";
    const fs::path js = dir_ / "sweep.json";
    const auto r = run("collective -q -b 1KiB -e 1MiB -f 32 --csv " + sh_quote(csv.string()) + " --json " +
                       sh_quote(js.string()) + " " + kOneNode);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = parse_rfc4180(read_text(csv));
    const json j = json::parse(read_text(js));
    ASSERT_EQ(rows.size(), j["rows"].size() + 1);
    ASSERT_GT(j["rows"].size(), 3U); // 3 sizes, auto plus the algorithms
    const std::vector<std::string> header = {"size_bytes",        "requested",         "algorithm", "time_s",
                                             "algbw_bytes_per_s", "busbw_bytes_per_s", "timed_by"};
    EXPECT_EQ(rows[0], header);
    for (std::size_t i = 0; i < j["rows"].size(); ++i) {
        const auto& want = j["rows"][i];
        const auto& got = rows[i + 1];
        ASSERT_EQ(got.size(), header.size());
        EXPECT_EQ(std::stod(got[0]), want["size_bytes"].get<double>());
        EXPECT_EQ(got[1], want["requested"]);
        EXPECT_EQ(got[2], want["algorithm"]);
        EXPECT_EQ(std::stod(got[3]), want["time_s"].get<double>()); // shortest round-trip text: exact
        EXPECT_EQ(std::stod(got[5]), want["busbw_bytes_per_s"].get<double>());
        EXPECT_EQ(got[6], want["timed_by"]);
    }
}

TEST_F(CliFlags, CollectiveCsvToAMissingFolderIsBadInput) {
    const auto r = run("collective -q -b 1MiB -e 1MiB --auto-only --csv " + sh_quote((dir_ / "no" / "x.csv").string()) +
                       " " + kOneNode);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("command line: --csv: "), std::string::npos) << r.err;
}

} // namespace
