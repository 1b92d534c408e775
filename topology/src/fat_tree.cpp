// Rail-optimized fat-tree generator ("type": "rail-optimized-fat-tree"; topology/README.md), in
// three steps: read the keys (read_fat_tree: catalog entries and plain numbers), size the tiers
// (size_rail_fat_tree in fat_tree_sizing.*: pure arithmetic, its rules at the top of its header),
// build the graph (build_fat_tree_graph).
//
// Leaf groups (scalable units) of N nodes; a group has one leaf per rail, and every NIC on rail r
// of every node in the group connects its ports to the group's rail-r leaf (several NICs of a
// node may share a rail: a GB200 NVL72 rack has 18 NICs on each of its 4 rails).
// Planes ("planes": P, default 1): every NIC has P ports (or a multiple of P), port q going to
// plane q mod P; each plane is a complete, independent copy of the fat-tree, sized by the same
// rules with the NIC ports of one plane. Switch ids run tier by tier, plane by plane within a
// tier; names carry the plane ("p1.leaf.g0.r3") only when P > 1.
#include "fabric.hpp"
#include "fat_tree_sizing.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <optional>

namespace twin::topology::detail {
namespace {

struct Tier {
    const SwitchType* sw = nullptr;
    double oversubscription = 1.0;
    const CableType* uplink = nullptr;
    std::optional<Value> count;
    std::string pointer;
};

std::vector<Tier> read_tiers(const Array& tiers, const Catalog& cat) {
    const std::size_t n = tiers.size();
    if (n != 2 && n != 3) {
        tiers.self().fail(fmt::format("expected 2 tiers (leaf, spine) or 3 (leaf, spine, core), got {}", n));
    }
    std::vector<Tier> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        Object o = tiers.at(i).as_object();
        Tier& t = out[i];
        t.pointer = o.self().pointer();
        t.sw = &find_entry(cat.switches, o.at("switch"), "switch type");
        if (i + 1 < n) {
            if (auto v = o.find("oversubscription")) {
                t.oversubscription = v->as_ratio();
            }
            t.uplink = &find_entry(cat.cables, o.at("uplink_cable"), "cable type");
        } else {
            for (const char* key : {"oversubscription", "uplink_cable"}) {
                if (o.has(key)) {
                    o.fail_at(key, fmt::format("\"{}\" is for tiers with uplinks; the top tier has none", key));
                }
            }
        }
        if (i > 0) {
            t.count = o.find("count");
            if (t.count) {
                [[maybe_unused]] const auto checked = t.count->as_integer(1, 1'000'000);
            }
        } else if (o.has("count")) {
            o.fail_at("count", "the number of leaves follows from the leaf groups (one leaf per rail per group); "
                               "set \"nodes_per_leaf_group\" on the fabric instead");
        }
        o.finish();
    }
    return out;
}

// An integer key as given; its text is the integer as the file writes it (as Value::describe()).
GivenCount given(const Value& v, std::int64_t value) {
    return GivenCount{value, v.pointer(), std::to_string(value)};
}

// What the graph is built from: the catalog entries, the NIC port split and the sizing input.
struct FatTreeRead {
    const CableType* access = nullptr;
    std::vector<Tier> tiers;
    int planes = 1;
    int rails = 0;
    std::string pointer; // the fabric object
    FatTreeSizingInput sizing;
};

FatTreeRead read_fat_tree(Object f, const Builder& b) {
    const Catalog& cat = b.catalog();
    FatTreeRead r;
    r.pointer = f.self().pointer();
    r.access = &find_entry(cat.cables, f.at("access_cable"), "cable type");
    r.tiers = read_tiers(f.at("tiers").as_array(), cat);
    const auto& tiers = r.tiers;
    const bool three = tiers.size() == 3;
    const auto group_size_value = f.find("nodes_per_leaf_group");
    const auto rails_value = f.find("rails");
    const auto planes_value = f.find("planes");
    std::optional<Value> pod_size_value;
    if (three) {
        pod_size_value = f.find("leaf_groups_per_pod");
    } else if (f.has("leaf_groups_per_pod")) {
        f.fail_at("leaf_groups_per_pod", "pods exist only in a 3-tier fabric");
    }
    f.finish();

    const SwitchType& leaf = *tiers[0].sw;
    const SwitchType& spine = *tiers[1].sw;
    const int nodes = b.node_count();
    const int planes = planes_value ? static_cast<int>(planes_value->as_integer(1, 16)) : 1;
    const int rails_given = rails_value ? static_cast<int>(rails_value->as_integer(1, 65536)) : 0;
    int rails = 0;
    int nic_ports = 0; // NIC ports per node on one rail and plane: the most over node types and rails
    double access_bw = 0;
    for (int n = 0; n < nodes; ++n) {
        if (n > 0 && &b.node_type(n) == &b.node_type(n - 1)) {
            continue;
        }
        const NodeType& nt = b.node_type(n);
        const NicType& nic = cat.nics.at(nt.nic);
        const int node_rails = nt.rail_count();
        if (rails_value && node_rails != rails_given) {
            rails_value->fail(fmt::format("\"rails\": {}, but node type \"{}\" has its {} NICs on {} rail{} "
                                          "(nic_rails)",
                                          rails_given, nt.name, nt.nic_rails.size(), node_rails,
                                          node_rails == 1 ? "" : "s"));
        }
        if (nic.ports % planes != 0) {
            planes_value->fail(fmt::format("{} planes need {} NIC port{} per plane, but node type \"{}\" has {} "
                                           "with {} port{}",
                                           planes, nic.ports < planes ? "one" : "as many",
                                           nic.ports < planes ? "" : "s", nt.name, nic.name, nic.ports,
                                           nic.ports == 1 ? "" : "s"));
        }
        std::vector<int> per_rail(static_cast<std::size_t>(node_rails), 0);
        for (int rail : nt.nic_rails) {
            ++per_rail[static_cast<std::size_t>(rail)];
        }
        rails = std::max(rails, node_rails);
        nic_ports = std::max(nic_ports, *std::max_element(per_rail.begin(), per_rail.end()) * nic.ports / planes);
        access_bw =
            std::max(access_bw, std::min({r.access->bandwidth, nic.port_bandwidth, leaf.port_bandwidth}).value());
    }
    r.planes = planes;
    r.rails = rails;

    FatTreeSizingInput& in = r.sizing;
    in.file = b.file();
    in.nodes = nodes;
    in.rails = rails;
    in.nic_ports = nic_ports;
    in.access_bw = access_bw;
    in.up1_bw = std::min({tiers[0].uplink->bandwidth, leaf.port_speed(true), spine.port_bandwidth}).value();
    if (three) {
        in.up2_bw = std::min({tiers[1].uplink->bandwidth, spine.port_speed(true), tiers[2].sw->port_bandwidth}).value();
    }
    for (const Tier& t : tiers) {
        FatTreeTierSpec spec;
        spec.switch_name = t.sw->name;
        spec.radix = t.sw->radix;
        spec.oversubscription = t.oversubscription;
        spec.pointer = t.pointer;
        if (t.count) {
            spec.count = given(*t.count, t.count->as_integer(1, 1'000'000));
        }
        in.tiers.push_back(std::move(spec));
    }
    if (group_size_value) {
        in.nodes_per_leaf_group = given(*group_size_value, group_size_value->as_integer(1, nodes));
    }
    if (pod_size_value) {
        // The range [1, leaf groups] is checked by the sizing, which knows the groups.
        in.leaf_groups_per_pod =
            given(*pod_size_value, pod_size_value->as_integer(std::numeric_limits<std::int64_t>::min(),
                                                              std::numeric_limits<std::int64_t>::max()));
    }
    return r;
}

// Adds the switches and links of a sized fat-tree: leaves, spines, cores (plane by plane within a
// tier), then access, leaf-spine and spine-core links.
void build_fat_tree_graph(const FatTreeRead& r, const FatTreeSize& z, Builder& b) {
    const Catalog& cat = b.catalog();
    const bool three = r.tiers.size() == 3;
    const int planes = r.planes;
    const int rails = r.rails;
    const int nodes = b.node_count();
    const std::int64_t leaves = z.leaves;
    const std::int64_t spines = z.spines;
    const std::int64_t cores = z.cores;
    const std::uint32_t origin = b.add_origin(r.pointer);
    // Names carry the plane only in a multi-plane fabric (single-plane names stay "leaf.g0.r3").
    const auto named = [&](int plane, std::string name) {
        return planes > 1 ? fmt::format("p{}.{}", plane, name) : std::move(name);
    };
    const auto first_leaf = static_cast<VertexId>(b.cluster().graph().num_vertices());
    const auto leaf_at = [&](int plane, std::int64_t l) {
        return first_leaf + static_cast<VertexId>(plane * leaves + l);
    };
    const VertexId first_spine = leaf_at(planes, 0);
    const auto spine_at = [&](int plane, std::int64_t s) {
        return first_spine + static_cast<VertexId>(plane * spines + s);
    };
    const VertexId first_core = spine_at(planes, 0);
    const auto core_at = [&](int plane, std::int64_t c) {
        return first_core + static_cast<VertexId>(plane * cores + c);
    };
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t g = 0; g < z.groups; ++g) {
            for (int rail = 0; rail < rails; ++rail) {
                const std::int64_t l = g * rails + rail;
                b.add_switch(*r.tiers[0].sw, 1, static_cast<int>(p * leaves + l), static_cast<int>(g), rail, origin,
                             planes > 1 ? named(p, fmt::format("leaf.g{}.r{}", g, rail)) : std::string(), p);
            }
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t s = 0; s < spines; ++s) {
            const int pod = three ? static_cast<int>(s / z.spines_per_pod) : -1;
            b.add_switch(
                *r.tiers[1].sw, 2, static_cast<int>(p * spines + s), pod, -1, origin,
                named(p, three ? fmt::format("spine.g{}.{}", pod, s % z.spines_per_pod) : fmt::format("spine.{}", s)),
                p);
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t c = 0; c < cores; ++c) {
            b.add_switch(*r.tiers[2].sw, 3, static_cast<int>(p * cores + c), -1, -1, origin,
                         named(p, fmt::format("core.{}", c)), p);
        }
    }
    // Access links node by node; NIC port q goes to plane q mod P.
    for (int n = 0; n < nodes; ++n) {
        const NodeInfo& node = b.node(n);
        const int ports = cat.nics.at(b.node_type(n).nic).ports;
        const std::int64_t g = n / z.group_size;
        for (VertexId nic : node.nics) {
            const std::int64_t l = g * rails + b.cluster().graph()[nic].rail;
            for (int q = 0; q < ports; ++q) {
                b.connect(nic, leaf_at(q % planes, l), *r.access, LinkTier::Access, origin);
            }
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t l = 0; l < leaves; ++l) {
            const std::int64_t g = l / rails;
            const std::int64_t pod = g / z.groups_per_pod;
            const std::int64_t in_pod = l - pod * z.groups_per_pod * rails;
            for (std::int64_t k = 0; k < z.leaf_up; ++k) {
                const std::int64_t s = pod * z.spines_per_pod + (in_pod * z.leaf_up + k) % z.spines_per_pod;
                b.connect(leaf_at(p, l), spine_at(p, s), *r.tiers[0].uplink, LinkTier::Aggregation, origin);
            }
        }
    }
    for (int p = 0; p < planes && three; ++p) {
        for (std::int64_t s = 0; s < spines; ++s) {
            const std::int64_t pod = s / z.spines_per_pod;
            const std::int64_t core_group = s % z.spines_per_pod;
            for (std::int64_t k = 0; k < z.spine_up; ++k) {
                const std::int64_t c = core_group * z.cores_per_group + (pod * z.spine_up + k) % z.cores_per_group;
                b.connect(spine_at(p, s), core_at(p, c), *r.tiers[1].uplink, LinkTier::Core, origin);
            }
        }
    }
}

} // namespace

void build_rail_fat_tree(Object f, Builder& b) {
    const FatTreeRead read = read_fat_tree(std::move(f), b);
    const FatTreeSize size = size_rail_fat_tree(read.sizing);
    build_fat_tree_graph(read, size, b);
}

} // namespace twin::topology::detail
