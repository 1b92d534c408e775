#include "platform.hpp"

#include <fmt/format.h>
#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Link.hpp>
#include <simgrid/s4u/NetZone.hpp>
#include <simgrid/simix.hpp>
#include <string>

namespace twin::sim {

namespace kr = simgrid::kernel::routing;
using simgrid::kernel::resource::StandardLinkImpl;

namespace {
PlatformCounts& last_counts() { // last_platform_counts()
    static PlatformCounts counts;
    return counts;
}
} // namespace

// The routing zone (platform.hpp: not attached to the root, never sealed, hosts and links created
// on first use).
class ClusterZone final : public kr::NetZoneImpl {
public:
    ClusterZone(const topology::Cluster& cluster, std::shared_ptr<RouteQueue> routes)
        : NetZoneImpl("cluster"), cluster_(cluster), routes_(std::move(routes)),
          hosts_(static_cast<std::size_t>(cluster.gpu_count()), nullptr), up_(cluster.links().size(), nullptr),
          down_(cluster.links().size(), nullptr) {
        // What set_parent would copy from a parent zone; create_host/create_link need them.
        const auto* root = simgrid::s4u::Engine::get_instance()->get_netzone_root()->get_impl();
        set_network_model(root->get_network_model());
        set_cpu_pm_model(root->get_cpu_pm_model());
        set_cpu_vm_model(root->get_cpu_vm_model());
        set_disk_model(root->get_disk_model());
        set_host_model(root->get_host_model());
    }
    // Public: Platform owns the zone (NetZoneImpl's is protected).
    ~ClusterZone() override { last_counts() = {host_count_, link_count_}; }
    ClusterZone(const ClusterZone&) = delete;
    ClusterZone& operator=(const ClusterZone&) = delete;

    void get_local_route(const kr::NetPoint* src, const kr::NetPoint* dst, kr::Route* into, double* latency) override {
        hops_.clear();
        const int s = gpu_of_netpoint_[src->id()];
        const int d = gpu_of_netpoint_[dst->id()];
        if (!routes_->pop(s, d, hops_)) {
            cluster_.route(s, d, hops_);
        }
        for (const auto& h : hops_) {
            into->link_list_.push_back(link(h.link, h.up));
            if (latency != nullptr) {
                *latency += cluster_.links()[h.link].latency.value();
            }
        }
    }

    simgrid::s4u::Host* host(int gpu) {
        auto* h = hosts_[static_cast<std::size_t>(gpu)];
        if (h != nullptr) {
            return h;
        }
        // Kernel state: from an actor, created by maestro (simcall_answered runs it directly there).
        // Checked again inside: another actor's simcall for the same GPU may have run first.
        return simgrid::kernel::actor::simcall_answered([this, gpu] {
            auto& slot = hosts_[static_cast<std::size_t>(gpu)];
            if (slot == nullptr) {
                // Host speed is unused: compute time comes from the roofline model, not SimGrid execs.
                auto* created = create_host(fmt::format("g{}", gpu), std::vector<double>{1.0});
                const auto id = created->get_netpoint()->id();
                if (gpu_of_netpoint_.size() <= id) {
                    gpu_of_netpoint_.resize(id + 1, -1);
                }
                gpu_of_netpoint_[id] = gpu;
                slot = created->seal();
                ++host_count_;
            }
            return slot;
        });
    }

    [[nodiscard]] std::int64_t host_count() const { return host_count_; }
    [[nodiscard]] std::int64_t link_count() const { return link_count_; }

private:
    // Called by maestro (route computation at comm start).
    StandardLinkImpl* link(std::uint32_t i, bool up) {
        auto& l = up ? up_[i] : down_[i];
        if (l == nullptr) {
            // A spraying pool's representative carries the pool's total (Cluster::slot_bandwidth).
            const auto slot = 2 * i + (up ? 0U : 1U);
            auto* created =
                create_link(fmt::format("{}{}", i, up ? 'u' : 'd'), std::vector<double>{cluster_.slot_bandwidth(slot)});
            l = created->set_latency(cluster_.links()[i].latency.value())->seal()->get_impl();
            ++link_count_;
        }
        return l;
    }

    const topology::Cluster& cluster_;
    std::shared_ptr<RouteQueue> routes_;
    std::vector<simgrid::s4u::Host*> hosts_; // by GPU, null until first use
    std::vector<StandardLinkImpl*> up_;      // by cable, null until a route first crosses it
    std::vector<StandardLinkImpl*> down_;
    std::vector<int> gpu_of_netpoint_;
    std::vector<topology::Hop> hops_;
    std::int64_t host_count_ = 0;
    std::int64_t link_count_ = 0;
};

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

simgrid::s4u::Host* Platform::host(int gpu) const {
    return zone->host(gpu);
}
std::int64_t Platform::host_count() const {
    return zone->host_count();
}
std::int64_t Platform::link_count() const {
    return zone->link_count();
}
PlatformCounts last_platform_counts() {
    return last_counts();
}

Platform build_platform(const topology::Cluster& cluster) {
    Platform p;
    p.routes = std::make_shared<RouteQueue>();
    // The root: owned by the SimGrid engine, sealed when the simulation starts; it sets up the models.
    (void)simgrid::s4u::create_empty_zone("root");
    p.zone = std::make_shared<ClusterZone>(cluster, p.routes);
    return p;
}

} // namespace twin::sim
