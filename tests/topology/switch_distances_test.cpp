// Switch distances by classes of twins (topology/src/switch_distances.hpp) equal a plain BFS
// from every destination switch, on graphs with twins (a two-tier Clos, a three-tier fat tree with
// pods, two planes), without them (a ring), with parallel links and a self-linked switch. route()
// reads nothing else of the switch graph's distances, so equal distances mean equal routes, seed
// by seed.
#include "switch_distances.hpp"

#include <gtest/gtest.h>
#include <utility>
#include <vector>

namespace twin::topology::detail {
namespace {

struct Graph {
    std::vector<std::uint32_t> begin;
    std::vector<std::uint32_t> other;
};

// CSR of an undirected multigraph given as edges (a self-link appears twice at its switch).
Graph csr(std::uint32_t n, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges) {
    std::vector<std::vector<std::uint32_t>> adj(n);
    for (const auto& [a, b] : edges) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    Graph g;
    for (const auto& row : adj) {
        g.begin.push_back(static_cast<std::uint32_t>(g.other.size()));
        g.other.insert(g.other.end(), row.begin(), row.end());
    }
    g.begin.push_back(static_cast<std::uint32_t>(g.other.size()));
    return g;
}

std::vector<std::uint16_t> bfs(const Graph& g, std::uint32_t t) {
    std::vector<std::uint16_t> d(g.begin.size() - 1, SwitchDistances::kUnreachable);
    std::vector<std::uint32_t> queue{t};
    d[t] = 0;
    for (std::size_t h = 0; h < queue.size(); ++h) {
        const auto s = queue[h];
        for (auto e = g.begin[s]; e < g.begin[s + 1]; ++e) {
            if (d[g.other[e]] == SwitchDistances::kUnreachable) {
                d[g.other[e]] = static_cast<std::uint16_t>(d[s] + 1);
                queue.push_back(g.other[e]);
            }
        }
    }
    return d;
}

void expect_bfs_distances(const Graph& g) {
    SwitchDistances dist(g.begin, g.other);
    const auto n = static_cast<std::uint32_t>(g.begin.size() - 1);
    for (std::uint32_t t = 0; t < n; ++t) {
        const auto want = bfs(g, t);
        const auto got = dist.to(t);
        for (std::uint32_t v = 0; v < n; ++v) {
            ASSERT_EQ(got(v), want[v]) << "from " << v << " to " << t;
        }
    }
}

// Three tiers: `pods` pods of `leaves` leaves and `spines` spines (full bipartite inside a pod),
// spine j of every pod linked to the `cores` cores of group j. Switches: leaves, spines, cores.
Graph fat_tree(std::uint32_t pods, std::uint32_t leaves, std::uint32_t spines, std::uint32_t cores,
               std::uint32_t planes = 1) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    const std::uint32_t per_plane = pods * (leaves + spines) + spines * cores;
    for (std::uint32_t p = 0; p < planes; ++p) {
        const std::uint32_t base = p * per_plane;
        const std::uint32_t first_spine = base + pods * leaves;
        const std::uint32_t first_core = first_spine + pods * spines;
        for (std::uint32_t pod = 0; pod < pods; ++pod) {
            for (std::uint32_t l = 0; l < leaves; ++l) {
                for (std::uint32_t s = 0; s < spines; ++s) {
                    edges.emplace_back(base + pod * leaves + l, first_spine + pod * spines + s);
                }
            }
            for (std::uint32_t s = 0; s < spines; ++s) {
                for (std::uint32_t c = 0; c < cores; ++c) {
                    edges.emplace_back(first_spine + pod * spines + s, first_core + s * cores + c);
                }
            }
        }
    }
    return csr(planes * per_plane, edges);
}

TEST(SwitchDistancesTest, ThreeTierFatTreeTwinsAreClassesAndDistancesAreBfs) {
    const auto g = fat_tree(3, 4, 2, 2);
    expect_bfs_distances(g);
    // Classes by hand: each pod's 4 leaves are twins (3 classes); spines differ by pod (6); the 2
    // cores of each group are twins (2): 11 classes for 24 switches.
    SwitchDistances dist(g.begin, g.other);
    EXPECT_EQ(dist.classes(), 11U);
    EXPECT_EQ(dist.class_of(0), dist.class_of(3));
    EXPECT_NE(dist.class_of(0), dist.class_of(4));
    // Leaf 0 to its twin leaf 1: up and down (2); to a leaf of another pod: leaf, spine, core,
    // spine, leaf (4); a leaf to itself: 0.
    EXPECT_EQ(dist.to(1)(0), 2);
    EXPECT_EQ(dist.to(4)(0), 4);
    EXPECT_EQ(dist.to(0)(0), 0);
}

TEST(SwitchDistancesTest, TwoPlanesStayApart) {
    expect_bfs_distances(fat_tree(2, 3, 2, 1, 2));
    const auto g = fat_tree(2, 3, 2, 1, 2);
    SwitchDistances dist(g.begin, g.other);
    EXPECT_EQ(dist.to(0)(12), SwitchDistances::kUnreachable); // switch 12: plane 2's first leaf
}

TEST(SwitchDistancesTest, RingParallelLinksAndASelfLink) {
    // Ring of 7 (no twins) with a parallel link 0-1, a self-link at 3 and a pendant pair 7, 8 on 5
    // (7 and 8 are twins: both see only 5).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    for (std::uint32_t i = 0; i < 7; ++i) {
        edges.emplace_back(i, (i + 1) % 7);
    }
    edges.emplace_back(0, 1);
    edges.emplace_back(3, 3);
    edges.emplace_back(5, 7);
    edges.emplace_back(5, 8);
    const auto g = csr(9, edges);
    expect_bfs_distances(g);
    SwitchDistances dist(g.begin, g.other);
    EXPECT_EQ(dist.class_of(7), dist.class_of(8));
    EXPECT_EQ(dist.classes(), 8U);
    EXPECT_EQ(dist.to(8)(7), 2);
}

TEST(SwitchDistancesTest, IsolatedSwitches) {
    const auto g = csr(3, {});
    expect_bfs_distances(g);
}

} // namespace
} // namespace twin::topology::detail
