#include "engine.hpp"

#include "finite_checks.hpp"
#include "flow_player.hpp"
#include "fluid.hpp"
#include "link_accounting.hpp"
#include "platform.hpp"
#include "run_recorder.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/models/compute.hpp"
#include "twin/models/fold.hpp"
#include "twin/sim/budget.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <fmt/format.h>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/ConditionVariable.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Mutex.hpp>
#include <tuple>
#include <unordered_map>

namespace twin::sim {
namespace {

using models::Block;
using models::Op;
namespace s4u = simgrid::s4u;

// Whether a program sends or receives (nesting is bounded by the trace reader's depth limit).
bool has_p2p(const Block& block) {
    return std::any_of(block.body.begin(), block.body.end(), [](const auto& step) {
        if (const auto* op = std::get_if<Op>(&step)) {
            return op->kind == Op::Kind::Send || op->kind == Op::Kind::Recv;
        }
        return has_p2p(std::get<Block>(step));
    });
}

bool trace_has_p2p(const models::Trace& trace) {
    return std::any_of(trace.classes.begin(), trace.classes.end(),
                       [](const models::RankClass& c) { return has_p2p(c.program); });
}

struct BlockPlan {
    std::vector<std::vector<int>> dependents; // steps that wait for step i
    std::vector<int> indegree;                // number of steps step i waits for
};

struct Frame {
    const Block* block = nullptr;
    const BlockPlan* plan = nullptr;
    std::int64_t iteration = 0;
    std::vector<int> pending;
    int remaining = 0;
    int parent = -1; // frame index, -1 for the rank's program
    int parent_step = -1;
    int rank = 0;
    double start = 0.0; // when the block (all its repeats) started
};

struct OpRef {
    int frame = 0;
    int step = 0;
};

struct QueuedCompute {
    OpRef op;
    double duration = 0.0;    // roofline time at full speed; the actual time once started
    double sm_activity = 1.0; // flops time / roofline time
    double full_speed = 0.0;  // roofline time at full speed
    double queued = 0.0;      // when the op was reached
};

struct RankState {
    int computing = 0;
    int communicating = 0;
    double last_change = 0.0;
    GpuActivity activity;
    std::deque<QueuedCompute> compute_queue;   // ops waiting for the GPU (front: running)
    std::vector<std::uint32_t> collective_seq; // per group family
    std::vector<int> active_families;          // running collectives/transfers per family (+1: p2p)
    GpuState state = GpuState::Idle;           // last state told to the observer
    int waiting_p2p = 0;                       // posted transfers not matched yet
    bool done = false;
};

struct Pending {
    OpRef op;
    int rank = 0;
    double since = 0.0; // arrival time
};

struct CollectiveInstance {
    const Op* op = nullptr;
    int family = 0;
    int comm = 0;
    std::vector<Pending> arrived;
};

struct P2PPost {
    const Op* op = nullptr;
    Pending who;
};

// A phase of a folded plan as FluidSolver sees it: all its flows, images included.
struct FoldedPhase {
    FluidPhase phase;
    std::vector<double> latency;         // per flow, seconds
    std::vector<std::uint8_t> simulated; // per flow: 1 when its source GPU is simulated (played)
    std::optional<PhaseCaps> isolated;   // solved alone, once needed
};

// A plan as the network sees it — with its images in a folded run — analysed once: routes,
// per-phase estimate and bound, link bytes are pure functions of the plan (ECMP hashes the pair;
// adaptive routing starts every phase from an empty fabric), so a plan launched a thousand times
// (every layer, every micro-batch) is routed once and its link bytes counted per launch.
struct Played {
    std::shared_ptr<const models::CollectivePlan> plan;
    std::shared_ptr<std::vector<PhaseRoutes>> routes;   // per phase; empty unless routing is adaptive
    std::shared_ptr<const std::vector<PhaseCaps>> caps; // per phase, folded runs only (see fold_plan)
    std::vector<FoldedPhase> fluid;                     // per phase, folded runs only
    std::size_t index = 0;                              // creation order
    std::vector<double> estimate_s;                     // per phase, for attributing time to tiers
    std::vector<std::string> bound;                     // per phase: tier of its bottleneck link
    LinkBytes link_bytes;                               // per launch, merged
    std::int64_t flows = 0;                             // per launch, handed to SimGrid
    std::int64_t image_flows = 0;                       // per launch, solved by FluidSolver (folded)
    std::int64_t launches = 0;
    std::vector<int> scale_up_gpus; // GPUs with flows inside their node (own flows)
    std::string label;              // "ring/simple" ("" for a transfer)
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

class Coordinator {
public:
    Coordinator(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options,
                Platform platform)
        : trace_(trace), cluster_(cluster), options_(options), platform_(std::move(platform)), accounting_(cluster),
          planner_(cluster), fluid_(cluster, kSimGridWeightS), player_(platform_, [this](std::uint64_t id) {
              completed_.push_back(id);
              wakeup_->notify_all();
          }) {
        result_.ranks = trace_.ranks;
        result_.gpus.resize(static_cast<std::size_t>(trace_.ranks));
        ranks_.resize(static_cast<std::size_t>(trace_.ranks));
        for (auto& r : ranks_) {
            r.collective_seq.assign(trace_.groups.size(), 0);
            r.active_families.assign(trace_.groups.size() + 1, 0);
        }
        exposed_by_family_.assign(trace_.groups.size() + 1, 0.0);
        if (options_.unfolded || options_.no_fold) {
            fold_.reason = "not requested (--unfolded or --no-fold)";
        } else {
            fold_ = models::plan_fold(trace_, cluster_);
        }
        weight_ = fold_.active ? fold_.blocks : 1;
        scale_up_busy_.assign(static_cast<std::size_t>(cluster_.gpu_count()), 0);
        std::vector<int> recorded;
        for (int r = 0; r < trace_.ranks && static_cast<int>(recorded.size()) < options_.timeline_ranks; ++r) {
            if (trace_.class_of_rank[static_cast<std::size_t>(r)] >= 0 && simulated(r)) {
                recorded.push_back(r);
            }
        }
        recorder_.emplace(cluster_, trace_, options_, weight_, std::move(recorded));
        has_p2p_ = trace_has_p2p(trace_);
    }

    void run() {
        mutex_ = s4u::Mutex::create();
        wakeup_ = s4u::ConditionVariable::create();
        std::unique_lock<s4u::Mutex> lock(*mutex_);
        announce_fold();
        for (int r = 0; r < trace_.ranks; ++r) {
            const int cls = trace_.class_of_rank[static_cast<std::size_t>(r)];
            if (cls < 0 || !simulated(r)) {
                ranks_[static_cast<std::size_t>(r)].done = true;
                continue;
            }
            ++running_ranks_;
            const auto ops = models::count_ops(trace_.classes[static_cast<std::size_t>(cls)].program);
            total_ops_ = ops > std::numeric_limits<std::int64_t>::max() - total_ops_
                             ? std::numeric_limits<std::int64_t>::max()
                             : total_ops_ + ops;
            if (options_.observer != nullptr) {
                options_.observer->state_changed(r, 0.0, GpuState::Idle, 0.0);
            }
            start_frame(r, &trace_.classes[static_cast<std::size_t>(cls)].program, -1, -1);
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
                report_deadlock();
            }
            if (timers_.empty()) {
                wakeup_->wait(lock);
            } else {
                wakeup_->wait_until(lock, timers_.top().time);
            }
        }
        result_.simulated_time_s = now();
        if (options_.progress) {
            options_.progress(1.0, now());
        }
        if (options_.observer != nullptr) {
            options_.observer->finished(now());
        }
        const double end = result_.simulated_time_s;
        for (std::size_t r = 0; r < ranks_.size(); ++r) {
            auto& st = ranks_[r];
            auto& a = result_.gpus[r];
            a = st.activity;
            a.idle_s = std::max(0.0, end - a.compute_s - a.communication_s);
            // After its program: the rest of the step waits for pipeline peers (bubble) or others.
            const bool runs = trace_.class_of_rank[r] >= 0 && simulated(static_cast<int>(r));
            if (runs) {
                recorder_->activity(static_cast<int>(r), st.last_change, end, GpuState::Idle);
                (has_p2p_ ? bubble_gpu_s_ : waiting_gpu_s_) += weight_ * std::max(0.0, end - st.last_change);
            } else if (trace_.class_of_rank[r] < 0) {
                waiting_gpu_s_ += end; // no work at all
            }
        }
        if (fold_.active) { // images do what their simulated rank did
            for (int r = 0; r < trace_.ranks; ++r) {
                if (fold_.simulated[static_cast<std::size_t>(r)] != 0) {
                    for (int m = 1; m < fold_.blocks; ++m) {
                        result_.gpus[static_cast<std::size_t>(fold_.image(trace_, r, m))] =
                            result_.gpus[static_cast<std::size_t>(r)];
                    }
                }
            }
        }
        std::vector<const LinkBytes*> plan_bytes;
        for (const auto& played : all_played_) {
            accounting_.add(played->link_bytes, static_cast<double>(played->launches));
            plan_bytes.push_back(&played->link_bytes);
        }
        recorder_->finish(end, plan_bytes, result_);
        attribute_bounds();
        for (std::size_t f = 0; f < exposed_by_family_.size(); ++f) {
            const std::string name = f < trace_.groups.size() ? trace_.groups[f].name : std::string("p2p");
            if (exposed_by_family_[f] > 0) {
                result_.exposed_by_family_gpu_s[name] = exposed_by_family_[f];
            }
        }
        for (const auto& [name, st] : block_stats_) {
            result_.blocks.push_back(BlockStats{name, st.first * weight_, st.second * weight_});
        }
        result_.link_bytes_up = accounting_.bytes_up();
        result_.link_bytes_down = accounting_.bytes_down();
        for (auto& [name, index] : phase_index_) {
            (void)name;
            result_.phases[index].ranks =
                static_cast<int>(weight_) *
                static_cast<int>(
                    std::count(phase_ranks_[index].begin(), phase_ranks_[index].end(), static_cast<std::uint8_t>(1)));
        }
    }

    RunResult take_result() { return std::move(result_); }
    // After an error: flow groups in flight end with their current phase.
    void stop_flows() { player_.stop(); }

private:
    struct Timer {
        double time;
        std::uint64_t seq;
        int rank;           // compute completion of this rank, when group < 0
        std::int64_t group; // flow group timed analytically, else -1
        bool operator>(const Timer& o) const { return time != o.time ? time > o.time : seq > o.seq; }
    };

    static double now() { return s4u::Engine::get_clock(); }

    [[nodiscard]] bool simulated(int rank) const {
        return !fold_.active || fold_.simulated[static_cast<std::size_t>(rank)] != 0;
    }

    // Records the fold in the result and tells the observer whom each simulated rank stands for.
    void announce_fold() {
        auto& f = result_.fold;
        f.active = fold_.active;
        f.reason = fold_.reason;
        if (!fold_.active) {
            return;
        }
        f.family = trace_.groups[static_cast<std::size_t>(fold_.family)].name;
        f.replicas = fold_.replicas;
        f.simulated_replicas = fold_.block;
        f.copies = fold_.blocks;
        f.simulated_ranks = static_cast<int>(std::count(fold_.simulated.begin(), fold_.simulated.end(), 1));
        if (options_.observer == nullptr) {
            return;
        }
        std::vector<int> gpus;
        for (int r = 0; r < trace_.ranks; ++r) {
            if (fold_.simulated[static_cast<std::size_t>(r)] == 0) {
                continue;
            }
            gpus.clear();
            for (int m = 0; m < fold_.blocks; ++m) {
                gpus.push_back(fold_.image(trace_, r, m));
            }
            std::sort(gpus.begin(), gpus.end());
            options_.observer->stands_for(r, gpus);
        }
    }

    // ---- per-rank activity accounting (compute has priority over communication) ----
    // `family`: the group family of the communication starting or ending (d_comm != 0).
    // `d_wait_p2p`: the rank starts (+1) or stops (-1) waiting for a transfer's peer.
    void account(int rank, int d_compute, int d_comm, int family = -1, int d_wait_p2p = 0) {
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        const double t = now();
        const double dt = t - st.last_change;
        recorder_->activity(rank, st.last_change, t,
                            st.computing > 0       ? GpuState::Compute
                            : st.communicating > 0 ? GpuState::Communicate
                                                   : GpuState::Idle);
        if (st.computing > 0) {
            st.activity.compute_s += dt;
        } else if (st.communicating == 0) {
            // Idle: waiting on a pipeline transfer's peer is the bubble; anything else waits for peers.
            (st.waiting_p2p > 0 ? bubble_gpu_s_ : waiting_gpu_s_) += weight_ * dt;
        } else {
            st.activity.communication_s += dt;
            // Exposed communication is shared equally by the families communicating right now.
            int active = 0;
            for (int c : st.active_families) {
                active += c > 0 ? 1 : 0;
            }
            for (std::size_t f = 0; f < st.active_families.size(); ++f) {
                if (st.active_families[f] > 0) {
                    exposed_by_family_[f] += weight_ * dt / active;
                }
            }
        }
        st.last_change = t;
        st.computing += d_compute;
        st.communicating += d_comm;
        st.waiting_p2p += d_wait_p2p;
        if (d_comm != 0) {
            st.active_families[static_cast<std::size_t>(family)] += d_comm;
        }
        notify_state(rank);
    }

    // Tells the observer when the rank's state changed, or (new_op) a new compute op began.
    void notify_state(int rank, bool new_op = false) {
        if (options_.observer == nullptr) {
            return;
        }
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        const GpuState state = st.computing > 0       ? GpuState::Compute
                               : st.communicating > 0 ? GpuState::Communicate
                                                      : GpuState::Idle;
        if (state == st.state && !new_op) {
            return;
        }
        st.state = state;
        const double sm = state == GpuState::Compute ? st.compute_queue.front().sm_activity : 0.0;
        options_.observer->state_changed(rank, now(), state, sm);
    }

    // ---- program interpretation ----
    const BlockPlan* plan_of(const Block* b) {
        auto it = plans_.find(b);
        if (it != plans_.end()) {
            return it->second.get();
        }
        auto p = std::make_unique<BlockPlan>();
        const auto n = b->body.size();
        p->dependents.resize(n);
        p->indegree.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            for (int d : b->deps[i]) {
                p->dependents[static_cast<std::size_t>(d)].push_back(static_cast<int>(i));
                ++p->indegree[i];
            }
        }
        return plans_.emplace(b, std::move(p)).first->second.get();
    }

    int new_frame() {
        if (!free_frames_.empty()) {
            const int f = free_frames_.back();
            free_frames_.pop_back();
            return f;
        }
        frames_.emplace_back();
        return static_cast<int>(frames_.size() - 1);
    }

    void start_frame(int rank, const Block* block, int parent, int parent_step) {
        const int f = new_frame();
        auto& fr = frames_[static_cast<std::size_t>(f)];
        fr.block = block;
        fr.plan = plan_of(block);
        fr.iteration = 0;
        fr.parent = parent;
        fr.parent_step = parent_step;
        fr.rank = rank;
        fr.start = now();
        start_iteration(f);
    }

    void start_iteration(int f) {
        std::vector<int> ready;
        {
            auto& fr = frames_[static_cast<std::size_t>(f)];
            fr.pending = fr.plan->indegree;
            fr.remaining = static_cast<int>(fr.block->body.size());
            for (std::size_t i = 0; i < fr.pending.size(); ++i) {
                if (fr.pending[i] == 0) {
                    ready.push_back(static_cast<int>(i));
                }
            }
        }
        for (int i : ready) {
            start_step(f, i);
        }
    }

    void start_step(int f, int i) {
        const auto& fr = frames_[static_cast<std::size_t>(f)];
        const auto& step = fr.block->body[static_cast<std::size_t>(i)];
        const int rank = fr.rank;
        if (const auto* b = std::get_if<Block>(&step)) {
            start_frame(rank, b, f, i);
            return;
        }
        const Op& op = std::get<Op>(step);
        const OpRef ref{f, i};
        switch (op.kind) {
        case Op::Kind::Compute:
            start_compute(rank, ref, op);
            break;
        case Op::Kind::Collective:
            arrive_collective(rank, ref, op);
            break;
        case Op::Kind::Send:
        case Op::Kind::Recv:
            post_p2p(rank, ref, op);
            break;
        }
    }

    void finish_step(OpRef ref) {
        if (std::holds_alternative<Op>(
                frames_[static_cast<std::size_t>(ref.frame)].block->body[static_cast<std::size_t>(ref.step)]) &&
            (++done_ops_ & 0xFFFFU) == 0) {
            report_progress();
        }
        std::vector<int> ready;
        int f = ref.frame;
        {
            auto& fr = frames_[static_cast<std::size_t>(f)];
            for (int d : fr.plan->dependents[static_cast<std::size_t>(ref.step)]) {
                if (--fr.pending[static_cast<std::size_t>(d)] == 0) {
                    ready.push_back(d);
                }
            }
            --fr.remaining;
        }
        for (int d : ready) {
            start_step(f, d);
        }
        auto& fr = frames_[static_cast<std::size_t>(f)];
        if (fr.remaining > 0) {
            return;
        }
        if (++fr.iteration < fr.block->repeat) {
            start_iteration(f);
            return;
        }
        const int parent = fr.parent;
        const int parent_step = fr.parent_step;
        const int rank = fr.rank;
        if (!fr.block->name.empty() && parent >= 0) {
            auto& bs = block_stats_[fr.block->name];
            ++bs.first;
            bs.second += now() - fr.start;
        }
        free_frames_.push_back(f);
        if (parent >= 0) {
            finish_step(OpRef{parent, parent_step});
        } else {
            auto& st = ranks_[static_cast<std::size_t>(rank)];
            account(rank, 0, 0);
            st.done = true;
            st.activity.finish_s = now();
            --running_ranks_;
        }
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
        options_.progress(
            total_ops_ > 0 ? std::min(1.0, static_cast<double>(done_ops_) / static_cast<double>(total_ops_)) : 1.0,
            now());
    }

    // ---- phases (per op name) ----
    std::size_t phase_of(const Op& op) {
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

    // Per-rank figures count every GPU the rank stands for (weight_ in a folded run).
    // Returns the phase's bound split (GPU-seconds) for the caller to fill.
    std::map<std::string, double>& record_phase(const Op& op, int rank, double duration, double bytes) {
        const auto idx = phase_of(op);
        auto& ps = result_.phases[idx];
        ps.count += weight_;
        ps.total_time_s += duration * weight_;
        ps.bytes += bytes * weight_;
        phase_ranks_[idx][static_cast<std::size_t>(rank)] = 1;
        return ps.bound_gpu_s;
    }

    // ---- compute ----
    void start_compute(int rank, OpRef ref, const Op& op) {
        const auto& gpu = cluster_.gpu_type(rank);
        const auto ct = models::compute_time(gpu, op.compute);
        const double d = ct.time.value();
        auto& st = ranks_[static_cast<std::size_t>(rank)];
        st.compute_queue.push_back(QueuedCompute{ref, d, d > 0 ? ct.flops_time.value() / d : 0.0, d, now()});
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
        check_duration(d, trace_.file, op_at(front.op), "compute time");
        if (st.computing > 0) { // the previous op ended at this instant: still computing, new op
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
        auto& bounds = record_phase(op_at(ref), rank, d, 0.0);
        // Time beyond the full-clock roofline time was lost to power or thermal throttling.
        const double slow = std::max(0.0, d - q.full_speed);
        bounds["compute"] += (d - slow) * weight_;
        result_.bound_gpu_s["compute"] += (d - slow) * weight_;
        if (slow > 0) {
            bounds["throttling"] += slow * weight_;
            result_.bound_gpu_s["throttling"] += slow * weight_;
        }
        if (recorder_->records(rank)) {
            recorder_->slice(rank, op_at(ref), "", 0, q.queued, now() - d, now());
        }
        if (st.compute_queue.empty()) {
            account(rank, -1, 0);
        } else {
            begin_compute(rank);
        }
        finish_step(ref);
    }

    const Op& op_at(OpRef ref) const {
        return std::get<Op>(
            frames_[static_cast<std::size_t>(ref.frame)].block->body[static_cast<std::size_t>(ref.step)]);
    }

    // ---- collectives ----
    void arrive_collective(int rank, OpRef ref, const Op& op) {
        const int family = op.collective.family;
        const auto& fam = trace_.groups[static_cast<std::size_t>(family)];
        const int comm = fam.comm_of_rank[static_cast<std::size_t>(rank)];
        const std::uint32_t seq =
            ranks_[static_cast<std::size_t>(rank)].collective_seq[static_cast<std::size_t>(family)]++;
        const std::uint64_t key = (static_cast<std::uint64_t>(family) << 56) ^
                                  (static_cast<std::uint64_t>(comm) << 32) ^ static_cast<std::uint64_t>(seq);
        auto& inst = instances_[key];
        if (inst.op == nullptr) {
            inst.op = &op;
            inst.family = family;
            inst.comm = comm;
        } else if (inst.op->collective.kind != op.collective.kind || inst.op->collective.size != op.collective.size ||
                   inst.op->collective.root != op.collective.root) {
            throw InputError(trace_.file, op.pointer,
                             fmt::format("rank {} calls {} of {} bytes as collective #{} on its \"{}\" communicator, "
                                         "but another member called {} of {} bytes (from {})",
                                         rank, models::collective_name(op.collective.kind), op.collective.size.value(),
                                         seq, fam.name, models::collective_name(inst.op->collective.kind),
                                         inst.op->collective.size.value(), inst.op->pointer));
        }
        account(rank, 0, 0); // close the interval before the wait (idle time from here waits for peers)
        inst.arrived.push_back(Pending{ref, rank, now()});
        const auto& members = fam.communicators[static_cast<std::size_t>(comm)];
        const std::size_t expected =
            fold_.active
                ? static_cast<std::size_t>(
                      fold_.simulated_members[static_cast<std::size_t>(family)][static_cast<std::size_t>(comm)])
                : members.size();
        if (inst.arrived.size() < expected) {
            return;
        }
        CollectiveInstance ready = std::move(inst);
        instances_.erase(key);
        start_collective(ready, members);
    }

    void start_collective(CollectiveInstance& inst, const std::vector<int>& members) {
        const Op& op = *inst.op;
        auto group = std::make_shared<FlowGroup>();
        group->played = plan_for(inst, members);
        group->members = std::move(inst.arrived);
        group->op = inst.op;
        group->stats = collective_stats(op, group->played->label, static_cast<int>(members.size()));
        group->comm_members = &members;
        launch(std::move(group));
    }

    // A communicator repeats the same collective many times (every layer, every micro-batch): plan
    // it once per (communicator, kind, size, algorithm, protocol, root) and share the plan.
    const std::shared_ptr<Played>& plan_for(const CollectiveInstance& inst, const std::vector<int>& members) {
        const auto& c = inst.op->collective;
        const auto key = std::make_tuple(inst.family, inst.comm, static_cast<int>(c.kind), c.size.value(),
                                         static_cast<int>(c.algorithm), static_cast<int>(c.protocol), c.root);
        auto it = plan_cache_.find(key);
        if (it != plan_cache_.end()) {
            return it->second;
        }
        models::CollectivePlan plan;
        try {
            plan = planner_.plan(c.kind, members, c.size, c.root, c.algorithm, c.protocol);
        } catch (const models::UnsupportedAlgorithm& e) {
            throw InputError(trace_.file, inst.op->pointer + "/algorithm", e.what());
        }
        const bool images = fold_.active && fold_.spanning[static_cast<std::size_t>(inst.family)] == 0;
        auto played = play(std::move(plan), images, *inst.op);
        played->label = fmt::format("{}/{}", models::algorithm_name(played->plan->algorithm),
                                    models::protocol_name(played->plan->protocol));
        return plan_cache_.emplace(key, std::move(played)).first->second;
    }

    // Analyses a plan once (see Played); with `images`, every flow is played for each image too.
    std::shared_ptr<Played> play(models::CollectivePlan plan, bool images, const Op& op) {
        check_plan(plan, trace_.file, op);
        auto played = std::make_shared<Played>();
        std::vector<std::size_t> own; // per phase: the flows before the images (all when unfolded)
        for (const auto& phase : plan.phases) {
            own.push_back(phase.flows.size());
        }
        played->plan = std::make_shared<const models::CollectivePlan>(images ? models::image_plan(plan, fold_, trace_)
                                                                             : std::move(plan));
        const auto& phases = played->plan->phases;
        played->routes = std::make_shared<std::vector<PhaseRoutes>>(phases.size());
        for (std::size_t p = 0; p < phases.size(); ++p) {
            const auto summary = accounting_.analyse(phases[p], (*played->routes)[p], played->link_bytes);
            played->estimate_s.push_back(summary.estimate_s);
            played->bound.push_back(summary.bound);
            played->flows += static_cast<std::int64_t>(phases[p].flows.size());
        }
        merge_link_bytes(played->link_bytes);

        // GPUs whose NVLink links the plan uses (own flows: images mirror them elsewhere).
        for (std::size_t p = 0; p < phases.size(); ++p) {
            for (std::size_t i = 0; i < own[p]; ++i) {
                const auto& f = phases[p].flows[i];
                if (cluster_.node_of_gpu(f.src_gpu) == cluster_.node_of_gpu(f.dst_gpu)) {
                    played->scale_up_gpus.push_back(f.src_gpu);
                    played->scale_up_gpus.push_back(f.dst_gpu);
                }
            }
        }
        std::sort(played->scale_up_gpus.begin(), played->scale_up_gpus.end());
        played->scale_up_gpus.erase(std::unique(played->scale_up_gpus.begin(), played->scale_up_gpus.end()),
                                    played->scale_up_gpus.end());
        if (fold_.active) {
            fold_plan(*played);
        }
        played->index = all_played_.size();
        all_played_.push_back(played);
        recorder_->add_plan(played->index, played->link_bytes);
        return played;
    }

    int collective_stats(const Op& op, const std::string& algorithm, int members) {
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

    // Folded plans. The images of the simulated block's flows (and, in a spanning collective, the
    // flows from GPUs outside the block) are not handed to SimGrid: by symmetry they move in
    // lockstep with the simulated ones. Each phase of the whole plan is solved once, in isolation,
    // by FluidSolver (the sharing SimGrid would apply); the simulated flows are then played with a
    // rate limit that makes each end when it would among all the flows, and the phase lasts at
    // least as long as its slowest flow, image or not. Contention with other groups running at
    // the same time is modelled among simulated flows only (their images' share of links that
    // simulated flows cross is not seen); tests/cli/fold_test.cpp bounds the error.
    void fold_plan(Played& played) {
        const auto& links = cluster_.links();
        auto lean = *played.plan;
        played.fluid.resize(lean.phases.size());
        for (std::size_t p = 0; p < lean.phases.size(); ++p) {
            auto& flows = lean.phases[p].flows;
            auto& routes = (*played.routes)[p];
            auto& fl = played.fluid[p];
            for (std::size_t i = 0; i < flows.size(); ++i) {
                hops_.clear();
                if (routes.begin.empty()) {
                    cluster_.route(flows[i].src_gpu, flows[i].dst_gpu, hops_);
                } else {
                    hops_.assign(routes.hops.begin() + routes.begin[i], routes.hops.begin() + routes.begin[i + 1]);
                }
                fl.phase.begin.push_back(static_cast<std::uint32_t>(fl.phase.slots.size()));
                double lat = 0.0;
                for (const auto& h : hops_) {
                    fl.phase.slots.push_back(2 * h.link + (h.up ? 0U : 1U));
                    lat += links[h.link].latency.value();
                }
                fl.latency.push_back(lat);
                fl.phase.bytes.push_back(flows[i].bytes.value() * lean.phases[p].byte_factor);
                fl.simulated.push_back(simulated(flows[i].src_gpu) ? 1 : 0);
            }
            fl.phase.begin.push_back(static_cast<std::uint32_t>(fl.phase.slots.size()));
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
    const PhaseCaps& isolated_caps(Played& played, std::size_t p) {
        auto& fl = played.fluid[p];
        if (!fl.isolated) {
            fluid_.solve(fl.phase, fluid_times_);
            fl.isolated = caps_of(fl, fl.latency.data(), fluid_times_.data());
        }
        return *fl.isolated;
    }

    std::shared_ptr<const std::vector<PhaseCaps>> caps_alone(Played& played) {
        if (played.caps == nullptr) {
            auto caps = std::make_shared<std::vector<PhaseCaps>>();
            for (std::size_t p = 0; p < played.fluid.size(); ++p) {
                caps->push_back(isolated_caps(played, p));
            }
            played.caps = std::move(caps);
        }
        return played.caps;
    }

    // Rate limits of a phase's simulated flows and the phase's shortest duration, from the
    // fluid transfer times of all its flows.
    static PhaseCaps caps_of(const FoldedPhase& fl, const double* latency, const double* times) {
        PhaseCaps cap;
        for (std::size_t i = 0; i < fl.simulated.size(); ++i) {
            cap.min_time_s = std::max(cap.min_time_s, latency[i] + times[i]);
            if (fl.simulated[i] != 0) {
                cap.rate.push_back(times[i] > 0 ? fl.phase.bytes[i] / times[i] : 0.0);
            }
        }
        return cap;
    }

    // The wall-clock budget, looked at every event (a clock read costs far less than an event).
    void check_deadline() const {
        if (options_.deadline && std::chrono::steady_clock::now() > *options_.deadline) {
            throw TimeLimitExceeded(fmt::format("at simulated time {:.6g} s", now()));
        }
    }

    // ---- send / recv ----
    void post_p2p(int rank, OpRef ref, const Op& op) {
        const int peer = models::peer_of(trace_, op.p2p.peer, rank);
        const bool is_send = op.kind == Op::Kind::Send;
        const int src = is_send ? rank : peer;
        const int dst = is_send ? peer : rank;
        auto& ch = channels_[(static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst)];
        auto& mine = is_send ? ch.first : ch.second;
        auto& theirs = is_send ? ch.second : ch.first;
        if (theirs.empty()) {
            account(rank, 0, 0, -1, +1); // waits for its peer from here
            mine.push_back(P2PPost{&op, Pending{ref, rank, now()}});
            return;
        }
        const P2PPost other = theirs.front();
        theirs.pop_front();
        if (other.op->p2p.size != op.p2p.size) {
            throw InputError(trace_.file, op.pointer,
                             fmt::format("rank {} {} {} bytes but rank {} {} {} bytes (from {}); sizes of matching "
                                         "send and recv must be equal",
                                         rank, is_send ? "sends" : "receives", op.p2p.size.value(), peer,
                                         is_send ? "receives" : "sends", other.op->p2p.size.value(),
                                         other.op->pointer));
        }
        auto group = std::make_shared<FlowGroup>();
        auto& played = transfer_cache_[std::make_tuple(src, dst, op.p2p.size.value())];
        if (played == nullptr) {
            models::CollectivePhase phase;
            phase.label = "transfer";
            phase.flows.push_back(models::Flow{src, dst, op.p2p.size});
            models::CollectivePlan plan;
            plan.phases.push_back(std::move(phase));
            played = play(std::move(plan), fold_.active, op);
        }
        group->played = played;
        group->members = {other.who, Pending{ref, rank, now()}};
        group->op = &op;
        launch(std::move(group));
    }

    // ---- handing flows to SimGrid ----
    void launch(std::shared_ptr<FlowGroup> group) {
        group->start = now();
        const Op& op = *group->op;
        group->family = op.kind == Op::Kind::Collective ? op.collective.family
                        : op.p2p.peer.family >= 0       ? op.p2p.peer.family
                                                        : static_cast<int>(trace_.groups.size());
        const bool analytic = shortcut_applies(*group);
        const bool p2p = op.kind != Op::Kind::Collective;
        for (std::size_t k = 0; k < group->members.size(); ++k) {
            // A transfer's first poster waited for its peer (post_p2p); the second did not.
            const bool waited = p2p && k == 0;
            account(group->members[k].rank, 0, +1, group->family, waited ? -1 : 0);
        }
        auto& played = *group->played;
        ++played.launches;
        for (int gpu : played.scale_up_gpus) {
            ++scale_up_busy_[static_cast<std::size_t>(gpu)];
        }
        result_.flows += played.flows;
        result_.image_flows += played.image_flows;
        const std::uint64_t id = next_group_++;
        in_flight_.emplace(id, group);
        if (analytic) {
            // Shortcut: nothing outside a scale-up domain shares its links with this group, so its
            // time in isolation (the phases' estimates, which the flow model reproduces) is its time.
            double t = played.plan->base_latency_s;
            for (double e : played.estimate_s) {
                t += e;
            }
            check_duration(t, trace_.file, op, "collective time");
            ++result_.analytic_groups;
            timers_.push(Timer{now() + t, timer_seq_++, -1, static_cast<std::int64_t>(id)});
            return;
        }
        if (played.fluid.empty()) {
            player_.play(played.plan, played.routes, nullptr, id);
        } else {
            pending_.emplace_back(id, group->played); // flush_launches plays it
        }
    }

    // Folded groups that start at the same instant (the tensor-parallel ranks' sends of one
    // micro-batch, the data-parallel collectives of all stages) share the fabric with each other's
    // images: their first phases are solved together, once per combination of plans.
    void flush_launches() {
        if (pending_.empty()) {
            return;
        }
        auto batch = std::move(pending_);
        pending_.clear();
        if (batch.size() == 1) {
            if (batch[0].second->caps == nullptr) { // checked once, when the plan's caps are made
                check_caps(*caps_alone(*batch[0].second), trace_.file, *in_flight_.at(batch[0].first)->op);
            }
            player_.play(batch[0].second->plan, batch[0].second->routes, caps_alone(*batch[0].second), batch[0].first);
            return;
        }
        std::stable_sort(batch.begin(), batch.end(),
                         [](const auto& a, const auto& b) { return a.second->index < b.second->index; });
        std::vector<std::size_t> key;
        for (const auto& [id, played] : batch) {
            key.push_back(played->index);
        }
        auto& caps = joint_caps_[key];
        if (caps.empty()) {
            caps = solve_jointly(batch);
            for (std::size_t k = 0; k < batch.size(); ++k) {
                check_caps(*caps[k], trace_.file, *in_flight_.at(batch[k].first)->op);
            }
        }
        for (std::size_t k = 0; k < batch.size(); ++k) {
            player_.play(batch[k].second->plan, batch[k].second->routes, caps[k], batch[k].first);
        }
    }

    // The caps of each plan of a batch, its first phase solved together with the others'.
    std::vector<std::shared_ptr<const std::vector<PhaseCaps>>>
    solve_jointly(const std::vector<std::pair<std::uint64_t, std::shared_ptr<Played>>>& batch) {
        fluid_phase_.slots.clear();
        fluid_phase_.begin.clear();
        fluid_phase_.bytes.clear();
        std::vector<double> latency;
        for (const auto& [id, played] : batch) {
            const auto& f = played->fluid.front();
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
            const auto& f = batch[k].second->fluid.front();
            caps[k].push_back(caps_of(f, latency.data() + offset, fluid_times_.data() + offset));
            offset += f.phase.bytes.size();
        }
        // Later phases start when each group's first phase ends: alone (isolated_caps reuses
        // fluid_times_, so only now that the joint times are read).
        std::vector<std::shared_ptr<const std::vector<PhaseCaps>>> out;
        for (std::size_t k = 0; k < batch.size(); ++k) {
            for (std::size_t p = 1; p < batch[k].second->fluid.size(); ++p) {
                caps[k].push_back(isolated_caps(*batch[k].second, p));
            }
            out.push_back(std::make_shared<const std::vector<PhaseCaps>>(std::move(caps[k])));
        }
        return out;
    }

    // The scale-up shortcut: a collective whose members all sit in one node (one NVLink domain)
    // and none of whose GPUs has other traffic inside the node in flight has its links to itself —
    // a GPU's NVLink links carry only flows between GPUs of its node; fabric traffic leaves through
    // the GPU's own host link to its NIC — so its isolated time is its time. Transfers and
    // collectives that cross the fabric always go through SimGrid.
    bool shortcut_applies(const FlowGroup& group) const {
        if (options_.unfolded || group.op->kind != Op::Kind::Collective) {
            return false;
        }
        // All members in one node (in a folded run some are images: the whole communicator counts),
        // none busy (images are busy when their simulated rank is).
        const int node = cluster_.node_of_gpu(group.members.front().rank);
        return std::all_of(group.comm_members->begin(), group.comm_members->end(),
                           [&](int gpu) { return cluster_.node_of_gpu(gpu) == node; }) &&
               std::all_of(group.members.begin(), group.members.end(),
                           [&](const Pending& m) { return scale_up_busy_[static_cast<std::size_t>(m.rank)] == 0; });
    }

    void finish_group(std::uint64_t id) {
        auto it = in_flight_.find(id);
        auto group = it->second;
        in_flight_.erase(it);
        const double end = now();
        const double duration = end - group->start;
        for (int gpu : group->played->scale_up_gpus) {
            --scale_up_busy_[static_cast<std::size_t>(gpu)];
        }
        // A folded group stands for `copies` groups: itself and its images (spanning: just itself).
        const bool spanning = fold_.active && group->family < static_cast<int>(trace_.groups.size()) &&
                              group->op->kind == Op::Kind::Collective &&
                              fold_.spanning[static_cast<std::size_t>(group->family)] != 0;
        const std::int64_t copies = spanning ? 1 : weight_;
        result_.collective_instances += copies;
        // Attribute the group's duration to the tiers of its phases' bottlenecks, weighted by estimate.
        const auto& played = *group->played;
        double total_estimate = 0.0;
        for (double e : played.estimate_s) {
            total_estimate += e;
        }
        for (std::size_t p = 0; p < played.bound.size(); ++p) {
            const double share = total_estimate > 0 ? played.estimate_s[p] / total_estimate : 0.0;
            comm_credit_[played.bound[p]] += share * duration * static_cast<double>(group->members.size()) * weight_;
        }
        recorder_->group(played.index, group->start, end);
        if (group->stats >= 0) {
            auto& cs = result_.collectives[static_cast<std::size_t>(group->stats)];
            cs.instances += copies;
            cs.total_duration_s += duration * static_cast<double>(copies);
            if (options_.record_collectives) {
                result_.records.push_back(CollectiveRecord{group->op->name, played.label, group->start, end,
                                                           static_cast<int>(group->members.size())});
            }
        }
        const Op& op = *group->op;
        const double bytes = op.kind == Op::Kind::Collective ? op.collective.size.value() : op.p2p.size.value();
        const bool p2p = op.kind != Op::Kind::Collective;
        for (const auto& m : group->members) {
            account(m.rank, 0, -1, group->family);
            auto& bounds = record_phase(op_at(m.op), m.rank, end - m.since, bytes);
            // The phase waited for its peers, then ran: split its run by its phases' bottleneck tiers.
            if (group->start > m.since) {
                bounds[p2p ? "bubble" : "waiting"] += (group->start - m.since) * weight_;
            }
            for (std::size_t p = 0; p < played.bound.size(); ++p) {
                const double share = total_estimate > 0 ? played.estimate_s[p] / total_estimate : 0.0;
                if (share > 0 && duration > 0) {
                    bounds[played.bound[p]] += share * duration * weight_;
                }
            }
            if (recorder_->records(m.rank)) {
                recorder_->slice(m.rank, op_at(m.op), played.label,
                                 group->comm_members != nullptr ? static_cast<int>(group->comm_members->size()) : 2,
                                 m.since, group->start, end);
            }
        }
        for (const auto& m : group->members) {
            finish_step(m.op);
        }
    }

    // Exposed communication time of each GPU is split over bounds in proportion to the credit the
    // collectives gave each tier; compute keeps its own GPU-seconds.
    void attribute_bounds() {
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

    [[noreturn]] void report_deadlock() {
        // Name the first waiting rank and what it waits in.
        for (const auto& [key, inst] : instances_) {
            (void)key;
            const auto& fam = trace_.groups[static_cast<std::size_t>(inst.family)];
            throw InputError(trace_.file, inst.op->pointer,
                             fmt::format("deadlock: {} of {} members of a \"{}\" communicator wait in {} \"{}\"; the "
                                         "others never reach it",
                                         inst.arrived.size(),
                                         fam.communicators[static_cast<std::size_t>(inst.comm)].size(), fam.name,
                                         models::collective_name(inst.op->collective.kind), inst.op->name));
        }
        for (const auto& [key, ch] : channels_) {
            const auto& posts = ch.first.empty() ? ch.second : ch.first;
            if (!posts.empty()) {
                const auto& p = posts.front();
                throw InputError(trace_.file, p.op->pointer,
                                 fmt::format("deadlock: rank {} waits in {} \"{}\" with rank {}, which never posts the "
                                             "matching {}",
                                             p.who.rank, models::op_kind_name(*p.op), p.op->name,
                                             p.op->kind == Op::Kind::Send ? key & 0xffffffffU : key >> 32,
                                             p.op->kind == Op::Kind::Send ? "recv" : "send"));
            }
        }
        throw InputError(trace_.file, "", "deadlock: ranks wait for each other");
    }

    const models::Trace& trace_;
    const topology::Cluster& cluster_;
    const RunOptions& options_;
    Platform platform_;
    LinkAccounting accounting_;
    models::CollectivePlanner planner_;
    FluidSolver fluid_;
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Played>>> pending_; // folded launches to play
    std::map<std::vector<std::size_t>, std::vector<std::shared_ptr<const std::vector<PhaseCaps>>>> joint_caps_;
    FluidPhase fluid_phase_;          // scratch for solve_jointly
    std::vector<double> fluid_times_; // scratch: fluid_ solves into it
    std::vector<topology::Hop> hops_; // scratch for fold_plan
    FlowPlayer player_;
    std::map<std::tuple<int, int, int, double, int, int, int>, std::shared_ptr<Played>> plan_cache_;
    std::map<std::tuple<int, int, double>, std::shared_ptr<Played>> transfer_cache_; // (src, dst, bytes)
    std::vector<std::shared_ptr<Played>> all_played_;                                // in creation order
    models::Fold fold_;
    std::int64_t total_ops_ = 0; // of the simulated ranks' programs, repeats expanded
    std::int64_t done_ops_ = 0;
    std::chrono::steady_clock::time_point last_progress_{};
    std::int64_t weight_ = 1;        // GPUs each simulated rank stands for
    std::vector<int> scale_up_busy_; // per GPU: groups in flight with flows inside its node
    RunResult result_;
    std::vector<RankState> ranks_;
    std::vector<Frame> frames_;
    std::vector<int> free_frames_;
    std::unordered_map<const Block*, std::unique_ptr<BlockPlan>> plans_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::uint64_t timer_seq_ = 0;
    std::map<std::uint64_t, CollectiveInstance> instances_;
    std::map<std::uint64_t, std::pair<std::deque<P2PPost>, std::deque<P2PPost>>> channels_;
    std::map<std::uint64_t, std::shared_ptr<FlowGroup>> in_flight_;
    std::vector<std::uint64_t> completed_;
    std::uint64_t next_group_ = 0;
    int running_ranks_ = 0;
    std::map<std::string, std::size_t> phase_index_;
    std::vector<std::vector<std::uint8_t>> phase_ranks_;
    std::map<std::string, int> collective_index_;
    std::map<std::string, double> comm_credit_;
    double bubble_gpu_s_ = 0.0;  // idle waiting on a pipeline transfer (see account)
    double waiting_gpu_s_ = 0.0; // idle waiting for collective peers, or with nothing to do
    bool has_p2p_ = false;       // the trace has transfers (a pipeline): idle after a program is bubble
    std::optional<RunRecorder> recorder_;
    std::vector<double> exposed_by_family_;                              // GPU-seconds, by family (+ p2p)
    std::map<std::string, std::pair<std::int64_t, double>> block_stats_; // name -> (count, seconds)
    s4u::MutexPtr mutex_;
    s4u::ConditionVariablePtr wakeup_;
};

} // namespace

RunResult execute(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    Platform platform = build_platform(cluster);
    Coordinator coordinator(cluster, trace, options, platform);
    std::exception_ptr error;
    // The coordinator runs the whole event loop (nested block frames recurse); flow actors are
    // tiny (contexts/stack-size in run.cpp).
    s4u::Actor::init("coordinator", platform.hosts[0])->set_stacksize(1U << 20U)->start([&] {
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
