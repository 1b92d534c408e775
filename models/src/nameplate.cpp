// Nameplate sizing (equations and sources in twin/models/nameplate.hpp).
#include "twin/models/nameplate.hpp"

#include <algorithm>
#include <limits>
#include <map>

namespace twin::models {

Nameplate size_nameplate(const topology::Cluster& cluster, const Facility& f, const PowerPlan& plan) {
    Nameplate n;
    n.it_max = plan.it_max;
    n.it_typical = plan.it_typical;
    n.facility_max = facility_power(plan.pue, plan.it_max);
    n.facility_typical = facility_power(plan.pue, plan.it_typical);
    const auto& cat = cluster.catalog();
    std::vector<double> rmax(static_cast<std::size_t>(plan.racks), 0.0);
    std::vector<double> rtyp(rmax.size(), 0.0);
    std::map<const topology::NodeType*, topology::NodePower> powers;
    for (const auto& node : cluster.nodes()) {
        const auto& nt = cat.nodes.at(node.type);
        auto it = powers.find(&nt);
        if (it == powers.end()) {
            it = powers.emplace(&nt, topology::node_power(cat, nt)).first;
        }
        rmax[static_cast<std::size_t>(node.rack)] += it->second.max.value();
        rtyp[static_cast<std::size_t>(node.rack)] += it->second.typical.value();
    }
    double cooling = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < rmax.size(); ++r) {
        if (rmax[r] > n.rack_max.value()) {
            n.rack_max = Watts(rmax[r]);
            n.rack_typical = Watts(rtyp[r]);
            n.rack = static_cast<int>(r);
        }
        if (r < plan.rack_cooling.size() && plan.rack_cooling[r].capacity) {
            cooling = std::min(cooling, plan.rack_cooling[r].capacity->value() - rmax[r]);
        }
    }
    if (f.feed) {
        n.feed_headroom = *f.feed - n.facility_max;
    }
    if (f.rack_power_limit) {
        n.rack_power_headroom = *f.rack_power_limit - n.rack_max;
    }
    if (cooling < std::numeric_limits<double>::infinity()) {
        n.rack_cooling_headroom = Watts(cooling);
    }
    return n;
}

} // namespace twin::models
