// A node type's power: full load, nameplate maximum and typical (catalog.hpp, NodePower).
//
//   P_full    = G x P_gpu,max + N x P_nic + sum_extra n_e x P_nic,e + S x P_switch + P_other   [W]
//   P_max     = max_power     (given: >= P_full; absent: P_full)
//   P_typical = typical_power (given: 0 < P_typical <= P_max; absent: P_full)
//
// The simulation draws at most P_full (GPU power model between idle and TDP, the rest constant);
// P_max is the nameplate figure facilities are sized on (feeds, rack PDUs, cooling: models/
// facility.hpp, "nameplate"), P_typical the vendors' quoted draw under load. Sources of the
// builtin figures: sys.dgxh100.power_max, sys.dgxb200.power_max, sys.dgxb300.power,
// hw.gb200.nvl72.power_typ (120 kW typical) and hw.gb200.nvl72.power_shelf (132 kW shelf output,
// the GB200 NVL72 maximum) in shared/reference; catalog/builtin.json cites each entry.
//
// power_shelves {count k, capacity c}: a busbar-fed rack-scale node's shelves; k x c >= P_max
// (the shelves must carry the node's maximum), so the build-out counts shelves, not rack PDUs,
// for it (buildout/bom.cpp). NVL72: 4 x 33 kW = 132 kW (hw.gb200.nvl72.power_shelf, "4 x 33 kW
// shelves in NVIDIA B300 MGX racks").
#include "node_power.hpp"

#include "lookup.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::topology {

NodePower node_power(const Catalog& cat, const NodeType& n) {
    double full = n.gpus * cat.gpus.at(n.gpu).max_power.value() + n.other_power.value();
    if (!n.nic.empty()) {
        full += static_cast<double>(n.nic_rails.size()) * cat.nics.at(n.nic).power.value();
    }
    for (const auto& e : n.extra_nics) {
        full += e.count * cat.nics.at(e.nic).power.value();
    }
    if (!n.scaleup_switch.empty()) {
        full += n.scaleup_switches * cat.switches.at(n.scaleup_switch).power.value();
    }
    NodePower p;
    p.full = Watts(full);
    // A scenario may override a component after the node was read: keep max >= full, typical <= max.
    p.max = n.max_power ? Watts(std::max(full, n.max_power->value())) : p.full;
    p.typical = n.typical_power ? Watts(std::min(p.max.value(), n.typical_power->value())) : p.full;
    return p;
}

namespace detail {

void read_node_power(const Catalog& cat, NodeType& n, Object& o) {
    if (auto v = o.find("extra_nics")) {
        const Array a = v->as_array();
        for (const auto& item : a.values()) {
            Object e = item.as_object();
            ExtraNic x;
            x.role = e.at("role").as_choice({"frontend", "storage"});
            x.nic = find_entry(cat.nics, e.at("nic"), "NIC type").name;
            x.count = static_cast<int>(e.at("count").as_integer(1, 4096));
            e.finish();
            n.extra_nics.push_back(std::move(x));
        }
    }
    const Watts full = node_power(cat, n).full;
    if (auto v = o.find("max_power")) {
        const Watts w = v->as_power();
        if (w.value() < full.value() * (1 - 1e-9)) {
            v->fail(fmt::format("max_power {} W is below the node's full-load power {} W (GPUs x max_power + NICs + "
                                "scale-up switches + other_power)",
                                w.value(), full.value()));
        }
        n.max_power = w;
    }
    if (auto v = o.find("typical_power")) {
        const Watts w = v->as_power();
        const Watts top = n.max_power.value_or(full);
        if (w > top) {
            v->fail(fmt::format("typical_power {} W is above the node's maximum power {} W{}", w.value(), top.value(),
                                n.max_power ? "" : " (its full-load power: no max_power given)"));
        }
        n.typical_power = w;
    }
    if (auto v = o.find("power_shelves")) {
        Object ps = v->as_object();
        n.power_shelves = static_cast<int>(ps.at("count").as_integer(1, 64));
        n.power_shelf_capacity = ps.at("capacity").as_power(Bound::Positive);
        ps.finish();
        const Watts top = n.max_power.value_or(full);
        if (n.power_shelves * n.power_shelf_capacity.value() < top.value() * (1 - 1e-9)) {
            v->fail(fmt::format("{} power shelves x {} W carry {} W, below the node's maximum power {} W",
                                n.power_shelves, n.power_shelf_capacity.value(),
                                n.power_shelves * n.power_shelf_capacity.value(), top.value()));
        }
    }
}

} // namespace detail
} // namespace twin::topology
