// `clustertwin bom` and `clustertwin cabling` end to end: outputs written, bad input one line and
// exit 2 naming the JSON pointer.
#include "cli_util.hpp"

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

} // namespace
} // namespace twin::test
