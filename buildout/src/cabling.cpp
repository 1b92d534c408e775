// The cabling plan walk and its port checks (rules: include/twin/buildout/cabling.hpp).
#include "twin/buildout/cabling.hpp"

#include "parts.hpp"

#include <cmath>
#include <fmt/format.h>
#include <map>

namespace twin::buildout {
namespace {

using topology::LinkTier;
using topology::VertexKind;

bool in_plan(LinkTier t) {
    return t != LinkTier::ScaleUp && t != LinkTier::Host;
}

int nic_ports_of_node(const topology::Cluster& c, int node) {
    const auto& nt = c.catalog().nodes.at(c.nodes()[static_cast<std::size_t>(node)].type);
    return nt.nic.empty() ? 0 : c.catalog().nics.at(nt.nic).ports;
}

struct NodeTypeInfo {
    int nic_ports = 1;
    int ports_per_cage = 1;
};

} // namespace

void walk_plan(const topology::Cluster& c, const Layout& layout, const std::function<void(const PlanRow&)>& each) {
    const auto& g = c.graph();
    const std::size_t nv = g.num_vertices();
    std::vector<int> switch_of(nv, -1);
    std::vector<int> switch_ppc(static_cast<std::size_t>(c.switch_count()), 1);
    for (int i = 0; i < c.switch_count(); ++i) {
        switch_of[c.switch_vertex(i)] = i;
        switch_ppc[static_cast<std::size_t>(i)] = detail::switch_ports_per_cage(c.switch_type(i));
    }
    std::map<std::string, NodeTypeInfo> types;
    std::vector<const NodeTypeInfo*> node_info;
    node_info.reserve(c.nodes().size());
    for (const auto& n : c.nodes()) {
        auto [it, fresh] = types.try_emplace(n.type);
        if (fresh) {
            const auto& nt = c.catalog().nodes.at(n.type);
            if (!nt.nic.empty()) {
                it->second.nic_ports = c.catalog().nics.at(nt.nic).ports;
            }
            it->second.ports_per_cage = detail::node_parts(nt).nic_ports_per_cage;
        }
        node_info.push_back(&it->second);
    }
    std::vector<std::int32_t> next_port(nv, 0);
    const CableRules& rules = layout.plan.rules;
    auto end_of = [&](topology::VertexId v) {
        PlanEnd e;
        e.vertex = v;
        const auto& p = g[v];
        e.port = next_port[v]++;
        if (p.kind == VertexKind::Nic) {
            const NodeTypeInfo& info = *node_info[static_cast<std::size_t>(p.node)];
            e.rack = layout.node_rack[static_cast<std::size_t>(p.node)];
            e.ports_per_cage = info.ports_per_cage;
            e.cage = (p.local * info.nic_ports + e.port) / info.ports_per_cage;
        } else {
            const int s = switch_of[v];
            e.rack = layout.switch_rack[static_cast<std::size_t>(s)];
            e.ports_per_cage = switch_ppc[static_cast<std::size_t>(s)];
            e.cage = e.port / e.ports_per_cage;
        }
        return e;
    };
    PlanRow row;
    const auto& links = c.links();
    for (std::uint32_t id = 0; id < links.size(); ++id) {
        const auto& l = links[id];
        if (!in_plan(l.tier)) {
            continue;
        }
        row.link = id;
        row.tier = l.tier;
        row.gbps = std::round(l.bandwidth.value() * 8.0 / 1e9);
        row.a = end_of(l.a);
        row.b = end_of(l.b);
        row.length_m = layout.cable_length_m(row.a.rack, row.b.rack);
        row.rule = rules.choose(row.gbps, row.length_m);
        if (row.rule < 0) {
            const auto& ra = layout.racks[static_cast<std::size_t>(row.a.rack)];
            const auto& rb = layout.racks[static_cast<std::size_t>(row.b.rack)];
            throw InputError(layout.plan.file, rules.pointer,
                             fmt::format("link {} needs a {:.1f} m cable at {} Gb/s between rack {} (hall {} row {} "
                                         "position {}) and rack {} (hall {} row {} position {}): longer than any "
                                         "cable type allows ({} m at most at that speed); move the racks closer or "
                                         "add a cable rule",
                                         c.link_name(id), row.length_m, row.gbps, ra.name, ra.hall, ra.row, ra.position,
                                         rb.name, rb.hall, rb.row, rb.position, rules.longest_m(row.gbps)));
        }
        row.length_class_m = length_class_m(row.length_m);
        each(row);
    }
}

PortChecker::PortChecker(const topology::Cluster& c) : c_(c) {
    const auto& g = c.graph();
    const std::size_t nv = g.num_vertices();
    first_bit_.assign(nv, 0);
    capacity_.assign(nv, 0);
    needed_.assign(nv, 0);
    seen_.assign(nv, 0);
    for (int i = 0; i < c.switch_count(); ++i) {
        capacity_[c.switch_vertex(i)] = c.catalog().switches.at(c.switch_type(i)).radix;
    }
    for (const auto& n : c.nodes()) {
        const auto& nt = c.catalog().nodes.at(n.type);
        const int ports = nt.nic.empty() ? 0 : c.catalog().nics.at(nt.nic).ports;
        for (auto v : n.nics) {
            capacity_[v] = ports;
        }
    }
    std::uint64_t bits = 0;
    for (std::size_t v = 0; v < nv; ++v) {
        first_bit_[v] = bits;
        bits += static_cast<std::uint64_t>(capacity_[v]);
    }
    used_.assign(bits, false);
    for (const auto& l : c.links()) {
        if (in_plan(l.tier)) {
            ++needed_[l.a];
            ++needed_[l.b];
        }
    }
}

void PortChecker::mark(const PlanEnd& e, std::uint32_t link) {
    ++result_.ports;
    if (!result_.ok) {
        return;
    }
    if (e.port < 0 || e.port >= capacity_[e.vertex]) {
        result_.ok = false;
        result_.first_problem = fmt::format("link {} uses port {} of {}, which has {} ports", c_.link_name(link),
                                            e.port + 1, c_.vertex_name(e.vertex), capacity_[e.vertex]);
        return;
    }
    const std::uint64_t bit = first_bit_[e.vertex] + static_cast<std::uint64_t>(e.port);
    if (used_[bit]) {
        result_.ok = false;
        result_.first_problem = fmt::format("port {} of {} is used twice (again by link {})", e.port + 1,
                                            c_.vertex_name(e.vertex), c_.link_name(link));
        return;
    }
    used_[bit] = true;
    ++seen_[e.vertex];
}

void PortChecker::add(const PlanRow& row) {
    ++result_.links;
    mark(row.a, row.link);
    mark(row.b, row.link);
}

PortCheck PortChecker::finish() const {
    PortCheck r = result_;
    for (std::size_t v = 0; r.ok && v < needed_.size(); ++v) {
        if (seen_[v] != needed_[v]) {
            r.ok = false;
            r.first_problem = fmt::format("{} needs {} cabled ports, the plan has {}",
                                          c_.vertex_name(static_cast<topology::VertexId>(v)), needed_[v], seen_[v]);
        }
    }
    return r;
}

std::string end_device(const topology::Cluster& c, const PlanEnd& e) {
    const auto& p = c.graph()[e.vertex];
    return p.kind == VertexKind::Nic ? fmt::format("node{}", p.node) : c.vertex_name(e.vertex);
}

std::string end_port(const topology::Cluster& c, const PlanEnd& e) {
    const auto& p = c.graph()[e.vertex];
    if (p.kind == VertexKind::Nic) {
        return nic_ports_of_node(c, p.node) > 1 ? fmt::format("nic{}.{}", p.local, e.port + 1)
                                                : fmt::format("nic{}", p.local);
    }
    if (e.ports_per_cage > 1) {
        return fmt::format("{}/{}", e.cage + 1, e.port % e.ports_per_cage + 1);
    }
    return fmt::format("{}", e.port + 1);
}

} // namespace twin::buildout
