// The campaign Monte Carlo and its closed forms (equations in twin/models/campaign.hpp).
//
// One trial plays the campaign's wall clock H from t = 0:
//   running: compute τ (K whole steps), then write the checkpoint (C); work is committed when a
//     checkpoint completes; the next interruption comes after Exp(Λ) of running time;
//   interruption of class c (drawn ∝ n_c λ_c): the uncommitted compute is lost (recompute), then
//     detection + restart + restore (R) pass with no failures; a class that removes a node takes a
//     hot spare (the node returns to the pool after Exp(repair_c)), else with "elastic" the job
//     restarts without the data-parallel replicas that node held, else it waits for the earliest
//     repair; a repaired node refills the spares, or rejoins an elastic job that lost replicas by a
//     planned restart (R, no work lost);
//   degradations (effect "degradation") arrive beside it, each slowing the step by δ_c for
//     Exp(repair_c); overlapping ones count once at the largest δ (the step waits for the slowest
//     part); their loss is committed work x the time-weighted 1 − 1/(1 + δ(t)) over H;
//   slow and throttled GPUs set the trial's speed T_step / T_step' for the whole campaign.
// Work is measured in time of the undisturbed step: goodput = committed work / H. Energy: facility
// power while running (compute, checkpoints, work later lost), idle power while down.
// Random numbers: twin::Rng (xoshiro256**) streams "campaign" and "campaign/what-if", our own
// exponential (−ln(1 − u) / rate) and normal quantile (campaign_math.cpp).
#include "campaign_math.hpp"
#include "campaign_trial.hpp"
#include "twin/core/error.hpp"
#include "twin/core/rng.hpp"
#include "twin/models/campaign.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace twin::models {

namespace {

using detail::Setup;
using detail::Trial;

struct Accumulator {
    double sum = 0, sum2 = 0;
    int n = 0;
    void add(double x) {
        sum += x;
        sum2 += x * x;
        ++n;
    }
    // Mean and 95 % normal-approximation interval, clipped to the quantity's range [lo, hi] (every
    // accumulated quantity is >= 0; goodput is also <= 1): a sample of 0.9998 ± 0.0004 has no
    // goodput above 1.
    [[nodiscard]] Estimate get(double lo = 0.0, double hi = std::numeric_limits<double>::infinity()) const {
        Estimate e;
        if (n == 0) {
            return e;
        }
        e.mean = sum / n;
        const double var = n > 1 ? std::max(0.0, (sum2 - sum * sum / n) / (n - 1)) : 0.0;
        const double half = 1.96 * std::sqrt(var / n);
        e.ci_low = std::max(lo, e.mean - half);
        e.ci_high = std::min(hi, e.mean + half);
        return e;
    }
};

Setup make_setup(const CampaignConfig& cfg, const CampaignInputs& in, double link_delta, double interval, int spares) {
    Setup s;
    s.horizon = cfg.duration_s;
    s.checkpoint = in.checkpoint_time_s;
    s.down = cfg.detection_s + cfg.restart_s + cfg.restore_s;
    s.interval = interval;
    s.spares = spares;
    s.elastic = cfg.elastic;
    const double node_delta =
        in.step_time_s > 0 ? in.compute_per_step_s / in.step_time_s * (1.0 / cfg.throttled_speed - 1.0) : 0.0;
    for (std::size_t c = 0; c < kFailureClasses; ++c) {
        const auto& r = cfg.classes[c];
        const double rate = component_count(in.counts, r.cls) * r.rate_per_hour / 3600.0;
        const bool network =
            r.cls == FailureClass::Optic || r.cls == FailureClass::Switch || r.cls == FailureClass::Nic;
        s.repair[c] = r.repair_s;
        s.removes_node[c] = r.removes_node;
        s.delta[c] = network ? link_delta : node_delta;
        if (r.effect == FailureEffect::Interruption) {
            s.interrupt_rate[c] = rate;
            s.total_rate += rate;
        } else if (r.effect == FailureEffect::Degradation) {
            s.degrade_rate[c] = rate;
        }
    }
    return s;
}

struct Aggregate {
    std::array<Accumulator, kFailureClasses> events;
    Accumulator interruptions, mtbi, goodput, recompute, restart, waiting, checkpoint, degraded, energy, days, step;
};

Aggregate run_trials(const CampaignConfig& cfg, const CampaignInputs& in, const Setup& s, int trials, Rng& rng) {
    Aggregate a;
    const double tokens_per_s = in.step_time_s > 0 ? in.tokens_per_step / in.step_time_s : 0.0;
    for (int i = 0; i < trials; ++i) {
        const double speed = detail::trial_speed(cfg, in, rng);
        const Trial tr = detail::play(s, in, speed, rng);
        for (std::size_t c = 0; c < kFailureClasses; ++c) {
            a.events[c].add(tr.events[c]);
        }
        a.interruptions.add(tr.interruptions);
        if (tr.interruptions > 0) {
            a.mtbi.add(s.horizon / tr.interruptions);
        }
        const double g = tr.useful / s.horizon;
        a.goodput.add(g);
        a.recompute.add(tr.recompute);
        a.restart.add(tr.restart);
        a.waiting.add(tr.waiting);
        a.checkpoint.add(tr.checkpoint);
        a.degraded.add(tr.degraded);
        a.step.add(in.step_time_s / speed);
        const double down = s.horizon - tr.running;
        a.energy.add(tr.running * in.facility_running_w + down * in.facility_idle_w);
        if (in.tokens && tokens_per_s > 0 && g > 0) {
            a.days.add(*in.tokens / (tokens_per_s * g) / 86'400.0);
        }
    }
    return a;
}

// Whole steps between checkpoints, at least one (at least 1 s without a step time).
double round_to_steps(double interval_s, double step_s) {
    return step_s > 0 ? std::max(1.0, std::round(interval_s / step_s)) * step_s : std::max(1.0, interval_s);
}

constexpr double kMaxEvents = 5e7;

} // namespace

CampaignResult run_campaign(const CampaignConfig& cfg, const CampaignInputs& in, std::uint64_t seed) {
    if (cfg.duration_s < in.step_time_s) {
        throw InputError(cfg.file, cfg.pointer + "/duration_days",
                         fmt::format("the campaign ({} s) is shorter than one simulated step ({} s)", cfg.duration_s,
                                     in.step_time_s));
    }
    CampaignResult r;
    r.duration_s = cfg.duration_s;
    r.trials = cfg.trials;
    r.step_time_s = in.step_time_s;
    r.checkpoint_bytes = in.checkpoint_bytes;
    r.checkpoint_time_s = in.checkpoint_time_s;
    r.checkpoint_source = in.checkpoint_source;
    r.spare_nodes = cfg.spare_nodes;
    r.elastic = cfg.elastic;
    r.restart_s = cfg.detection_s + cfg.restart_s + cfg.restore_s;
    r.tokens = in.tokens;
    if (in.failed_link_step_s > 0 && in.step_time_s > 0) {
        r.failed_link_slowdown = std::max(0.0, in.failed_link_step_s / in.step_time_s - 1.0);
        r.link_model = fmt::format("simulated: the step with the {} cable failed (the healthy run's busiest cable of "
                                   "its top switch tier) took {:.6g} s against {:.6g} s",
                                   in.failed_link, in.failed_link_step_s, in.step_time_s);
    } else if (in.uplinks_per_switch > 1.0 && in.step_time_s > 0) {
        r.failed_link_slowdown = in.fabric_bound_per_step_s / in.step_time_s / (in.uplinks_per_switch - 1.0);
        r.link_model = fmt::format("estimated: the fabric-bound share of the step ({:.3g}) x 1/(u-1), u = {:.3g} "
                                   "uplinks per switch; not simulated on the degraded fabric",
                                   in.fabric_bound_per_step_s / in.step_time_s, in.uplinks_per_switch);
    } else {
        r.link_model = "no switched fabric: no failed-link slowdown";
    }
    Setup probe = make_setup(cfg, in, r.failed_link_slowdown, 1.0, cfg.spare_nodes);
    double degrade_rate = 0.0;
    for (double x : probe.degrade_rate) {
        degrade_rate += x;
    }
    // Trials, what-if points and their events bound the work (a fuzzed rate must not hang a run).
    const double what_if_points = static_cast<double>(std::max<std::size_t>(cfg.what_if_intervals_s.size(), 5) +
                                                      std::max<std::size_t>(cfg.what_if_spares.size(), 4));
    const double work = (probe.total_rate + degrade_rate) * cfg.duration_s *
                        (cfg.trials + what_if_points * std::max(2, cfg.trials / 4));
    if (work > kMaxEvents) {
        throw InputError(cfg.file, cfg.pointer,
                         fmt::format("the campaign would draw about {:.3g} failure events (rates x duration x "
                                     "trials); at most {:.0e}: fewer trials, a shorter campaign or lower rates",
                                     work, kMaxEvents));
    }
    r.interruption_rate_per_hour = probe.total_rate * 3600.0;
    const double mtbi = probe.total_rate > 0 ? 1.0 / probe.total_rate : cfg.duration_s;
    r.mtbi_s = mtbi;
    r.young_interval_s = young_interval(in.checkpoint_time_s, mtbi);
    r.daly_interval_s = daly_interval(in.checkpoint_time_s, mtbi);
    r.checkpoint_interval_s =
        round_to_steps(cfg.checkpoint_interval_s ? *cfg.checkpoint_interval_s : r.daly_interval_s, in.step_time_s);
    r.goodput_closed_form =
        closed_form_goodput(r.checkpoint_interval_s, in.checkpoint_time_s, probe.total_rate, r.restart_s);
    r.goodput_closed_form_daly = closed_form_goodput(round_to_steps(r.daly_interval_s, in.step_time_s),
                                                     in.checkpoint_time_s, probe.total_rate, r.restart_s);

    Setup s = make_setup(cfg, in, r.failed_link_slowdown, r.checkpoint_interval_s, cfg.spare_nodes);
    Rng rng(seed, "campaign");
    const Aggregate a = run_trials(cfg, in, s, cfg.trials, rng);
    for (std::size_t c = 0; c < kFailureClasses; ++c) {
        const auto& fr = cfg.classes[c];
        const double n = component_count(in.counts, fr.cls);
        r.causes.push_back(CauseResult{std::string(kFailureClassNames.name_of(fr.cls)), fr.component,
                                       std::string(kFailureEffectNames.name_of(fr.effect)), n, fr.rate_per_hour,
                                       n * fr.rate_per_hour * 24.0, a.events[c].get()});
    }
    r.interruptions = a.interruptions.get();
    r.mtbi_observed_s = a.mtbi.get();
    r.goodput = a.goodput.get(0.0, 1.0);
    r.lost_recompute_s = a.recompute.get();
    r.lost_restart_s = a.restart.get();
    r.lost_waiting_s = a.waiting.get();
    r.checkpoint_overhead_s = a.checkpoint.get();
    r.degraded_loss_s = a.degraded.get();
    r.energy_j = a.energy.get();
    r.degraded_step_time_s = a.step.get().mean;
    if (in.tokens && a.days.n > 0) {
        r.days_for_tokens = a.days.get();
    }

    // What-if: intervals at the chosen spares, then spares at the chosen interval; every point replays
    // the same random stream (common random numbers), so differences come from the policy.
    auto intervals = cfg.what_if_intervals_s;
    if (intervals.empty()) {
        for (double k : {0.25, 0.5, 1.0, 2.0, 4.0}) {
            intervals.push_back(std::max(r.daly_interval_s, in.step_time_s) * k);
        }
    }
    auto spares = cfg.what_if_spares;
    if (spares.empty()) {
        const int sp = cfg.spare_nodes;
        spares = sp == 0 ? std::vector<int>{0, 4, 16} : std::vector<int>{0, sp / 2, sp, 2 * sp};
    }
    const int what_if_trials = std::max(2, cfg.trials / 4);
    const auto point = [&](double interval, int sp) {
        const double tau = round_to_steps(interval, in.step_time_s);
        Rng w(seed, "campaign/what-if");
        const Aggregate wa =
            run_trials(cfg, in, make_setup(cfg, in, r.failed_link_slowdown, tau, sp), what_if_trials, w);
        r.what_if.push_back(WhatIfPoint{tau, sp,
                                        closed_form_goodput(tau, in.checkpoint_time_s, probe.total_rate, r.restart_s),
                                        wa.goodput.get(0.0, 1.0)});
    };
    for (double i : intervals) {
        point(i, cfg.spare_nodes);
    }
    for (int sp : spares) {
        point(r.checkpoint_interval_s, sp);
    }
    return r;
}

} // namespace twin::models
