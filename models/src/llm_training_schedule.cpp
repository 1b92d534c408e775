// Megatron-LM's pipeline schedules, per stage i of p with m micro-batches per replica:
//   1F1B (Narayanan et al. SC'21 §2.2.1; Megatron-LM forward_backward_pipelining_without_
//     interleaving): w = min(p − i − 1, m) warm-up forwards, m − w pairs of one forward and one
//     backward, w cool-down backwards. Point-to-point ops are grouped the way Megatron batches
//     them (send_forward_recv_backward, send_backward_recv_forward): the ops of one group run
//     concurrently, groups run in order, so the rendezvous transfers cannot deadlock.
//   interleaved (SC'21 §2.2.2; forward_backward_pipelining_with_interleaving): v model chunks per
//     stage, micro-batches in groups of N (microbatch_group_size, default p): the schedule table
//     (get_schedule_table) runs each group's N micro-batches on chunk 0, then chunk 1, ..., the last
//     group taking the remainder as well; virtual micro-batch k runs the table's chunk of k mod m·v
//     forward (v − 1 − that backward), (k mod p·v) div p when N = p divides m;
//     warm-up 2(p − i − 1) + (v − 1)·N (all m·v when m = p or when that reaches m·v); each steady
//     step batches send/recv of activations and gradients; the last stage's non-final chunks send
//     to stage 0 (ring order). Needs p <= N <= m and m mod N = 0 or >= p (checked when reading).
// Bubble (SC'21 §2.2): with forward F and backward B of one chunk, every stage idles (p − 1)(F + B)
// of a step of (m·v + p − 1)(F + B): (p − 1)/(m + p − 1) for 1F1B (v = 1), (p − 1)/(v·m + p − 1)
// interleaved, SC'21's (p − 1)/m and (p − 1)/(v·m) of the ideal time (tests/sim/pipeline_schedule_test).
//
// How the transfers block (Megatron-LM core, megatron/core/pipeline_parallel/p2p_communication.py
// _communicate and schedules.py, 2026-08): without overlap_p2p_comm every exchange is one
// batch_isend_irecv whose requests are all waited for (sends too) and, with batch_p2p_sync (its
// default), followed by torch.cuda.synchronize(): the next compute starts when the group is done.
// That is the 1F1B schedule always (Megatron sets overlap_p2p_comm False without interleaving) and
// the interleaved one with --no-overlap-p2p-communication. With overlap_p2p_comm (the default of
// Megatron-LM's training arguments when interleaving; it then sets batch_p2p_comm False) the steady
// state posts individual isend/irecv after each chunk (pp_post_forward: send the activation to the
// next stage, receive the next forward's input; pp_post_backward: send the gradient back, receive
// the next backward's output gradient) and waits on the compute stream only for the receive the
// next chunk of that direction consumes (pp_pre_forward / pp_pre_backward) and, after posting a
// send, for the previous send of the same direction: a send runs beside the next two chunks. The
// warm-up and cool-down stay blocking (overlap_p2p_comm_warmup_flush is off by default); the
// cool-down first waits for the steady state's last transfers. Not modelled: NCCL runs the ops of
// one peer pair on one stream in order; here transfers to different peers and directions are
// independent rendezvous.
#include "llm_training_schedule.hpp"

#include <algorithm>

namespace twin::models::detail {
namespace {

using Unit = ScheduleUnit;

class Schedule {
public:
    Schedule(int p, int v, std::int64_t m, std::int64_t group) : p_(p), v_(v), m_(m), group_(group > 0 ? group : p) {}

    // Megatron-LM's get_schedule_table: groups of group_ micro-batches (the last one takes the
    // rest), each run on chunk 0, 1, ..., v − 1 in turn; the chunk of virtual micro-batch k.
    int chunk_of(std::int64_t k, bool forward) const {
        const std::int64_t total = m_ * v_;
        const std::int64_t kk = ((k % total) + total) % total;
        const std::int64_t full = m_ / group_ - (m_ % group_ == 0 ? 1 : 0); // groups before the last
        const std::int64_t before = full * group_ * v_;
        const std::int64_t size = kk < before ? group_ : m_ - full * group_;
        const int c = static_cast<int>(((kk < before ? kk % (group_ * v_) : kk - before)) / size);
        return forward ? c : v_ - 1 - c;
    }

    // Megatron-LM's recv_tensor_from_previous_stage: the leading stage (the first going forward,
    // the last going backward) is p − 1 virtual micro-batches ahead of the ending stage, and
    // receives the output of its virtual micro-batch k − (p − 1) unless that was its last chunk.
    bool receives(bool leading, std::int64_t k, bool forward) const {
        if (!leading) {
            return true;
        }
        return k >= p_ - 1 && chunk_of(k - (p_ - 1), forward) != (forward ? v_ - 1 : 0);
    }

    static void p2p(std::vector<Unit>& out, bool send_next, bool recv_prev, bool send_prev, bool recv_next,
                    bool async = false) {
        if (!(send_next || recv_prev || send_prev || recv_next)) {
            return;
        }
        Unit u;
        u.send_next = send_next;
        u.recv_prev = recv_prev;
        u.send_prev = send_prev;
        u.recv_next = recv_next;
        u.async = async;
        out.push_back(u);
    }
    static Unit compute(Unit::Kind kind, int chunk) {
        Unit u;
        u.kind = kind;
        u.chunk = chunk;
        return u;
    }

    std::vector<Unit> one_f_one_b(int s) const {
        const bool first = s == 0;
        const bool last = s == p_ - 1;
        std::vector<Unit> u;
        const std::int64_t w = std::min<std::int64_t>(p_ - s - 1, m_);
        const std::int64_t r = m_ - w;
        for (std::int64_t i = 0; i < w; ++i) {
            p2p(u, false, !first, false, false);
            u.push_back(compute(Unit::Kind::Forward, 0));
            p2p(u, !last, false, false, false);
        }
        if (r > 0) {
            p2p(u, false, !first, false, false);
        }
        for (std::int64_t i = 0; i < r; ++i) {
            u.push_back(compute(Unit::Kind::Forward, 0));
            p2p(u, !last, false, false, !last);
            u.push_back(compute(Unit::Kind::Backward, 0));
            p2p(u, false, i != r - 1 && !first, !first, false);
        }
        for (std::int64_t i = 0; i < w; ++i) {
            p2p(u, false, false, false, !last);
            u.push_back(compute(Unit::Kind::Backward, 0));
            p2p(u, false, false, !first, false);
        }
        return u;
    }

    std::vector<Unit> interleaved(int s, bool overlap) const {
        const bool first = s == 0;
        const bool last = s == p_ - 1;
        const std::int64_t total = m_ * v_;
        const std::int64_t wanted = 2 * (p_ - s - 1) + static_cast<std::int64_t>(v_ - 1) * group_;
        const bool all_warmup = m_ == p_ || wanted >= total;
        const std::int64_t warm = all_warmup ? total : wanted;
        const std::int64_t rem = total - warm;
        std::vector<Unit> u;
        p2p(u, false, !first, false, false);
        for (std::int64_t k = 0; k < warm; ++k) {
            const int c = chunk_of(k, true);
            u.push_back(compute(Unit::Kind::Forward, c));
            const bool recv_prev = receives(first, k, true) && k != total - 1;
            const bool send = !(last && c == v_ - 1);
            const bool recv_next = k == warm - 1 && !all_warmup && !last;
            // With overlap the warm-up stays blocking (overlap_p2p_comm_warmup_flush is off by
            // default); the first steady backward's gradient is received beside the steady step.
            p2p(u, send, recv_prev, false, recv_next && !overlap);
            p2p(u, false, false, false, recv_next && overlap, true);
        }
        for (std::int64_t k = 0; k < rem; ++k) {
            const std::int64_t fk = k + warm;
            const int fc = chunk_of(fk, true);
            const int bc = chunk_of(k, false);
            bool recv_prev = receives(first, fk, true);
            const bool recv_next = receives(last, k, false);
            if (k == rem - 1) {
                recv_prev = false;
            }
            const bool send_next = !(last && fc == v_ - 1);
            const bool send_prev = !(first && bc == 0);
            u.push_back(compute(Unit::Kind::Forward, fc));
            if (overlap) {
                // pp_post_forward / pp_post_backward: each compute's transfers are posted after it.
                p2p(u, send_next, recv_prev, false, false, true);
                u.push_back(compute(Unit::Kind::Backward, bc));
                p2p(u, false, false, send_prev, recv_next, true);
            } else {
                u.push_back(compute(Unit::Kind::Backward, bc));
                p2p(u, send_next, recv_prev, send_prev, recv_next);
            }
        }
        if (all_warmup) {
            p2p(u, false, false, false, !last);
        }
        for (std::int64_t k = rem; k < total; ++k) {
            const int bc = chunk_of(k, false);
            u.push_back(compute(Unit::Kind::Backward, bc));
            // The cool-down starts by waiting for the steady state's last transfers.
            u.back().wait_async = overlap && k == rem;
            const bool recv_next = receives(last, k, false) && k != total - 1;
            p2p(u, false, false, !(first && bc == 0), recv_next);
        }
        return u;
    }

private:
    int p_;
    int v_;
    std::int64_t m_;
    std::int64_t group_;
};

} // namespace

std::vector<ScheduleUnit> pipeline_schedule(PipelineSchedule kind, int p, int v, std::int64_t m, int stage,
                                            bool overlap_p2p, std::int64_t group) {
    const Schedule schedule(p, v, m, group);
    std::vector<Unit> units =
        kind == PipelineSchedule::Interleaved ? schedule.interleaved(stage, overlap_p2p) : schedule.one_f_one_b(stage);
    std::vector<bool> seen(static_cast<std::size_t>(v), false);
    for (auto it = units.rbegin(); it != units.rend(); ++it) {
        if (it->kind == Unit::Kind::Backward && !seen[static_cast<std::size_t>(it->chunk)]) {
            seen[static_cast<std::size_t>(it->chunk)] = true;
            it->last = true;
        }
    }
    return units;
}

nlohmann::json fold_schedule(const std::vector<nlohmann::json>& steps, const std::vector<std::string>& keys,
                             std::size_t max_period) {
    nlohmann::json out = nlohmann::json::array();
    const std::size_t n = steps.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t best_p = 1;
        std::size_t best_count = 1;
        for (std::size_t period = 1; period <= max_period && i + 2 * period <= n; ++period) {
            std::size_t count = 1;
            while (i + (count + 1) * period <= n) {
                bool same = true;
                for (std::size_t j = 0; j < period && same; ++j) {
                    same = keys[i + count * period + j] == keys[i + j];
                }
                if (!same) {
                    break;
                }
                ++count;
            }
            if (count >= 2 && period * count > best_p * best_count) {
                best_p = period;
                best_count = count;
            }
        }
        if (best_count >= 2) {
            nlohmann::json body = nlohmann::json::array();
            for (std::size_t j = 0; j < best_p; ++j) {
                body.push_back(steps[i + j]);
            }
            out.push_back({{"name", "microbatches"}, {"repeat", best_count}, {"body", body}});
        } else {
            out.push_back(steps[i]);
        }
        i += best_p * best_count;
    }
    return out;
}

} // namespace twin::models::detail
