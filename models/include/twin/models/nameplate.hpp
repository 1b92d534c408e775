// Nameplate sizing of a facility: feeds, rack PDUs and rack cooling are sized on every node's
// maximum power (topology::NodePower::max), not on its typical draw; both are reported.
//
//   P_IT,max     = sum_nodes P_max + P_network         P_IT,typ = sum_nodes P_typ + P_network   [W]
//   P_fac,max    = facility_power(PUE model, P_IT,max) (power.hpp: P_IT/eta + k_cool f P_IT + k_fix P_IT,design)
//   rack r:        R_max(r) = sum over its nodes of P_max,  R_typ(r) likewise (the network is in no rack)
//   headrooms:     feed - P_fac,max;  rack_power_limit - max_r R_max(r);
//                  min_r (rack cooling capacity at the inlet temperature - R_max(r))
//
// A negative headroom means the facility is undersized for nameplate power even if the simulated
// run stays below its limits (the run's violations are checked on simulated power). Sources of the
// maxima: catalog/builtin.json per node type (sys.dgxh100.power_max, sys.dgxb200.power_max,
// sys.dgxb300.power, hw.gb200.nvl72.power_shelf; typical: hw.gb200.nvl72.power_typ).
#pragma once

#include "twin/models/facility.hpp"

#include <optional>

namespace twin::models {

struct Nameplate {
    Watts it_max, it_typical;                   // whole cluster
    Watts facility_max, facility_typical;       // through the design PUE model
    Watts rack_max, rack_typical;               // the largest rack by maximum (ties: lowest id), its typical
    int rack = 0;                               // that rack's id
    std::optional<Watts> feed_headroom;         // feed - facility_max (with a feed)
    std::optional<Watts> rack_power_headroom;   // rack_power_limit - rack_max (with a limit)
    std::optional<Watts> rack_cooling_headroom; // smallest rack capacity - R_max (with a cooling section)
};

[[nodiscard]] Nameplate size_nameplate(const topology::Cluster& cluster, const Facility& facility,
                                       const PowerPlan& plan);

} // namespace twin::models
