// `clustertwin bom` and `clustertwin cabling` end to end: outputs written, bad input one line and
// exit 2 naming the JSON pointer; the report's "bom" section `run` writes, and `validate` checking
// the floor plan and the files it names.
#include "cli_util.hpp"

#include <nlohmann/json.hpp>

namespace twin::test {
namespace {

class BuildoutCli : public CliTest {};

// One SU (superpod-su-h100-256.json): 32 DGX H100 -> 256 GPUs, 8 leaves + 4 spines, 512 links.
TEST_F(BuildoutCli, BomAndCablingOfOneSu) {
    const auto bom = run("bom scenarios/superpod-su-h100-256.json --csv " + sh_quote((dir_ / "bom.csv").string()));
    ASSERT_EQ(bom.exit_code, 0) << bom.err;
    EXPECT_NE(bom.out.find("Port check: passed (512 links, 1024 ports)"), std::string::npos) << bom.out;
    EXPECT_NE(read_text(dir_ / "bom.csv").find("total,all,switch,leaf QM9700,8\n"), std::string::npos);
    const auto plan = run("cabling scenarios/superpod-su-h100-256.json -o " + sh_quote((dir_ / "plan.csv").string()));
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("512 links"), std::string::npos) << plan.out;
    const std::string csv = read_text(dir_ / "plan.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 513); // header + 512 links
    // Same inputs, same bytes.
    ASSERT_EQ(
        run("cabling scenarios/superpod-su-h100-256.json -o " + sh_quote((dir_ / "plan2.csv").string())).exit_code, 0);
    EXPECT_EQ(read_text(dir_ / "plan2.csv"), csv);
}

TEST_F(BuildoutCli, BadInputsExitTwoWithThePointer) {
    std::string s = read_text(fs::path(TWIN_SOURCE_DIR) / "scenarios/superpod-su-h100-256.json");
    s.insert(s.rfind('}'), R"(, "floorplan": {"racks": [{"rack": "compute.0", "hall": 0, "row": 1, "position": 3}]})");
    write_text(dir_ / "twice.json", s);
    const auto r = run("bom " + sh_quote((dir_ / "twice.json").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/floorplan/racks/0: hall 0 row 1 position 3 is given to two racks"), std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    write_text(dir_ / "prices.json", R"({"schema_version": 1, "illustrative": true, "currency": "USD", "source": "t",
        "prices": {"server": {"*": 1}}})");
    const auto p = run("bom scenarios/superpod-su-h100-256.json --prices " + sh_quote((dir_ / "prices.json").string()));
    EXPECT_EQ(p.exit_code, 2);
    EXPECT_NE(p.err.find("prices.json: /prices/NIC/ConnectX-7 (compute): no price"), std::string::npos) << p.err;
}

// The one-SU scenario with a floor plan naming a price table that prices every item at 1 (capex =
// items ordered, GPUs excluded: 32 + 320 NICs + 52 PDUs + 512 + 10 + 12 + 448 = 1386).
class BuildoutScenario : public BuildoutCli {
protected:
    fs::path with_floorplan(const std::string& floorplan) {
        const fs::path scenarios = fs::path(TWIN_SOURCE_DIR) / "scenarios";
        std::string s = read_text(scenarios / "superpod-su-h100-256.json");
        const std::string trace = "\"traces/gpt1.3b-dp256.json\"";
        s.replace(s.find(trace), trace.size(),
                  nlohmann::json((scenarios / "traces/gpt1.3b-dp256.json").string()).dump());
        s.insert(s.rfind('}'), ", \"floorplan\": " + floorplan);
        write_text(dir_ / "s.json", s);
        write_text(dir_ / "p.json", R"({"schema_version": 1, "illustrative": true, "currency": "USD", "source": "t",
            "prices": {"server": {"*": 1}, "NIC": {"*": 1}, "PDU": {"*": 1}, "cable": {"*": 1}, "rack": {"*": 1},
                       "switch": {"*": 1}, "transceiver": {"*": 1}}})");
        return dir_ / "s.json";
    }
};

TEST_F(BuildoutScenario, RunWritesTheBomSection) {
    const auto s = with_floorplan(R"({"prices": "p.json"})");
    const auto r = run("run -o " + sh_quote((dir_ / "out").string()) + " " + sh_quote(s.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(read_text(dir_ / "out" / "report.json"));
    ASSERT_TRUE(j.contains("bom"));
    const auto& b = j["bom"];
    EXPECT_EQ(b["gpus"], 256);
    EXPECT_EQ(b["switches"]["leaf QM9700"], 8);
    EXPECT_EQ(b["switches"]["spine QM9700"], 4);
    EXPECT_EQ(b["transceivers"]["OSFP 800G SR (2x400G)"], 448);
    EXPECT_EQ(b["cables"]["AEC"]["count"], 64);
    EXPECT_EQ(b["cables"]["fibre multimode"]["count"], 448);
    EXPECT_EQ(b["capex"]["total"], 1386.0);
    EXPECT_EQ(b["capex"]["prices"], "p.json");
    // A trace workload has no training throughput: no cost per million tokens.
    EXPECT_TRUE(b["capex"]["per_million_tokens"].is_null());
    EXPECT_NE(r.out.find("build-out         256 GPUs in 32 servers/trays, 10 racks"), std::string::npos) << r.out;
    // `bom` takes the same price table from the floor plan.
    const auto bom = run("bom --json " + sh_quote(s.string()));
    ASSERT_EQ(bom.exit_code, 0) << bom.err;
    EXPECT_EQ(nlohmann::json::parse(bom.out)["cost"]["capex"], 1386.0);
}

TEST_F(BuildoutScenario, ValidateChecksTheFloorPlanAndItsFiles) {
    auto r = run("validate " + sh_quote(with_floorplan(R"({"prices": "p.json", "schedule": "none.json"})").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("s.json: /floorplan/schedule: cannot read the schedule input"), std::string::npos) << r.err;
    r = run("validate " + sh_quote(with_floorplan(R"({"racks": [{"rack": "compute.0", "hall": 0, "row": 1,
        "position": 3}]})")
                                       .string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/floorplan/racks/0: hall 0 row 1 position 3 is given to two racks"), std::string::npos)
        << r.err;
    r = run("validate " + sh_quote(with_floorplan(R"({"cable_rules": [{"name": "DAC", "type": "DAC",
        "max_length_m": 3, "source": "t"}]})")
                                       .string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/floorplan/cable_rules: "), std::string::npos) << r.err;
    // A price table without a price for every item of the BOM: the pointer in the price file.
    write_text(dir_ / "q.json", R"({"schema_version": 1, "illustrative": true, "currency": "USD", "source": "t",
        "prices": {"server": {"*": 1}}})");
    r = run("validate " + sh_quote(with_floorplan(R"({"prices": "q.json"})").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("q.json: /prices/NIC/ConnectX-7 (compute): no price"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    r = run("validate " + sh_quote(with_floorplan(R"({"prices": "p.json"})").string()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

} // namespace
} // namespace twin::test
