// Plan analysis, caching and folding for the coordinator (see plan_cache.hpp).
#include "plan_cache.hpp"

#include "finite_checks.hpp"
#include "platform.hpp"
#include "twin/core/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::sim {
namespace {

constexpr double kFluidTimedTolerance = 1e-3;

} // namespace

PlanCache::PlanCache(const topology::Cluster& cluster, const models::Trace& trace, const models::Fold& fold,
                     std::int64_t fluid_min_flows)
    : cluster_(cluster), trace_(trace), fold_(fold), fluid_min_flows_(fluid_min_flows), accounting_(cluster),
      planner_(cluster), fluid_(cluster, kSimGridWeightS) {
    if (!fold_.active) {
        // Only fluid-timed collectives are solved: as the collective sweep does (sweep_fluid.cpp),
        // flows that end within 0.1 % of the phase's first end estimate end together, so a phase
        // whose thousands of flows end one by one takes hundreds of events, not thousands; the
        // phase is short by at most about 0.1 %. Folded runs keep the exact solve.
        fluid_.set_tolerance(kFluidTimedTolerance);
    }
}

// A communicator repeats the same collective many times (every layer, every micro-batch): plan
// it once per (communicator, kind, size, algorithm, protocol, root) and share the plan.
const std::shared_ptr<Played>& PlanCache::collective(const models::Op& op, int family, int comm,
                                                     const std::vector<int>& members) {
    const auto& c = op.collective;
    const auto key = std::make_tuple(family, comm, static_cast<int>(c.kind), c.size.value(),
                                     static_cast<int>(c.algorithm), static_cast<int>(c.protocol), c.root);
    auto it = plan_cache_.find(key);
    if (it != plan_cache_.end()) {
        return it->second;
    }
    models::CollectivePlan plan;
    try {
        plan = planner_.plan(c.kind, members, c.size, c.root, c.algorithm, c.protocol);
    } catch (const models::UnsupportedAlgorithm& e) {
        throw InputError(models::file_of(trace_, op), op.pointer + "/algorithm", e.what());
    }
    const bool images = fold_.active && fold_.spanning[static_cast<std::size_t>(family)] == 0;
    auto played = play(std::move(plan), images, op);
    played->label = fmt::format("{}/{}", models::algorithm_name(played->plan->algorithm),
                                models::protocol_name(played->plan->protocol));
    return plan_cache_.emplace(key, std::move(played)).first->second;
}

const std::shared_ptr<Played>& PlanCache::transfer(const models::Op& op, int src, int dst) {
    auto& played = transfer_cache_[std::make_tuple(src, dst, op.p2p.size.value())];
    if (played == nullptr) {
        models::CollectivePhase phase;
        phase.label = "transfer";
        phase.flows.push_back(models::Flow{src, dst, op.p2p.size});
        models::CollectivePlan plan;
        plan.phases.push_back(std::move(phase));
        played = play(std::move(plan), fold_.active, op);
    }
    return played;
}

// Analyses a plan once (see Played); with `images`, every flow is played for each image too.
std::shared_ptr<Played> PlanCache::play(models::CollectivePlan plan, bool images, const models::Op& op) {
    check_plan(plan, models::file_of(trace_, op), op);
    auto played = std::make_shared<Played>();
    std::vector<std::size_t> own; // per phase: the flows before the images (all when unfolded)
    for (const auto& phase : plan.phases) {
        own.push_back(phase.flows.size());
    }
    played->plan = std::make_shared<const models::CollectivePlan>(images ? models::image_plan(plan, fold_, trace_)
                                                                         : std::move(plan));
    const auto& phases = played->plan->phases;
    played->routes = std::make_shared<std::vector<PhaseRoutes>>(phases.size());
    // Folded and fluid-timed plans keep every flow's route for the fluid solver (fold_plan).
    const bool fluid = fold_.active || fluid_timed(*played->plan);
    if (fluid) {
        played->fluid.resize(phases.size());
    }
    for (std::size_t p = 0; p < phases.size(); ++p) {
        auto* fl = fluid ? &played->fluid[p] : nullptr;
        const auto summary =
            accounting_.analyse(phases[p], (*played->routes)[p], played->link_bytes,
                                fl != nullptr ? &fl->phase : nullptr, fl != nullptr ? &fl->latency : nullptr);
        played->estimate_s.push_back(summary.estimate_s);
        played->bound.push_back(summary.bound);
        played->flows += static_cast<std::int64_t>(phases[p].flows.size());
    }
    merge_link_bytes(played->link_bytes);

    // GPUs whose NVLink links the plan uses (own flows: images mirror them elsewhere), PXN's
    // NVLink hop to the proxy GPU included.
    for (std::size_t p = 0; p < phases.size(); ++p) {
        for (std::size_t i = 0; i < own[p]; ++i) {
            const auto& f = phases[p].flows[i];
            if (cluster_.node_of_gpu(f.src_gpu) == cluster_.node_of_gpu(f.dst_gpu)) {
                played->scale_up_gpus.push_back(f.src_gpu);
                played->scale_up_gpus.push_back(f.dst_gpu);
            } else if (const int proxy = cluster_.pxn_proxy(f.src_gpu, f.dst_gpu); proxy >= 0) {
                played->scale_up_gpus.push_back(f.src_gpu);
                played->scale_up_gpus.push_back(proxy);
            }
        }
    }
    std::sort(played->scale_up_gpus.begin(), played->scale_up_gpus.end());
    played->scale_up_gpus.erase(std::unique(played->scale_up_gpus.begin(), played->scale_up_gpus.end()),
                                played->scale_up_gpus.end());
    if (fold_.active) {
        fold_plan(*played, false);
    } else if (fluid_timed(*played->plan)) {
        played->fluid_timed = true;
        fold_plan(*played, true);
    }
    played->index = all_played_.size();
    all_played_.push_back(played);
    return played;
}

// A collective (more than one flow in a phase: a transfer has one) with a phase of at least
// fluid_min_flows flows.
bool PlanCache::fluid_timed(const models::CollectivePlan& plan) const {
    return fluid_min_flows_ > 0 && std::any_of(plan.phases.begin(), plan.phases.end(), [&](const auto& phase) {
               return phase.flows.size() > 1 && static_cast<std::int64_t>(phase.flows.size()) >= fluid_min_flows_;
           });
}

// Folded plans (see plan_cache.hpp): every flow's route, latency and wire bytes for the fluid
// solver (play() had analyse() keep them); SimGrid keeps the simulated flows only (none with
// `play_none`: fluid-timed collectives).
void PlanCache::fold_plan(Played& played, bool play_none) {
    auto lean = *played.plan;
    for (std::size_t p = 0; p < lean.phases.size(); ++p) {
        auto& flows = lean.phases[p].flows;
        auto& routes = (*played.routes)[p];
        auto& fl = played.fluid[p];
        fl.simulated.reserve(flows.size());
        for (const auto& f : flows) {
            fl.simulated.push_back(!play_none && is_simulated(fold_, f.src_gpu) ? 1 : 0);
        }
        // SimGrid plays the simulated flows only.
        PhaseRoutes kept_routes;
        std::vector<models::Flow> kept;
        for (std::size_t i = 0; i < flows.size(); ++i) {
            if (fl.simulated[i] == 0) {
                continue;
            }
            kept.push_back(flows[i]);
            if (!routes.begin.empty()) {
                kept_routes.begin.push_back(static_cast<std::uint32_t>(kept_routes.hops.size()));
                kept_routes.hops.insert(kept_routes.hops.end(), routes.hops.begin() + routes.begin[i],
                                        routes.hops.begin() + routes.begin[i + 1]);
            }
        }
        if (!routes.begin.empty()) {
            kept_routes.begin.push_back(static_cast<std::uint32_t>(kept_routes.hops.size()));
            routes = std::move(kept_routes);
        }
        played.image_flows += static_cast<std::int64_t>(flows.size() - kept.size());
        played.flows -= static_cast<std::int64_t>(flows.size() - kept.size());
        flows = std::move(kept);
    }
    played.plan = std::make_shared<const models::CollectivePlan>(std::move(lean));
}

// Phase p of a folded plan solved alone (once, when first needed: most first phases are only
// ever solved together with others).
const PhaseCaps& PlanCache::isolated_caps(Played& played, std::size_t p) {
    auto& fl = played.fluid[p];
    if (!fl.isolated) {
        fluid_.solve(fl.phase, fluid_times_);
        fl.isolated = caps_of(fl, fl.latency.data(), fluid_times_.data());
    }
    return *fl.isolated;
}

CapsPtr PlanCache::caps_alone(Played& played) {
    if (played.caps == nullptr) {
        auto caps = std::make_shared<std::vector<PhaseCaps>>();
        for (std::size_t p = 0; p < played.fluid.size(); ++p) {
            caps->push_back(isolated_caps(played, p));
        }
        played.caps = std::move(caps);
    }
    return played.caps;
}

const std::vector<CapsPtr>& PlanCache::caps_for(std::vector<Launch>& batch) {
    if (batch.size() == 1) {
        auto& played = *batch[0].played;
        const bool fresh = played.caps == nullptr; // checked once, when the plan's caps are made
        alone_.assign(1, caps_alone(played));
        if (fresh) {
            check_caps(*alone_[0], models::file_of(trace_, *batch[0].op), *batch[0].op);
        }
        return alone_;
    }
    std::stable_sort(batch.begin(), batch.end(),
                     [](const Launch& a, const Launch& b) { return a.played->index < b.played->index; });
    std::vector<std::size_t> key;
    for (const auto& launch : batch) {
        key.push_back(launch.played->index);
    }
    auto& caps = joint_caps_[key];
    if (caps.empty()) {
        caps = solve_jointly(batch);
        for (std::size_t k = 0; k < batch.size(); ++k) {
            check_caps(*caps[k], models::file_of(trace_, *batch[k].op), *batch[k].op);
        }
    }
    return caps;
}

// The caps of each plan of a batch, its first phase solved together with the others'.
std::vector<CapsPtr> PlanCache::solve_jointly(const std::vector<Launch>& batch) {
    fluid_phase_.slots.clear();
    fluid_phase_.begin.clear();
    fluid_phase_.bytes.clear();
    std::vector<double> latency;
    for (const auto& launch : batch) {
        const auto& f = launch.played->fluid.front();
        const auto base = static_cast<std::uint32_t>(fluid_phase_.slots.size());
        fluid_phase_.slots.insert(fluid_phase_.slots.end(), f.phase.slots.begin(), f.phase.slots.end());
        for (std::size_t i = 0; i + 1 < f.phase.begin.size(); ++i) {
            fluid_phase_.begin.push_back(base + f.phase.begin[i]);
        }
        fluid_phase_.bytes.insert(fluid_phase_.bytes.end(), f.phase.bytes.begin(), f.phase.bytes.end());
        latency.insert(latency.end(), f.latency.begin(), f.latency.end());
    }
    fluid_phase_.begin.push_back(static_cast<std::uint32_t>(fluid_phase_.slots.size()));
    fluid_.solve(fluid_phase_, fluid_times_);
    std::vector<std::vector<PhaseCaps>> caps(batch.size());
    std::size_t offset = 0;
    for (std::size_t k = 0; k < batch.size(); ++k) {
        const auto& f = batch[k].played->fluid.front();
        caps[k].push_back(caps_of(f, latency.data() + offset, fluid_times_.data() + offset));
        offset += f.phase.bytes.size();
    }
    // Later phases start when each group's first phase ends: alone (isolated_caps reuses
    // fluid_times_, so only now that the joint times are read).
    std::vector<CapsPtr> out;
    for (std::size_t k = 0; k < batch.size(); ++k) {
        for (std::size_t p = 1; p < batch[k].played->fluid.size(); ++p) {
            caps[k].push_back(isolated_caps(*batch[k].played, p));
        }
        out.push_back(std::make_shared<const std::vector<PhaseCaps>>(std::move(caps[k])));
    }
    return out;
}

// Rate limits of a phase's simulated flows and the phase's shortest duration, from the
// fluid transfer times of all its flows.
PhaseCaps PlanCache::caps_of(const FoldedPhase& fl, const double* latency, const double* times) {
    PhaseCaps cap;
    for (std::size_t i = 0; i < fl.simulated.size(); ++i) {
        cap.min_time_s = std::max(cap.min_time_s, latency[i] + times[i]);
        if (fl.simulated[i] != 0) {
            cap.rate.push_back(times[i] > 0 ? fl.phase.bytes[i] / times[i] : 0.0);
        }
    }
    return cap;
}

const LinkAccounting& PlanCache::link_totals() {
    for (const auto& played : all_played_) {
        accounting_.add(played->link_bytes, static_cast<double>(played->launches));
    }
    return accounting_;
}

std::vector<const LinkBytes*> PlanCache::plan_bytes() const {
    std::vector<const LinkBytes*> bytes;
    for (const auto& played : all_played_) {
        bytes.push_back(&played->link_bytes);
    }
    return bytes;
}

} // namespace twin::sim
