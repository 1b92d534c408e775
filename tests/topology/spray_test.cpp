// "routing": "spray" (topology/src/spray_pools.cpp): the spraying pools of a 3-tier fat-tree and
// routes through their representatives, against the structure of the fabric (kThreeTier: 8
// DGX-H100, leaf groups of 2 nodes, 2 groups per pod, so 2 pods; QM9700 links of 50 GB/s at
// efficiency 0.94, the ConnectX-7's, x InfiniBand's factor 1).
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace twin::topology::testing {
namespace {

std::string with_routing(const std::string& text, const std::string& routing) {
    const std::string key = "\"fabric\": {";
    std::string out = text;
    out.insert(out.find(key) + key.size(), "\"routing\": \"" + routing + "\", ");
    return out;
}

// Switch-switch up links by lower switch.
std::map<VertexId, std::vector<std::uint32_t>> uplinks(const Cluster& c) {
    std::map<VertexId, std::vector<std::uint32_t>> out;
    for (std::uint32_t l = 0; l < c.links().size(); ++l) {
        const auto& link = c.links()[l];
        if (link.tier == LinkTier::Aggregation || link.tier == LinkTier::Core) {
            out[link.a].push_back(l);
        }
    }
    return out;
}

TEST(Spray, EcmpHasNoPools) {
    const Cluster c = load_text(kThreeTier);
    EXPECT_FALSE(c.spraying());
    for (std::uint32_t s = 0; s < 2 * c.links().size(); ++s) {
        EXPECT_EQ(c.spray_pool(s), -1);
        EXPECT_DOUBLE_EQ(c.slot_bandwidth(s), c.links()[s / 2].bandwidth.value() * c.links()[s / 2].efficiency);
    }
}

TEST(Spray, PoolsAreALeafsUplinksItsDownlinksAndAPodsCoreLinks) {
    const Cluster c = load_text(with_routing(kThreeTier, "spray"));
    ASSERT_TRUE(c.spraying());
    EXPECT_FALSE(c.adaptive_routing());
    const auto& g = c.graph();
    std::map<int, std::set<std::uint32_t>> core_up_reps; // by pod: representatives of spine -> core
    std::set<std::uint32_t> leaf_reps;
    for (const auto& [lower, ups] : uplinks(c)) {
        const bool leaf = g[lower].tier == 1;
        // Every up slot of the switch is in one pool, every down slot into it in another.
        const auto rep_of = [&](std::uint32_t slot) { // a pool's representative is its smallest slot
            for (std::uint32_t r = 0; r <= slot; ++r) {
                if (const int p = c.spray_pool(r); p >= 0) {
                    const auto [first, last] = c.spray_pool_members(p);
                    if (std::find(first, last, slot) != last) {
                        return r;
                    }
                }
            }
            ADD_FAILURE() << "slot " << slot << " in no pool";
            return slot;
        };
        const auto up_rep = rep_of(2 * ups.front());
        const auto down_rep = rep_of(2 * ups.front() + 1);
        for (auto l : ups) {
            EXPECT_EQ(rep_of(2 * l), up_rep);
            EXPECT_EQ(rep_of(2 * l + 1), down_rep);
        }
        EXPECT_EQ(up_rep % 2, 0u);
        EXPECT_EQ(down_rep % 2, 1u);
        if (leaf) {
            // A leaf's pools are its own: n uplinks of 50 GB/s x 0.94.
            EXPECT_TRUE(leaf_reps.insert(up_rep).second);
            EXPECT_TRUE(leaf_reps.insert(down_rep).second);
            EXPECT_NEAR(c.slot_bandwidth(up_rep), static_cast<double>(ups.size()) * 47e9, 1.0);
            EXPECT_NEAR(c.slot_bandwidth(down_rep), static_cast<double>(ups.size()) * 47e9, 1.0);
        } else {
            core_up_reps[g[lower].group].insert(up_rep);
        }
    }
    // The spines of one pod share one spine -> core pool; the two pods have different ones.
    ASSERT_EQ(core_up_reps.size(), 2u);
    std::set<std::uint32_t> all;
    for (const auto& [pod, reps] : core_up_reps) {
        EXPECT_EQ(reps.size(), 1u) << "pod " << pod;
        all.insert(reps.begin(), reps.end());
    }
    EXPECT_EQ(all.size(), 2u);
}

TEST(Spray, RoutesCrossEveryTierByPoolRepresentatives) {
    const Cluster ecmp = load_text(kThreeTier);
    const Cluster c = load_text(with_routing(kThreeTier, "spray"));
    // GPU 0 (pod 0) -> GPU 32 (node 4, pod 1): the same tiers as ECMP, each switch hop by its pool.
    std::vector<Hop> e;
    std::vector<Hop> s;
    ecmp.route(0, 32, e);
    c.route(0, 32, s);
    ASSERT_EQ(e.size(), s.size());
    int pooled = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const std::uint32_t slot = 2 * s[i].link + (s[i].up ? 0 : 1);
        EXPECT_EQ(c.links()[s[i].link].tier, ecmp.links()[e[i].link].tier);
        EXPECT_EQ(s[i].up, e[i].up);
        if (c.links()[s[i].link].tier == LinkTier::Aggregation || c.links()[s[i].link].tier == LinkTier::Core) {
            EXPECT_GE(c.spray_pool(slot), 0) << "hop " << i;
            ++pooled;
        } else {
            EXPECT_EQ(s[i], e[i]); // host and access hops: the ECMP ones
        }
    }
    EXPECT_EQ(pooled, 4); // leaf -> spine -> core -> spine -> leaf
    // Every pair from one leaf to another pod uses the same leaf uplink pool.
    std::vector<Hop> t;
    c.route(8, 40, t); // node 1 (same leaf group, rail 0) -> node 5
    EXPECT_EQ(t[2], s[2]);
}

TEST(Spray, BadRoutingNamesThePointer) {
    EXPECT_INPUT_ERROR(load_text(with_routing(kThreeTier, "packet")), "/topology/fabric/routing",
                       "expected one of ecmp, adaptive, spray");
}

} // namespace
} // namespace twin::topology::testing
