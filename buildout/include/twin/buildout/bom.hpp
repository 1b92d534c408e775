// The bill of materials of a build-out: what to order, per rack and summed per row, hall and total.
//
// Counted (category: item):
//   GPU: GPU type; server: node type (servers or compute trays, parts.hpp); NVSwitch: NVSwitch
//   trays of rack-scale nodes; NIC: compute NICs and front-end/storage NICs by role; switch:
//   "<tier> <model>"; transceiver: one module per device cage with a fibre link (a twin-port
//   OSFP carries two 400G links: "OSFP 800G SR (2x400G)"); cable: one per fabric link,
//   "<type> <speed>G <length class> m" (fibre: multimode for SR, single-mode otherwise); rack:
//   compute / network; PDU: redundancy x ceil(rack power / PDU capacity) per rack, rack power =
//   the nodes' nameplate max (topology::node_power) + the switches' power, except busbar-fed
//   rack-scale nodes (NodeType::power_shelves, NVL72): their power shelves ("power shelf 33 kW
//   (busbar)", the catalog's count per node) instead of rack PDUs; cooling (liquid builds):
//   a manifold per compute rack, a row manifold per row with compute racks, ceil(hall compute IT
//   power / CDU capacity) CDUs per hall.
// Cable totals by type (cable_types): per type ("DAC", "ACC", "AEC", "AOC", "fibre multimode",
// "fibre single-mode") the links, their routed length (floorplan.hpp) summed and their stock length
// class summed (what is ordered).
// Attribution: a cable to the rack of its lower end (node or leaf side); a transceiver to the rack
// of its device; row manifolds to the row's first compute rack, CDUs to the hall's first rack.
//
// Optics power hook: the power model (topology summary, models/ power) charges each fabric link
// its catalog cable's `power`; optics_power_w is what the plan's modules draw instead
// (transceivers x W per 400G x capacity / 400G + 2 x AOC end power), and it_power_max_w is the
// summary's nameplate IT power with the catalog's cable power replaced by it (it_power_typical_w
// likewise from the summary's typical IT power).
#pragma once

#include "twin/buildout/cabling.hpp"
#include "twin/buildout/floorplan.hpp"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace twin::buildout {

struct CableTotal {
    std::int64_t count = 0;
    double length_m = 0.0;       // routed lengths summed
    double stock_length_m = 0.0; // stock length classes summed
};

struct Bom {
    std::vector<std::pair<std::string, std::string>> items; // (category, item), by id
    std::vector<std::map<int, std::int64_t>> per_rack;      // item id -> count, per layout rack
    std::map<std::pair<std::string, std::string>, std::int64_t> total;
    std::map<std::string, CableTotal> cable_types; // by type (above)
    double optics_power_w = 0.0;
    double catalog_cable_power_w = 0.0;
    double it_power_max_w = 0.0;
    double it_power_typical_w = 0.0; // the same with the nodes' typical power
    PortCheck check;

    [[nodiscard]] std::int64_t count(const std::string& category, const std::string& item) const;
    [[nodiscard]] std::int64_t count(const std::string& category) const; // all items of a category
};

[[nodiscard]] Bom build_bom(const topology::Cluster& c, const Layout& layout);

// Text for `clustertwin bom`: the layout, totals by category and item, per-hall subtotals.
[[nodiscard]] std::string format_bom(const Bom& bom, const Layout& layout);
// CSV: scope,name,category,item,count with scope total, hall, row, rack (in that order).
void write_bom_csv(const Bom& bom, const Layout& layout, std::ostream& out);
// The totals as JSON (for the run report and the GUI).
[[nodiscard]] nlohmann::json bom_to_json(const Bom& bom);

} // namespace twin::buildout
