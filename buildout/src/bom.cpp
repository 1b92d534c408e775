// Counting the bill of materials (what is counted and how: include/twin/buildout/bom.hpp).
#include "twin/buildout/bom.hpp"

#include "parts.hpp"
#include "twin/topology/load.hpp"

#include <cmath>
#include <fmt/format.h>
#include <tuple>
#include <unordered_set>

namespace twin::buildout {
namespace {

using topology::VertexKind;

// Counts items per rack. Items are numbered in the order they are first counted; hot callers
// (a cable per fabric link: millions at 1M GPUs) keep an item's id instead of naming it each time.
class Counter {
public:
    explicit Counter(Bom& b, std::size_t racks) : b_(b) { b_.per_rack.assign(racks, {}); }
    ~Counter() = default;
    Counter(const Counter&) = delete;
    Counter& operator=(const Counter&) = delete;

    // The item's id; an item is listed from its first call on, so call it only to count (n > 0).
    int id(const std::string& category, const std::string& item) {
        auto [it, fresh] = ids_.try_emplace({category, item}, static_cast<int>(b_.items.size()));
        if (fresh) {
            b_.items.emplace_back(category, item);
            totals_.push_back(0);
        }
        return it->second;
    }
    void add(int rack, int item, std::int64_t n) {
        b_.per_rack[static_cast<std::size_t>(rack)][item] += n;
        totals_[static_cast<std::size_t>(item)] += n;
    }
    void add(int rack, const std::string& category, const std::string& item, std::int64_t n) {
        if (n != 0) {
            add(rack, id(category, item), n);
        }
    }
    // The totals by (category, item) into the Bom.
    void finish() {
        for (std::size_t i = 0; i < totals_.size(); ++i) {
            b_.total[b_.items[i]] += totals_[i];
        }
    }

private:
    Bom& b_;
    std::map<std::pair<std::string, std::string>, int> ids_;
    std::vector<std::int64_t> totals_; // by item id
};

// "DAC", ..., "fibre multimode" (SR) or "fibre single-mode".
std::string cable_type(const CableRule& rule) {
    if (rule.kind == CableKind::Fibre) {
        return rule.transceiver == "SR" ? "fibre multimode" : "fibre single-mode";
    }
    return std::string(cable_kind_name(rule.kind));
}

} // namespace

std::int64_t Bom::count(const std::string& category, const std::string& item) const {
    const auto it = total.find({category, item});
    return it == total.end() ? 0 : it->second;
}

std::int64_t Bom::count(const std::string& category) const {
    std::int64_t n = 0;
    for (const auto& [key, v] : total) {
        n += key.first == category ? v : 0;
    }
    return n;
}

Bom build_bom(const topology::Cluster& c, const Layout& layout) {
    Bom bom;
    Counter count(bom, layout.racks.size());
    const auto& cat = c.catalog();
    bool liquid_gpu = false;
    std::vector<double> rack_power(layout.racks.size(), 0.0);
    std::vector<double> pdu_power(layout.racks.size(), 0.0); // the part fed by rack PDUs
    // What a node counts, worked out once per node type and compute-NIC count (the same for
    // every node of a build): items as (id, count), nameplate power, busbar feeding.
    struct NodeItems {
        std::vector<std::pair<int, std::int64_t>> items;
        double max_w = 0.0;
        bool busbar = false;
    };
    std::map<std::pair<std::string, std::size_t>, NodeItems> node_items;
    for (std::size_t n = 0; n < c.nodes().size(); ++n) {
        const auto& node = c.nodes()[n];
        const int rack = layout.node_rack[n];
        auto [it, fresh] = node_items.try_emplace({node.type, node.nics.size()});
        NodeItems& ni = it->second;
        if (fresh) {
            const auto& nt = cat.nodes.at(node.type);
            const auto parts = detail::node_parts(nt);
            liquid_gpu |= cat.gpus.at(nt.gpu).liquid_only;
            auto item = [&](const std::string& category, const std::string& name, std::int64_t k) {
                if (k != 0) {
                    ni.items.emplace_back(count.id(category, name), k);
                }
            };
            item("GPU", nt.gpu, nt.gpus);
            item("server", parts.servers > 1 ? node.type + " compute tray" : node.type, parts.servers);
            item("NVSwitch", node.type + " NVSwitch tray", parts.nvswitch_trays);
            if (!nt.nic.empty()) {
                item("NIC", nt.nic + " (compute)", static_cast<std::int64_t>(node.nics.size()));
            }
            for (const auto& x : nt.extra_nics) {
                item("NIC", fmt::format("{} ({})", x.nic, x.role), x.count);
            }
            ni.max_w = topology::node_power(cat, nt).max.value();
            ni.busbar = nt.power_shelves > 0;
            if (ni.busbar) { // busbar-fed (NVL72): its shelves, no rack PDU
                item("PDU", fmt::format("power shelf {:g} kW (busbar)", nt.power_shelf_capacity.value() / 1e3),
                     nt.power_shelves);
            }
        }
        for (const auto& [id, k] : ni.items) {
            count.add(rack, id, k);
        }
        rack_power[static_cast<std::size_t>(rack)] += ni.max_w;
        if (!ni.busbar) {
            pdu_power[static_cast<std::size_t>(rack)] += ni.max_w;
        }
    }
    static const char* const kTier[] = {"?", "leaf", "spine", "core"};
    for (int i = 0; i < c.switch_count(); ++i) {
        const int rack = layout.switch_rack[static_cast<std::size_t>(i)];
        const int tier = std::clamp<int>(c.graph()[c.switch_vertex(i)].tier, 0, 3);
        count.add(rack, "switch", fmt::format("{} {}", kTier[tier], c.switch_type(i)), 1);
        rack_power[static_cast<std::size_t>(rack)] += cat.switches.at(c.switch_type(i)).power.value();
        pdu_power[static_cast<std::size_t>(rack)] += cat.switches.at(c.switch_type(i)).power.value();
    }
    // Cables and transceivers from the plan; the plan's port checks ride along.
    const auto& rules = layout.plan.rules.rules;
    std::vector<std::string> rule_type;
    for (const auto& r : rules) {
        rule_type.push_back(cable_type(r));
    }
    std::unordered_set<std::uint64_t> fibre_cages;
    std::map<std::tuple<int, double, int>, int> transceiver_ids;   // (rule, Gb/s, ports per cage)
    std::map<std::tuple<int, double, double>, int> cable_ids;      // (rule, Gb/s, length class)
    std::vector<double> cable_power(c.cable_types().size(), -1.0); // by cable type, -1: not looked up
    PortChecker checker(c);
    auto transceiver = [&](const PlanEnd& e, int rule_index, double gbps) {
        const auto& rule = rules[static_cast<std::size_t>(rule_index)];
        const auto& p = c.graph()[e.vertex];
        const std::uint64_t owner =
            p.kind == VertexKind::Nic ? (std::uint64_t{1} << 40) | static_cast<std::uint64_t>(p.node) : e.vertex;
        if (!fibre_cages.insert(owner << 20 | static_cast<std::uint64_t>(e.cage)).second) {
            return;
        }
        const double cage_gbps = gbps * e.ports_per_cage;
        auto [it, fresh] = transceiver_ids.try_emplace({rule_index, gbps, e.ports_per_cage}, -1);
        if (fresh) {
            it->second =
                count.id("transceiver", e.ports_per_cage > 1 ? fmt::format("OSFP {}G {} ({}x{}G)", cage_gbps,
                                                                           rule.transceiver, e.ports_per_cage, gbps)
                                                             : fmt::format("OSFP {}G {}", cage_gbps, rule.transceiver));
        }
        count.add(e.rack, it->second, 1);
        bom.optics_power_w += rule.transceiver_w_per_400g * cage_gbps / 400.0;
    };
    walk_plan(c, layout, [&](const PlanRow& row) {
        checker.add(row);
        const auto& rule = rules[static_cast<std::size_t>(row.rule)];
        const std::string& type = rule_type[static_cast<std::size_t>(row.rule)];
        auto [cable, fresh] = cable_ids.try_emplace({row.rule, row.gbps, row.length_class_m}, -1);
        if (fresh) {
            cable->second = count.id("cable", fmt::format("{} {}G {} m", type, row.gbps, row.length_class_m));
        }
        count.add(row.a.rack, cable->second, 1);
        auto& total = bom.cable_types[type];
        ++total.count;
        total.length_m += row.length_m;
        total.stock_length_m += row.length_class_m;
        if (rule.kind == CableKind::Fibre) {
            transceiver(row.a, row.rule, row.gbps);
            transceiver(row.b, row.rule, row.gbps);
        } else if (rule.kind == CableKind::Aoc) {
            bom.optics_power_w += 2.0 * rule.aoc_end_w;
        }
        const auto cable_type = c.links()[row.link].cable_type;
        if (cable_power[cable_type] < 0.0) {
            cable_power[cable_type] = cat.cables.at(c.cable(row.link)).power.value();
        }
        bom.catalog_cable_power_w += cable_power[cable_type];
    });
    bom.check = checker.finish();
    // Racks, PDUs, cooling.
    const Cooling cooling = layout.plan.cooling.value_or(liquid_gpu ? Cooling::Liquid : Cooling::Air);
    std::map<std::pair<int, int>, int> row_first;      // (hall, row) -> first compute rack
    std::map<int, std::pair<int, double>> hall_liquid; // hall -> (first rack, compute IT power)
    for (std::size_t r = 0; r < layout.racks.size(); ++r) {
        const Rack& rack = layout.racks[r];
        const int ri = static_cast<int>(r);
        const bool compute = rack.kind == RackKind::Compute;
        count.add(ri, "rack", compute ? "compute rack" : "network rack", 1);
        const double pdus = std::ceil(pdu_power[r] / layout.plan.pdu_capacity_w);
        count.add(ri, "PDU", "rack PDU", static_cast<std::int64_t>(pdus) * layout.plan.pdu_redundancy);
        if (compute && cooling == Cooling::Liquid) {
            count.add(ri, "cooling", "rack manifold", 1);
            row_first.try_emplace({rack.hall, rack.row}, ri);
            auto& h = hall_liquid.try_emplace(rack.hall, ri, 0.0).first->second;
            h.second += rack_power[r];
        }
    }
    for (const auto& [key, rack] : row_first) {
        count.add(rack, "cooling", "row manifold", 1);
    }
    for (const auto& [hall, h] : hall_liquid) {
        count.add(h.first, "cooling", "CDU",
                  static_cast<std::int64_t>(std::ceil(h.second / layout.plan.cdu_capacity_w)));
    }
    count.finish();
    const auto summary = topology::summarize(c);
    bom.it_power_max_w = summary.it_power_max.value() - bom.catalog_cable_power_w + bom.optics_power_w;
    bom.it_power_typical_w = summary.it_power_typical.value() - bom.catalog_cable_power_w + bom.optics_power_w;
    return bom;
}

} // namespace twin::buildout
