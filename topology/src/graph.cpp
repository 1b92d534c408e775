// Graph (see twin/topology/graph.hpp): appending, and the counting sort that builds the CSR.
//
// freeze(): count the edge ends at each vertex, prefix-sum the counts into offsets, then walk the
// edges in id order and put each end in its vertex's next free slot, so every row lists its
// edges in id order. Two passes over the edges, one over the vertices; no sorting.
#include "twin/topology/graph.hpp"

#include <limits>
#include <stdexcept>

namespace twin::topology {

VertexId Graph::add_vertex(const VertexProps& p) {
    if (frozen()) {
        throw std::logic_error("Graph::add_vertex after freeze()");
    }
    props_.push_back(p);
    return static_cast<VertexId>(props_.size() - 1);
}

std::uint32_t Graph::add_edge(VertexId a, VertexId b) {
    if (frozen()) {
        throw std::logic_error("Graph::add_edge after freeze()");
    }
    if (a >= props_.size() || b >= props_.size()) {
        throw std::logic_error("Graph::add_edge: no such vertex");
    }
    if (ends_.size() >= std::numeric_limits<std::uint32_t>::max() / 2) {
        throw std::logic_error("Graph::add_edge: too many edges for 32-bit offsets");
    }
    ends_.emplace_back(a, b);
    edge_count_ = ends_.size();
    return static_cast<std::uint32_t>(ends_.size() - 1);
}

void Graph::freeze() {
    if (frozen()) {
        throw std::logic_error("Graph::freeze twice");
    }
    begin_.assign(props_.size() + 1, 0);
    for (const auto& [a, b] : ends_) {
        ++begin_[a + 1];
        ++begin_[b + 1];
    }
    for (std::size_t v = 1; v < begin_.size(); ++v) {
        begin_[v] += begin_[v - 1];
    }
    std::vector<std::uint32_t> next(begin_.begin(), begin_.end() - 1);
    incident_.resize(begin_.back());
    for (std::uint32_t e = 0; e < ends_.size(); ++e) {
        const auto [a, b] = ends_[e];
        incident_[next[a]++] = Incident{b, e};
        incident_[next[b]++] = Incident{a, e};
    }
    ends_.clear();
    ends_.shrink_to_fit();
}

std::span<const Graph::Incident> Graph::edges(VertexId v) const {
    if (!frozen()) {
        throw std::logic_error("Graph::edges before freeze()");
    }
    return {incident_.data() + begin_[v], incident_.data() + begin_[v + 1]};
}

} // namespace twin::topology
