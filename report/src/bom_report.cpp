// The report's "bom" section (keys and meaning: include/twin/report/bom_report.hpp): the layout and
// BOM of buildout/ summed by category, its JSON both ways and its text lines.
#include "bom_parts.hpp"
#include "json_read.hpp"
#include "report_parts.hpp"
#include "twin/buildout/bom.hpp"
#include "twin/buildout/cost.hpp"
#include "twin/buildout/load.hpp"

#include <fmt/format.h>

namespace twin::report {

struct BomPlan::State {
    buildout::Layout layout;
    buildout::Bom bom;
    std::optional<buildout::PriceTable> prices;
};

BomPlan::BomPlan(const topology::Cluster& cluster, buildout::FloorPlan floorplan) : state_(std::make_unique<State>()) {
    state_->prices = buildout::load_named_inputs(floorplan).prices;
    state_->layout = buildout::make_layout(cluster, std::move(floorplan));
    state_->bom = buildout::build_bom(cluster, state_->layout);
}

BomPlan::~BomPlan() = default;

BomReport BomPlan::report(std::optional<double> tokens_per_s) const {
    BomReport b = summarize_bom(state_->bom, state_->layout);
    if (state_->prices) {
        const auto& p = *state_->prices;
        const auto cost = buildout::compute_cost(state_->bom, p, state_->bom.it_power_typical_w, tokens_per_s);
        b.capex = BomCapexReport{p.currency,
                                 p.illustrative,
                                 std::filesystem::path(p.file).filename().string(),
                                 cost.capex,
                                 cost.per_gpu,
                                 cost.energy_per_year,
                                 cost.per_million_tokens};
    }
    return b;
}

BomReport summarize_bom(const buildout::Bom& bom, const buildout::Layout& layout) {
    BomReport b;
    b.layout = layout.description;
    b.halls = layout.halls;
    b.gpus = bom.count("GPU");
    b.servers = bom.count("server");
    b.nvswitch_trays = bom.count("NVSwitch");
    b.compute_racks = bom.count("rack", "compute rack");
    b.network_racks = bom.count("rack", "network rack");
    b.pdus = bom.count("PDU");
    const std::map<std::string, ItemCounts*> by_item{
        {"switch", &b.switches}, {"NIC", &b.nics}, {"transceiver", &b.transceivers}, {"cooling", &b.cooling}};
    for (const auto& [key, n] : bom.total) {
        if (const auto it = by_item.find(key.first); it != by_item.end()) {
            (*it->second)[key.second] += n;
        }
    }
    for (const auto& [type, t] : bom.cable_types) {
        b.cables[type] = BomCableReport{t.count, t.length_m, t.stock_length_m};
    }
    b.optics_power_w = bom.optics_power_w;
    b.catalog_cable_power_w = bom.catalog_cable_power_w;
    b.it_power_max_w = bom.it_power_max_w;
    b.port_check = bom.check.ok ? "passed" : bom.check.first_problem;
    return b;
}

namespace detail {
namespace {

using json = nlohmann::json;

ItemCounts counts_from(const Value& v) {
    Object o(v);
    ItemCounts out;
    for (const auto& k : o.keys()) {
        out[k] = integer(o, k);
    }
    return out;
}

// "leaf QM9700 8, spine QM9700 4" ("-" when empty).
std::string counts_text(const ItemCounts& c) {
    std::string s;
    for (const auto& [item, n] : c) {
        s += fmt::format("{}{} {}", s.empty() ? "" : ", ", item, n);
    }
    return s.empty() ? "-" : s;
}

} // namespace

json bom_to_json(const BomReport& b) {
    json cables = json::object();
    for (const auto& [type, c] : b.cables) {
        cables[type] = {{"count", c.count}, {"length_m", c.length_m}, {"stock_length_m", c.stock_length_m}};
    }
    json j = {{"layout", b.layout},
              {"halls", b.halls},
              {"gpus", b.gpus},
              {"servers", b.servers},
              {"nvswitch_trays", b.nvswitch_trays},
              {"racks", {{"compute", b.compute_racks}, {"network", b.network_racks}}},
              {"pdus", b.pdus},
              {"switches", b.switches},
              {"nics", b.nics},
              {"transceivers", b.transceivers},
              {"cooling", b.cooling},
              {"cables", cables},
              {"optics_power_w", b.optics_power_w},
              {"catalog_cable_power_w", b.catalog_cable_power_w},
              {"it_power_max_w", b.it_power_max_w},
              {"port_check", b.port_check}};
    if (b.capex) {
        const auto& c = *b.capex;
        j["capex"] = {{"currency", c.currency},
                      {"illustrative", c.illustrative},
                      {"prices", c.prices},
                      {"total", c.total},
                      {"per_gpu", c.per_gpu},
                      {"energy_per_year", c.energy_per_year},
                      {"per_million_tokens", c.per_million_tokens ? json(*c.per_million_tokens) : json(nullptr)}};
    }
    return j;
}

BomReport bom_from_json(const Value& v) {
    Object o(v);
    BomReport b;
    b.layout = str(o, "layout");
    b.halls = int32(o, "halls");
    b.gpus = integer(o, "gpus");
    b.servers = integer(o, "servers");
    b.nvswitch_trays = integer(o, "nvswitch_trays");
    Object racks(o.at("racks"));
    b.compute_racks = integer(racks, "compute");
    b.network_racks = integer(racks, "network");
    racks.finish();
    b.pdus = integer(o, "pdus");
    b.switches = counts_from(o.at("switches"));
    b.nics = counts_from(o.at("nics"));
    b.transceivers = counts_from(o.at("transceivers"));
    b.cooling = counts_from(o.at("cooling"));
    Object cables(o.at("cables"));
    for (const auto& type : cables.keys()) {
        Object c(cables.at(type));
        b.cables[type] = BomCableReport{integer(c, "count"), num(c, "length_m"), num(c, "stock_length_m")};
        c.finish();
    }
    cables.finish();
    b.optics_power_w = num(o, "optics_power_w");
    b.catalog_cable_power_w = num(o, "catalog_cable_power_w");
    b.it_power_max_w = num(o, "it_power_max_w");
    b.port_check = str(o, "port_check");
    if (const auto cv = o.find("capex")) {
        Object c(*cv);
        b.capex = BomCapexReport{str(c, "currency"),
                                 boolean(c, "illustrative"),
                                 str(c, "prices"),
                                 num(c, "total"),
                                 num(c, "per_gpu"),
                                 num(c, "energy_per_year"),
                                 optional_num(c, "per_million_tokens")};
        c.finish();
    }
    o.finish();
    return b;
}

std::string bom_text(const BomReport& b) {
    std::string out = fmt::format(
        "build-out         {} GPUs in {} servers/trays, {} racks ({} compute, {} network) in {} hall(s); port "
        "check {}\n",
        b.gpus, b.servers, b.compute_racks + b.network_racks, b.compute_racks, b.network_racks, b.halls, b.port_check);
    out += fmt::format("  switches        {}\n", counts_text(b.switches));
    out += fmt::format("  NICs            {}\n", counts_text(b.nics));
    out += fmt::format("  transceivers    {}\n", counts_text(b.transceivers));
    std::string cables;
    for (const auto& [type, c] : b.cables) {
        cables += fmt::format("{}{} {} ({:.0f} m routed, {:.0f} m stock)", cables.empty() ? "" : ", ", type, c.count,
                              c.length_m, c.stock_length_m);
    }
    out += fmt::format("  cables          {}\n", cables.empty() ? "-" : cables);
    out += fmt::format("  optics          {} (the power model's catalog cable power: {})\n",
                       human_power(b.optics_power_w), human_power(b.catalog_cable_power_w));
    if (b.capex) {
        const auto& c = *b.capex;
        out += fmt::format("  capex           {:.4g} {} ({:.4g} per GPU; energy {:.4g} per year{}){}\n", c.total,
                           c.currency, c.per_gpu, c.energy_per_year,
                           c.per_million_tokens ? fmt::format("; {:.4g} per million tokens", *c.per_million_tokens)
                                                : std::string(),
                           c.illustrative ? ", ILLUSTRATIVE prices" : "");
    }
    return out;
}

} // namespace detail
} // namespace twin::report
