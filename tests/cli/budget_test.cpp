// Inputs that crashed, hung or exhausted memory (issue 11, items 2 and 7) end in one line and a
// clean exit: 2 for bad input (file, JSON pointer, the limit and how to lift it), 3 when
// --time-limit is reached. Each case edits a copy of a bundled scenario in a temporary folder.
#include "cli_util.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Result = twin::test::CliResult;

class Budget : public twin::test::CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        fs::create_directories(dir_ / "traces");
    }

    static json read_json(const fs::path& p) {
        std::ifstream in(p);
        return json::parse(in);
    }
    void write_json(const std::string& name, const json& j) const { std::ofstream(dir_ / name) << j.dump(1); }

    // The bundled one-node scenario and its trace, copied into dir_ (trace edited by `edit`).
    json one_node(const std::function<void(json&)>& edit_trace = nullptr) const {
        json trace = read_json(fs::path(TWIN_SOURCE_DIR) / "scenarios/traces/gpt1.3b-dp8.json");
        if (edit_trace) {
            edit_trace(trace);
        }
        write_json("traces/gpt1.3b-dp8.json", trace);
        return read_json(fs::path(TWIN_SOURCE_DIR) / "scenarios/dgx-h100-1node.json");
    }

    // Runs `clustertwin <args>` in dir_.
    Result run(const std::string& args) const { return CliTest::run(args, dir_); }

    // Expects exit 2 and one line "error: <prefix>...<gist>...".
    void expect_bad_input(const std::string& args, const std::string& prefix, const std::string& gist) const {
        const Result r = run(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err.rfind("error: " + prefix, 0), 0U) << r.err;
        EXPECT_NE(r.err.find(gist), std::string::npos) << r.err;
        EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    }
};

// ---- item 2: durations handed to SimGrid (these aborted with "timeout is not finite!") ----

TEST_F(Budget, DenormalComputeEfficiencyIsBadInput) {
    // A denormal is refused by the reader; a tiny normal number by the efficiency's floor.
    write_json("s.json", one_node([](json& t) { t["classes"][0]["program"][0]["body"][0]["efficiency"] = 1e-320; }));
    expect_bad_input("run -q -o out s.json", "traces/gpt1.3b-dp8.json: /classes/0/program/0/body/0/efficiency: ",
                     "expected a number that is 0 or at least 2.2e-308");
    write_json("s.json", one_node([](json& t) { t["classes"][0]["program"][0]["body"][0]["efficiency"] = 1e-300; }));
    expect_bad_input("run -q -o out s.json",
                     "traces/gpt1.3b-dp8.json: /classes/0/program/0/body/0/efficiency: ", "below the floor of 0.01");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Budget, TinyGpuFlopRateIsBadInput) {
    json s = one_node();
    s["catalog"]["gpus"]["H100-SXM"] =
        read_json(fs::path(TWIN_SOURCE_DIR) / "topology/catalog/builtin.json").at("catalog").at("gpus").at("H100-SXM");
    s["catalog"]["gpus"]["H100-SXM"].erase("source");
    s["catalog"]["gpus"]["H100-SXM"]["peak_flops"] = {{"bf16", "1e-300FLOPS"}};
    write_json("s.json", s);
    expect_bad_input("run -q -o out s.json",
                     "s.json: /catalog/gpus/H100-SXM/peak_flops/bf16: ", "below the floor of 1 GFLOPS");
}

TEST_F(Budget, TinyLinkBandwidthIsBadInput) {
    json s = read_json(fs::path(TWIN_SOURCE_DIR) / "scenarios/superpod-su-h100-256.json");
    s["catalog"]["cables"]["NDR-DAC"] = {{"bandwidth", "1e-300B/s"}, {"latency", "10ns"}};
    s["workload"] = {{"type", "trace"}, {"file", "traces/gpt1.3b-dp8.json"}};
    (void)one_node();
    write_json("s.json", s);
    expect_bad_input("run -q -o out s.json",
                     "s.json: /catalog/cables/NDR-DAC/bandwidth: ", "below the floor of 1 Mbps");
}

// Rates at their floors still allow absurd durations: the engine names the op instead of aborting.
TEST_F(Budget, EndlessComputeTimeNamesTheOp) {
    write_json("s.json", one_node([](json& t) { t["classes"][0]["program"][0]["body"][0]["flops"] = "1e300FLOP"; }));
    expect_bad_input("run -q -o out s.json", "traces/gpt1.3b-dp8.json: /classes/0/program/0/body/0: ",
                     "compute time of 1.34762e+285 s is not a duration in [0, 1e+09 s]");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

// ---- item 7: resource budgets ----

TEST_F(Budget, HugeRepeatIsRejectedBeforeRunning) {
    write_json("s.json", one_node([](json& t) { t["classes"][0]["program"][0]["repeat"] = std::int64_t{1} << 40; }));
    for (const char* cmd : {"validate s.json", "run -q -o out s.json"}) {
        expect_bad_input(cmd, "traces/gpt1.3b-dp8.json: /classes/0/program: ",
                         "the run would execute 1099511627825 operations (every repeat expanded, over the simulated "
                         "ranks; rank class \"replica\" the most), above the limit of 4294967296; raise it with "
                         "--max-ops N or lift all limits with --no-limits");
    }
    EXPECT_EQ(run("validate --no-limits s.json").exit_code, 0);
    expect_bad_input("validate --max-ops 100 s.json",
                     "traces/gpt1.3b-dp8.json: /classes/0/program: ", "above the limit of 100");
}

TEST_F(Budget, HugeGlobalBatchIsRejectedBeforeGenerating) {
    json s = read_json(fs::path(TWIN_SOURCE_DIR) / "scenarios/llama3-70b-superpod.json");
    s["workload"]["batch"]["global_batch"] = std::int64_t{1} << 40;
    write_json("s.json", s);
    for (const char* cmd : {"validate s.json", "workload s.json", "run -q -o out s.json"}) {
        expect_bad_input(cmd, "s.json: /workload/batch/global_batch: ",
                         "micro-batches·pp·virtual_stages = 34359738368·4·5 = 687194767360 units, above the limit of "
                         "65536; lift all limits with --no-limits");
    }
}

TEST_F(Budget, HugeTopologyIsRejectedBeforeBuilding) {
    json s = read_json(fs::path(TWIN_SOURCE_DIR) / "scenarios/superpod-su-h100-256.json");
    s["topology"]["nodes"][0]["count"] = 10'000'000;
    s["workload"] = {{"type", "trace"}, {"file", "traces/gpt1.3b-dp8.json"}};
    (void)one_node();
    write_json("s.json", s);
    expect_bad_input("info s.json", "s.json: /topology/nodes/0/count: ",
                     "the topology would have 80000000 GPUs, above the limit of 2097152 (about 0.7 GB of memory per "
                     "million GPUs); raise it with --max-gpus N or lift all limits with --no-limits");
    write_json("one.json", one_node());
    expect_bad_input("validate --max-gpus 4 one.json",
                     "one.json: /topology/nodes/0/count: ", "8 GPUs, above the limit of 4");
}

TEST_F(Budget, CollectiveMaxNearDblMaxIsBadInput) {
    write_json("s.json", one_node());
    expect_bad_input("collective s.json -e 1e308B", "command line: --max: ", "is not a size from 1 B to 1 PiB");
}

// A limit already passed when the engine starts (1 ns) stops every run at its first event,
// whatever the machine's speed: exit 3, one line, nothing written.
TEST_F(Budget, TimeLimitStopsTheRunAndWritesNothing) {
    write_json("s.json", one_node());
    Result r = run("run -q --time-limit 1e-9 -o out s.json");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.err.rfind("error: command line: --time-limit: stopped after 1e-09 s of wall-clock time (at simulated "
                          "time 0 s); no results written\n",
                          0),
              0U)
        << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out"));
    r = run("collective s.json --time-limit 1e-9 --json sweep.json");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("--time-limit: stopped after"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "sweep.json"));
}

} // namespace
