#include "platform.hpp"

#include <fmt/format.h>
#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u/Link.hpp>
#include <simgrid/s4u/NetZone.hpp>
#include <string>

namespace twin::sim {
namespace {

namespace kr = simgrid::kernel::routing;
using simgrid::kernel::resource::StandardLinkImpl;

class ClusterZone final : public kr::NetZoneImpl {
public:
    ClusterZone(const topology::Cluster& cluster, std::shared_ptr<RouteQueue> routes)
        : NetZoneImpl("cluster"), cluster_(cluster), routes_(std::move(routes)) {}

    void get_local_route(const kr::NetPoint* src, const kr::NetPoint* dst, kr::Route* into, double* latency) override {
        hops_.clear();
        const int s = gpu_of_netpoint_[src->id()];
        const int d = gpu_of_netpoint_[dst->id()];
        if (!routes_->pop(s, d, hops_)) {
            cluster_.route(s, d, hops_);
        }
        for (const auto& h : hops_) {
            into->link_list_.push_back(h.up ? up_[h.link] : down_[h.link]);
            if (latency != nullptr) {
                *latency += cluster_.links()[h.link].latency.value();
            }
        }
    }

    const topology::Cluster& cluster_;
    std::shared_ptr<RouteQueue> routes_;
    std::vector<StandardLinkImpl*> up_;
    std::vector<StandardLinkImpl*> down_;
    std::vector<int> gpu_of_netpoint_;
    std::vector<topology::Hop> hops_;
};

} // namespace

void RouteQueue::push(int src, int dst, const topology::Hop* begin, const topology::Hop* end) {
    queues_[(static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst)].emplace_back(begin, end);
}

bool RouteQueue::pop(int src, int dst, std::vector<topology::Hop>& out) {
    if (queues_.empty()) {
        return false;
    }
    auto it = queues_.find((static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst));
    if (it == queues_.end()) {
        return false;
    }
    out = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) {
        queues_.erase(it);
    }
    return true;
}

Platform build_platform(const topology::Cluster& cluster) {
    Platform p;
    p.routes = std::make_shared<RouteQueue>();
    auto* zone = new ClusterZone(cluster, p.routes); // owned by the SimGrid engine from here on
    auto* iface = zone->get_iface();
    const int gpus = cluster.gpu_count();
    p.hosts.reserve(static_cast<std::size_t>(gpus));
    for (int g = 0; g < gpus; ++g) {
        // Host speed is unused: compute time comes from the roofline model, not from SimGrid execs.
        auto* host = iface->create_host(fmt::format("g{}", g), 1.0);
        const auto id = host->get_netpoint()->id();
        if (zone->gpu_of_netpoint_.size() <= id) {
            zone->gpu_of_netpoint_.resize(id + 1, -1);
        }
        zone->gpu_of_netpoint_[id] = g;
        p.hosts.push_back(host);
    }
    const auto& links = cluster.links();
    zone->up_.reserve(links.size());
    zone->down_.reserve(links.size());
    for (std::size_t i = 0; i < links.size(); ++i) {
        // A spraying pool's representative carries the pool's total (Cluster::slot_bandwidth).
        const auto slot = static_cast<std::uint32_t>(2 * i);
        const double lat = links[i].latency.value();
        auto* up = iface->create_link(fmt::format("{}u", i), cluster.slot_bandwidth(slot))->set_latency(lat)->seal();
        auto* down =
            iface->create_link(fmt::format("{}d", i), cluster.slot_bandwidth(slot + 1))->set_latency(lat)->seal();
        zone->up_.push_back(up->get_impl());
        zone->down_.push_back(down->get_impl());
    }
    iface->seal();
    return p;
}

} // namespace twin::sim
