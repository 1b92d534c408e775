// The report's "bom" section: one DGX H100 SuperPOD scalable unit counted by hand, its capex with a
// price table the floor plan names, and the section's round trip through report.json.
//
// One SU (the derived default layout, buildout/README.md): 32 DGX H100, 4 per rack = 8 compute racks
// at row 1, positions 0..7; the 8 leaves in one network rack at row 1 position 8; the 4 spines in one
// at row 0 position 0. Route L = (|dx| + |dy| + 2 x 2 m) x 1.1 + 1 m, pitch 0.6 m, row pitch 2.4 m.
//   node -> leaf, rack p (32 links each): L_p = (0.6 (8 - p) + 4) x 1.1 + 1
//     p = 7: 6.06 m, p = 6: 6.72 m -> AEC (<= 7 m), stock 7 m: 64 cables, 32 x 12.78 = 408.96 m
//     p = 0..5: 10.68, 10.02, 9.36, 8.70, 8.04, 7.38 m -> fibre SR (multimode); stock 15, 15, 10,
//     10, 10, 10 m
//   leaf -> spine: dx 4.8, dy 2.4: L = (7.2 + 4) x 1.1 + 1 = 13.32 m, stock 15 m, 256 links
//   fibre multimode: 6 x 32 + 256 = 448 cables; routed 32 x 54.18 + 256 x 13.32 = 1733.76 + 3409.92
//     = 5143.68 m; stock 32 x 70 + 256 x 15 = 2240 + 3840 = 6080 m
// Transceivers (twin-port OSFP, 2 x 400G): nodes on fibre (racks 0..5: 24 nodes x 4 cages) 96; a
// leaf's 32 down ports (nodes in order, 2 per cage): 12 of its 16 down cages reach fibre nodes
// (nodes 24..31 are on AEC), plus 16 up cages: 28 x 8 leaves = 224; spines 32 cages x 4 = 128.
// 96 + 224 + 128 = 448 modules x 18 W = 8064 W.
// PDUs (superpod_bom_test.cpp): 52. NICs: 8 ConnectX-7 (compute) and 2 ConnectX-7-2port (storage)
// per DGX H100 (catalog): 256 and 64.
#include "../buildout/buildout_test_util.hpp"
#include "twin/buildout/load.hpp"
#include "twin/report/run_report.hpp"
#include "twin_test/input_error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using twin::buildout::testing::superpod;
using twin::report::BomPlan;
using twin::report::BomReport;

BomReport one_su(const std::string& floorplan = "", const fs::path& base = {},
                 std::optional<double> tokens_per_s = std::nullopt) {
    auto in = twin::buildout::parse_buildout(superpod(1, floorplan), "su1.json", {}, base);
    return BomPlan(in.cluster, std::move(in.floorplan)).report(tokens_per_s);
}

TEST(BomReport, OneScalableUnitCountedByHand) {
    const BomReport b = one_su();
    EXPECT_EQ(b.gpus, 256);
    EXPECT_EQ(b.servers, 32);
    EXPECT_EQ(b.nvswitch_trays, 0);
    EXPECT_EQ(b.compute_racks, 8);
    EXPECT_EQ(b.network_racks, 2);
    EXPECT_EQ(b.halls, 1);
    EXPECT_EQ(b.pdus, 52);
    EXPECT_EQ(b.switches, (twin::report::ItemCounts{{"leaf QM9700", 8}, {"spine QM9700", 4}}));
    EXPECT_EQ(b.nics, (twin::report::ItemCounts{{"ConnectX-7 (compute)", 256}, {"ConnectX-7-2port (storage)", 64}}));
    EXPECT_EQ(b.transceivers, (twin::report::ItemCounts{{"OSFP 800G SR (2x400G)", 448}}));
    EXPECT_TRUE(b.cooling.empty()); // H100 is not liquid-only: air
    ASSERT_EQ(b.cables.size(), 2U);
    EXPECT_EQ(b.cables.at("AEC").count, 64);
    EXPECT_NEAR(b.cables.at("AEC").length_m, 408.96, 1e-9);
    EXPECT_NEAR(b.cables.at("AEC").stock_length_m, 448.0, 1e-9);
    EXPECT_EQ(b.cables.at("fibre multimode").count, 448);
    EXPECT_NEAR(b.cables.at("fibre multimode").length_m, 5143.68, 1e-9);
    EXPECT_NEAR(b.cables.at("fibre multimode").stock_length_m, 6080.0, 1e-9);
    EXPECT_NEAR(b.optics_power_w, 8064.0, 1e-9);
    EXPECT_EQ(b.port_check, "passed");
    EXPECT_FALSE(b.capex.has_value());
    EXPECT_NE(b.layout.find("derived default floor plan"), std::string::npos);
}

// A price of 1 for every item ("*" per category): capex = the number of items ordered, GPUs
// excluded (they come inside the servers): 32 servers + 320 NICs + 52 PDUs + 512 cables + 10 racks
// + 12 switches + 448 transceivers = 1386; per GPU 1386 / 256. Energy at 0 per kWh costs 0, so at
// 1e6 tokens/s: per million tokens = (1386 / 4 years) / (1e6 x 365.25 x 86400 tokens) x 1e6.
TEST(BomReport, CapexFromThePriceTableTheFloorPlanNames) {
    const fs::path dir = fs::temp_directory_path() / ("bom_report_test." + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "p.json") << R"({"schema_version": 1, "illustrative": true, "currency": "EUR",
        "source": "test", "amortization_years": 4, "energy": {"price_per_kwh": 0, "pue": 1.0},
        "prices": {"server": {"*": 1}, "NIC": {"*": 1}, "PDU": {"*": 1}, "cable": {"*": 1}, "rack": {"*": 1},
                   "switch": {"*": 1}, "transceiver": {"*": 1}}})";
    const BomReport b = one_su(R"({"prices": "p.json"})", dir);
    const BomReport t = one_su(R"({"prices": "p.json"})", dir, 1e6);
    fs::remove_all(dir);
    ASSERT_TRUE(b.capex.has_value());
    EXPECT_EQ(b.capex->total, 1386.0);
    EXPECT_DOUBLE_EQ(b.capex->per_gpu, 1386.0 / 256.0);
    EXPECT_EQ(b.capex->currency, "EUR");
    EXPECT_EQ(b.capex->prices, "p.json");
    EXPECT_TRUE(b.capex->illustrative);
    EXPECT_FALSE(b.capex->per_million_tokens.has_value());
    EXPECT_EQ(b.capex->energy_per_year, 0.0);
    ASSERT_TRUE(t.capex && t.capex->per_million_tokens);
    EXPECT_DOUBLE_EQ(*t.capex->per_million_tokens, 1386.0 / 4.0 / (1e6 * 365.25 * 86400.0) * 1e6);
}

TEST(BomReport, AMissingPriceFileIsAnInputErrorAtTheFloorPlanKey) {
    EXPECT_INPUT_ERROR_IN(one_su(R"({"prices": "none.json"})", "/nonexistent"), "su1.json", "/floorplan/prices",
                          "cannot read the price table");
}

twin::report::RunReport golden_with_bom() {
    std::ifstream in(fs::path(TWIN_SOURCE_DIR) / "tests" / "golden" / "superpod-su-h100-256.report.json");
    auto r = twin::report::from_json(nlohmann::json::parse(in));
    r.bom = one_su();
    r.bom->capex = twin::report::BomCapexReport{"USD", true, "p.json", 1e7, 39062.5, 3e5, 0.25};
    return r;
}

TEST(BomReport, RoundTripsThroughReportJson) {
    const auto r = golden_with_bom();
    const auto j = twin::report::to_json(r);
    ASSERT_TRUE(j.contains("bom"));
    EXPECT_EQ(j["bom"]["cables"]["AEC"]["count"], 64);
    EXPECT_EQ(j["bom"]["racks"]["network"], 2);
    const auto back = twin::report::from_json(j);
    ASSERT_TRUE(back.bom.has_value());
    EXPECT_TRUE(twin::report::to_json(back) == j) << nlohmann::json::diff(j, twin::report::to_json(back)).dump(2);
    EXPECT_EQ(twin::report::format_text(back), twin::report::format_text(r));
    EXPECT_NE(twin::report::format_text(r).find("fibre multimode 448 (5144 m routed, 6080 m stock)"), std::string::npos)
        << twin::report::format_text(r);
}

TEST(BomReport, BadKeysAreNamedByPointer) {
    auto j = twin::report::to_json(golden_with_bom());
    j["bom"].erase("pdus");
    EXPECT_INPUT_ERROR_IN(twin::report::from_json(j), "report.json", "/bom/pdus", "");
    j = twin::report::to_json(golden_with_bom());
    j["bom"]["cables"]["AEC"]["colour"] = "red";
    EXPECT_INPUT_ERROR_IN(twin::report::from_json(j), "report.json", "/bom/cables/AEC/colour", "");
    j = twin::report::to_json(golden_with_bom());
    j["bom"]["capex"]["total"] = "a lot";
    EXPECT_INPUT_ERROR_IN(twin::report::from_json(j), "report.json", "/bom/capex/total", "");
}

} // namespace
