// The CSV files a run writes are RFC 4180 (core/include/twin/core/csv.hpp): a switch named
// `leaf,"A"` (a comma and quotes, legal in an explicit fabric) reads back under its own name from
// links.csv with a strict reader, and every record has as many fields as the header.
#include "cli_util.hpp"
#include "twin_test/rfc4180.hpp"

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

class CliCsv : public twin::test::CliTest {};

constexpr const char* kSwitch = "leaf,\"A\"";

// Two DGX H100 nodes, every NIC on one QM9700 named `leaf,"A"`; rank 0 sends 1 MiB to rank 8 (on
// the other node), so the access links carry traffic.
std::string two_node_scenario() {
    json links = json::array();
    for (int node = 0; node < 2; ++node) {
        for (int nic = 0; nic < 8; ++nic) {
            links.push_back({{"from", "node" + std::to_string(node) + "/nic" + std::to_string(nic)},
                             {"to", kSwitch},
                             {"cable", "NDR-DAC"}});
        }
    }
    json trace = json::parse(R"({"schema_version": 1, "name": "p2p", "ranks": 16, "classes": [
        {"name": "s", "ranks": [0], "program": [{"op": "send", "peer": {"rank": 8}, "size": "1MiB"}]},
        {"name": "r", "ranks": [8], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "1MiB"}]}]})");
    json s = {{"schema_version", 1},
              {"name", "csv-names"},
              {"seed", 1},
              {"topology",
               {{"nodes", json::array({{{"type", "DGX-H100"}, {"count", 2}}})},
                {"fabric",
                 {{"type", "explicit"},
                  {"switches", json::array({{{"name", kSwitch}, {"switch", "QM9700"}, {"tier", 1}}})},
                  {"links", links}}}}},
              {"workload", {{"type", "trace"}, {"trace", trace}}}};
    return s.dump(2);
}

TEST_F(CliCsv, ASwitchNameWithACommaAndQuotesSurvivesLinksCsv) {
    write_text(dir_ / "s.json", two_node_scenario());
    const fs::path out = dir_ / "out";
    const auto r = run("run -q -o " + sh_quote(out.string()) + " " + sh_quote((dir_ / "s.json").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;

    const auto rows = parse_rfc4180(read_text(out / "links.csv"));
    ASSERT_GT(rows.size(), 1U);
    const auto& header = rows[0];
    EXPECT_EQ(header[2], "from");
    EXPECT_EQ(header[3], "to");
    int access = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_EQ(rows[i].size(), header.size()) << "record " << i;
        if (rows[i][4] == "access") {
            ++access;
            // up: NIC -> switch, down: switch -> NIC
            EXPECT_EQ(rows[i][rows[i][1] == "up" ? 3 : 2], kSwitch) << "record " << i;
        }
    }
    EXPECT_EQ(access, 32); // 16 NIC links, two directions each

    const auto power = parse_rfc4180(read_text(out / "power.csv"));
    ASSERT_GT(power.size(), 1U);
    for (const auto& row : power) {
        EXPECT_EQ(row.size(), power[0].size());
    }
}

// racks.csv of the bundled 1,024-GPU SuperPOD: 128 DGX H100 nodes, 4 per rack (the catalog's
// default rack of 4 DGX) = 32 racks, 16 racks per row = 2 rows in one hall; 4 scalable units of
// 32 nodes = 8 racks each, so the leaf groups (pods) are racks 0-7, 8-15, 16-23, 24-31. The
// explicit fabric above has no pods: -1 in every rack.
TEST_F(CliCsv, RacksCsvPlacesEveryRackInItsRowAndPod) {
    const fs::path out = dir_ / "pod";
    const auto r = run("run -q -o " + sh_quote(out.string()) + " " +
                       sh_quote((fs::path(TWIN_SOURCE_DIR) / "scenarios" / "llama3-70b-superpod.json").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = parse_rfc4180(read_text(out / "racks.csv"));
    ASSERT_EQ(rows.size(), 33U);
    EXPECT_EQ(rows[0][4], "pod");
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const int rack = static_cast<int>(i) - 1;
        EXPECT_EQ(rows[i][0], std::to_string(rack));
        EXPECT_EQ(rows[i][1], "0");                       // hall
        EXPECT_EQ(rows[i][2], std::to_string(rack / 16)); // row
        EXPECT_EQ(rows[i][4], std::to_string(rack / 8));  // pod (leaf group)
        EXPECT_EQ(rows[i][5], "4");                       // nodes
        EXPECT_EQ(rows[i][6], "32");                      // GPUs
    }
    write_text(dir_ / "s.json", two_node_scenario());
    ASSERT_EQ(
        run("run -q -o " + sh_quote((dir_ / "x").string()) + " " + sh_quote((dir_ / "s.json").string())).exit_code, 0);
    const auto explicit_rows = parse_rfc4180(read_text(dir_ / "x" / "racks.csv"));
    ASSERT_GE(explicit_rows.size(), 2U);
    int nodes = 0;
    for (std::size_t i = 1; i < explicit_rows.size(); ++i) {
        EXPECT_EQ(explicit_rows[i][4], "-1");
        nodes += std::stoi(explicit_rows[i][5]);
    }
    EXPECT_EQ(nodes, 2);
}

} // namespace
