// The cabling plan: every fabric link as rack / device / port -> rack / device / port, with its
// cable (reach rules, cable_rules.hpp) and routed length (floorplan.hpp), streamed link by link in
// link-id order so a 100k-GPU plan never sits in memory; and the plan's own port checks.
//
// Ports. A switch numbers its ports 1..radix in the order its links were built (leaf: the ports
// down to the NICs first, then the uplinks); with P ports per cage (parts.hpp; twin-port OSFP:
// P = 2) port p sits in cage ceil(p / P), lane (p - 1) mod P + 1, written "cage/lane". A node
// end is the node with its NIC ("nic3"; ".<q>" for port q of a multi-port NIC). Scale-up (NVLink)
// and host (PCIe) links are inside a node and not in the plan.
//
// Checks (PortCheck): no (device, port) appears twice; no port beyond the device's ports (switch
// radix, NIC ports); every port the topology needs (each fabric link end) appears.
#pragma once

#include "twin/buildout/floorplan.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace twin::buildout {

struct PlanEnd {
    topology::VertexId vertex = 0; // NIC or switch vertex
    int rack = 0;
    int port = 0;           // 0-based port on the NIC (node ends: NIC port) or switch
    int ports_per_cage = 1; // of the device
    int cage = 0;           // 0-based cage on the device (node ends: on the node)
};

struct PlanRow {
    std::uint32_t link = 0;
    topology::LinkTier tier = topology::LinkTier::Access;
    double gbps = 0.0; // port speed
    int rule = 0;      // index into the CableRules
    double length_m = 0.0;
    double length_class_m = 0.0;
    PlanEnd a, b;
};

// Calls `each` for every fabric link in link-id order. Throws InputError at the reach rules'
// pointer when a link is longer than every rule for its speed allows.
void walk_plan(const topology::Cluster& c, const Layout& layout, const std::function<void(const PlanRow&)>& each);

struct PortCheck {
    bool ok = true;
    std::int64_t ports = 0;    // ports in the plan (two per link)
    std::int64_t links = 0;    // rows
    std::string first_problem; // "" when ok
};

// Verifies the rows of a plan (fed one at a time) against the cluster's graph.
class PortChecker {
public:
    explicit PortChecker(const topology::Cluster& c);
    void add(const PlanRow& row);
    [[nodiscard]] PortCheck finish() const;

private:
    void mark(const PlanEnd& e, std::uint32_t link);
    const topology::Cluster& c_;
    std::vector<std::uint64_t> first_bit_; // per vertex: its first port's bit in used_
    std::vector<std::int32_t> capacity_;   // per vertex: ports it has (0: not a plan device)
    std::vector<std::int32_t> needed_;     // per vertex: fabric links at it
    std::vector<std::int32_t> seen_;       // per vertex: ports marked
    std::vector<bool> used_;
    PortCheck result_;
};

// Text of a plan end: device ("node12", "leaf.g0.r3") and port ("nic3", "17", "9/1").
[[nodiscard]] std::string end_device(const topology::Cluster& c, const PlanEnd& e);
[[nodiscard]] std::string end_port(const topology::Cluster& c, const PlanEnd& e);

struct CablingResult {
    PortCheck check;
    std::vector<std::int64_t> ends_per_rack; // cable ends landing in each rack (patch count)
};

// Writes the plan as CSV (header: buildout/README.md, "Cabling plan") and checks it.
CablingResult write_cabling_csv(const topology::Cluster& c, const Layout& layout, std::ostream& out);

} // namespace twin::buildout
