// The request-level serving simulation (serving.hpp): a discrete-event loop over arrivals,
// iteration ends and KV-cache transfers (events ordered by time, then by the order they were
// made: deterministic; all events of one instant are handled before an idle replica plans, so
// simultaneous arrivals share an iteration), replicas behind a load balancer, the per-request
// latencies and their percentiles, the time series, and the capacity search.
#include "serving_replica.hpp"
#include "twin/models/serving.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

namespace twin::models {
namespace {

using detail::Iteration;
using detail::Replica;
using detail::Sequence;

enum class EventKind : std::uint8_t { Arrival, IterationEnd, KvArrival };

struct Event {
    double t = 0.0;
    std::uint64_t order = 0;
    EventKind kind = EventKind::Arrival;
    int a = 0; // request (Arrival), replica (IterationEnd), pending transfer (KvArrival)
    bool operator>(const Event& o) const { return t != o.t ? t > o.t : order > o.order; }
};

struct Segment {
    double t0 = 0.0, t1 = 0.0;
    double occupancy = 0.0;
    double running = 0.0;
    double waiting = 0.0;
    std::int64_t preemptions = 0;
};

Percentiles percentiles(std::vector<double> v) {
    Percentiles p;
    if (v.empty()) {
        return p;
    }
    std::sort(v.begin(), v.end());
    double sum = 0.0;
    for (double x : v) {
        sum += x;
    }
    const auto rank = [&](double q) {
        const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
        return v[std::max<std::size_t>(k, 1) - 1];
    };
    p.mean = sum / static_cast<double>(v.size());
    p.p50 = rank(0.5);
    p.p90 = rank(0.9);
    p.p99 = rank(0.99);
    return p;
}

ServingSeries bin_series(const std::vector<Segment>& segs, double start, double span, int bins, int replicas) {
    ServingSeries s;
    if (!(span > 0) || bins <= 0) {
        return s;
    }
    s.bin_s = span / bins;
    for (int b = 0; b < bins; ++b) {
        s.time_s.push_back(start + b * s.bin_s);
    }
    s.kv_occupancy.assign(static_cast<std::size_t>(bins), 0.0);
    s.preemptions.assign(static_cast<std::size_t>(bins), 0.0);
    s.running.assign(static_cast<std::size_t>(bins), 0.0);
    s.waiting.assign(static_cast<std::size_t>(bins), 0.0);
    const auto bin_of = [&](double t) {
        return std::clamp(static_cast<int>(std::floor((t - start) / s.bin_s)), 0, bins - 1);
    };
    const double norm = s.bin_s * replicas;
    for (const auto& g : segs) {
        s.preemptions[static_cast<std::size_t>(bin_of(g.t0))] += static_cast<double>(g.preemptions);
        for (int b = bin_of(g.t0); b <= bin_of(g.t1); ++b) {
            const double lo = std::max(g.t0, start + b * s.bin_s);
            const double hi = std::min(g.t1, start + (b + 1) * s.bin_s);
            if (hi > lo) {
                const auto i = static_cast<std::size_t>(b);
                s.kv_occupancy[i] += g.occupancy * (hi - lo) / norm;
                s.running[i] += g.running * (hi - lo) / norm;
                s.waiting[i] += g.waiting * (hi - lo) / s.bin_s;
            }
        }
    }
    return s;
}

class Simulation {
public:
    Simulation(const ServingSetup& setup, const IterationCost& cost, int scale)
        : setup_(setup), spec_(setup.spec), cost_(cost) {
        const bool dis = spec_.disaggregated();
        prefill_ = dis ? spec_.prefill_replicas * scale : scale;
        const int decode = dis ? spec_.decode_replicas * scale : 0;
        for (int i = 0; i < prefill_ + decode; ++i) {
            replicas_.emplace_back(spec_, setup.kv_blocks, dis && i < prefill_);
        }
        const auto n = spec_.requests.size();
        first_.assign(n, -1.0);
        finish_.assign(n, -1.0);
        for (std::size_t i = 0; i < n; ++i) {
            push(spec_.requests[i].arrival_s, EventKind::Arrival, static_cast<int>(i));
        }
    }

    ServingResult run() {
        while (!events_.empty()) {
            const Event e = events_.top();
            events_.pop();
            now_ = e.t;
            if (e.kind == EventKind::Arrival) {
                const auto& q = spec_.requests[static_cast<std::size_t>(e.a)];
                Sequence s;
                s.request = e.a;
                s.prompt = q.prompt_tokens;
                s.output = q.output_tokens;
                const int r = pick(0, prefill_, rr_prefill_);
                replicas_[static_cast<std::size_t>(r)].enqueue(s);
                touched_.push_back(r);
            } else if (e.kind == EventKind::IterationEnd) {
                end_iteration(e.a);
            } else {
                const int r = pick(prefill_, static_cast<int>(replicas_.size()), rr_decode_);
                replicas_[static_cast<std::size_t>(r)].enqueue(moving_[static_cast<std::size_t>(e.a)]);
                touched_.push_back(r);
            }
            // Everything that happens at one instant is seen by the replicas' next plan.
            if (events_.empty() || events_.top().t > now_) {
                std::sort(touched_.begin(), touched_.end());
                for (int r : touched_) {
                    start(r);
                }
                touched_.clear();
            }
        }
        return summarise();
    }

private:
    void push(double t, EventKind kind, int a) { events_.push(Event{t, order_++, kind, a}); }

    int pick(int lo, int hi, std::uint64_t& counter) {
        if (spec_.balancer == LoadBalancer::RoundRobin) {
            return lo + static_cast<int>(counter++ % static_cast<std::uint64_t>(hi - lo));
        }
        int best = lo;
        for (int r = lo + 1; r < hi; ++r) {
            if (replicas_[static_cast<std::size_t>(r)].load() < replicas_[static_cast<std::size_t>(best)].load()) {
                best = r;
            }
        }
        return best;
    }

    void start(int r) {
        Replica& rep = replicas_[static_cast<std::size_t>(r)];
        if (rep.busy) {
            return;
        }
        const Iteration it = rep.plan();
        if (it.empty()) {
            return;
        }
        const double dt = cost_.iteration_s(it.prefill_tokens, it.pairs, it.decodes, it.context);
        rep.busy = true;
        rep.busy_s += dt;
        ++iterations_;
        preemptions_ += it.preemptions;
        peak_occupancy_ = std::max(peak_occupancy_, rep.occupancy());
        segments_.push_back({now_, now_ + dt, rep.occupancy(), static_cast<double>(rep.running()),
                             static_cast<double>(rep.waiting()), it.preemptions});
        push(now_ + dt, EventKind::IterationEnd, r);
    }

    void end_iteration(int r) {
        Replica& rep = replicas_[static_cast<std::size_t>(r)];
        rep.busy = false;
        auto end = rep.finish();
        for (int q : end.first_token_requests) {
            first_[static_cast<std::size_t>(q)] = now_;
        }
        for (int q : end.finished) {
            finish_[static_cast<std::size_t>(q)] = now_;
        }
        for (auto& s : end.first_tokens) {
            const double t = setup_.transfer_latency_s + static_cast<double>(s.kv_tokens) *
                                                             setup_.kv_bytes_per_token_per_gpu /
                                                             setup_.transfer_bandwidth_bytes_per_s;
            transfer_sum_ += t;
            ++transfers_;
            moving_.push_back(s);
            push(now_ + t, EventKind::KvArrival, static_cast<int>(moving_.size() - 1));
        }
        touched_.push_back(r);
    }

    ServingResult summarise() const {
        ServingResult out;
        auto& m = out.summary;
        const auto& reqs = spec_.requests;
        std::vector<double> ttft, tpot, e2e;
        double start = reqs.empty() ? 0.0 : reqs.front().arrival_s;
        double last = start;
        double tokens = 0.0;
        std::int64_t good = 0;
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            const auto& q = reqs[i];
            const double t1 = first_[i] - q.arrival_s;
            ttft.push_back(t1);
            e2e.push_back(finish_[i] - q.arrival_s);
            bool ok = t1 <= spec_.slo_ttft_s;
            if (q.output_tokens > 1) {
                const double t = (finish_[i] - first_[i]) / static_cast<double>(q.output_tokens - 1);
                tpot.push_back(t);
                ok = ok && t <= spec_.slo_tpot_s;
            }
            good += ok ? 1 : 0;
            last = std::max(last, finish_[i]);
            tokens += static_cast<double>(q.output_tokens);
        }
        const int n_rep = static_cast<int>(replicas_.size());
        m.replicas = n_rep;
        m.gpus = n_rep * setup_.gpus_per_replica;
        m.requests = static_cast<std::int64_t>(reqs.size());
        m.makespan_s = last - start;
        m.ttft_s = percentiles(ttft);
        m.tpot_s = percentiles(tpot);
        m.e2e_s = percentiles(e2e);
        const double span = m.makespan_s > 0 ? m.makespan_s : 0.0;
        const auto per_s = [span](double x) { return span > 0 ? x / span : 0.0; };
        m.requests_per_s = per_s(static_cast<double>(reqs.size()));
        m.output_tokens_per_s = per_s(tokens);
        m.goodput_requests_per_s = per_s(static_cast<double>(good));
        m.slo_attainment = reqs.empty() ? 0.0 : static_cast<double>(good) / static_cast<double>(reqs.size());
        m.preemptions = preemptions_;
        m.iterations = iterations_;
        m.peak_kv_occupancy = peak_occupancy_;
        double busy = 0.0;
        for (const auto& r : replicas_) {
            busy += r.busy_s;
        }
        double occupied = 0.0;
        for (const auto& g : segments_) {
            occupied += g.occupancy * (g.t1 - g.t0);
        }
        m.mean_kv_occupancy = span > 0 ? occupied / (span * n_rep) : 0.0;
        m.gpu_utilisation = span > 0 ? busy / (span * n_rep) : 0.0;
        const double energy =
            setup_.gpus_per_replica * (busy * setup_.gpu_busy_w + (span * n_rep - busy) * setup_.gpu_idle_w);
        m.energy_per_output_token_j = tokens > 0 ? energy / tokens : 0.0;
        m.mean_kv_transfer_s = transfers_ > 0 ? transfer_sum_ / static_cast<double>(transfers_) : 0.0;
        out.series = bin_series(segments_, start, span, spec_.series_bins, n_rep);
        return out;
    }

    const ServingSetup& setup_;
    const ServingSpec& spec_;
    const IterationCost& cost_;
    int prefill_ = 1;
    std::vector<Replica> replicas_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
    std::uint64_t order_ = 0;
    std::uint64_t rr_prefill_ = 0, rr_decode_ = 0;
    double now_ = 0.0;
    std::vector<double> first_, finish_;
    std::vector<Sequence> moving_;
    std::vector<Segment> segments_;
    std::vector<int> touched_; // replicas to (re)plan once the current instant is done
    std::int64_t iterations_ = 0, preemptions_ = 0, transfers_ = 0;
    double peak_occupancy_ = 0.0, transfer_sum_ = 0.0;
};

} // namespace

ServingResult simulate_serving(const ServingSetup& setup, const IterationCost& cost, int replicas_scale) {
    return Simulation(setup, cost, std::max(replicas_scale, 1)).run();
}

CapacityResult capacity_search(const ServingSetup& setup, const IterationCost& cost) {
    const auto& spec = setup.spec;
    const int per_scale = spec.disaggregated() ? spec.prefill_replicas + spec.decode_replicas : 1;
    CapacityResult c;
    const auto meets = [&](int r, ServingSummary& at) {
        at = simulate_serving(setup, cost, r).summary;
        const bool ok = at.slo_attainment >= spec.slo_attainment;
        c.explored.push_back(
            {r, r * per_scale * setup.gpus_per_replica, at.goodput_requests_per_s, at.slo_attainment, ok});
        return ok;
    };
    const auto finish = [&c] {
        std::sort(c.explored.begin(), c.explored.end(),
                  [](const CapacityProbe& a, const CapacityProbe& b) { return a.replicas < b.replicas; });
    };
    int hi = spec.capacity_max_replicas;
    ServingSummary at_hi;
    if (hi <= 0 || !meets(hi, at_hi)) {
        c.replicas = hi;
        c.gpus = hi * per_scale * setup.gpus_per_replica;
        c.at = at_hi;
        finish();
        return c;
    }
    // Invariant: hi meets, lo fails (0 always "fails").
    int lo = 0;
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        ServingSummary at;
        if (meets(mid, at)) {
            hi = mid;
            at_hi = at;
        } else {
            lo = mid;
        }
    }
    c.met = true;
    c.replicas = hi;
    c.gpus = hi * per_scale * setup.gpus_per_replica;
    c.at = at_hi;
    finish();
    return c;
}

} // namespace twin::models
