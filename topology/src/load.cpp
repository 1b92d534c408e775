// Reading the "topology" object (format v1, topology/README.md): node groups, racks and the
// fabric, whose generator is chosen by its "type" from the table below. Validation of the
// object's own keys completes before anything is built; the generators check sizes and ports
// before they build, and the Builder checks dangling ports and reachability at the end.
//
// Keys common to every fabric type: "technology" (below), "link_efficiency" in [0.01, 1] (replaces
// the efficiency of every access and switch-switch link), "routing" ("ecmp" | "adaptive" | "spray",
// cluster.cpp, spray_pools.cpp) and
// "pxn" (bool, default true: NCCL's PXN on a rail-optimized fabric; false = NCCL_PXN_DISABLE=1).
// Technology factor t (the share of InfiniBand's NCCL bandwidth the fabric delivers):
//   infiniband  t = 1
//   roce        t = 330 / 376 = 0.878: coll.h100.2node.roce measured 330 GB/s all-reduce busbw on
//               2 DGX-H100 over 8 x 400G RoCE with NVLS off, where InfiniBand gives 8 NICs x 47
//               GB/s (net.cx7.achievable) = 376 GB/s; a 2-node hierarchical all-reduce is bound by
//               the NICs, so busbw ~ NIC bandwidth
//   spectrum-x  t = 1 (assumption: Spectrum-X's congestion control reaches InfiniBand's effective
//               bandwidth; no measurement in shared/reference). Its per-packet adaptive routing is
//               "routing": "spray" (spray_pools.cpp), which removes ECMP's collisions
#include "twin/topology/load.hpp"

#include "builder.hpp"
#include "fabric.hpp"
#include "storage.hpp"
#include "twin/topology/bounds.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <optional>

namespace twin::topology {
namespace {

struct FabricKind {
    std::string_view type;
    void (*build)(Object, detail::Builder&);
};

// New fabric generators register here under their JSON "type".
constexpr std::array kFabrics{
    FabricKind{"rail-optimized-fat-tree", &detail::build_rail_fat_tree},
    FabricKind{"explicit", &detail::build_explicit_fabric},
};

struct NodeGroup {
    std::string type;
    int count = 0;
};

struct Technology {
    std::string_view name;
    double factor;
};

constexpr std::array kTechnologies{
    Technology{"infiniband", 1.0},
    Technology{"roce", 330.0 / 376.0},
    Technology{"spectrum-x", 1.0},
};

constexpr std::int64_t kMaxNodes = 10'000'000;
constexpr std::int64_t kMaxGpus = 100'000'000;

} // namespace

Cluster load_topology(Object topology, Catalog catalog, const Limits& limits) {
    std::string name;
    if (auto v = topology.find("name")) {
        name = v->as_string();
    }
    const Array groups = topology.at("nodes").as_array();
    if (groups.empty()) {
        groups.self().fail("expected at least one node group, such as {\"type\": \"DGX-H100\", \"count\": 4}");
    }
    std::vector<NodeGroup> node_groups;
    std::int64_t total_nodes = 0;
    std::int64_t total_gpus = 0;
    std::int64_t total_links = 0; // estimate, see limits.hpp
    std::int64_t total_nics = 0;
    for (const Value& v : groups.values()) {
        Object g = v.as_object();
        const Value type = g.at("type");
        const NodeType& nt = detail::find_entry(catalog.nodes, type, "node type");
        const Value count_value = g.at("count");
        const auto count = count_value.as_integer(1, kMaxNodes);
        g.finish();
        total_nodes += count;
        total_gpus += count * nt.gpus;
        if (total_nodes > kMaxNodes || total_gpus > kMaxGpus) {
            count_value.fail(fmt::format("the topology would have {} nodes and {} GPUs; at most {} nodes and {} GPUs",
                                         total_nodes, total_gpus, kMaxNodes, kMaxGpus));
        }
        const std::int64_t ports =
            nt.nic.empty() ? 0 : static_cast<std::int64_t>(nt.nic_rails.size()) * catalog.nics.at(nt.nic).ports;
        total_links += count * (nt.gpus + 4 * ports);
        total_nics += count * (static_cast<std::int64_t>(nt.nic_rails.size()) + ports); // + a switch per port at most
        if (total_gpus > limits.max_gpus) {
            count_value.fail(fmt::format("the topology would have {} GPUs, above the limit of {} (about 0.7 GB of "
                                         "memory per million GPUs); raise it with --max-gpus N or {}",
                                         total_gpus, limits.max_gpus, kLimitsHint));
        }
        if (total_links > limits.max_links) {
            count_value.fail(fmt::format("the topology would have about {} links, above the limit of {}; {}",
                                         total_links, limits.max_links, kLimitsHint));
        }
        node_groups.push_back({nt.name, static_cast<int>(count)});
    }
    int nodes_per_rack = 1;
    if (auto v = topology.find("racks")) {
        Object racks = v->as_object();
        nodes_per_rack = static_cast<int>(racks.at("nodes_per_rack").as_integer(1, kMaxNodes));
        racks.finish();
    }
    auto fabric = topology.find("fabric");
    if (!fabric && total_nodes > 1) {
        topology.fail_at("fabric", fmt::format("missing required key \"fabric\": {} nodes need a scale-out fabric to "
                                               "reach each other",
                                               total_nodes));
    }
    if (fabric) {
        for (std::size_t i = 0; i < node_groups.size(); ++i) {
            if (catalog.nodes.at(node_groups[i].type).nic.empty()) {
                groups.at(i).as_object().fail_at(
                    "type", fmt::format("node type \"{}\" has no NIC, so its GPUs cannot reach other nodes through "
                                        "the fabric",
                                        node_groups[i].type));
            }
        }
    }
    StorageFabric storage;
    if (auto v = topology.find("storage")) {
        storage = detail::read_storage(v->as_object(), catalog, fabric.has_value());
    }
    topology.finish();

    detail::Builder b(std::move(catalog), topology.self().file(), std::move(name));
    // Room up front for the estimates (within the limits above): vertices (GPUs, scale-up
    // switches, NICs, switches) and links (the estimate plus each GPU's host link).
    b.reserve(static_cast<std::size_t>(total_gpus + total_nodes + total_nics),
              static_cast<std::size_t>(total_links + total_gpus));
    for (const auto& g : node_groups) {
        b.add_nodes(b.catalog().nodes.at(g.type), g.count, nodes_per_rack);
    }
    if (fabric) {
        Object f = fabric->as_object();
        std::vector<std::string_view> types;
        for (const auto& k : kFabrics) {
            types.push_back(k.type);
        }
        const std::string type = f.at("type").as_choice(types);
        b.set_fabric_pointer(f.self().pointer());
        Technology technology = kTechnologies[0];
        if (auto v = f.find("technology")) {
            std::vector<std::string_view> names;
            for (const auto& t : kTechnologies) {
                names.push_back(t.name);
            }
            const std::string chosen = v->as_choice(names);
            technology = *std::find_if(kTechnologies.begin(), kTechnologies.end(),
                                       [&](const Technology& t) { return t.name == chosen; });
        }
        std::optional<double> link_efficiency;
        if (auto v = f.find("link_efficiency")) {
            link_efficiency = read_efficiency(*v);
        }
        bool adaptive = false;
        bool spray = false;
        if (auto v = f.find("routing")) {
            const std::string routing = v->as_choice({"ecmp", "adaptive", "spray"});
            adaptive = routing == "adaptive";
            spray = routing == "spray";
        }
        // NCCL_PXN_DISABLE=0 (NCCL's default since 2.12): cross-rail sends go by NVLink to the
        // source node's GPU on the destination's rail first (cluster.hpp, pxn_proxy).
        bool pxn = true;
        if (auto v = f.find("pxn")) {
            pxn = v->as_bool();
        }
        b.set_fabric(std::string(technology.name), technology.factor, link_efficiency, adaptive, pxn);
        b.set_spray(spray);
        for (const auto& k : kFabrics) {
            if (k.type == type) {
                k.build(std::move(f), b);
                break;
            }
        }
    }
    Cluster cluster = b.finish(fabric.has_value());
    if (storage.present) {
        detail::storage_node_bandwidth(storage, cluster);
        cluster.storage_ = std::move(storage);
    }
    return cluster;
}

} // namespace twin::topology
