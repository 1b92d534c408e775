// Plays flow groups in SimGrid: the phases of a collective plan (or a transfer's one flow) one
// after the other, each phase a set of flows started together, after the plan's base latency and
// with each phase's extra latency after its flows end. Calls back with the group's id when the
// last phase is over.
//
// How (and why this way): SimGrid 3.32 unregisters a finished comm from the activity lists of the
// actors at its ends by a linear scan. Host-to-host comms (Comm::sendto) all hang on one actor,
// so K concurrent flows cost O(K^2) — 50-75 % of the wall time at 1,024 GPUs. Mailbox comms
// between one short-lived actor per (phase, source GPU) and a permanent receiver on each
// destination GPU keep every list short, so the cost is linear in the flows.
#pragma once

#include "link_accounting.hpp"
#include "platform.hpp"
#include "twin/models/collective_plan.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <simgrid/s4u/Mailbox.hpp>
#include <vector>

namespace twin::sim {

// What a folded run adds to a plan it plays (plan_cache.hpp, "Folded plans"), per phase: a rate
// limit for each flow (bytes/s, 0 = none) and the phase's shortest duration (its flows' isolated
// time with their images, latency included).
struct PhaseCaps {
    std::vector<double> rate;
    double min_time_s = 0.0;
};

class FlowPlayer {
public:
    // `done(id)` runs in the actor that ends the group (SimGrid context, simulated time = end).
    FlowPlayer(const Platform& platform, int gpu_count, std::function<void(std::uint64_t)> done);

    // Starts playing; call from an actor (the coordinator). `routes` per phase: empty unless
    // routing is adaptive. `caps` (may be null) per phase. A phase ends when all its flows have
    // and its shortest duration has passed.
    void play(std::shared_ptr<const models::CollectivePlan> plan,
              std::shared_ptr<const std::vector<PhaseRoutes>> routes,
              std::shared_ptr<const std::vector<PhaseCaps>> caps, std::uint64_t id);
    // After an error (the coordinator gave up): groups in flight end with their current phase and
    // report nothing, so the engine drains quickly.
    void stop() { stopped_ = true; }

private:
    struct Group;
    void run(const std::shared_ptr<Group>& g);
    void start_phase(const std::shared_ptr<Group>& g, std::size_t p);
    void send(const std::shared_ptr<Group>& g, std::size_t p, std::size_t b, std::size_t e);
    void end_phase(const std::shared_ptr<Group>& g, std::size_t p);
    simgrid::s4u::Mailbox* inbox(int gpu);

    const Platform& platform_;
    std::function<void(std::uint64_t)> done_;
    std::vector<simgrid::s4u::Mailbox*> inboxes_; // by GPU, created on first use
    char payload_ = 0;                            // what every flow "carries"
    bool stopped_ = false;
};

} // namespace twin::sim
