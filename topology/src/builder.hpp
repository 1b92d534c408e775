// detail::Builder assembles a Cluster: vertices and links in a fixed order (nodes first, node by
// node: GPUs, scale-up switch, NICs, then fabric switches tier by tier), port accounting with the
// planner's radix checks as links are added, and the final checks (no dangling port, every GPU
// reachable) before the routing tables are frozen. Fabric generators (fat_tree.cpp,
// explicit_fabric.cpp) only call add_switch() and connect().
#pragma once

#include "cluster_index.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twin::topology::detail {

class Builder {
public:
    Builder(Catalog catalog, std::string file, std::string name);

    [[nodiscard]] const Catalog& catalog() const { return c_.catalog_; }
    [[nodiscard]] const std::string& file() const { return c_.source_file_; }
    [[nodiscard]] int node_count() const { return static_cast<int>(c_.nodes_.size()); }
    [[nodiscard]] const NodeInfo& node(int n) const { return c_.nodes_[n]; }
    [[nodiscard]] const NodeType& node_type(int n) const { return *node_types_[n]; }
    [[nodiscard]] const Cluster& cluster() const { return c_; }

    // Room for this many vertices and links, a hint (more may be added): vectors grown by doubling
    // touch and copy twice their final size, a third of a million-GPU load's page faults; room
    // reserved but never used is address space only.
    void reserve(std::size_t vertices, std::size_t links);

    // Adds `count` nodes of one type with their GPUs, scale-up switch, NICs and internal links.
    void add_nodes(const NodeType& type, int count, int nodes_per_rack);

    // A pointer (JSON) that errors about what is built next should name; returns its id.
    std::uint32_t add_origin(std::string pointer);
    VertexId add_switch(const SwitchType& type, int tier, int local, int group, int rail, std::uint32_t origin,
                        std::string name = {}, int plane = -1);
    // Fabric-wide settings, given after the nodes and before the first connect(): the technology's name and factor
    // (InfiniBand 1), an optional "link_efficiency" that replaces the product for every fabric
    // link, adaptive routing and PXN (cluster.hpp, pxn_proxy). See connect() for the efficiency of
    // each link.
    void set_fabric(std::string technology, double technology_factor, std::optional<double> link_efficiency,
                    bool adaptive_routing, bool pxn);
    // "routing": "spray": finish() builds the spraying pools (spray_pools.cpp).
    void set_spray(bool spray);
    // Links `lower` (a NIC or switch) to the switch `upper` with `cable`; counts one port at each
    // end and throws InputError at `origin` when either end runs out of ports. Efficiency:
    // link_efficiency when given, else NIC efficiency x technology factor for an access link and
    // smallest NIC efficiency of the nodes x technology factor for a switch-switch link.
    void connect(VertexId lower, VertexId upper, const CableType& cable, LinkTier tier, std::uint32_t origin);

    // The pointer that fabric-wide errors (dangling NIC port, unreachable GPU) name.
    void set_fabric_pointer(std::string pointer);
    // Runs the dangling-port and reachability checks (when `has_fabric`), builds the routing
    // tables and hands the cluster over.
    [[nodiscard]] Cluster finish(bool has_fabric);

private:
    static constexpr std::uint16_t kNoCable = 0; // Cluster::cable_types_[0] == ""
    std::uint32_t add_link(VertexId a, VertexId b, BytesPerSecond bw, Seconds latency, LinkTier tier, double efficiency,
                           std::uint16_t cable);
    // The index of the cable's name in c_.cable_types_, added on first use.
    std::uint16_t cable_type(const CableType& cable);
    void use_port(VertexId v, std::uint32_t origin);
    // A port's speed; `up`: a port facing the tier above (SwitchType::port_speed).
    [[nodiscard]] BytesPerSecond port_bandwidth(VertexId v, bool up) const;
    [[nodiscard]] Seconds device_latency(VertexId v) const;
    [[nodiscard]] int ports(VertexId v) const;
    [[nodiscard]] int switch_number(VertexId v) const { return static_cast<int>(v - index_->first_switch); }
    void label_parts();
    void check_fabric() const;
    void build_tables();

    Cluster c_;
    std::shared_ptr<ClusterIndex> index_;     // the same object as c_.index_, writable here
    std::vector<const NodeType*> node_types_; // per node, into c_.catalog_
    // Per node, its compute NIC's type (null without one): a NIC vertex's type without the two
    // catalog look-ups by name (several per fabric link at a million GPUs).
    std::vector<const NicType*> nic_types_;
    [[nodiscard]] const NicType& nic_of(int node) const { return *nic_types_[static_cast<std::size_t>(node)]; }
    std::vector<const SwitchType*> switch_type_ptrs_; // per switch, into c_.catalog_
    std::vector<std::uint32_t> switch_origin_;        // per switch
    std::vector<std::int32_t> ports_used_;            // per vertex (NICs and switches)
    std::vector<std::string> origins_;
    const CableType* last_cable_ = nullptr; // cable_type()'s last answer, for runs of one type
    std::uint16_t last_cable_type_ = kNoCable;
    std::string fabric_pointer_;
    bool switches_started_ = false;
    double technology_factor_ = 1.0;
    std::optional<double> link_efficiency_;
    double smallest_nic_efficiency_ = 1.0; // over the nodes' NIC types, set by set_fabric()
};

} // namespace twin::topology::detail
