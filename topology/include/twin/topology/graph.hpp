// The cluster's graph in compact form: one flat vector of vertex properties and, once frozen,
// the edges at every vertex in CSR form (an offset per vertex into one array of (neighbour, edge
// id) pairs). Memory: 24 bytes per vertex + 8 bytes per edge end + 4 per vertex; the 1M-GPU
// cluster (2.2 M vertices, 8 M links) takes ~190 MB, against ~2.3 GB for the Boost
// adjacency_list it replaces (a std::list node per edge plus two out-edge vectors).
//
// Invariants: vertex ids are 0 .. num_vertices()-1 in the order add_vertex() gave them; edge ids
// are 0 .. num_edges()-1 in the order add_edge() gave them (the Cluster's link ids). The edges at
// a vertex are listed in edge id order, i.e. insertion order, as the adjacency_list listed its
// out-edges; an edge joining v to itself is listed twice at v. Construction is two-stage:
// add_vertex()/add_edge() append, freeze() builds the CSR once by counting sort (O(V + E)) and
// drops the edge list, and edges() reads it. Adding after freeze() or reading edges() before it
// throws std::logic_error (a programmer error). Vertices can be read at any stage.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace twin::topology {

enum class VertexKind : std::uint8_t { Gpu, ScaleUpSwitch, Nic, Switch };

struct VertexProps {
    VertexKind kind = VertexKind::Gpu;
    std::uint8_t tier = 0;   // fabric switches: 1 leaf, 2 spine, 3 core; 0 otherwise
    std::int32_t node = -1;  // Gpu, Nic, ScaleUpSwitch: node index
    std::int32_t local = -1; // Gpu: index in node; Nic: index in node; Switch: index within its tier
    std::int32_t group = -1; // Switch: pod / scalable unit (-1 when not applicable)
    std::int32_t rail = -1;  // Nic: its rail; leaf Switch: its rail in a rail-optimized fabric
    // Switch of a rail-optimized fat-tree: its plane (0 .. planes-1; 0 in a single-plane fabric);
    // -1 otherwise (explicit fabrics, GPUs, NICs).
    std::int32_t plane = -1;
};

using VertexId = std::uint32_t;

class Graph {
public:
    // One end of an edge as seen from a vertex: the vertex at the other end and the edge's id.
    struct Incident {
        VertexId neighbour = 0;
        std::uint32_t edge = 0;
        bool operator==(const Incident&) const = default;
    };

    // Room for this many vertices and edges (a hint: more may still be added).
    void reserve(std::size_t vertices, std::size_t edges) {
        props_.reserve(vertices);
        ends_.reserve(edges);
    }
    VertexId add_vertex(const VertexProps& p);
    // Appends the edge {a, b} and returns its id; both vertices must exist.
    std::uint32_t add_edge(VertexId a, VertexId b);
    // Builds the CSR adjacency from the edges added so far (once).
    void freeze();
    [[nodiscard]] bool frozen() const { return !begin_.empty(); }

    [[nodiscard]] std::size_t num_vertices() const { return props_.size(); }
    [[nodiscard]] std::size_t num_edges() const { return edge_count_; }
    [[nodiscard]] const VertexProps& operator[](VertexId v) const { return props_[v]; }
    // The edges at v in edge id order (requires freeze()).
    [[nodiscard]] std::span<const Incident> edges(VertexId v) const;

private:
    std::vector<VertexProps> props_;
    std::vector<std::pair<VertexId, VertexId>> ends_; // per edge until freeze()
    std::size_t edge_count_ = 0;
    std::vector<std::uint32_t> begin_; // per vertex + 1: offsets into incident_; empty unless frozen
    std::vector<Incident> incident_;
};

} // namespace twin::topology
