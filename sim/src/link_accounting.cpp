#include "link_accounting.hpp"

#include <algorithm>

namespace twin::sim {

LinkAccounting::LinkAccounting(const topology::Cluster& cluster)
    : cluster_(cluster), bytes_up_(cluster.links().size(), 0.0), bytes_down_(cluster.links().size(), 0.0),
      load_(2 * cluster.links().size(), 0.0) {}

void merge_link_bytes(LinkBytes& link_bytes) {
    std::sort(link_bytes.begin(), link_bytes.end());
    std::size_t out = 0;
    for (std::size_t i = 0; i < link_bytes.size(); ++i) {
        if (out > 0 && link_bytes[out - 1].first == link_bytes[i].first) {
            link_bytes[out - 1].second += link_bytes[i].second;
        } else {
            link_bytes[out++] = link_bytes[i];
        }
    }
    link_bytes.resize(out);
}

void LinkAccounting::add(const LinkBytes& link_bytes, double times) {
    const bool spray = cluster_.spraying();
    for (const auto& [slot, bytes] : link_bytes) {
        if (const int pool = spray ? cluster_.spray_pool(slot) : -1; pool >= 0) {
            if (pooled_.size() <= static_cast<std::size_t>(pool)) {
                pooled_.resize(static_cast<std::size_t>(pool) + 1, 0.0);
            }
            pooled_[static_cast<std::size_t>(pool)] += bytes * times;
            pooled_dirty_ = true;
            continue;
        }
        ((slot & 1U) == 0 ? bytes_up_ : bytes_down_)[slot / 2] += bytes * times;
    }
}

void LinkAccounting::spread_pools() const {
    if (!pooled_dirty_) {
        return;
    }
    const auto& links = cluster_.links();
    for (std::size_t p = 0; p < pooled_.size(); ++p) {
        if (pooled_[p] == 0.0) {
            continue;
        }
        const auto [first, last] = cluster_.spray_pool_members(static_cast<int>(p));
        const double per_bandwidth = pooled_[p] / cluster_.slot_bandwidth(*first);
        for (const auto* m = first; m != last; ++m) {
            ((*m & 1U) == 0 ? bytes_up_ : bytes_down_)[*m / 2] += per_bandwidth * effective_bandwidth(links[*m / 2]);
        }
        pooled_[p] = 0.0;
    }
    pooled_dirty_ = false;
}

PhaseSummary LinkAccounting::analyse(const models::CollectivePhase& phase, PhaseRoutes& routes, LinkBytes& link_bytes,
                                     FluidPhase* fluid, std::vector<double>* latency_out) {
    const bool adaptive = cluster_.adaptive_routing();
    routes.hops.clear();
    routes.begin.clear();
    touched_.clear();
    double max_latency = 0.0;
    const auto& links = cluster_.links();
    for (const auto& f : phase.flows) {
        const double wire = f.bytes.value() * phase.byte_factor;
        hops_.clear();
        if (adaptive) {
            // route_adaptive adds the flow's bytes to load_ itself.
            cluster_.route_adaptive(f.src_gpu, f.dst_gpu, wire, load_, hops_);
            routes.begin.push_back(static_cast<std::uint32_t>(routes.hops.size()));
            routes.hops.insert(routes.hops.end(), hops_.begin(), hops_.end());
        } else {
            cluster_.route(f.src_gpu, f.dst_gpu, hops_);
        }
        double latency = 0.0;
        if (fluid != nullptr) {
            fluid->begin.push_back(static_cast<std::uint32_t>(fluid->slots.size()));
            fluid->bytes.push_back(wire);
        }
        for (const auto& h : hops_) {
            latency += links[h.link].latency.value();
            const std::size_t slot = 2 * static_cast<std::size_t>(h.link) + (h.up ? 0 : 1);
            link_bytes.emplace_back(static_cast<std::uint32_t>(slot), wire);
            if (fluid != nullptr) {
                fluid->slots.push_back(static_cast<std::uint32_t>(slot));
            }
            if (adaptive) {
                touched_.push_back(slot); // load_ already holds the bytes; duplicates are harmless
            } else {
                if (load_[slot] == 0.0) {
                    touched_.push_back(slot);
                }
                load_[slot] += wire;
            }
        }
        max_latency = std::max(max_latency, latency);
        if (latency_out != nullptr) {
            latency_out->push_back(latency);
        }
    }
    if (fluid != nullptr) {
        fluid->begin.push_back(static_cast<std::uint32_t>(fluid->slots.size()));
    }
    if (adaptive) {
        routes.begin.push_back(static_cast<std::uint32_t>(routes.hops.size()));
    }
    // The bottleneck is the link with the largest load / bandwidth; on a tie (a NIC's host and
    // access links carry the same bytes at the same rate) the tier further out is named.
    double worst = 0.0;
    int worst_tier = -1;
    PhaseSummary out;
    out.bound = "latency";
    for (auto slot : touched_) {
        if (load_[slot] == 0.0) {
            continue; // a duplicate already handled
        }
        const auto& link = links[slot / 2];
        const double t = load_[slot] / cluster_.slot_bandwidth(static_cast<std::uint32_t>(slot));
        const int tier = static_cast<int>(link.tier);
        if (t > worst * (1 + 1e-9) || (t >= worst * (1 - 1e-9) && tier > worst_tier)) {
            worst = std::max(worst, t);
            worst_tier = tier;
            out.bound = std::string(topology::link_tier_name(link.tier));
        }
        load_[slot] = 0.0;
    }
    const double latency = phase.extra_latency_s + max_latency;
    if (latency > worst) {
        out.bound = "latency";
    }
    out.estimate_s = worst + latency;
    return out;
}

} // namespace twin::sim
