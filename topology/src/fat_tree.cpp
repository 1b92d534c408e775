// Rail-optimized fat-tree generator ("type": "rail-optimized-fat-tree"; topology/README.md).
//
// Leaf groups (scalable units) of N nodes; a group has one leaf per rail, and every NIC on rail r
// of every node in the group connects its ports to the group's rail-r leaf (several NICs of a
// node may share a rail: a GB200 NVL72 rack has 18 NICs on each of its 4 rails). A leaf has
// d = N x (NIC ports on its rail per node and plane) down ports. With d down ports at bandwidth
// B_down, a leaf gets u = ceil(d * B_down / (o * B_up)) uplinks, o being the
// tier's oversubscription (down : up bandwidth) and B_up the uplink bandwidth
// min(uplink cable, leaf port, spine port). Default N: the largest that fits d + u <= radix.
//   2 tiers: S = ceil(L * u / radix_spine) spines (L leaves); uplink k of leaf l goes to spine
//            (l * u + k) mod S, so every leaf reaches every spine (needs S <= u and
//            L <= radix_spine) and spines' ports differ by at most one.
//   3 tiers: pods of P leaf groups; S_p spines per pod (default u: one link from each leaf to
//            each spine), each with d2 = ceil(P * rails * u / S_p) down ports and
//            u2 = ceil(d2 * B_up1 / (o2 * B_up2)) up ports; default P: the largest that fits
//            d2 + u2 <= radix. Spine j of every pod belongs to core group j, whose C cores
//            (default ceil(pods * u2 / radix_core)) take uplink k of pod q's spine at core
//            (q * u2 + k) mod C (needs C <= u2 and pods <= radix_core).
// Planes ("planes": P, default 1): every NIC has P ports (or a multiple of P), port q going to
// plane q mod P; each plane is a complete, independent copy of the fat-tree above, sized by the
// same rules with the NIC ports of one plane. Switch ids run tier by tier, plane by plane within a
// tier; names carry the plane ("p1.leaf.g0.r3") only when P > 1.
// Every sizing rule that cannot be met throws InputError at the key that asks for it, with the
// ports needed and available.
#include "fabric.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
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

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

// Uplinks that carry `down_ports` x `down_bw` at `oversub`:1 over links of `up_bw`.
std::int64_t uplinks_for(std::int64_t down_ports, double down_bw, double oversub, double up_bw) {
    const double exact = static_cast<double>(down_ports) * down_bw / (oversub * up_bw);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(exact - 1e-9)));
}

[[noreturn]] void fail_at(const Builder& b, const std::string& pointer, const std::string& message) {
    throw InputError(b.file(), pointer, message);
}

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

int count_of(const Tier& t) {
    return static_cast<int>(t.count->as_integer(1, 1'000'000));
}

} // namespace

void build_rail_fat_tree(Object f, Builder& b) {
    const Catalog& cat = b.catalog();
    const CableType& access = find_entry(cat.cables, f.at("access_cable"), "cable type");
    const std::vector<Tier> tiers = read_tiers(f.at("tiers").as_array(), cat);
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
        for (int r : nt.nic_rails) {
            ++per_rail[static_cast<std::size_t>(r)];
        }
        rails = std::max(rails, node_rails);
        nic_ports = std::max(nic_ports, *std::max_element(per_rail.begin(), per_rail.end()) * nic.ports / planes);
        access_bw = std::max(access_bw, std::min({access.bandwidth, nic.port_bandwidth, leaf.port_bandwidth}).value());
    }
    const double up1_bw = std::min({tiers[0].uplink->bandwidth, leaf.port_bandwidth, spine.port_bandwidth}).value();
    const double o1 = tiers[0].oversubscription;
    const auto leaf_ports = [&](std::int64_t group) {
        const std::int64_t down = group * nic_ports;
        return std::pair{down, uplinks_for(down, access_bw, o1, up1_bw)};
    };

    // Leaf groups.
    std::int64_t group_size = 0;
    std::string group_pointer = tiers[0].pointer + "/switch";
    if (group_size_value) {
        group_size = group_size_value->as_integer(1, nodes);
        group_pointer = group_size_value->pointer();
    } else {
        for (std::int64_t n = std::min<std::int64_t>(nodes, leaf.radix); n >= 1 && group_size == 0; --n) {
            const auto [down, up] = leaf_ports(n);
            group_size = down + up <= leaf.radix ? n : 0;
        }
        if (group_size == 0) {
            const auto [down, up] = leaf_ports(1);
            fail_at(b, group_pointer,
                    fmt::format("a leaf needs {} ports for even one node ({} NIC port(s) per rail + {} up at {}:1); "
                                "{} has {}",
                                down + up, down, up, o1, leaf.name, leaf.radix));
        }
    }
    // Plain names, not a structured binding: lambdas below capture them (clang < 16 refuses bindings).
    const auto leaf_split = leaf_ports(group_size);
    const std::int64_t d1 = leaf_split.first;
    const std::int64_t u1 = leaf_split.second;
    if (d1 + u1 > leaf.radix) {
        fail_at(b, group_pointer,
                fmt::format("a leaf needs {} ports ({} down to {} nodes x {} NIC port(s) per rail + {} up at {}:1); "
                            "{} has {}",
                            d1 + u1, d1, group_size, nic_ports, u1, o1, leaf.name, leaf.radix));
    }
    const std::int64_t groups = ceil_div(nodes, group_size);
    const std::int64_t leaves = groups * rails;

    // Spines and cores.
    std::int64_t spines_per_pod = 0; // all spines when 2 tiers
    std::int64_t groups_per_pod = groups;
    std::int64_t u2 = 0;
    std::int64_t cores_per_group = 0;
    const std::string spine_pointer = tiers[1].count ? tiers[1].count->pointer() : tiers[1].pointer + "/switch";
    if (!three) {
        if (leaves > spine.radix) {
            fail_at(b, tiers[1].pointer + "/switch",
                    fmt::format("{} leaves ({} groups x {} rails) need spines with at least {} ports (one per leaf); "
                                "{} has {}: use 3 tiers, larger leaf groups or a larger switch",
                                leaves, groups, rails, leaves, spine.name, spine.radix));
        }
        spines_per_pod = tiers[1].count ? count_of(tiers[1]) : ceil_div(leaves * u1, spine.radix);
    } else {
        spines_per_pod = tiers[1].count ? count_of(tiers[1]) : u1;
    }
    if (spines_per_pod > u1) {
        fail_at(b, spine_pointer,
                fmt::format("{} spines{}: a leaf has only {} uplinks, so it cannot reach every spine", spines_per_pod,
                            three ? " per pod" : "", u1));
    }
    if (three) {
        const SwitchType& core = *tiers[2].sw;
        const double up2_bw = std::min({tiers[1].uplink->bandwidth, spine.port_bandwidth, core.port_bandwidth}).value();
        const auto spine_ports = [&](std::int64_t gp) {
            const std::int64_t down = ceil_div(gp * rails * u1, spines_per_pod);
            return std::pair{down, uplinks_for(down, up1_bw, tiers[1].oversubscription, up2_bw)};
        };
        std::string pod_pointer = tiers[1].pointer + "/switch";
        if (pod_size_value) {
            groups_per_pod = pod_size_value->as_integer(1, groups);
            pod_pointer = pod_size_value->pointer();
        } else {
            groups_per_pod = 0;
            for (std::int64_t gp = groups; gp >= 1 && groups_per_pod == 0; --gp) {
                const auto [down, up] = spine_ports(gp);
                groups_per_pod = down + up <= spine.radix ? gp : 0;
            }
            groups_per_pod = std::max<std::int64_t>(groups_per_pod, 1);
        }
        const auto [d2, up2] = spine_ports(groups_per_pod);
        u2 = up2;
        if (d2 + u2 > spine.radix) {
            fail_at(b, pod_pointer,
                    fmt::format("a spine needs {} ports ({} down from {} leaf group(s) x {} rails x {} uplinks over "
                                "{} spines + {} up at {}:1); {} has {}",
                                d2 + u2, d2, groups_per_pod, rails, u1, spines_per_pod, u2, tiers[1].oversubscription,
                                spine.name, spine.radix));
        }
        const std::int64_t pods = ceil_div(groups, groups_per_pod);
        if (pods > core.radix) {
            fail_at(b, tiers[2].pointer + "/switch",
                    fmt::format("{} pods need cores with at least {} ports (one per pod); {} has {}", pods, pods,
                                core.name, core.radix));
        }
        const std::string core_pointer = tiers[2].count ? tiers[2].count->pointer() : tiers[2].pointer + "/switch";
        if (tiers[2].count) {
            const int total = count_of(tiers[2]);
            if (total % spines_per_pod != 0) {
                fail_at(b, core_pointer,
                        fmt::format("{} cores is not a multiple of the {} spines per pod (one core group per spine)",
                                    total, spines_per_pod));
            }
            cores_per_group = total / spines_per_pod;
        } else {
            cores_per_group = ceil_div(pods * u2, core.radix);
        }
        if (cores_per_group > u2) {
            fail_at(
                b, core_pointer,
                fmt::format("{} cores per core group: a spine has only {} uplinks, so it cannot reach every core of "
                            "its core group",
                            cores_per_group, u2));
        }
        const std::int64_t need = ceil_div(pods * u2, cores_per_group);
        if (need > core.radix) {
            fail_at(
                b, core_pointer,
                fmt::format("each core needs {} ports ({} pods x {} uplinks over {} cores per core group); {} has {}",
                            need, pods, u2, cores_per_group, core.name, core.radix));
        }
    } else {
        const std::int64_t need = ceil_div(leaves * u1, spines_per_pod);
        if (need > spine.radix) {
            fail_at(b, spine_pointer,
                    fmt::format("each spine needs {} ports ({} leaves x {} uplinks over {} spines); {} has {}", need,
                                leaves, u1, spines_per_pod, spine.name, spine.radix));
        }
    }

    // Build: leaves, spines, cores, then access, leaf-spine and spine-core links.
    const std::uint32_t origin = b.add_origin(f.self().pointer());
    const std::int64_t pods = ceil_div(groups, groups_per_pod);
    // Names carry the plane only in a multi-plane fabric (single-plane names stay "leaf.g0.r3").
    const auto named = [&](int plane, std::string name) {
        return planes > 1 ? fmt::format("p{}.{}", plane, name) : std::move(name);
    };
    const std::int64_t spines = three ? pods * spines_per_pod : spines_per_pod;
    const std::int64_t cores = three ? spines_per_pod * cores_per_group : 0;
    const auto first_leaf = static_cast<VertexId>(boost::num_vertices(b.cluster().graph()));
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
        for (std::int64_t g = 0; g < groups; ++g) {
            for (int r = 0; r < rails; ++r) {
                const std::int64_t l = g * rails + r;
                b.add_switch(leaf, 1, static_cast<int>(p * leaves + l), static_cast<int>(g), r, origin,
                             planes > 1 ? named(p, fmt::format("leaf.g{}.r{}", g, r)) : std::string(), p);
            }
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t s = 0; s < spines; ++s) {
            const int pod = three ? static_cast<int>(s / spines_per_pod) : -1;
            b.add_switch(
                spine, 2, static_cast<int>(p * spines + s), pod, -1, origin,
                named(p, three ? fmt::format("spine.g{}.{}", pod, s % spines_per_pod) : fmt::format("spine.{}", s)), p);
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t c = 0; c < cores; ++c) {
            b.add_switch(*tiers[2].sw, 3, static_cast<int>(p * cores + c), -1, -1, origin,
                         named(p, fmt::format("core.{}", c)), p);
        }
    }
    // Access links node by node; NIC port q goes to plane q mod P.
    for (int n = 0; n < nodes; ++n) {
        const NodeInfo& node = b.node(n);
        const int ports = cat.nics.at(b.node_type(n).nic).ports;
        const std::int64_t g = n / group_size;
        for (VertexId nic : node.nics) {
            const std::int64_t l = g * rails + b.cluster().graph()[nic].rail;
            for (int q = 0; q < ports; ++q) {
                b.connect(nic, leaf_at(q % planes, l), access, LinkTier::Access, origin);
            }
        }
    }
    for (int p = 0; p < planes; ++p) {
        for (std::int64_t l = 0; l < leaves; ++l) {
            const std::int64_t g = l / rails;
            const std::int64_t pod = g / groups_per_pod;
            const std::int64_t in_pod = l - pod * groups_per_pod * rails;
            for (std::int64_t k = 0; k < u1; ++k) {
                const std::int64_t s = pod * spines_per_pod + (in_pod * u1 + k) % spines_per_pod;
                b.connect(leaf_at(p, l), spine_at(p, s), *tiers[0].uplink, LinkTier::Aggregation, origin);
            }
        }
    }
    for (int p = 0; p < planes && three; ++p) {
        for (std::int64_t s = 0; s < spines; ++s) {
            const std::int64_t pod = s / spines_per_pod;
            const std::int64_t core_group = s % spines_per_pod;
            for (std::int64_t k = 0; k < u2; ++k) {
                const std::int64_t c = core_group * cores_per_group + (pod * u2 + k) % cores_per_group;
                b.connect(spine_at(p, s), core_at(p, c), *tiers[1].uplink, LinkTier::Core, origin);
            }
        }
    }
}

} // namespace twin::topology::detail
