// Cost of a build-out from a price table (an input file; the bundled example,
// buildout/examples/prices-illustrative.json, is illustrative, not a quote).
//
//   capex            = sum over BOM items (GPU excluded: GPUs come inside servers / trays) of
//                      count x unit price; by category
//   energy / year    = P_typical x PUE x 8760 h x energy price, P_typical = the power model's typical
//                      IT power (topology summary) with the plan's optics in place of the catalog's
//   cost per GPU     = capex / GPUs
//   per 1M tokens    = (capex / amortization_years + energy / year) / (tokens/s x 3.156e7 s) x 1e6,
//                      only when a training throughput (tokens/s, from a simulated step) is given.
// Price file: {"schema_version": 1, "illustrative": bool, "currency": "USD", "source": "...",
//   "amortization_years": 4, "energy": {"price_per_kwh": 0.08, "pue": 1.25},
//   "prices": {"<category>": {"<item>": price, "*": price for any other item}}}.
// An item of the BOM without a price (neither its own nor "*") is an InputError at
// /prices/<category>/<item> of the price file.
#pragma once

#include "twin/buildout/bom.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace twin::buildout {

struct PriceTable {
    std::string file;
    bool illustrative = false;
    std::string currency;
    std::string source;
    double amortization_years = 4.0;
    double energy_price_per_kwh = 0.0;
    double pue = 1.0;
    std::map<std::string, std::map<std::string, double>> prices;
};

[[nodiscard]] PriceTable load_prices(const std::filesystem::path& path);
[[nodiscard]] PriceTable parse_prices(std::string_view text, const std::string& file_name);

struct Cost {
    std::map<std::string, double> capex_by_category;
    double capex = 0.0;
    double energy_per_year = 0.0;
    double per_gpu = 0.0;
    std::optional<double> per_million_tokens;
};

// `typical_it_power_w`: the power model's typical IT power; `tokens_per_s`: training throughput
// (absent: no per-token cost).
[[nodiscard]] Cost compute_cost(const Bom& bom, const PriceTable& prices, double typical_it_power_w,
                                std::optional<double> tokens_per_s);
[[nodiscard]] std::string format_cost(const Cost& cost, const PriceTable& prices);

} // namespace twin::buildout
