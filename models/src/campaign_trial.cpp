// One trial of the campaign Monte Carlo: the wall clock played from t = 0 with interruptions,
// checkpoints, restarts, spares, elastic restarts and degradations. The rules and their equations
// are stated in campaign_mc.cpp's header and twin/models/campaign.hpp; units are seconds.
#include "campaign_trial.hpp"

#include "campaign_math.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <set>
#include <vector>

namespace twin::models::detail {

namespace {

// Time-weighted mean over [0, H] of 1 − 1 / (1 + δ(t)), δ(t) the largest active degradation.
double degraded_share(const Setup& s, Rng& rng, std::array<double, kFailureClasses>& events) {
    struct Edge {
        double t;
        double delta; // > 0 starts, < 0 ends
    };
    std::vector<Edge> edges;
    for (std::size_t c = 0; c < kFailureClasses; ++c) {
        if (s.degrade_rate[c] <= 0.0) {
            continue;
        }
        for (double t = exponential(rng, s.degrade_rate[c]); t < s.horizon; t += exponential(rng, s.degrade_rate[c])) {
            const double end = s.repair[c] > 0 ? std::min(s.horizon, t + exponential(rng, 1.0 / s.repair[c])) : t;
            events[c] += 1.0;
            if (s.delta[c] > 0.0) {
                edges.push_back({t, s.delta[c]});
                edges.push_back({end, -s.delta[c]});
            }
        }
    }
    // Starts before ends at one instant, so every end finds its start.
    std::sort(edges.begin(), edges.end(),
              [](const Edge& a, const Edge& b) { return a.t != b.t ? a.t < b.t : a.delta > b.delta; });
    std::multiset<double> active;
    double prev = 0.0;
    double sum = 0.0;
    for (const auto& e : edges) {
        if (!active.empty()) {
            const double d = *active.rbegin();
            sum += (e.t - prev) * (1.0 - 1.0 / (1.0 + d));
        }
        prev = e.t;
        if (e.delta > 0) {
            active.insert(e.delta);
        } else {
            active.erase(active.find(-e.delta));
        }
    }
    return sum / s.horizon;
}

std::size_t pick_class(const Setup& s, Rng& rng) {
    const double x = rng.uniform() * s.total_rate;
    double acc = 0.0;
    std::size_t last = 0;
    for (std::size_t c = 0; c < kFailureClasses; ++c) {
        if (s.interrupt_rate[c] > 0.0) {
            acc += s.interrupt_rate[c];
            last = c;
            if (x < acc) {
                return c;
            }
        }
    }
    return last;
}

} // namespace

double exponential(Rng& rng, double rate) {
    if (rate <= 0.0) {
        return std::numeric_limits<double>::infinity();
    }
    return -std::log1p(-rng.uniform()) / rate;
}

double trial_speed(const CampaignConfig& cfg, const CampaignInputs& in, Rng& rng) {
    double s_min = 1.0;
    const double n = std::max(1.0, in.gpus);
    const double u = rng.uniform();
    if (cfg.slow_gpu_sigma > 0.0) {
        const double p = -std::expm1(std::log1p(-u) / n); // F(s_min) when the minimum sits at quantile u
        s_min = std::clamp(1.0 + cfg.slow_gpu_sigma * detail::normal_quantile(p), 0.05, 1.0);
    }
    const double any_throttled = -std::expm1(n * std::log1p(-std::min(cfg.throttled_fraction, 1.0 - 1e-16)));
    if (rng.uniform() < any_throttled) {
        s_min = std::min(s_min, cfg.throttled_speed);
    }
    const double stretched = in.step_time_s + in.compute_per_step_s * (1.0 / s_min - 1.0);
    return stretched > 0 ? in.step_time_s / stretched : 1.0;
}

Trial play(const Setup& s, const CampaignInputs& in, double speed, Rng& rng) {
    Trial tr;
    tr.speed = speed;
    const double cycle = s.interval + s.checkpoint;
    const int dp = std::max(1, in.dp_replicas);
    const double replicas_per_node = in.nodes > 0 ? dp / in.nodes : 1.0;
    const auto fraction = [&](int missing_nodes) {
        const double lost = std::min<double>(dp, std::ceil(missing_nodes * replicas_per_node - 1e-9));
        return (dp - lost) / dp;
    };
    std::priority_queue<double, std::vector<double>, std::greater<>> repairs;
    int spares = s.spares;
    int missing = 0;
    double f = 1.0;
    double t = 0.0;
    double pos = 0.0;         // within the cycle
    double uncommitted = 0.0; // compute time since the last completed checkpoint
    while (t < s.horizon) {
        const double fail_at = t + exponential(rng, s.total_rate);
        const double rejoin_at =
            missing > 0 && !repairs.empty() ? repairs.top() : std::numeric_limits<double>::infinity();
        const double end = std::min({fail_at, rejoin_at, s.horizon});
        tr.running += end - t;
        while (t < end) {
            if (pos == 0.0 && end - t >= cycle) {
                const double n = std::floor((end - t) / cycle);
                tr.useful += n * s.interval * f;
                tr.checkpoint += n * s.checkpoint;
                t += n * cycle;
            } else if (pos < s.interval) {
                const double d = std::min(s.interval - pos, end - t);
                pos = d == end - t ? pos + d : s.interval;
                uncommitted += d;
                t = d == end - t ? end : t + d;
            } else if (cycle - pos <= end - t) {
                tr.checkpoint += cycle - pos;
                t += cycle - pos;
                tr.useful += uncommitted * f;
                uncommitted = 0.0;
                pos = 0.0;
            } else {
                tr.checkpoint += end - t;
                pos += end - t;
                t = end;
            }
        }
        if (end >= s.horizon) {
            tr.useful += uncommitted * f; // the campaign ends; the job carries on
            break;
        }
        if (rejoin_at < fail_at) {
            // A repaired node rejoins the elastic job: a planned restart at a checkpoint (its wait
            // for the checkpoint boundary is neglected), no work lost.
            tr.useful += uncommitted * f;
            uncommitted = 0.0;
            pos = 0.0;
            repairs.pop();
            --missing;
            f = fraction(missing);
            tr.restart += std::min(s.down, s.horizon - t);
            t += s.down;
            continue;
        }
        const std::size_t c = pick_class(s, rng);
        tr.events[c] += 1.0;
        tr.interruptions += 1.0;
        tr.recompute += uncommitted;
        uncommitted = 0.0;
        pos = 0.0;
        double wait = 0.0;
        if (s.removes_node[c]) {
            repairs.push(t + exponential(rng, s.repair[c] > 0 ? 1.0 / s.repair[c] : 0.0));
            if (spares > 0) {
                --spares;
            } else if (s.elastic && fraction(missing + 1) > 0.0) {
                ++missing;
            } else {
                wait = std::max(0.0, repairs.top() - t); // the earliest repaired node takes its place
                repairs.pop();
            }
        }
        tr.restart += std::min(s.down, s.horizon - t);
        tr.waiting += std::max(0.0, std::min(s.down + wait, s.horizon - t) - s.down);
        t += s.down + wait;
        while (!repairs.empty() && repairs.top() <= t) {
            repairs.pop();
            if (missing > 0) {
                --missing;
            } else {
                ++spares;
            }
        }
        f = fraction(missing);
    }
    tr.useful *= speed;
    tr.degraded = tr.useful * degraded_share(s, rng, tr.events);
    tr.useful -= tr.degraded;
    return tr;
}

} // namespace twin::models::detail
