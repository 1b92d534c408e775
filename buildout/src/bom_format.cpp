// Presenting a BOM: text, CSV per scope, JSON totals (formats: buildout/README.md).
#include "twin/buildout/bom.hpp"

#include <fmt/format.h>

namespace twin::buildout {
namespace {

using Counts = std::map<int, std::int64_t>;

void add_into(Counts& into, const Counts& from) {
    for (const auto& [id, n] : from) {
        into[id] += n;
    }
}

void write_scope(const Bom& bom, std::ostream& out, const std::string& scope, const std::string& name,
                 const Counts& counts) {
    // Sorted by (category, item) so the file does not depend on the order items were met.
    std::map<std::pair<std::string, std::string>, std::int64_t> sorted;
    for (const auto& [id, n] : counts) {
        sorted[bom.items[static_cast<std::size_t>(id)]] += n;
    }
    for (const auto& [key, n] : sorted) {
        out << fmt::format("{},{},{},{},{}\n", scope, name, key.first, key.second, n);
    }
}

} // namespace

std::string format_bom(const Bom& bom, const Layout& layout) {
    std::string s = fmt::format("Layout: {}\n", layout.description);
    int compute = 0;
    for (const auto& r : layout.racks) {
        compute += r.kind == RackKind::Compute ? 1 : 0;
    }
    s += fmt::format("Racks: {} ({} compute, {} network) in {} hall(s)\n", layout.racks.size(), compute,
                     layout.racks.size() - static_cast<std::size_t>(compute), layout.halls);
    std::string category;
    for (const auto& [key, n] : bom.total) {
        if (key.first != category) {
            category = key.first;
            s += fmt::format("{} ({} in all)\n", category, bom.count(category));
        }
        s += fmt::format("  {:<44} {:>10}\n", key.second, n);
    }
    s += fmt::format("Optics power (plan): {:.1f} kW; the power model's catalog cable power: {:.1f} kW; nameplate "
                     "IT power with the plan's optics: {:.1f} kW\n",
                     bom.optics_power_w / 1e3, bom.catalog_cable_power_w / 1e3, bom.it_power_max_w / 1e3);
    s += fmt::format("Port check: {} ({} links, {} ports){}\n", bom.check.ok ? "passed" : "FAILED", bom.check.links,
                     bom.check.ports, bom.check.ok ? "" : ": " + bom.check.first_problem);
    return s;
}

void write_bom_csv(const Bom& bom, const Layout& layout, std::ostream& out) {
    out << "scope,name,category,item,count\n";
    Counts total;
    std::map<int, Counts> halls;
    std::map<std::pair<int, int>, Counts> rows;
    for (std::size_t r = 0; r < layout.racks.size(); ++r) {
        const auto& rack = layout.racks[r];
        add_into(total, bom.per_rack[r]);
        add_into(halls[rack.hall], bom.per_rack[r]);
        add_into(rows[{rack.hall, rack.row}], bom.per_rack[r]);
    }
    write_scope(bom, out, "total", "all", total);
    for (const auto& [h, counts] : halls) {
        write_scope(bom, out, "hall", fmt::format("h{}", h), counts);
    }
    for (const auto& [hr, counts] : rows) {
        write_scope(bom, out, "row", fmt::format("h{}.r{}", hr.first, hr.second), counts);
    }
    for (std::size_t r = 0; r < layout.racks.size(); ++r) {
        write_scope(bom, out, "rack", layout.racks[r].name, bom.per_rack[r]);
    }
}

nlohmann::json bom_to_json(const Bom& bom) {
    nlohmann::json j = nlohmann::json::object();
    nlohmann::json items = nlohmann::json::object();
    for (const auto& [key, n] : bom.total) {
        items[key.first][key.second] = n;
    }
    j["items"] = items;
    j["optics_power_w"] = bom.optics_power_w;
    j["catalog_cable_power_w"] = bom.catalog_cable_power_w;
    j["it_power_max_w"] = bom.it_power_max_w;
    j["it_power_typical_w"] = bom.it_power_typical_w;
    j["port_check"] = bom.check.ok ? "passed" : bom.check.first_problem;
    return j;
}

} // namespace twin::buildout
