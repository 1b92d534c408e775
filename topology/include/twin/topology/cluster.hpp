// The cluster as a graph: every GPU, scale-up switch, NIC and fabric switch is a vertex, every
// cable an undirected edge (full duplex: its bandwidth is available in each direction).
// Built by topology::load_topology() from the scenario's "topology" object; read by models/ and
// sim/. Vertex and link ids are dense, stable and deterministic, so sim/ can index arrays by them.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/topology/catalog.hpp"
#include "twin/topology/graph.hpp"
#include "twin/topology/storage.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace twin::topology {

namespace detail {
struct ClusterIndex;   // compact routing/naming tables, defined in src/
class SwitchDistances; // hop distances to destination switches, src/switch_distances.hpp
class Builder;         // the only writer of a Cluster
} // namespace detail

// Which part of the network a link belongs to; used for per-tier reports.
enum class LinkTier : std::uint8_t {
    ScaleUp,     // GPU <-> scale-up switch (NVLink)
    Host,        // GPU <-> NIC (PCIe)
    Access,      // NIC <-> leaf switch (tier 1)
    Aggregation, // leaf (tier 1) <-> spine (tier 2)
    Core,        // spine (tier 2) <-> core (tier 3)
};
inline constexpr auto kLinkTierNames = enum_names<LinkTier>({{LinkTier::ScaleUp, "scale-up"},
                                                             {LinkTier::Host, "host"},
                                                             {LinkTier::Access, "access"},
                                                             {LinkTier::Aggregation, "leaf-spine"},
                                                             {LinkTier::Core, "spine-core"}});
[[nodiscard]] std::string_view link_tier_name(LinkTier t); // kLinkTierNames

struct LinkInfo {
    VertexId a = 0; // the endpoint closer to the GPUs (lower tier)
    VertexId b = 0;
    BytesPerSecond bandwidth; // per direction
    // Cable latency + half the latency of each end device (switch port-to-port, NIC; GPUs add
    // nothing; a scale-up link is half the GPU's scaleup_latency). A route's sum is then every
    // cable plus every switch and NIC it passes, once (see topology/README.md, "Latency").
    Seconds latency;
    LinkTier tier = LinkTier::Access;
    // The link's CableType as an index into Cluster::cable_types() (0: no cable type, the
    // scale-up links); Cluster::cable(link) gives its name. One table per cluster instead of a
    // string per link (8 M links at 1M GPUs).
    std::uint16_t cable_type = 0;
    double efficiency = 1.0; // fraction of `bandwidth` NCCL traffic gets (the simulator applies it)
};

// One hop of a route: a link and the direction it is crossed in (true: a -> b, i.e. upward).
struct Hop {
    std::uint32_t link = 0;
    bool up = true;
    bool operator==(const Hop&) const = default;
};

struct NodeInfo {
    std::string type; // NodeType name
    int rack = 0;
    int first_gpu = 0; // global GPU index of local GPU 0
    int gpus = 0;
    VertexId scaleup_switch = 0; // valid when gpus > 1
    std::vector<VertexId> nics;  // by NIC index
};

class Cluster {
public:
    [[nodiscard]] const Catalog& catalog() const { return catalog_; }
    [[nodiscard]] const Graph& graph() const { return graph_; }
    [[nodiscard]] const std::vector<LinkInfo>& links() const { return links_; }
    // The CableType names links use, indexed by LinkInfo::cable_type; entry 0 is "" (no cable).
    [[nodiscard]] const std::vector<std::string>& cable_types() const { return cable_types_; }
    // The CableType name of a link ("" for scale-up links, which have no cable type).
    [[nodiscard]] const std::string& cable(std::uint32_t link) const { return cable_types_[links_[link].cable_type]; }
    [[nodiscard]] const std::vector<NodeInfo>& nodes() const { return nodes_; }

    [[nodiscard]] int gpu_count() const { return static_cast<int>(gpu_vertex_.size()); }
    [[nodiscard]] VertexId gpu_vertex(int gpu) const { return gpu_vertex_[gpu]; }
    [[nodiscard]] int node_of_gpu(int gpu) const { return graph_[gpu_vertex_[gpu]].node; }
    [[nodiscard]] int local_index(int gpu) const { return graph_[gpu_vertex_[gpu]].local; }
    [[nodiscard]] const GpuType& gpu_type(int gpu) const;
    // A straggler's compute speed relative to its type's (1 for every GPU unless the scenario's
    // "stragglers" set it: models/src/stragglers.cpp); compute ops take their time / speed.
    [[nodiscard]] double gpu_speed(int gpu) const {
        return gpu_speed_.empty() ? 1.0 : gpu_speed_[static_cast<std::size_t>(gpu)];
    }
    void set_gpu_speed(int gpu, double speed);
    // A failed fabric link (the scenario's "failed_links": topology/src/failed_links.cpp): the
    // switch-to-switch link `link` is taken out of routing, as if uncabled; routes take the
    // remaining shortest paths. Returns an empty string, or why the link cannot fail (not between
    // two fabric switches, spray routing, or the fabric would be cut in two).
    [[nodiscard]] std::string fail_link(std::uint32_t link);
    [[nodiscard]] const std::vector<std::uint32_t>& failed_links() const { return failed_links_; }
    // The NIC a GPU sends through: local GPU i of a node with G GPUs and K NICs uses NIC i*K/G.
    [[nodiscard]] int nic_of_gpu(int gpu) const;
    [[nodiscard]] int rail_of_gpu(int gpu) const; // rail of that NIC, -1 without NIC

    // Human-readable names, built on demand: "node12/gpu3", "node12/nvswitch", "node12/nic3",
    // "leaf.g2.r5" (group 2, rail 5), "spine.g0.7", "core.12", or the explicit name.
    [[nodiscard]] std::string vertex_name(VertexId v) const;
    [[nodiscard]] std::string link_name(std::uint32_t link) const; // "node0/nic3 <-> leaf.g0.r3"

    // Appends the hops from GPU src to GPU dst (src != dst): through the scale-up switch inside
    // a node; otherwise GPU -> its NIC -> fabric (ECMP over shortest paths, a deterministic hash of
    // (src, dst) picks among equal-cost next hops, also the NIC port, i.e. the plane of a
    // multi-plane fabric) -> the NIC of dst's rail (its port in the same plane) -> dst.
    // Throws InputError-free std::logic_error only on programmer error; reachability is checked
    // when the cluster is loaded. With PXN (pxn_proxy() >= 0) the route first takes NVLink to the
    // proxy GPU (src's scale-up link up, the proxy's down) and leaves by the proxy's NIC.
    void route(int src_gpu, int dst_gpu, std::vector<Hop>& out) const;

    // PXN (NCCL's "PCI x NVLink", NCCL_PXN_DISABLE=0, the default since NCCL 2.12): a send to a GPU
    // of another node whose NIC is on another rail moves over NVLink to the GPU of the source node
    // on the destination's rail, and leaves by that GPU's NIC, so it stays in the destination's
    // rail (one leaf when both nodes share a leaf group) instead of crossing rails through the
    // spines. Applies when the fabric is rail-optimized (rail_optimized()) and its "pxn" is on.
    // Returns that proxy GPU: the source node's GPU with the destination's local index when its
    // NIC is on the destination's rail, else the first GPU of the source node on that rail; -1
    // when the route goes direct (same node, same rail, PXN off, no fabric rails, no such GPU).
    [[nodiscard]] int pxn_proxy(int src_gpu, int dst_gpu) const;
    // Every fabric switch with access links takes the NICs of one rail only (a rail-optimized
    // fat-tree; an explicit fabric cabled that way).
    [[nodiscard]] bool rail_optimized() const;
    // The fabric's "pxn" key (default true); PXN routes only where rail_optimized() as well.
    [[nodiscard]] bool pxn_enabled() const;

    // ECMP salt: the scenario's seed salts the hash of every equal-cost choice (route() and the
    // tie order of route_adaptive()), so a seed sweep samples the fabric's flow collisions. Seed
    // s gives the salt Rng(s, "topology/ecmp").next_u64(); a cluster loaded without a scenario
    // (info, tests) keeps salt 0.
    void set_ecmp_seed(std::uint64_t seed);
    [[nodiscard]] std::uint64_t ecmp_salt() const { return ecmp_salt_; }

    // True when the fabric asks for adaptive routing ("routing": "adaptive"); the simulator then
    // routes with route_adaptive() instead of route().
    [[nodiscard]] bool adaptive_routing() const;
    // Like route(), but among equal-cost next hops (parallel links, the source NIC's access links,
    // so also the plane of a multi-plane fabric, and the destination NIC's access links in that
    // plane) picks the directed link with the least load; ties go to the candidate nearest to the
    // ECMP hash choice (so an empty `load` gives route()'s path). Then adds `bytes` to the load of
    // every directed link of the route. `load` holds 2 entries per link (2 * link + (up ? 0 : 1))
    // and the caller's accounting (bytes placed in the current phase); it must have 2 x links()
    // entries. Greedy, hop by hop; no allocation beyond `out` (and the first use of a
    // destination switch, as route()).
    void route_adaptive(int src_gpu, int dst_gpu, double bytes, std::vector<double>& load, std::vector<Hop>& out) const;
    // True when the fabric sprays packets ("routing": "spray", topology/src/spray_pools.cpp): route()
    // then replaces every switch-to-switch hop by the representative of its spraying pool, a set
    // of equal-cost links that carries sprayed traffic as one link of their total bandwidth.
    [[nodiscard]] bool spraying() const;
    // Effective bandwidth (bytes/s) of a directed slot (2 x link + 1 for down) as the simulator
    // sees it: a spraying pool's total at its representative; bandwidth x efficiency otherwise.
    [[nodiscard]] double slot_bandwidth(std::uint32_t slot) const;
    // Spraying pool of a representative slot (-1 when the slot represents no pool) and a pool's
    // member slots [first, last) (its representative included).
    [[nodiscard]] int spray_pool(std::uint32_t slot) const;
    [[nodiscard]] std::pair<const std::uint32_t*, const std::uint32_t*> spray_pool_members(int pool) const;
    // The fabric's "technology": "infiniband", "roce", "spectrum-x"; "" without a fabric.
    [[nodiscard]] const std::string& technology() const;

    [[nodiscard]] const std::string& name() const { return name_; } // "" when not given
    // The optional storage and front-end network ("storage"; present == false without one).
    [[nodiscard]] const StorageFabric& storage() const { return storage_; }
    [[nodiscard]] const std::string& source_file() const { return source_file_; }
    // Number of fabric switches (tiers 1..3); their vertices are the last ones of the graph.
    [[nodiscard]] int switch_count() const;
    // Fabric switch i (0 <= i < switch_count()) and its SwitchType name.
    [[nodiscard]] VertexId switch_vertex(int i) const;
    [[nodiscard]] const std::string& switch_type(int i) const;
    // Ids of the links at a vertex, in build order (graph().edges(v) gives them with the far end).
    [[nodiscard]] std::vector<std::uint32_t> links_of(VertexId v) const;

    // --- construction (used by the loaders; not by readers) ---
    Catalog catalog_;
    Graph graph_;
    std::vector<LinkInfo> links_;
    std::vector<std::string> cable_types_{std::string()};
    std::vector<NodeInfo> nodes_;
    std::vector<VertexId> gpu_vertex_;
    std::vector<double> gpu_speed_; // per GPU, empty when every GPU runs at speed 1
    std::vector<std::uint32_t> failed_links_;
    std::string source_file_; // scenario file it came from (for error messages)
    std::string name_;        // optional name given in the scenario
    StorageFabric storage_;   // the topology's "storage" object (storage.hpp)

    // Lazily filled routing state (hop distances over switches, per class of destination
    // switches: src/switch_distances.hpp). route() fills it on first use, so route() must not run
    // concurrently on one Cluster (the simulator is single-threaded). Reset when the switch graph
    // changes (fail_link).
    mutable std::shared_ptr<detail::SwitchDistances> distances_;

private:
    std::uint64_t ecmp_salt_ = 0;
    friend class detail::Builder;
    // The route from src to dst with `choose(salt, n, each)` picking among n equal-cost
    // candidates (cluster.cpp: ECMP hash or least load).
    template <class Choose>
    void walk(int src_gpu, int dst_gpu, const Choose& choose, std::vector<Hop>& out) const;
    std::shared_ptr<const detail::ClusterIndex> index_;
};

} // namespace twin::topology
