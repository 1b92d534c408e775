// Activity accounting and run statistics for the coordinator (see run_stats.hpp).
#include "run_stats.hpp"

#include <algorithm>

namespace twin::sim {
namespace {

// Whether a program sends or receives (nesting is bounded by the trace reader's depth limit).
bool has_p2p(const models::Block& block) {
    return std::any_of(block.body.begin(), block.body.end(), [](const auto& step) {
        if (const auto* op = std::get_if<models::Op>(&step)) {
            return op->kind == models::Op::Kind::Send || op->kind == models::Op::Kind::Recv;
        }
        return has_p2p(std::get<models::Block>(step));
    });
}

bool trace_has_p2p(const models::Trace& trace) {
    return std::any_of(trace.classes.begin(), trace.classes.end(),
                       [](const models::RankClass& c) { return has_p2p(c.program); });
}

double total_estimate(const Played& played) {
    double total = 0.0;
    for (double e : played.estimate_s) {
        total += e;
    }
    return total;
}

} // namespace

RunStats::RunStats(const models::Trace& trace, const models::Fold& fold, bool record_collectives)
    : trace_(trace), fold_(fold), record_collectives_(record_collectives) {
    result_.ranks = trace_.ranks;
    result_.gpus.resize(static_cast<std::size_t>(trace_.ranks));
    ranks_.resize(static_cast<std::size_t>(trace_.ranks));
    for (auto& r : ranks_) {
        r.active_families.assign(trace_.groups.size() + 1, 0);
    }
    exposed_by_family_.assign(trace_.groups.size() + 1, 0.0);
    auto& f = result_.fold;
    f.active = fold_.active;
    f.reason = fold_.reason;
    if (fold_.active) {
        f.family = trace_.groups[static_cast<std::size_t>(fold_.family)].name;
        f.replicas = fold_.replicas;
        f.simulated_replicas = fold_.block * fold_.simulated_blocks; // of F's largest communicators
        f.copies = fold_.weight.empty() ? 1 : *std::max_element(fold_.weight.begin(), fold_.weight.end());
        f.simulated_ranks = static_cast<int>(std::count(fold_.simulated.begin(), fold_.simulated.end(), 1));
        f.grouping = fold_.grouping;
    }
    has_p2p_ = trace_has_p2p(trace_);
}

void RunStats::account(int rank, double now, int d_compute, int d_comm, int family, int d_wait_p2p) {
    auto& st = ranks_[static_cast<std::size_t>(rank)];
    const double dt = now - st.last_change;
    if (st.computing > 0) {
        st.activity.compute_s += dt;
    } else if (st.communicating == 0) {
        // Idle: waiting on a pipeline transfer's peer is the bubble; anything else waits for peers.
        (st.waiting_p2p > 0 ? bubble_gpu_s_ : waiting_gpu_s_) += weight(rank) * dt;
    } else {
        st.activity.communication_s += dt;
        // Exposed communication is shared equally by the families communicating right now.
        int active = 0;
        for (int c : st.active_families) {
            active += c > 0 ? 1 : 0;
        }
        for (std::size_t f = 0; f < st.active_families.size(); ++f) {
            if (st.active_families[f] > 0) {
                exposed_by_family_[f] += weight(rank) * dt / active;
            }
        }
    }
    st.last_change = now;
    st.computing += d_compute;
    st.communicating += d_comm;
    st.waiting_p2p += d_wait_p2p;
    if (d_comm != 0) {
        st.active_families[static_cast<std::size_t>(family)] += d_comm;
    }
}

void RunStats::compute_done(const models::Op& op, int rank, double duration, double full_speed) {
    auto& bounds = record_phase(op, rank, duration, 0.0);
    // Time beyond the full-clock roofline time was lost to power or thermal throttling.
    const double slow = std::max(0.0, duration - full_speed);
    const double w = weight(rank);
    bounds["compute"] += (duration - slow) * w;
    result_.bound_gpu_s["compute"] += (duration - slow) * w;
    if (slow > 0) {
        bounds["throttling"] += slow * w;
        result_.bound_gpu_s["throttling"] += slow * w;
    }
}

std::size_t RunStats::phase_of(const models::Op& op) {
    auto [it, inserted] = phase_index_.try_emplace(op.name, result_.phases.size());
    if (inserted) {
        PhaseStats ps;
        ps.name = op.name;
        ps.kind = std::string(models::op_kind_name(op));
        result_.phases.push_back(ps);
        phase_ranks_.emplace_back(static_cast<std::size_t>(trace_.ranks), 0);
    }
    return it->second;
}

std::map<std::string, double>& RunStats::record_phase(const models::Op& op, int rank, double duration, double bytes) {
    const auto idx = phase_of(op);
    auto& ps = result_.phases[idx];
    const double w = weight(rank);
    ps.count += static_cast<std::int64_t>(w);
    ps.total_time_s += duration * w;
    ps.bytes += bytes * w;
    phase_ranks_[idx][static_cast<std::size_t>(rank)] = 1;
    return ps.bound_gpu_s;
}

int RunStats::collective_stats(const models::Op& op, const std::string& algorithm, int members) {
    const auto key = op.name + '\x1f' + algorithm + '\x1f' + std::to_string(members);
    auto [it, inserted] = collective_index_.try_emplace(key, static_cast<int>(result_.collectives.size()));
    if (inserted) {
        CollectiveStats cs;
        cs.name = op.name;
        cs.kind = std::string(models::collective_name(op.collective.kind));
        cs.algorithm = algorithm;
        cs.members = members;
        cs.size_bytes = op.collective.size.value();
        result_.collectives.push_back(cs);
    }
    return it->second;
}

void RunStats::group_started(const Played& played, bool analytic) {
    result_.flows += played.flows;
    if (played.fluid_timed) {
        ++result_.fluid_groups;
    } else {
        result_.image_flows += played.image_flows;
    }
    if (analytic) {
        ++result_.analytic_groups;
    }
}

void RunStats::group_done(const Played& played, const models::Op& op, int stats, std::size_t members, double gpus,
                          double start, double end, std::int64_t copies) {
    const double duration = end - start;
    result_.collective_instances += copies;
    // Attribute the group's duration to the tiers of its phases' bottlenecks, weighted by estimate.
    const double total = total_estimate(played);
    for (std::size_t p = 0; p < played.bound.size(); ++p) {
        const double share = total > 0 ? played.estimate_s[p] / total : 0.0;
        comm_credit_[played.bound[p]] += share * duration * gpus;
    }
    if (stats >= 0) {
        auto& cs = result_.collectives[static_cast<std::size_t>(stats)];
        cs.instances += copies;
        cs.total_duration_s += duration * static_cast<double>(copies);
        if (record_collectives_) {
            result_.records.push_back(CollectiveRecord{op.name, played.label, start, end, static_cast<int>(members)});
        }
    }
}

void RunStats::member_done(const Played& played, const models::Op& op, int rank, double since, double start, double end,
                           double bytes) {
    const double duration = end - start;
    const double total = total_estimate(played);
    auto& bounds = record_phase(op, rank, end - since, bytes);
    // The phase waited for its peers, then ran: split its run by its phases' bottleneck tiers.
    if (start > since) {
        const bool p2p = op.kind != models::Op::Kind::Collective;
        bounds[p2p ? "bubble" : "waiting"] += (start - since) * weight(rank);
    }
    for (std::size_t p = 0; p < played.bound.size(); ++p) {
        const double share = total > 0 ? played.estimate_s[p] / total : 0.0;
        if (share > 0 && duration > 0) {
            bounds[played.bound[p]] += share * duration * weight(rank);
        }
    }
}

// Exposed communication time of each GPU is split over bounds in proportion to the credit the
// collectives gave each tier; compute keeps its own GPU-seconds.
void RunStats::attribute_bounds() {
    double exposed = 0.0;
    for (const auto& g : result_.gpus) {
        exposed += g.communication_s;
    }
    double credit = 0.0;
    for (const auto& [k, v] : comm_credit_) {
        credit += v;
    }
    for (const auto& [k, v] : comm_credit_) {
        result_.bound_gpu_s[k] += credit > 0 ? exposed * v / credit : 0.0;
    }
    if (credit == 0 && exposed > 0) { // exposed time but no credited tier (zero-length groups)
        result_.bound_gpu_s["latency"] += exposed;
    }
    if (bubble_gpu_s_ > 0) {
        result_.bound_gpu_s["bubble"] += bubble_gpu_s_;
    }
    if (waiting_gpu_s_ > 0) {
        result_.bound_gpu_s["waiting"] += waiting_gpu_s_;
    }
}

RunResult RunStats::finish(double end, const std::map<std::string, std::pair<std::int64_t, double>>& block_stats,
                           const LinkAccounting& links) {
    result_.simulated_time_s = end;
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
        const auto& st = ranks_[r];
        auto& a = result_.gpus[r];
        a = st.activity;
        a.idle_s = std::max(0.0, end - a.compute_s - a.communication_s);
        // After its program: the rest of the step waits for pipeline peers (bubble) or others.
        if (trace_.class_of_rank[r] >= 0 && is_simulated(fold_, static_cast<int>(r))) {
            (has_p2p_ ? bubble_gpu_s_ : waiting_gpu_s_) +=
                weight(static_cast<int>(r)) * std::max(0.0, end - st.last_change);
        } else if (trace_.class_of_rank[r] < 0) {
            waiting_gpu_s_ += end; // no work at all
        }
    }
    if (fold_.active) { // images do what their simulated rank did
        for (int r = 0; r < trace_.ranks; ++r) {
            if (fold_.simulated[static_cast<std::size_t>(r)] != 0) {
                for (const int m : fold_.images[static_cast<std::size_t>(fold_.block_of(trace_, r))]) {
                    result_.gpus[static_cast<std::size_t>(fold_.image(trace_, r, m))] =
                        result_.gpus[static_cast<std::size_t>(r)];
                }
            }
        }
    }
    attribute_bounds();
    for (std::size_t f = 0; f < exposed_by_family_.size(); ++f) {
        const std::string name = f < trace_.groups.size() ? trace_.groups[f].name : std::string("p2p");
        if (exposed_by_family_[f] > 0) {
            result_.exposed_by_family_gpu_s[name] = exposed_by_family_[f];
        }
    }
    for (const auto& [name, st] : block_stats) { // weighted by ProgramState
        result_.blocks.push_back(BlockStats{name, st.first, st.second});
    }
    result_.link_bytes_up = links.bytes_up();
    result_.link_bytes_down = links.bytes_down();
    for (auto& [name, index] : phase_index_) {
        (void)name;
        double gpus = 0.0;
        for (std::size_t r = 0; r < phase_ranks_[index].size(); ++r) {
            gpus += phase_ranks_[index][r] != 0 ? weight(static_cast<int>(r)) : 0.0;
        }
        result_.phases[index].ranks = static_cast<int>(gpus);
    }
    return std::move(result_);
}

} // namespace twin::sim
