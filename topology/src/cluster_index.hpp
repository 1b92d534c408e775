// Compact tables behind Cluster: what route() and the name functions read on the hot path
// (plain arrays indexed by GPU, NIC or switch number, no maps), filled by detail::Builder.
#pragma once

#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace twin::topology::detail {

inline constexpr std::uint32_t kNoLink = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint16_t kUnreachable = std::numeric_limits<std::uint16_t>::max();

struct ClusterIndex {
    // Fabric switches are the vertices [first_switch, num_vertices); switch i is first_switch + i.
    VertexId first_switch = 0;

    // Per global GPU: its link to the scale-up switch and to its NIC (kNoLink when absent).
    std::vector<std::uint32_t> gpu_scaleup_link;
    std::vector<std::uint32_t> gpu_host_link;

    // NICs are numbered globally, node-major: node n's NIC k is node_first_nic[n] + k.
    std::vector<std::uint32_t> node_first_nic;
    // Access links of NIC i: nic_access_link[nic_access_begin[i] .. nic_access_begin[i + 1]).
    std::vector<std::uint32_t> nic_access_begin;
    std::vector<std::uint32_t> nic_access_link;

    // Switch-to-switch adjacency (CSR over switch numbers), one entry per link, so parallel links
    // are separate equal-cost choices.
    struct Adjacent {
        std::uint32_t link;
        std::uint32_t other; // switch number of the far end
    };
    std::vector<std::uint32_t> switch_adj_begin;
    std::vector<Adjacent> switch_adj;

    // Per switch: index into switch_types, and the user's name (explicit fabrics; else empty).
    std::vector<std::uint16_t> switch_type;
    std::vector<std::string> switch_types;
    std::vector<std::string> switch_names;

    // Per switch: its connected part of the switch graph (one per plane of a multi-plane fabric).
    // A route stays in the part of the access link it leaves its source NIC by.
    std::vector<std::uint32_t> switch_part;

    // Fabric-wide settings: "technology" ("" without a fabric), "routing" == "adaptive" and "pxn".
    std::string technology;
    bool adaptive_routing = false;
    bool pxn = true;
    // "routing": "spray" (spray_pools.cpp): per-packet spraying. Per directed slot (2 x link + 1 for
    // down) its pool's representative slot (itself when not pooled); per pool its representative,
    // its members (CSR) and its total effective bandwidth. All empty unless spray.
    bool spray = false;
    std::vector<std::uint32_t> spray_rep;
    std::vector<std::uint32_t> spray_pool_of; // per slot: pool number of a representative, else kNoLink
    std::vector<std::uint32_t> spray_pool_begin;
    std::vector<std::uint32_t> spray_pool_members;
    std::vector<double> spray_pool_bandwidth;
    // Every fabric switch with access links takes NICs of one rail only (Builder::build_tables).
    bool rail_optimized = false;
};

} // namespace twin::topology::detail
