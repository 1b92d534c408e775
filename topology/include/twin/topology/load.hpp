// Loading a cluster from the scenario's "topology" object, and the planner's summary of it.
#pragma once

#include "twin/topology/cluster.hpp"
#include "twin/topology/limits.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::topology {

// Reads and validates the "topology" object (format v1, see topology/README.md), builds the
// graph, and runs the planner's checks: no switch over its radix, no dangling port, every GPU
// reachable from every other. Throws InputError (file + JSON pointer) on any violation.
// `catalog` is the builtin catalog already merged with the scenario's own "catalog" entries.
// `limits`: max_gpus and max_links are checked before anything is built (limits.hpp).
[[nodiscard]] Cluster load_topology(Object topology, Catalog catalog, const Limits& limits = {});

struct TierSummary {
    std::string name; // "leaf", "spine", "core"
    int switches = 0;
    int ports_used = 0;
    int ports_total = 0;
    double oversubscription = 1.0; // down / up bandwidth of this tier's switches (1 at the top)
};

struct LinkTierSummary {
    LinkTier tier;
    int links = 0;
    BytesPerSecond total_bandwidth; // sum over links, one direction
};

struct Summary {
    std::string name;
    int nodes = 0;
    int racks = 0;
    int gpus = 0;
    int nics = 0;
    int scaleup_switches = 0;
    int fabric_switches = 0;
    std::map<std::string, int> gpus_by_type;
    std::vector<TierSummary> tiers;
    std::vector<LinkTierSummary> link_tiers;
    BytesPerSecond scaleup_bandwidth_per_gpu;  // smallest over GPUs
    BytesPerSecond scaleout_bandwidth_per_gpu; // NIC bandwidth per GPU, smallest over nodes
    // Access-link bandwidth x efficiency per GPU (what NCCL gets from the NICs), smallest over nodes.
    BytesPerSecond scaleout_effective_bandwidth_per_gpu;
    std::string technology;             // fabric "technology" ("" without a fabric)
    bool adaptive_routing = false;      // fabric "routing" is "adaptive"
    bool spray_routing = false;         // fabric "routing" is "spray"
    BytesPerSecond bisection_bandwidth; // one direction, worst balanced cut (see README)
    int extra_nics = 0;                 // front-end and storage NICs (NodeType::extra_nics)
    Watts it_power_max;                 // nodes' nameplate maximum (NodePower::max) + fabric switches + optics
    Watts it_power_typical;             // the same with the nodes' typical power (NodePower::typical)
};

[[nodiscard]] Summary summarize(const Cluster& cluster);
// Multi-line, aligned text for `clustertwin info`.
[[nodiscard]] std::string format_summary(const Summary& s);
// The same facts as JSON (`clustertwin info --json`); units in the key names (src/summary_json.cpp).
[[nodiscard]] nlohmann::json summary_to_json(const Summary& s);

} // namespace twin::topology
