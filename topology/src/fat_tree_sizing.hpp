// Sizing of the rail-optimized fat-tree: pure arithmetic, plain numbers in and out, no catalog,
// JSON or graph (fat_tree.cpp reads the keys, calls this, then builds the graph). The rules:
//
// Leaf groups (scalable units) of N nodes; a group has one leaf per rail. A leaf has
// d = N x (NIC ports on its rail per node and plane) down ports. With d down ports at bandwidth
// B_down, a leaf gets u = ceil(d * B_down / (o * B_up)) uplinks, o being the tier's
// oversubscription (down : up bandwidth) and B_up the uplink bandwidth min(uplink cable, leaf
// port, spine port). Default N: the largest that fits d + u <= radix.
//   2 tiers: S = ceil(L * u / radix_spine) spines (L leaves); uplink k of leaf l goes to spine
//            (l * u + k) mod S, so every leaf reaches every spine (needs S <= u and
//            L <= radix_spine) and spines' ports differ by at most one.
//   3 tiers: pods of P leaf groups; S_p spines per pod (default u: one link from each leaf to
//            each spine), each with d2 = ceil(P * rails * u / S_p) down ports and
//            u2 = ceil(d2 * B_up1 / (o2 * B_up2)) up ports; default P: the largest that fits
//            d2 + u2 <= radix. Spine j of every pod belongs to core group j, whose C cores
//            (default ceil(pods * u2 / radix_core)) take uplink k of pod q's spine at core
//            (q * u2 + k) mod C (needs C <= u2 and pods <= radix_core).
// Bandwidths in bytes per second, one direction. Every rule that cannot be met throws
// InputError(file, pointer of the key that asks for it, the ports needed and available).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::topology::detail {

// A key whose value is a count, as the file gave it.
struct GivenCount {
    std::int64_t value = 0;
    std::string pointer; // JSON pointer of the key
    std::string text;    // the value as it appears in the file (for range errors)
};

struct FatTreeTierSpec {
    std::string switch_name;
    std::int64_t radix = 0;
    double oversubscription = 1.0;   // down : up bandwidth; tiers with uplinks
    std::optional<GivenCount> count; // "count" of a spine or core tier
    std::string pointer;             // the tier's object
};

struct FatTreeSizingInput {
    std::string file;
    std::int64_t nodes = 0;
    std::int64_t rails = 0;
    std::int64_t nic_ports = 0;                     // NIC ports per node on one rail and plane (most over node types)
    double access_bw = 0.0;                         // min(access cable, NIC port, leaf port)
    double up1_bw = 0.0;                            // leaf -> spine: min(uplink cable, leaf port, spine port)
    double up2_bw = 0.0;                            // spine -> core (3 tiers): min(uplink cable, spine port, core port)
    std::vector<FatTreeTierSpec> tiers;             // leaf, spine[, core]
    std::optional<GivenCount> nodes_per_leaf_group; // already checked to be in [1, nodes]
    std::optional<GivenCount> leaf_groups_per_pod;  // 3 tiers; checked here to be in [1, groups]
};

struct FatTreeSize {
    std::int64_t group_size = 0; // nodes per leaf group
    std::int64_t groups = 0;
    std::int64_t leaves = 0; // per plane: groups x rails
    std::int64_t leaf_down = 0;
    std::int64_t leaf_up = 0; // u
    std::int64_t groups_per_pod = 0;
    std::int64_t pods = 0; // 1 with 2 tiers
    std::int64_t spines_per_pod = 0;
    std::int64_t spines = 0;     // per plane
    std::int64_t spine_down = 0; // 3 tiers (0 otherwise)
    std::int64_t spine_up = 0;   // u2; 3 tiers
    std::int64_t cores_per_group = 0;
    std::int64_t cores = 0; // per plane
};

[[nodiscard]] FatTreeSize size_rail_fat_tree(const FatTreeSizingInput& in);

} // namespace twin::topology::detail
