// Capex, energy cost and cost per GPU / per token (equations: include/twin/buildout/cost.hpp).
#include "twin/buildout/cost.hpp"

#include <fmt/format.h>

namespace twin::buildout {
namespace {

// RFC 6901 escaping of one reference token.
std::string escape_pointer(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '~') {
            out += "~0";
        } else if (ch == '/') {
            out += "~1";
        } else {
            out += ch;
        }
    }
    return out;
}

PriceTable from_document(const Document& doc) {
    PriceTable t;
    t.file = doc.file();
    Object root = doc.root().as_object();
    (void)root.at("schema_version").as_integer(1, 1);
    t.illustrative = root.at("illustrative").as_bool();
    t.currency = root.at("currency").as_string();
    t.source = root.at("source").as_string();
    if (auto a = root.find("amortization_years")) {
        t.amortization_years = a->as_number(Bound::Positive, 100.0);
    }
    if (auto e = root.find("energy")) {
        Object eo = e->as_object();
        t.energy_price_per_kwh = eo.at("price_per_kwh").as_number(Bound::NonNegative, 100.0);
        if (auto p = eo.find("pue")) {
            t.pue = p->as_number(Bound::Positive, 10.0);
            if (t.pue < 1.0) {
                p->fail("a PUE is at least 1");
            }
        }
        eo.finish();
    }
    Object prices = root.at("prices").as_object();
    for (const auto& category : prices.keys()) {
        Object items = prices.at(category).as_object();
        for (const auto& item : items.keys()) {
            t.prices[category][item] = items.at(item).as_number(Bound::NonNegative);
        }
        items.finish();
    }
    root.finish();
    return t;
}

} // namespace

PriceTable load_prices(const std::filesystem::path& path) {
    return from_document(Document::load(path));
}
PriceTable parse_prices(std::string_view text, const std::string& file_name) {
    return from_document(Document::parse(text, file_name));
}

Cost compute_cost(const Bom& bom, const PriceTable& t, double typical_it_power_w, std::optional<double> tokens_per_s) {
    Cost c;
    for (const auto& [key, n] : bom.total) {
        const auto& [category, item] = key;
        if (category == "GPU") {
            continue;
        }
        const auto cat = t.prices.find(category);
        std::optional<double> price;
        if (cat != t.prices.end()) {
            if (auto it = cat->second.find(item); it != cat->second.end()) {
                price = it->second;
            } else if (auto any = cat->second.find("*"); any != cat->second.end()) {
                price = any->second;
            }
        }
        if (!price) {
            throw InputError(t.file, "/prices/" + escape_pointer(category) + "/" + escape_pointer(item),
                             fmt::format("no price for \"{}\" ({} in the bill of materials); give it or a \"*\" price "
                                         "for the category",
                                         item, n));
        }
        c.capex_by_category[category] += *price * static_cast<double>(n);
        c.capex += *price * static_cast<double>(n);
    }
    c.energy_per_year = typical_it_power_w / 1e3 * t.pue * 8760.0 * t.energy_price_per_kwh;
    const auto gpus = bom.count("GPU");
    c.per_gpu = gpus > 0 ? c.capex / static_cast<double>(gpus) : 0.0;
    if (tokens_per_s && *tokens_per_s > 0) {
        const double tokens_per_year = *tokens_per_s * 365.25 * 86400.0;
        c.per_million_tokens = (c.capex / t.amortization_years + c.energy_per_year) / tokens_per_year * 1e6;
    }
    return c;
}

std::string format_cost(const Cost& c, const PriceTable& t) {
    std::string s =
        fmt::format("Cost ({}{}; prices: {})\n", t.currency, t.illustrative ? ", ILLUSTRATIVE prices" : "", t.source);
    for (const auto& [category, v] : c.capex_by_category) {
        s += fmt::format("  capex {:<32} {:>16.0f}\n", category, v);
    }
    s += fmt::format("  capex total                            {:>16.0f}\n", c.capex);
    s += fmt::format("  energy per year (PUE {:.2f}, {}/kWh)    {:>16.0f}\n", t.pue, t.energy_price_per_kwh,
                     c.energy_per_year);
    s += fmt::format("  capex per GPU                          {:>16.0f}\n", c.per_gpu);
    if (c.per_million_tokens) {
        s += fmt::format("  per million training tokens ({} y amortization + energy) {:.4f}\n", t.amortization_years,
                         *c.per_million_tokens);
    }
    return s;
}

} // namespace twin::buildout
