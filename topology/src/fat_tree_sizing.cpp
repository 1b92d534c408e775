// Sizing of the rail-optimized fat-tree; the rules are in fat_tree_sizing.hpp.
#include "fat_tree_sizing.hpp"

#include "twin/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <utility>

namespace twin::topology::detail {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

// Uplinks that carry `down_ports` x `down_bw` at `oversub`:1 over links of `up_bw`.
std::int64_t uplinks_for(std::int64_t down_ports, double down_bw, double oversub, double up_bw) {
    const double exact = static_cast<double>(down_ports) * down_bw / (oversub * up_bw);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(exact - 1e-9)));
}

} // namespace

FatTreeSize size_rail_fat_tree(const FatTreeSizingInput& in) {
    const auto fail = [&](const std::string& pointer, const std::string& message) {
        throw InputError(in.file, pointer, message);
    };
    const bool three = in.tiers.size() == 3;
    const FatTreeTierSpec& leaf = in.tiers[0];
    const FatTreeTierSpec& spine = in.tiers[1];
    const std::int64_t rails = in.rails;
    const double o1 = leaf.oversubscription;
    const auto leaf_ports = [&](std::int64_t group) {
        const std::int64_t down = group * in.nic_ports;
        return std::pair{down, uplinks_for(down, in.access_bw, o1, in.up1_bw)};
    };
    FatTreeSize z;

    // Leaf groups.
    std::string group_pointer = leaf.pointer + "/switch";
    if (in.nodes_per_leaf_group) {
        z.group_size = in.nodes_per_leaf_group->value;
        group_pointer = in.nodes_per_leaf_group->pointer;
    } else {
        for (std::int64_t n = std::min<std::int64_t>(in.nodes, leaf.radix); n >= 1 && z.group_size == 0; --n) {
            const auto [down, up] = leaf_ports(n);
            z.group_size = down + up <= leaf.radix ? n : 0;
        }
        if (z.group_size == 0) {
            const auto [down, up] = leaf_ports(1);
            fail(group_pointer,
                 fmt::format("a leaf needs {} ports for even one node ({} NIC port(s) per rail + {} up at {}:1); "
                             "{} has {}",
                             down + up, down, up, o1, leaf.switch_name, leaf.radix));
        }
    }
    std::tie(z.leaf_down, z.leaf_up) = leaf_ports(z.group_size);
    const std::int64_t d1 = z.leaf_down;
    const std::int64_t u1 = z.leaf_up;
    if (d1 + u1 > leaf.radix) {
        fail(group_pointer,
             fmt::format("a leaf needs {} ports ({} down to {} nodes x {} NIC port(s) per rail + {} up at {}:1); "
                         "{} has {}",
                         d1 + u1, d1, z.group_size, in.nic_ports, u1, o1, leaf.switch_name, leaf.radix));
    }
    z.groups = ceil_div(in.nodes, z.group_size);
    z.leaves = z.groups * rails;

    // Spines and cores.
    z.groups_per_pod = z.groups;
    const std::string spine_pointer = spine.count ? spine.count->pointer : spine.pointer + "/switch";
    if (!three) {
        if (z.leaves > spine.radix) {
            fail(spine.pointer + "/switch",
                 fmt::format("{} leaves ({} groups x {} rails) need spines with at least {} ports (one per leaf); "
                             "{} has {}: use 3 tiers, larger leaf groups or a larger switch",
                             z.leaves, z.groups, rails, z.leaves, spine.switch_name, spine.radix));
        }
        z.spines_per_pod = spine.count ? spine.count->value : ceil_div(z.leaves * u1, spine.radix);
    } else {
        z.spines_per_pod = spine.count ? spine.count->value : u1;
    }
    if (z.spines_per_pod > u1) {
        fail(spine_pointer, fmt::format("{} spines{}: a leaf has only {} uplinks, so it cannot reach every spine",
                                        z.spines_per_pod, three ? " per pod" : "", u1));
    }
    if (three) {
        const FatTreeTierSpec& core = in.tiers[2];
        const auto spine_ports = [&](std::int64_t gp) {
            const std::int64_t down = ceil_div(gp * rails * u1, z.spines_per_pod);
            return std::pair{down, uplinks_for(down, in.up1_bw, spine.oversubscription, in.up2_bw)};
        };
        std::string pod_pointer = spine.pointer + "/switch";
        if (const auto& given = in.leaf_groups_per_pod) {
            if (given->value < 1 || given->value > z.groups) {
                fail(given->pointer, fmt::format("expected an integer in [1, {}], got {}", z.groups, given->text));
            }
            z.groups_per_pod = given->value;
            pod_pointer = given->pointer;
        } else {
            z.groups_per_pod = 0;
            for (std::int64_t gp = z.groups; gp >= 1 && z.groups_per_pod == 0; --gp) {
                const auto [down, up] = spine_ports(gp);
                z.groups_per_pod = down + up <= spine.radix ? gp : 0;
            }
            z.groups_per_pod = std::max<std::int64_t>(z.groups_per_pod, 1);
        }
        std::tie(z.spine_down, z.spine_up) = spine_ports(z.groups_per_pod);
        const std::int64_t d2 = z.spine_down;
        const std::int64_t u2 = z.spine_up;
        if (d2 + u2 > spine.radix) {
            fail(pod_pointer,
                 fmt::format("a spine needs {} ports ({} down from {} leaf group(s) x {} rails x {} uplinks over "
                             "{} spines + {} up at {}:1); {} has {}",
                             d2 + u2, d2, z.groups_per_pod, rails, u1, z.spines_per_pod, u2, spine.oversubscription,
                             spine.switch_name, spine.radix));
        }
        z.pods = ceil_div(z.groups, z.groups_per_pod);
        if (z.pods > core.radix) {
            fail(core.pointer + "/switch",
                 fmt::format("{} pods need cores with at least {} ports (one per pod); {} has {}", z.pods, z.pods,
                             core.switch_name, core.radix));
        }
        const std::string core_pointer = core.count ? core.count->pointer : core.pointer + "/switch";
        if (core.count) {
            const std::int64_t total = core.count->value;
            if (total % z.spines_per_pod != 0) {
                fail(core_pointer,
                     fmt::format("{} cores is not a multiple of the {} spines per pod (one core group per spine)",
                                 total, z.spines_per_pod));
            }
            z.cores_per_group = total / z.spines_per_pod;
        } else {
            z.cores_per_group = ceil_div(z.pods * u2, core.radix);
        }
        if (z.cores_per_group > u2) {
            fail(core_pointer,
                 fmt::format("{} cores per core group: a spine has only {} uplinks, so it cannot reach every core of "
                             "its core group",
                             z.cores_per_group, u2));
        }
        const std::int64_t need = ceil_div(z.pods * u2, z.cores_per_group);
        if (need > core.radix) {
            fail(core_pointer,
                 fmt::format("each core needs {} ports ({} pods x {} uplinks over {} cores per core group); {} has {}",
                             need, z.pods, u2, z.cores_per_group, core.switch_name, core.radix));
        }
        z.spines = z.pods * z.spines_per_pod;
        z.cores = z.spines_per_pod * z.cores_per_group;
    } else {
        const std::int64_t need = ceil_div(z.leaves * u1, z.spines_per_pod);
        if (need > spine.radix) {
            fail(spine_pointer,
                 fmt::format("each spine needs {} ports ({} leaves x {} uplinks over {} spines); {} has {}", need,
                             z.leaves, u1, z.spines_per_pod, spine.switch_name, spine.radix));
        }
        z.pods = ceil_div(z.groups, z.groups_per_pod); // 1
        z.spines = z.spines_per_pod;
    }
    return z;
}

} // namespace twin::topology::detail
