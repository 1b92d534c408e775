// Assembling a Cluster (see builder.hpp).
//
// Link parameters: bandwidth = min(cable bandwidth, port bandwidth of each end) per direction;
// latency = cable latency + (latency of end a + latency of end b) / 2, where a switch's latency
// is its port-to-port time and a NIC's its traversal time, so a route adds every device it
// passes exactly once. Scale-up links (GPU <-> NVSwitch) carry the GPU's scaleup_bandwidth and
// half its scaleup_latency (GPU -> GPU in a node = 2 links = one NVLink hop). Host links
// (GPU <-> NIC) carry min(host cable, NIC ports x port bandwidth) and the host cable's latency
// plus half the NIC's.
//
// Link efficiency (LinkInfo::efficiency, the fraction of the bandwidth NCCL traffic gets; the
// simulator gives a link bandwidth x efficiency):
//   scale-up       e = GPU scaleup_efficiency (ring busbw / NVLink line rate, H100 370 / 450)
//   host (PCIe)    e = 1
//   access         e = NIC efficiency x t     (ConnectX-7 on InfiniBand: 47 / 50 GB/s)
//   switch-switch  e = min over the nodes' NICs of their efficiency x t (headers and protocol
//                      overheads ride on every hop)
// with t the fabric technology's factor (InfiniBand 1, RoCE 330 / 376, Spectrum-X 1; load.cpp);
// a fabric's "link_efficiency" replaces e on every access and switch-switch link.
#include "builder.hpp"

#include "spray_pools.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace twin::topology::detail {

Builder::Builder(Catalog catalog, std::string file, std::string name) : index_(std::make_shared<ClusterIndex>()) {
    c_.catalog_ = std::move(catalog);
    c_.source_file_ = std::move(file);
    c_.name_ = std::move(name);
    c_.index_ = index_;
}

std::uint32_t Builder::add_origin(std::string pointer) {
    origins_.push_back(std::move(pointer));
    return static_cast<std::uint32_t>(origins_.size() - 1);
}

void Builder::reserve(std::size_t vertices, std::size_t links) {
    c_.graph_.reserve(vertices, links);
    c_.links_.reserve(links);
    ports_used_.reserve(vertices);
}

void Builder::add_nodes(const NodeType& type, int count, int nodes_per_rack) {
    if (switches_started_) {
        throw std::logic_error("Builder::add_nodes after the first switch");
    }
    const GpuType& gpu = c_.catalog_.gpus.at(type.gpu);
    const NicType* nic = type.nic.empty() ? nullptr : &c_.catalog_.nics.at(type.nic);
    const CableType* host = type.host_link.empty() ? nullptr : &c_.catalog_.cables.at(type.host_link);
    const int nics = static_cast<int>(type.nic_rails.size());
    auto& g = c_.graph_;
    for (int i = 0; i < count; ++i) {
        const int n = node_count();
        NodeInfo info;
        info.type = type.name;
        info.rack = n / nodes_per_rack;
        info.first_gpu = c_.gpu_count();
        info.gpus = type.gpus;
        for (int l = 0; l < type.gpus; ++l) {
            const VertexId v = g.add_vertex(VertexProps{VertexKind::Gpu, 0, n, l, -1, -1});
            c_.gpu_vertex_.push_back(v);
        }
        if (!type.scaleup_switch.empty()) {
            info.scaleup_switch = g.add_vertex(VertexProps{VertexKind::ScaleUpSwitch, 0, n, 0, -1, -1});
        }
        for (int k = 0; k < nics; ++k) {
            info.nics.push_back(g.add_vertex(VertexProps{VertexKind::Nic, 0, n, k, -1, type.nic_rails[k]}));
        }
        ports_used_.resize(g.num_vertices(), 0);
        index_->node_first_nic.push_back(static_cast<std::uint32_t>(
            index_->node_first_nic.empty() ? 0 : index_->node_first_nic.back() + c_.nodes_.back().nics.size()));
        for (int l = 0; l < type.gpus; ++l) {
            const VertexId v = c_.gpu_vertex_[info.first_gpu + l];
            index_->gpu_scaleup_link.push_back(type.scaleup_switch.empty()
                                                   ? kNoLink
                                                   : add_link(v, info.scaleup_switch, gpu.scaleup_bandwidth,
                                                              gpu.scaleup_latency / 2, LinkTier::ScaleUp,
                                                              gpu.scaleup_efficiency, kNoCable));
        }
        for (int l = 0; l < type.gpus; ++l) {
            if (nic == nullptr) {
                index_->gpu_host_link.push_back(kNoLink);
                continue;
            }
            const VertexId nic_v = info.nics[l * nics / type.gpus];
            const BytesPerSecond bw = std::min(host->bandwidth, nic->port_bandwidth * nic->ports);
            index_->gpu_host_link.push_back(add_link(c_.gpu_vertex_[info.first_gpu + l], nic_v, bw,
                                                     host->latency + nic->latency / 2, LinkTier::Host, 1.0,
                                                     cable_type(*host)));
        }
        c_.nodes_.push_back(std::move(info));
        node_types_.push_back(&type);
        nic_types_.push_back(nic);
    }
}

VertexId Builder::add_switch(const SwitchType& type, int tier, int local, int group, int rail, std::uint32_t origin,
                             std::string name, int plane) {
    if (!switches_started_) {
        switches_started_ = true;
        index_->first_switch = static_cast<VertexId>(c_.graph_.num_vertices());
    }
    const VertexId v = c_.graph_.add_vertex(
        VertexProps{VertexKind::Switch, static_cast<std::uint8_t>(tier), -1, local, group, rail, plane});
    ports_used_.push_back(0);
    switch_type_ptrs_.push_back(&type);
    switch_origin_.push_back(origin);
    auto& types = index_->switch_types;
    auto it = std::find(types.begin(), types.end(), type.name);
    if (it == types.end()) {
        types.push_back(type.name);
        it = types.end() - 1;
    }
    index_->switch_type.push_back(static_cast<std::uint16_t>(it - types.begin()));
    if (name.empty()) {
        static constexpr std::array<std::string_view, 4> kTierName{"switch", "leaf", "spine", "core"};
        const std::string_view t = kTierName[std::min(tier, 3)];
        if (tier == 1 && group >= 0 && rail >= 0) {
            name = fmt::format("leaf.g{}.r{}", group, rail);
        } else if (group >= 0) {
            name = fmt::format("{}.g{}.{}", t, group, local);
        } else {
            name = fmt::format("{}.{}", t, local);
        }
    }
    index_->switch_names.push_back(std::move(name));
    return v;
}

BytesPerSecond Builder::port_bandwidth(VertexId v, bool up) const {
    const auto& p = c_.graph_[v];
    if (p.kind == VertexKind::Nic) {
        return nic_of(p.node).port_bandwidth;
    }
    return switch_type_ptrs_[switch_number(v)]->port_speed(up);
}

Seconds Builder::device_latency(VertexId v) const {
    const auto& p = c_.graph_[v];
    if (p.kind == VertexKind::Nic) {
        return nic_of(p.node).latency;
    }
    return switch_type_ptrs_[switch_number(v)]->latency;
}

int Builder::ports(VertexId v) const {
    const auto& p = c_.graph_[v];
    if (p.kind == VertexKind::Nic) {
        return nic_of(p.node).ports;
    }
    return switch_type_ptrs_[switch_number(v)]->radix;
}

void Builder::use_port(VertexId v, std::uint32_t origin) {
    const int have = ports(v);
    if (++ports_used_[v] > have) {
        const auto& p = c_.graph_[v];
        const std::string& type =
            p.kind == VertexKind::Nic ? node_types_[p.node]->nic : switch_type_ptrs_[switch_number(v)]->name;
        throw InputError(file(), origins_[origin],
                         fmt::format("{}{} ({}) needs more than its {} ports",
                                     p.kind == VertexKind::Switch ? "switch " : "", c_.vertex_name(v), type, have));
    }
}

void Builder::connect(VertexId lower, VertexId upper, const CableType& cable, LinkTier tier, std::uint32_t origin) {
    use_port(lower, origin);
    use_port(upper, origin);
    const BytesPerSecond bw = std::min({cable.bandwidth, port_bandwidth(lower, true), port_bandwidth(upper, false)});
    const Seconds latency = cable.latency + (device_latency(lower) + device_latency(upper)) / 2;
    double efficiency = technology_factor_;
    if (link_efficiency_) {
        efficiency = *link_efficiency_;
    } else if (c_.graph_[lower].kind == VertexKind::Nic) {
        efficiency *= nic_of(c_.graph_[lower].node).efficiency;
    } else {
        efficiency *= smallest_nic_efficiency_;
    }
    add_link(lower, upper, bw, latency, tier, efficiency, cable_type(cable));
}

void Builder::set_fabric(std::string technology, double technology_factor, std::optional<double> link_efficiency,
                         bool adaptive_routing, bool pxn) {
    index_->technology = std::move(technology);
    index_->adaptive_routing = adaptive_routing;
    index_->pxn = pxn;
    technology_factor_ = technology_factor;
    link_efficiency_ = link_efficiency;
    smallest_nic_efficiency_ = 1.0;
    for (std::size_t n = 0; n < node_types_.size(); ++n) {
        if (n == 0 || node_types_[n] != node_types_[n - 1]) {
            const NodeType& nt = *node_types_[n];
            if (!nt.nic.empty()) {
                smallest_nic_efficiency_ = std::min(smallest_nic_efficiency_, c_.catalog_.nics.at(nt.nic).efficiency);
            }
        }
    }
}

void Builder::set_spray(bool spray) {
    index_->spray = spray;
}

std::uint32_t Builder::add_link(VertexId a, VertexId b, BytesPerSecond bw, Seconds latency, LinkTier tier,
                                double efficiency, std::uint16_t cable) {
    const std::uint32_t id = c_.graph_.add_edge(a, b);
    c_.links_.push_back(LinkInfo{a, b, bw, latency, tier, cable, efficiency});
    return id;
}

std::uint16_t Builder::cable_type(const CableType& cable) {
    if (&cable == last_cable_) {
        return last_cable_type_;
    }
    auto& names = c_.cable_types_;
    auto it = std::find(names.begin() + 1, names.end(), cable.name);
    if (it == names.end()) {
        if (names.size() > std::numeric_limits<std::uint16_t>::max()) {
            throw std::logic_error("Builder: more cable types than a 16-bit index holds");
        }
        names.push_back(cable.name);
        it = names.end() - 1;
    }
    last_cable_ = &cable;
    last_cable_type_ = static_cast<std::uint16_t>(it - names.begin());
    return last_cable_type_;
}

void Builder::build_tables() {
    ClusterIndex& ix = *index_;
    const auto& links = c_.links_;
    const std::size_t vertices = c_.graph_.num_vertices();
    const std::size_t switches = switch_type_ptrs_.size();
    if (!switches_started_) {
        ix.first_switch = static_cast<VertexId>(vertices);
    }
    const std::size_t nics = ix.node_first_nic.empty() ? 0 : ix.node_first_nic.back() + c_.nodes_.back().nics.size();
    const auto nic_number = [&](VertexId v) {
        const auto& p = c_.graph_[v];
        return ix.node_first_nic[p.node] + static_cast<std::uint32_t>(p.local);
    };
    // Counting sort into CSR arrays: count, prefix sums, fill (link order is kept per row).
    ix.nic_access_begin.assign(nics + 1, 0);
    ix.switch_adj_begin.assign(switches + 1, 0);
    for (const auto& l : links) {
        if (l.tier == LinkTier::Access) {
            ++ix.nic_access_begin[nic_number(l.a) + 1];
        } else if (l.tier == LinkTier::Aggregation || l.tier == LinkTier::Core) {
            ++ix.switch_adj_begin[switch_number(l.a) + 1];
            ++ix.switch_adj_begin[switch_number(l.b) + 1];
        }
    }
    const auto prefix = [](std::vector<std::uint32_t>& begin) {
        for (std::size_t i = 1; i < begin.size(); ++i) {
            begin[i] += begin[i - 1];
        }
        return std::vector<std::uint32_t>(begin.begin(), begin.end() - 1); // next free slot per row
    };
    auto nic_next = prefix(ix.nic_access_begin);
    auto adj_next = prefix(ix.switch_adj_begin);
    ix.nic_access_link.resize(ix.nic_access_begin.back());
    ix.switch_adj.resize(ix.switch_adj_begin.back());
    // Rail-optimized: every switch's access links come from NICs of one rail (a leaf per rail).
    constexpr int kNoRail = -2;
    std::vector<int> switch_rail(switches, kNoRail);
    ix.rail_optimized = ix.nic_access_begin.back() > 0;
    for (std::uint32_t id = 0; id < links.size(); ++id) {
        const auto& l = links[id];
        if (l.tier == LinkTier::Access) {
            int& rail = switch_rail[static_cast<std::size_t>(switch_number(l.b))];
            const int nic_rail = c_.graph_[l.a].rail;
            ix.rail_optimized = ix.rail_optimized && nic_rail >= 0 && (rail == kNoRail || rail == nic_rail);
            rail = nic_rail;
        }
        if (l.tier == LinkTier::Access) {
            ix.nic_access_link[nic_next[nic_number(l.a)]++] = id;
        } else if (l.tier == LinkTier::Aggregation || l.tier == LinkTier::Core) {
            const auto sa = static_cast<std::uint32_t>(switch_number(l.a));
            const auto sb = static_cast<std::uint32_t>(switch_number(l.b));
            ix.switch_adj[adj_next[sa]++] = {id, sb};
            ix.switch_adj[adj_next[sb]++] = {id, sa};
        }
    }
}

void Builder::set_fabric_pointer(std::string pointer) {
    fabric_pointer_ = std::move(pointer);
}

void Builder::check_fabric() const {
    const ClusterIndex& ix = *index_;
    // No dangling NIC port: every port of every NIC is cabled.
    for (const auto& node : c_.nodes_) {
        for (VertexId nic : node.nics) {
            if (ports_used_[nic] < ports(nic)) {
                throw InputError(file(), fabric_pointer_,
                                 fmt::format("{} has {} of its {} ports connected (dangling NIC port)",
                                             c_.vertex_name(nic), ports_used_[nic], ports(nic)));
            }
        }
    }
    const std::size_t switches = switch_type_ptrs_.size();
    for (std::size_t s = 0; s < switches; ++s) {
        if (ports_used_[ix.first_switch + s] == 0) {
            throw InputError(file(), origins_[switch_origin_[s]],
                             fmt::format("switch {} has no links", ix.switch_names[s]));
        }
    }
    // Reachability: a route leaves its source NIC by any of its access links and must find the
    // destination NIC in that link's connected part of the switch graph (one part per plane of a
    // multi-plane fabric). So every NIC must touch the same parts as the first NIC, and every
    // switch must lie in one of them.
    if (switches == 0) {
        return;
    }
    const auto nic_number = [&](VertexId nic) {
        const auto& p = c_.graph_[nic];
        return ix.node_first_nic[p.node] + static_cast<std::uint32_t>(p.local);
    };
    const auto switch_of = [&](std::uint32_t access) { return c_.links_[access].b - ix.first_switch; };
    const std::uint32_t parts = *std::max_element(ix.switch_part.begin(), ix.switch_part.end()) + 1;
    // part_switch[p]: a switch of part p that node 0's NIC 0 reaches (kNoLink: none).
    const VertexId start_nic = c_.nodes_.front().nics.front();
    std::vector<std::uint32_t> part_switch(parts, kNoLink);
    const std::uint32_t start = nic_number(start_nic);
    for (std::uint32_t e = ix.nic_access_begin[start]; e < ix.nic_access_begin[start + 1]; ++e) {
        const std::uint32_t s = switch_of(ix.nic_access_link[e]);
        if (part_switch[ix.switch_part[s]] == kNoLink) {
            part_switch[ix.switch_part[s]] = s;
        }
    }
    std::vector<std::uint32_t> start_parts;
    for (std::uint32_t p = 0; p < parts; ++p) {
        if (part_switch[p] != kNoLink) {
            start_parts.push_back(p);
        }
    }
    const auto unreachable = [&](const NodeInfo& node, VertexId nic, std::uint32_t their_switch,
                                 std::uint32_t our_switch) {
        throw InputError(file(), fabric_pointer_,
                         fmt::format("GPU {} cannot reach GPU {}: {} is on switch {}, which has no path to switch {} "
                                     "of {} (the fabric is in separate parts)",
                                     c_.vertex_name(c_.gpu_vertex_[node.first_gpu]), c_.vertex_name(c_.gpu_vertex_[0]),
                                     c_.vertex_name(nic), ix.switch_names[their_switch], ix.switch_names[our_switch],
                                     c_.vertex_name(start_nic)));
    };
    std::vector<std::uint32_t> seen(parts, 0); // per part: 1 + the last NIC number that touched it
    for (const auto& node : c_.nodes_) {
        for (VertexId nic : node.nics) {
            const std::uint32_t i = nic_number(nic);
            const std::uint32_t first = switch_of(ix.nic_access_link[ix.nic_access_begin[i]]);
            for (std::uint32_t e = ix.nic_access_begin[i]; e < ix.nic_access_begin[i + 1]; ++e) {
                const std::uint32_t s = switch_of(ix.nic_access_link[e]);
                if (part_switch[ix.switch_part[s]] == kNoLink) {
                    unreachable(node, nic, s, part_switch[start_parts.front()]);
                }
                seen[ix.switch_part[s]] = i + 1;
            }
            for (std::uint32_t p : start_parts) {
                if (seen[p] != i + 1) {
                    unreachable(node, nic, first, part_switch[p]);
                }
            }
        }
    }
    for (std::size_t s = 0; s < switches; ++s) {
        if (part_switch[ix.switch_part[s]] == kNoLink) {
            const std::uint32_t near = switch_of(ix.nic_access_link[ix.nic_access_begin[start]]);
            throw InputError(file(), origins_[switch_origin_[s]],
                             fmt::format("switch {} is not connected to the switches the NICs use (no path to {})",
                                         ix.switch_names[s], ix.switch_names[near]));
        }
    }
}

void Builder::label_parts() {
    ClusterIndex& ix = *index_;
    const std::size_t switches = switch_type_ptrs_.size();
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    ix.switch_part.assign(switches, kNone);
    std::vector<std::uint32_t> queue;
    queue.reserve(switches);
    std::uint32_t part = 0;
    for (std::uint32_t root = 0; root < switches; ++root) {
        if (ix.switch_part[root] != kNone) {
            continue;
        }
        ix.switch_part[root] = part;
        queue.assign(1, root);
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const std::uint32_t s = queue[head];
            for (std::uint32_t e = ix.switch_adj_begin[s]; e < ix.switch_adj_begin[s + 1]; ++e) {
                const std::uint32_t o = ix.switch_adj[e].other;
                if (ix.switch_part[o] == kNone) {
                    ix.switch_part[o] = part;
                    queue.push_back(o);
                }
            }
        }
        ++part;
    }
}

Cluster Builder::finish(bool has_fabric) {
    c_.graph_.freeze();
    build_tables();
    label_parts();
    if (has_fabric) {
        check_fabric();
    }
    c_.distances_.reset();
    if (index_->spray) {
        build_spray_pools(c_, *index_);
    }
    node_types_.clear();
    nic_types_.clear();
    switch_type_ptrs_.clear();
    return std::move(c_);
}

} // namespace twin::topology::detail
