#include "sweep_fluid.hpp"

#include <algorithm>
#include <cmath>

namespace twin::sim {
namespace {

// Plans kept for reuse across sizes: one per algorithm and protocol is enough for a ladder.
constexpr std::size_t kKeptPhases = 24;

// FluidSolver's tolerance on end times (fluid.hpp): a case's time is short by at most ~0.1 %.
constexpr double kEndTolerance = 1e-3;

} // namespace

FluidCollectiveTimer::FluidCollectiveTimer(const topology::Cluster& cluster, bool analytic_scale_up)
    : cluster_(cluster), analytic_scale_up_(analytic_scale_up), planner_(cluster), accounting_(cluster),
      fluid_(cluster, kSimGridWeightS) {
    fluid_.set_tolerance(kEndTolerance);
}

void FluidCollectiveTimer::set_progress(std::function<void(double)> progress) {
    if (!progress) {
        fluid_.set_progress(nullptr);
        return;
    }
    fluid_.set_progress([progress = std::move(progress)](std::size_t ended, std::size_t flows) {
        progress(flows > 0 ? static_cast<double>(ended) / static_cast<double>(flows) : 1.0);
    });
}

FluidCase FluidCollectiveTimer::time(models::CollectiveKind kind, const std::vector<int>& members, double size_bytes,
                                     models::Algorithm algorithm, models::Protocol protocol) {
    const auto plan = planner_.plan(kind, members, Bytes(size_bytes), 0, algorithm, protocol);
    FluidCase out;
    out.label =
        std::string(models::algorithm_name(plan.algorithm)) + "/" + std::string(models::protocol_name(plan.protocol));
    out.time_s = plan.base_latency_s;
    for (const auto& phase : plan.phases) {
        out.flows += static_cast<std::int64_t>(phase.flows.size());
    }
    const int node = cluster_.node_of_gpu(members.front());
    out.analytic = analytic_scale_up_ && std::all_of(members.begin(), members.end(),
                                                     [&](int gpu) { return cluster_.node_of_gpu(gpu) == node; });
    if (out.analytic) { // the engine's scale-up shortcut: the phases' isolated estimates
        for (const auto& phase : plan.phases) {
            link_bytes_.clear();
            out.time_s += accounting_.analyse(phase, routes_, link_bytes_).estimate_s;
        }
        return out;
    }
    out.reused = !plan.phases.empty();
    for (const auto& phase : plan.phases) {
        double longest = 0.0;
        const SolvedPhase* hit = nullptr;
        double c = -1.0;
        for (const auto& s : solved_) {
            if (same_flows(phase, s) && (c = scale_of(phase, s)) >= 0) {
                hit = &s;
                break;
            }
        }
        if (hit != nullptr) {
            for (std::size_t f = 0; f < hit->times.size(); ++f) {
                longest = std::max(longest, hit->latency[f] + c * hit->times[f]);
            }
        } else {
            out.reused = false;
            if (solved_.size() == kKeptPhases) {
                solved_.erase(solved_.begin());
            }
            solved_.emplace_back();
            longest = solve_phase(phase, solved_.back());
        }
        out.time_s += longest + phase.extra_latency_s;
    }
    return out;
}

// Routes the phase (as the engine would: ECMP by pair, or the adaptive choice for this phase's
// load), solves it and returns the time of its slowest flow, latency included.
double FluidCollectiveTimer::solve_phase(const models::CollectivePhase& phase, SolvedPhase& out) {
    const auto& links = cluster_.links();
    const bool adaptive = cluster_.adaptive_routing();
    if (adaptive) {
        link_bytes_.clear();
        (void)accounting_.analyse(phase, routes_, link_bytes_);
    }
    scratch_.slots.clear();
    scratch_.begin.clear();
    scratch_.bytes.clear();
    const std::size_t n = phase.flows.size();
    out.pairs.resize(n);
    out.latency.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& f = phase.flows[i];
        out.pairs[i] = (static_cast<std::uint64_t>(f.src_gpu) << 32U) | static_cast<std::uint32_t>(f.dst_gpu);
        hops_.clear();
        if (adaptive) {
            hops_.assign(routes_.hops.begin() + routes_.begin[i], routes_.hops.begin() + routes_.begin[i + 1]);
        } else {
            cluster_.route(f.src_gpu, f.dst_gpu, hops_);
        }
        scratch_.begin.push_back(static_cast<std::uint32_t>(scratch_.slots.size()));
        double lat = 0.0;
        for (const auto& h : hops_) {
            scratch_.slots.push_back(2 * h.link + (h.up ? 0U : 1U));
            lat += links[h.link].latency.value();
        }
        out.latency[i] = lat;
        scratch_.bytes.push_back(f.bytes.value() * phase.byte_factor);
    }
    scratch_.begin.push_back(static_cast<std::uint32_t>(scratch_.slots.size()));
    fluid_.solve(scratch_, out.times);
    out.bytes = scratch_.bytes;
    double longest = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        longest = std::max(longest, out.latency[i] + out.times[i]);
    }
    return longest;
}

bool FluidCollectiveTimer::same_flows(const models::CollectivePhase& phase, const SolvedPhase& solved) {
    if (phase.flows.size() != solved.pairs.size()) {
        return false;
    }
    for (std::size_t i = 0; i < phase.flows.size(); ++i) {
        const auto& f = phase.flows[i];
        if (solved.pairs[i] !=
            ((static_cast<std::uint64_t>(f.src_gpu) << 32U) | static_cast<std::uint32_t>(f.dst_gpu))) {
            return false;
        }
    }
    return true;
}

double FluidCollectiveTimer::scale_of(const models::CollectivePhase& phase, const SolvedPhase& solved) {
    double c = -1.0;
    for (std::size_t i = 0; i < phase.flows.size(); ++i) {
        const double now = phase.flows[i].bytes.value() * phase.byte_factor;
        const double then = solved.bytes[i];
        if (then <= 0.0 || now <= 0.0) {
            if (then != now) {
                return -1.0;
            }
            continue;
        }
        if (c < 0.0) {
            c = now / then;
        } else if (std::abs(now - c * then) > 1e-9 * now) {
            return -1.0;
        }
    }
    return c < 0.0 ? 1.0 : c;
}

} // namespace twin::sim
