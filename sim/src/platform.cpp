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
    ClusterZone(const topology::Cluster& cluster) : NetZoneImpl("cluster"), cluster_(cluster) {}

    void get_local_route(const kr::NetPoint* src, const kr::NetPoint* dst, kr::Route* into, double* latency) override {
        hops_.clear();
        cluster_.route(gpu_of_netpoint_[src->id()], gpu_of_netpoint_[dst->id()], hops_);
        for (const auto& h : hops_) {
            into->link_list_.push_back(h.up ? up_[h.link] : down_[h.link]);
            if (latency != nullptr) {
                *latency += cluster_.links()[h.link].latency.value();
            }
        }
    }

    const topology::Cluster& cluster_;
    std::vector<StandardLinkImpl*> up_;
    std::vector<StandardLinkImpl*> down_;
    std::vector<int> gpu_of_netpoint_;
    std::vector<topology::Hop> hops_;
};

} // namespace

Platform build_platform(const topology::Cluster& cluster) {
    auto* zone = new ClusterZone(cluster); // owned by the SimGrid engine from here on
    auto* iface = zone->get_iface();
    Platform p;
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
        const double bw = links[i].bandwidth.value();
        const double lat = links[i].latency.value();
        auto* up = iface->create_link(fmt::format("{}u", i), bw)->set_latency(lat)->seal();
        auto* down = iface->create_link(fmt::format("{}d", i), bw)->set_latency(lat)->seal();
        zone->up_.push_back(up->get_impl());
        zone->down_.push_back(down->get_impl());
    }
    iface->seal();
    return p;
}

} // namespace twin::sim
