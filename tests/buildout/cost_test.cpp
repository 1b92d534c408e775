// Cost from a price table: capex by category, energy per year, per GPU and per million tokens, and
// the error for a BOM item without a price.
#include "buildout_test_util.hpp"
#include "twin/buildout/cost.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>

namespace twin::buildout {
namespace {

const char* const kPrices = R"({"schema_version": 1, "illustrative": true, "currency": "USD", "source": "test",
  "amortization_years": 4, "energy": {"price_per_kwh": 0.1, "pue": 1.5},
  "prices": {"server": {"DGX-H100": 300000}, "NIC": {"*": 0}, "switch": {"*": 30000},
             "transceiver": {"*": 1000}, "cable": {"*": 100}, "rack": {"*": 3000}, "PDU": {"*": 2000}}})";

// One SU, fibre-only plan (superpod_bom_test): 32 DGX H100 x 300,000 = 9.6 M; 12 switches x
// 30,000 = 360,000; 512 transceivers x 1,000 = 512,000; 512 cables x 100 = 51,200; 10 racks x 3,000
// = 30,000; 52 PDUs x 2,000 = 104,000. Capex 10,657,200; per GPU / 256 = 41,629.6875.
// Energy: P_typ = 32 x 10.2 kW + 12 x 750 W + 512 x 18 W (plan optics; the catalog's NDR-optical
// 18 W per link is replaced by it, the same here) = 326,400 + 9,000 + 9,216 = 344,616 W;
// x 1.5 x 8760 h x 0.1 /kWh = 452,825.42 per year. At 1e6 tokens/s: (10,657,200 / 4 + 452,825.42)
// / 3.15576e13 x 1e6 = 0.098775...
TEST(Cost, OneSuByHand) {
    auto in = testing::load(testing::superpod(1, R"({"cable_rules": [
        {"name": "SR", "type": "fibre", "max_length_m": 50, "transceiver_w_per_400g": 9, "source": "x"}]})"));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    EXPECT_NEAR(bom.it_power_typical_w, 344616.0, 1e-6);
    const PriceTable t = parse_prices(kPrices, "prices.json");
    const Cost c = compute_cost(bom, t, bom.it_power_typical_w, 1e6);
    EXPECT_DOUBLE_EQ(c.capex_by_category.at("server"), 9.6e6);
    EXPECT_DOUBLE_EQ(c.capex_by_category.at("switch"), 360000.0);
    EXPECT_DOUBLE_EQ(c.capex, 10657200.0);
    EXPECT_DOUBLE_EQ(c.per_gpu, 10657200.0 / 256.0);
    EXPECT_NEAR(c.energy_per_year, 344616.0 / 1e3 * 1.5 * 8760.0 * 0.1, 1e-6);
    ASSERT_TRUE(c.per_million_tokens.has_value());
    EXPECT_NEAR(*c.per_million_tokens, (10657200.0 / 4.0 + c.energy_per_year) / (1e6 * 365.25 * 86400.0) * 1e6, 1e-12);
}

TEST(Cost, MissingPriceNamesTheItem) {
    auto in = testing::load(testing::superpod(1));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    std::string text = kPrices;
    text.replace(text.find(R"("switch": {"*": 30000})"), 22, R"("switch": {"spine QM9700": 30000})");
    const PriceTable t = parse_prices(text, "test.json");
    EXPECT_INPUT_ERROR(compute_cost(bom, t, 0.0, std::nullopt), "/prices/switch/leaf QM9700",
                       "no price for \"leaf QM9700\" (8 in the bill of materials)");
}

TEST(Cost, BadPriceFile) {
    EXPECT_INPUT_ERROR(parse_prices(R"({"schema_version": 1, "illustrative": true, "currency": "USD", "source": "",
        "prices": {"cable": {"*": -1}}})",
                                    "test.json"),
                       "/prices/cable/*", "");
    EXPECT_INPUT_ERROR(
        parse_prices(R"({"schema_version": 1, "currency": "USD", "source": "", "prices": {}})", "test.json"),
        "/illustrative", "missing");
}

// The bundled example prices cover the bundled 1-SU scenario's BOM.
TEST(Cost, BundledExamplePricesCoverASuperPod) {
    auto in = load_buildout(std::string(TWIN_SOURCE_DIR) + "/scenarios/superpod-su-h100-256.json");
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    const PriceTable t = load_prices(std::string(TWIN_SOURCE_DIR) + "/buildout/examples/prices-illustrative.json");
    EXPECT_TRUE(t.illustrative);
    const Cost c = compute_cost(bom, t, bom.it_power_typical_w, std::nullopt);
    EXPECT_GT(c.capex, 9.6e6);
}

} // namespace
} // namespace twin::buildout
