// topology::Graph, the compact CSR graph behind Cluster: the edges at a vertex come back in
// insertion (edge id) order with the right far end, freeze() is required before reading edges
// and ends construction, and a loaded cluster's graph agrees with its link list.
#include "fabrics.hpp"
#include "topology_test_util.hpp"
#include "twin/topology/graph.hpp"

#include <gtest/gtest.h>
#include <stdexcept>
#include <vector>

namespace twin::topology {
namespace {

using Incident = Graph::Incident;

VertexProps switch_props(int local) {
    return VertexProps{VertexKind::Switch, 1, -1, local, -1, -1, 0};
}

TEST(Graph, EmptyGraph) {
    Graph g;
    EXPECT_EQ(g.num_vertices(), 0u);
    EXPECT_EQ(g.num_edges(), 0u);
    EXPECT_FALSE(g.frozen());
    g.freeze();
    EXPECT_TRUE(g.frozen());
    EXPECT_EQ(g.num_edges(), 0u);
}

TEST(Graph, VerticesWithoutEdges) {
    Graph g;
    EXPECT_EQ(g.add_vertex(switch_props(0)), 0u);
    EXPECT_EQ(g.add_vertex(switch_props(1)), 1u);
    g.freeze();
    EXPECT_TRUE(g.edges(0).empty());
    EXPECT_TRUE(g.edges(1).empty());
    EXPECT_EQ(g[1].local, 1);
    EXPECT_EQ(g[1].kind, VertexKind::Switch);
}

TEST(Graph, EdgesAtAVertexInInsertionOrder) {
    // Star-and-chain: 0-1 (e0), 2-0 (e1), 1-2 (e2), 0-3 (e3), 0-1 again (e4, a parallel edge).
    Graph g;
    for (int i = 0; i < 4; ++i) {
        g.add_vertex(switch_props(i));
    }
    EXPECT_EQ(g.add_edge(0, 1), 0u);
    EXPECT_EQ(g.add_edge(2, 0), 1u);
    EXPECT_EQ(g.add_edge(1, 2), 2u);
    EXPECT_EQ(g.add_edge(0, 3), 3u);
    EXPECT_EQ(g.add_edge(0, 1), 4u);
    EXPECT_EQ(g.num_edges(), 5u);
    g.freeze();
    EXPECT_EQ(g.num_edges(), 5u);
    const auto at = [&](VertexId v) {
        const auto e = g.edges(v);
        return std::vector<Incident>(e.begin(), e.end());
    };
    EXPECT_EQ(at(0), (std::vector<Incident>{{1, 0}, {2, 1}, {3, 3}, {1, 4}}));
    EXPECT_EQ(at(1), (std::vector<Incident>{{0, 0}, {2, 2}, {0, 4}}));
    EXPECT_EQ(at(2), (std::vector<Incident>{{0, 1}, {1, 2}}));
    EXPECT_EQ(at(3), (std::vector<Incident>{{0, 3}}));
}

TEST(Graph, ReadingBeforeFreezeAndAddingAfterAreProgrammerErrors) {
    Graph g;
    g.add_vertex(switch_props(0));
    g.add_vertex(switch_props(1));
    EXPECT_THROW(g.add_edge(0, 2), std::logic_error); // no vertex 2
    g.add_edge(0, 1);
    EXPECT_THROW((void)g.edges(0), std::logic_error);
    g.freeze();
    EXPECT_THROW(g.add_edge(0, 1), std::logic_error);
    EXPECT_THROW(g.add_vertex(switch_props(2)), std::logic_error);
    EXPECT_THROW(g.freeze(), std::logic_error);
}

TEST(Graph, ClusterGraphMatchesItsLinks) {
    const Cluster c = testing::load_text(testing::kThreeTier);
    const Graph& g = c.graph();
    ASSERT_EQ(g.num_edges(), c.links().size());
    std::size_t ends = 0;
    for (VertexId v = 0; v < g.num_vertices(); ++v) {
        std::uint32_t last = 0;
        bool first = true;
        for (const Incident& e : g.edges(v)) {
            const LinkInfo& l = c.links()[e.edge];
            EXPECT_TRUE((l.a == v && l.b == e.neighbour) || (l.b == v && l.a == e.neighbour));
            EXPECT_TRUE(first || e.edge > last); // link ids ascend: build order
            last = e.edge;
            first = false;
            ++ends;
        }
    }
    EXPECT_EQ(ends, 2 * c.links().size());
}

} // namespace
} // namespace twin::topology
