#include "flow_player.hpp"

#include <algorithm>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <string>

namespace twin::sim {

namespace s4u = simgrid::s4u;

struct FlowPlayer::Group {
    std::shared_ptr<const models::CollectivePlan> plan;
    std::shared_ptr<const std::vector<PhaseRoutes>> routes;
    std::shared_ptr<const std::vector<PhaseCaps>> caps;
    std::uint64_t id = 0;
    double phase_start = 0.0;
    std::vector<std::uint32_t> order; // flows of the current phase by source GPU (stable)
    std::size_t remaining_senders = 0;
};

FlowPlayer::FlowPlayer(const Platform& platform, int gpu_count, std::function<void(std::uint64_t)> done)
    : platform_(platform), done_(std::move(done)), inboxes_(static_cast<std::size_t>(gpu_count), nullptr) {}

void FlowPlayer::play(std::shared_ptr<const models::CollectivePlan> plan,
                      std::shared_ptr<const std::vector<PhaseRoutes>> routes,
                      std::shared_ptr<const std::vector<PhaseCaps>> caps, std::uint64_t id) {
    auto g = std::make_shared<Group>();
    g->plan = std::move(plan);
    g->routes = std::move(routes);
    g->caps = std::move(caps);
    g->id = id;
    if (g->plan->base_latency_s > 0 || g->plan->phases.front().flows.empty()) {
        s4u::Actor::create("flows", platform_.host(0), [this, g] { run(g); }); // may sleep
    } else {
        start_phase(g, 0); // creates actors only: safe from the coordinator
    }
}

void FlowPlayer::run(const std::shared_ptr<Group>& g) {
    if (g->plan->base_latency_s > 0) {
        s4u::this_actor::sleep_for(g->plan->base_latency_s);
    }
    start_phase(g, 0);
}

void FlowPlayer::start_phase(const std::shared_ptr<Group>& g, std::size_t p) {
    if (stopped_) {
        return;
    }
    const auto& flows = g->plan->phases[p].flows;
    g->phase_start = s4u::Engine::get_clock();
    if (flows.empty()) {
        end_phase(g, p);
        return;
    }
    g->order.resize(flows.size());
    for (std::size_t i = 0; i < flows.size(); ++i) {
        g->order[i] = static_cast<std::uint32_t>(i);
    }
    std::stable_sort(g->order.begin(), g->order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return flows[a].src_gpu < flows[b].src_gpu; });
    // Runs of equal source: one sender actor each.
    std::vector<std::size_t> starts;
    for (std::size_t k = 0; k < flows.size(); ++k) {
        if (k == 0 || flows[g->order[k]].src_gpu != flows[g->order[k - 1]].src_gpu) {
            starts.push_back(k);
        }
    }
    starts.push_back(flows.size());
    g->remaining_senders = starts.size() - 1;
    for (std::size_t s = 0; s + 1 < starts.size(); ++s) {
        const std::size_t b = starts[s];
        const std::size_t e = starts[s + 1];
        const auto src = static_cast<std::size_t>(flows[g->order[b]].src_gpu);
        s4u::Actor::create("send", platform_.host(static_cast<int>(src)), [this, g, p, b, e] { send(g, p, b, e); });
    }
}

void FlowPlayer::send(const std::shared_ptr<Group>& g, std::size_t p, std::size_t b, std::size_t e) {
    const auto& phase = g->plan->phases[p];
    const auto& routes = (*g->routes)[p];
    std::vector<s4u::CommPtr> comms;
    comms.reserve(e - b);
    for (std::size_t k = b; k < e; ++k) {
        const std::size_t i = g->order[k];
        const auto& f = phase.flows[i];
        if (!routes.begin.empty()) {
            platform_.routes->push(f.src_gpu, f.dst_gpu, routes.hops.data() + routes.begin[i],
                                   routes.hops.data() + routes.begin[i + 1]);
        }
        const auto bytes = static_cast<std::uint64_t>(f.bytes.value() * phase.byte_factor);
        auto comm = inbox(f.dst_gpu)->put_init(&payload_, bytes);
        if (g->caps != nullptr && (*g->caps)[p].rate[i] > 0) {
            comm->set_rate((*g->caps)[p].rate[i]);
        }
        comm->start();
        comms.push_back(std::move(comm));
    }
    s4u::Comm::wait_all(comms);
    if (--g->remaining_senders == 0) {
        end_phase(g, p);
    }
}

void FlowPlayer::end_phase(const std::shared_ptr<Group>& g, std::size_t p) {
    if (stopped_) {
        return;
    }
    if (g->caps != nullptr) {
        const double until = g->phase_start + (*g->caps)[p].min_time_s;
        if (until > s4u::Engine::get_clock()) {
            s4u::this_actor::sleep_until(until);
        }
    }
    const double extra = g->plan->phases[p].extra_latency_s;
    if (extra > 0) {
        s4u::this_actor::sleep_for(extra);
    }
    if (p + 1 < g->plan->phases.size()) {
        start_phase(g, p + 1);
        return;
    }
    done_(g->id);
}

s4u::Mailbox* FlowPlayer::inbox(int gpu) {
    auto& mb = inboxes_[static_cast<std::size_t>(gpu)];
    if (mb == nullptr) {
        mb = s4u::Mailbox::by_name("gpu" + std::to_string(gpu));
        // A permanent receiver: comms start as soon as they are put; it drains the finished ones.
        auto sink = s4u::Actor::create("sink", platform_.host(gpu), [mb] {
            for (;;) {
                (void)mb->get<char>();
            }
        });
        sink->daemonize();
        mb->set_receiver(sink);
    }
    return mb;
}

} // namespace twin::sim
