#include "engine.hpp"

#include "compute_queue.hpp"
#include "engine_types.hpp"
#include "finite_checks.hpp"
#include "flow_player.hpp"
#include "fold_summary.hpp"
#include "plan_cache.hpp"
#include "platform.hpp"
#include "program_state.hpp"
#include "rendezvous.hpp"
#include "run_recorder.hpp"
#include "run_stats.hpp"
#include "twin/models/compute.hpp"
#include "twin/models/fold.hpp"
#include "twin/sim/budget.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mutex.hpp>
#include <vector>

namespace twin::sim {
namespace {

using models::Op;
namespace s4u = simgrid::s4u;

struct RankState {
    ComputeQueue compute_queue;      // ops waiting for the GPU (front: running)
    GpuState state = GpuState::Idle; // last state told to the observer
};

// A batch of flows handed to SimGrid: a started collective or transfer.
struct FlowGroup {
    std::shared_ptr<Played> played;
    std::vector<Pending> members;
    const Op* op = nullptr;
    const std::vector<int>* comm_members = nullptr; // collectives: the whole communicator
    int stats = -1;                                 // index into collectives stats, -1 for p2p
    int family = -1; // group family of the op (families.size() for a transfer without one)
    double start = 0.0;
};

// The scale-up shortcut: a collective whose members all sit in one node (one NVLink domain)
// and none of whose GPUs has other traffic inside the node in flight (`busy`, per GPU) has its
// links to itself — a GPU's NVLink links carry only flows between GPUs of its node; fabric traffic
// leaves through the GPU's own host link to its NIC — so its isolated time is its time. Transfers
// and collectives that cross the fabric always go through SimGrid. PXN flows (cluster.hpp) do cross
// NVLink to their proxy GPU: their plans list both GPUs in scale_up_gpus, so no shortcut starts
// while they are in flight; one that starts during a shortcut does not see its NVLink share
// (NVLink's 450 GB/s against a NIC's 50 GB/s: never the PXN flow's bottleneck on an H100).
bool scale_up_shortcut(const FlowGroup& group, const topology::Cluster& cluster, const std::vector<int>& busy) {
    if (group.op->kind != Op::Kind::Collective) {
        return false;
    }
    // All members in one node (in a folded run some are images: the whole communicator counts),
    // none busy (images are busy when their simulated rank is).
    const int node = cluster.node_of_gpu(group.members.front().rank);
    return std::all_of(group.comm_members->begin(), group.comm_members->end(),
                       [&](int gpu) { return cluster.node_of_gpu(gpu) == node; }) &&
           std::all_of(group.members.begin(), group.members.end(),
                       [&](const Pending& m) { return busy[static_cast<std::size_t>(m.rank)] == 0; });
}

// A compute completion (rank >= 0) or an analytically timed flow group's end, in time order
// (ties: in the order they were set).
struct Timer {
    double time;
    std::uint64_t seq;
    int rank;           // compute completion of this rank, when group < 0
    std::int64_t group; // flow group timed analytically, else -1
    bool operator>(const Timer& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

models::Fold fold_of(const models::Trace& trace, const topology::Cluster& cluster, const RunOptions& options) {
    if (options.unfolded || options.no_fold) {
        models::Fold fold;
        fold.reason = "not requested (--unfolded or --no-fold)";
        return fold;
    }
    return models::plan_fold(trace, cluster);
}

// The ranks whose ops the timeline records: the first RunOptions::timeline_ranks simulated ones.
std::vector<int> timeline_ranks(const models::Trace& trace, const models::Fold& fold, const RunOptions& options) {
    std::vector<int> recorded;
    for (int r = 0; r < trace.ranks && static_cast<int>(recorded.size()) < options.timeline_ranks; ++r) {
        if (trace.class_of_rank[static_cast<std::size_t>(r)] >= 0 && is_simulated(fold, r)) {
            recorded.push_back(r);
        }
    }
    return recorded;
}

// Tells the observer whom each simulated rank of a folded run stands for.
void announce_fold(const models::Fold& fold, const models::Trace& trace, ActivityObserver& observer) {
    std::vector<int> gpus;
    for (int r = 0; r < trace.ranks; ++r) {
        if (fold.simulated[static_cast<std::size_t>(r)] == 0) {
            continue;
        }
        gpus.assign(1, r);
        for (const int m : fold.images[static_cast<std::size_t>(fold.block_of(trace, r))]) {
            gpus.push_back(fold.image(trace, r, m));
        }
        std::sort(gpus.begin(), gpus.end());
        observer.stands_for(r, gpus);
    }
}

// The event loop. Its parts hold plain state and answer calls with what became ready; only the
// coordinator calls across them and into SimGrid: ProgramState (the ranks' programs), Rendezvous
// (collective members, send/recv pairs), PlanCache (plans as the network plays them, the caps of
// folded launches), RunStats (activity and statistics), RunRecorder (time series, timeline),
// FlowPlayer (flows in SimGrid). It keeps the clock: timers, the compute queues, launching and
// finishing flow groups.
class Coordinator {
public:
    Coordinator(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options,
                Platform platform)
        : trace_(trace), cluster_(cluster), options_(options), platform_(std::move(platform)),
          fold_(fold_of(trace, cluster, options)), program_(trace, fold_.weight), rendezvous_(trace, fold_),
          plans_(cluster, trace, fold_, options.unfolded || options.no_fold ? 0 : options.fluid_min_flows),
          stats_(trace, fold_, options.record_collectives),
          recorder_(cluster, trace, options, fold_.weight, timeline_ranks(trace, fold_, options)),
          player_(platform_, cluster.gpu_count(), [this](std::uint64_t id) {
              completed_.push_back(id);
              wakeup_->notify_all();
          }) {
        ranks_.resize(static_cast<std::size_t>(trace_.ranks));
        scale_up_busy_.assign(static_cast<std::size_t>(cluster_.gpu_count()), 0);
    }

    void run() {
        mutex_ = s4u::Mutex::create();
        wakeup_ = s4u::ConditionVariable::create();
        std::unique_lock<s4u::Mutex> lock(*mutex_);
        if (fold_.active && options_.observer != nullptr) {
            announce_fold(fold_, trace_, *options_.observer);
        }
        for (int r = 0; r < trace_.ranks; ++r) {
            const int cls = trace_.class_of_rank[static_cast<std::size_t>(r)];
            if (cls < 0 || !is_simulated(fold_, r)) {
                continue;
            }
            ++running_ranks_;
            if (options_.observer != nullptr) {
                options_.observer->state_changed(r, 0.0, GpuState::Idle, 0.0);
            }
            ProgramEvents ready = spare_events();
            program_.start(r, now(), ready);
            dispatch(ready);
        }
        while (running_ranks_ > 0) {
            check_deadline();
            if (!completed_.empty()) {
                auto done = std::move(completed_);
                completed_.clear();
                for (auto id : done) {
                    finish_group(id);
                }
                continue;
            }
            if (!timers_.empty() && timers_.top().time <= now() + 1e-15 * std::max(1.0, now())) {
                const auto t = timers_.top();
                timers_.pop();
                if (t.group >= 0) {
                    finish_group(static_cast<std::uint64_t>(t.group));
                } else {
                    finish_compute(t.rank);
                }
                continue;
            }
            flush_launches();
            if (timers_.empty() && in_flight_.empty()) { // nothing can wake us: ranks wait for each other
                rendezvous_.report_deadlock();
            }
            if (timers_.empty()) {
                wakeup_->wait(lock);
            } else {
                wakeup_->wait_until(lock, timers_.top().time);
            }
        }
        if (options_.progress) {
            options_.progress(1.0, now());
        }
        if (options_.observer != nullptr) {
            options_.observer->finished(now());
        }
        const double end = now();
        for (int r = 0; r < trace_.ranks; ++r) { // after its program, a rank idles to the end
            if (trace_.class_of_rank[static_cast<std::size_t>(r)] >= 0 && is_simulated(fold_, r)) {
                recorder_.activity(r, stats_.last_change(r), end, GpuState::Idle);
            }
        }
        result_ = stats_.finish(end, program_.block_stats(), plans_.link_totals());
        result_.fold.groups = fold_groups(trace_, fold_, cluster_);
        recorder_.finish(end, plans_.plan_bytes(), result_);
    }

    RunResult take_result() { return std::move(result_); }
    // After an error: flow groups in flight end with their current phase.
    void stop_flows() { player_.stop(); }

private:
    static double now() { return s4u::Engine::get_clock(); }

    // `family`: the group family of the communication starting or ending (d_comm != 0).
    // `d_wait_p2p`: the rank starts (+1) or stops (-1) waiting for a transfer's peer.
    void account(int rank, int d_compute, int d_comm, int family = -1, int d_wait_p2p = 0) {
        const double t = now();
        recorder_.activity(rank, stats_.last_change(rank), t, stats_.state(rank));
        stats_.account(rank, t, d_compute, d_comm, family, d_wait_p2p);
        notify_state(rank);
    }

    // Tells the observer when the rank's state changed, or (new_op) a new compute op began.
    void notify_state(int rank, bool new_op = false) {
        if (options_.observer == nullptr) {
            return;
        }
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        const GpuState state = stats_.state(rank);
        if (state == st.state && !new_op) {
            return;
        }
        st.state = state;
        const double sm = state == GpuState::Compute ? st.compute_queue.front().sm_activity : 0.0;
        options_.observer->state_changed(rank, now(), state, sm);
    }

    // ---- the programs: hand on what became ready ----
    void dispatch(ProgramEvents& ready) {
        if (ready.progress) {
            report_progress();
        }
        for (const auto& r : ready.ops) {
            switch (r.op->kind) {
            case Op::Kind::Compute:
                start_compute(r.rank, r.ref, *r.op);
                break;
            case Op::Kind::Collective:
                arrive_collective(r.rank, r.ref, *r.op);
                break;
            case Op::Kind::Send:
            case Op::Kind::Recv:
                post_p2p(r.rank, r.ref, *r.op);
                break;
            }
        }
        if (ready.ended_rank >= 0) {
            account(ready.ended_rank, 0, 0);
            stats_.rank_ended(ready.ended_rank, now());
            --running_ranks_;
        }
        ready.ops.clear();
        spare_ops_.push_back(std::move(ready.ops));
    }

    void finish_step(OpRef ref) {
        ProgramEvents ready = spare_events();
        program_.finish(ref, now(), ready);
        dispatch(ready);
    }

    // Events to fill, their op list's memory reused (a finish per op: no allocation each time).
    ProgramEvents spare_events() {
        ProgramEvents events;
        if (!spare_ops_.empty()) {
            events.ops = std::move(spare_ops_.back());
            spare_ops_.pop_back();
        }
        return events;
    }

    void report_progress() {
        if (!options_.progress) {
            return;
        }
        const auto t = std::chrono::steady_clock::now();
        if (t - last_progress_ < std::chrono::milliseconds(500)) {
            return;
        }
        last_progress_ = t;
        options_.progress(program_.fraction_done(), now());
    }

    // The wall-clock budget, looked at every event (a clock read costs far less than an event).
    void check_deadline() const {
        if (options_.deadline && std::chrono::steady_clock::now() > *options_.deadline) {
            throw TimeLimitExceeded(fmt::format("at simulated time {:.6g} s", now()));
        }
    }

    // ---- compute ----
    void start_compute(int rank, OpRef ref, const Op& op) {
        const auto& gpu = cluster_.gpu_type(rank);
        const auto ct = models::compute_time(gpu, op.compute);
        const double d = ct.time.value() / cluster_.gpu_speed(rank); // a straggler: models/stragglers.hpp
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        const double sm = ct.time.value() > 0 ? ct.flops_time.value() / ct.time.value() : 0.0;
        st.compute_queue.push_back(QueuedCompute{ref, d, sm, d, now()});
        if (st.compute_queue.size() == 1) {
            begin_compute(rank);
        }
    }

    void begin_compute(int rank) {
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        auto& front = st.compute_queue.front();
        if (options_.observer != nullptr) {
            front.duration /= options_.observer->compute_speed(rank, now());
        }
        const double d = front.duration;
        const Op& op = program_.op_at(front.op);
        check_duration(d, models::file_of(trace_, op), op, "compute time");
        if (stats_.computing(rank)) { // the previous op ended at this instant: still computing, new op
            notify_state(rank, true);
        } else {
            account(rank, +1, 0);
        }
        timers_.push(Timer{now() + d, timer_seq_++, rank, -1});
    }

    void finish_compute(int rank) {
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        const auto q = st.compute_queue.front();
        const auto ref = q.op;
        const double d = q.duration;
        st.compute_queue.pop_front();
        stats_.compute_done(program_.op_at(ref), rank, d, q.full_speed);
        if (recorder_.records(rank)) {
            recorder_.slice(rank, program_.op_at(ref), "", 0, q.queued, now() - d, now());
        }
        if (st.compute_queue.empty()) {
            account(rank, -1, 0);
        } else {
            begin_compute(rank);
        }
        finish_step(ref);
    }

    // ---- collectives and transfers ----
    void arrive_collective(int rank, OpRef ref, const Op& op) {
        auto inst = rendezvous_.arrive(rank, ref, op, now());
        account(rank, 0, 0); // close the interval before the wait (idle time from here waits for peers)
        if (!inst) {
            return;
        }
        const auto& members =
            trace_.groups[static_cast<std::size_t>(inst->family)].communicators[static_cast<std::size_t>(inst->comm)];
        auto group = std::make_shared<FlowGroup>();
        group->played = plans_.collective(*inst->op, inst->family, inst->comm, members);
        group->members = std::move(inst->arrived);
        group->op = inst->op;
        group->stats = stats_.collective_stats(*inst->op, group->played->label, static_cast<int>(members.size()));
        group->comm_members = &members;
        launch(std::move(group));
    }

    void post_p2p(int rank, OpRef ref, const Op& op) {
        auto transfer = rendezvous_.post(rank, ref, op, now());
        if (!transfer) {
            account(rank, 0, 0, -1, +1); // waits for its peer from here
            return;
        }
        auto group = std::make_shared<FlowGroup>();
        group->played = plans_.transfer(*transfer->op, transfer->src, transfer->dst);
        group->members = {transfer->first, transfer->second};
        group->op = transfer->op;
        launch(std::move(group));
    }

    // ---- handing flows to SimGrid ----
    void launch(std::shared_ptr<FlowGroup> group) {
        group->start = now();
        const Op& op = *group->op;
        group->family = op.kind == Op::Kind::Collective ? op.collective.family
                        : op.p2p.peer.family >= 0       ? op.p2p.peer.family
                                                        : static_cast<int>(trace_.groups.size());
        const bool analytic = !options_.unfolded && scale_up_shortcut(*group, cluster_, scale_up_busy_);
        const bool p2p = op.kind != Op::Kind::Collective;
        for (std::size_t k = 0; k < group->members.size(); ++k) {
            // A transfer's first poster waited for its peer (post_p2p); the second did not.
            const bool waited = p2p && k == 0;
            account(group->members[k].rank, 0, +1, group->family, waited ? -1 : 0);
        }
        auto& played = *group->played;
        if (played.launches == 0) { // a plan is launched as soon as it is made, in creation order
            recorder_.add_plan(played.index, played.link_bytes);
        }
        ++played.launches;
        for (int gpu : played.scale_up_gpus) {
            ++scale_up_busy_[static_cast<std::size_t>(gpu)];
        }
        const std::uint64_t id = next_group_++;
        in_flight_.emplace(id, group);
        if (analytic) {
            // Shortcut: nothing outside a scale-up domain shares its links with this group, so its
            // time in isolation (the phases' estimates, which the flow model reproduces) is its time.
            double t = played.plan->base_latency_s;
            for (double e : played.estimate_s) {
                t += e;
            }
            check_duration(t, models::file_of(trace_, op), op, "collective time");
            stats_.group_started(played, true);
            timers_.push(Timer{now() + t, timer_seq_++, -1, static_cast<std::int64_t>(id)});
            return;
        }
        stats_.group_started(played, false);
        if (played.fluid.empty()) {
            player_.play(played.plan, played.routes, nullptr, id);
        } else {
            pending_.push_back(Launch{id, group->played, group->op}); // flush_launches plays it
        }
    }

    // Folded groups that start at the same instant (the tensor-parallel ranks' sends of one
    // micro-batch, the data-parallel collectives of all stages) share the fabric with each other's
    // images: PlanCache solves their first phases together.
    void flush_launches() {
        if (pending_.empty()) {
            return;
        }
        auto batch = std::move(pending_);
        pending_.clear();
        const auto& caps = plans_.caps_for(batch);
        for (std::size_t k = 0; k < batch.size(); ++k) {
            player_.play(batch[k].played->plan, batch[k].played->routes, caps[k], batch[k].id);
        }
    }

    void finish_group(std::uint64_t id) {
        auto it = in_flight_.find(id);
        auto group = it->second;
        in_flight_.erase(it);
        const double end = now();
        for (int gpu : group->played->scale_up_gpus) {
            --scale_up_busy_[static_cast<std::size_t>(gpu)];
        }
        // A folded group stands for `copies` groups: itself and its images (spanning: just itself).
        const bool spanning = fold_.active && group->family < static_cast<int>(trace_.groups.size()) &&
                              group->op->kind == Op::Kind::Collective &&
                              fold_.spanning[static_cast<std::size_t>(group->family)] != 0;
        const auto copies =
            spanning ? std::int64_t{1} : static_cast<std::int64_t>(stats_.weight(group->members.front().rank));
        double gpus = 0.0; // the GPUs the members stand for
        for (const auto& m : group->members) {
            gpus += stats_.weight(m.rank);
        }
        const auto& played = *group->played;
        stats_.group_done(played, *group->op, group->stats, group->members.size(), gpus, group->start, end, copies);
        recorder_.group(played.index, group->start, end);
        const Op& op = *group->op;
        const double bytes = op.kind == Op::Kind::Collective ? op.collective.size.value() : op.p2p.size.value();
        const int size = group->comm_members != nullptr ? static_cast<int>(group->comm_members->size()) : 2;
        for (const auto& m : group->members) {
            account(m.rank, 0, -1, group->family);
            stats_.member_done(played, program_.op_at(m.op), m.rank, m.since, group->start, end, bytes);
            if (recorder_.records(m.rank)) {
                recorder_.slice(m.rank, program_.op_at(m.op), played.label, size, m.since, group->start, end);
            }
        }
        for (const auto& m : group->members) {
            finish_step(m.op);
        }
    }

    const models::Trace& trace_;
    const topology::Cluster& cluster_;
    const RunOptions& options_;
    Platform platform_;
    models::Fold fold_; // before the parts, which keep a reference
    ProgramState program_;
    Rendezvous rendezvous_;
    PlanCache plans_;
    RunStats stats_;
    RunRecorder recorder_;
    FlowPlayer player_;
    RunResult result_;
    std::vector<RankState> ranks_;
    std::vector<int> scale_up_busy_; // per GPU: groups in flight with flows inside its node
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::uint64_t timer_seq_ = 0;
    std::map<std::uint64_t, std::shared_ptr<FlowGroup>> in_flight_;
    std::vector<Launch> pending_; // folded launches to play (flush_launches)
    std::vector<std::uint64_t> completed_;
    std::vector<std::vector<ReadyOp>> spare_ops_; // see spare_events
    std::uint64_t next_group_ = 0;
    int running_ranks_ = 0;
    std::chrono::steady_clock::time_point last_progress_{};
    s4u::MutexPtr mutex_;
    s4u::ConditionVariablePtr wakeup_;
};

} // namespace

RunResult execute(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    Platform platform = build_platform(cluster);
    Coordinator coordinator(cluster, trace, options, platform);
    std::exception_ptr error;
    // The coordinator runs the whole event loop (nested block frames recurse); flow actors are
    // tiny (contexts/stack-size in run.cpp). Actor::set_stacksize takes KiB (SimGrid 3.32,
    // s4u_Actor.cpp: "in Kb", it multiplies by 1024): 1U << 20U was 1 GiB of address space
    // (strace showed the 1 GiB mmap), not the 1 MiB it read as. 64 MiB: mapped, touched only as used.
    constexpr unsigned kCoordinatorStackKiB = 64U * 1024U;
    s4u::Actor::init("coordinator", platform.host(0))->set_stacksize(kCoordinatorStackKiB)->start([&] {
        try {
            coordinator.run();
        } catch (...) {
            error = std::current_exception();
            coordinator.stop_flows();
        }
    });
    s4u::Engine::get_instance()->run();
    if (error) {
        std::rethrow_exception(error);
    }
    return coordinator.take_result();
}

} // namespace twin::sim
