// The training trace: one rank class per pipeline stage, its program the exact order of
// Megatron-LM's pipeline schedules, every layer a repeat block of the ops of llm_training_ops.cpp.
//
// Schedules: Megatron-LM's 1F1B and interleaved 1F1B (llm_training_schedule.cpp); stage i runs
// v model chunks of n(i, c) layers each (llm_training_split.cpp; L_i/v without the embedding/loss
// accounting). Ranks, groups and the stages' rank ranges follow the rank order (llm_training_layout.cpp).
// Activation/gradient transfers: b·(s/cp)·h·2 bytes, ÷ tp with sequence parallelism, over "pp"
// (next/prev) or, for the ring wrap-around, a rank offset of ±(p − 1)·σ_pp (σ_pp = tp·cp·dp in the
// default order). Without sequence
// parallelism every TP rank holds the whole tensor; Megatron's scatter/gather (Narayanan et al.
// SC'21 §4.1, --scatter-gather-tensors-in-pipeline, on in its Table 1 runs) sends 1/tp of it from
// each TP rank over its own NIC and all-gathers the slices over "tp" (NVLink) at the receiver:
// b·(s/cp)·h·2/tp bytes per transfer plus an all-gather of output b·(s/cp)·h·2 per receive.
// Data parallelism: gradients are all-reduced (zero 0) or reduce-scattered (zero ≥ 1) in
// Megatron-LM's buckets (llm_training_dp.cpp; per layer with zero ≥ 2) in the last backward of
// each chunk (every backward with zero ≥ 2), the dense part over "dp"
// ("dpcp" {size dp·cp, stride tp} with context parallelism: every cp rank holds the same weights) and
// the routed experts' shard over "edp" {size dp/ep, stride tp·cp·ep} (the replicas holding the
// same experts; none when dp = ep); with overlap.grad_reduce (alias overlap.dp) the collectives of
// a bucket run beside the backward compute of the next bucket, and those of the chunk's last bucket
// (all its layers with ZeRO-3) beside the schedule steps that follow the chunk: Megatron-LM issues them
// asynchronously, so they never hold up the gradient sent to the previous stage (with p stages
// and one layer per chunk, blocking on them delayed the cooldown p − 1 times in a row); the
// optimizer waits for all of them. Without overlap.grad_reduce they run after the pipeline flush,
// one per chunk. ZeRO-3 all-gathers each layer's parameters before its forward and before its
// backward (prefetched beside the compute of a layer with overlap.param_gather). The step ends with the optimizer, a
// memory-bound op reading and writing the local shard (32 B per parameter: bf16 weights r/w, bf16 gradients r, fp32
// master, m, v r/w... 4 + 4 + 24; experts sharded over edp·cp), then (zero 1-2) an all-gather of the updated bf16
// parameters over "dp" (experts: "edp"), or with overlap.param_gather bucket by bucket in the first forward of each
// chunk (llm_training_dp.cpp). With tied embeddings and pp > 1, the first and last stage first all-reduce the embedding
// gradients over "emb" (pairs: rank r of the first stage and r + (p − 1)·tp·cp·dp of the last), as Megatron-LM's
// _allreduce_embedding_grads. Pipeline transfers block the next step, or with overlap.p2p (Megatron-LM's
// overlap_p2p_comm, interleaved schedule, on by default there) run beside the computes that follow: each is its own
// step, waited for by the compute that consumes it (receives) or by the third compute after it
// (sends), see llm_training_schedule.cpp.
// Models with mixed layers (dense/MoE, sliding-window/global attention) give each chunk one repeat
// block per layer kind it holds, each with that kind's ops and gradient sizes (llm_training_layers.hpp).
// Consecutive identical schedule steps fold into repeat blocks (periods up to 4v + 8 steps); steps
// that wait for more than the step before them, or are waited for so, are never folded.
#include "llm_training_dp.hpp"
#include "llm_training_layers.hpp"
#include "llm_training_layout.hpp"
#include "llm_training_ops.hpp"
#include "llm_training_schedule.hpp"
#include "llm_training_zero3.hpp"
#include "twin/models/llm_training.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace twin::models {
namespace {

using detail::OpSpec;
using Unit = detail::ScheduleUnit;
using nlohmann::json;

std::string flops_text(double f) {
    return fmt::format("{}FLOP", f);
}
std::string bytes_text(double b) {
    return fmt::format("{}B", b);
}

json op_json(const OpSpec& o, topology::Precision precision) {
    if (o.collective) {
        return json{{"op", std::string(collective_name(o.kind))},
                    {"name", o.name},
                    {"group", o.family},
                    {"size", bytes_text(o.size)}};
    }
    json j{{"op", "compute"}, {"name", o.name}};
    if (o.flops > 0) {
        j["flops"] = flops_text(o.flops);
        j["efficiency"] = std::min(1.0, o.efficiency);
    }
    if (o.bytes > 0) {
        j["bytes"] = bytes_text(o.bytes);
    }
    if (o.duration_s > 0) {
        j["duration"] = fmt::format("{}s", o.duration_s);
    }
    if (o.kernels > 0) {
        j["kernels"] = static_cast<std::int64_t>(std::llround(o.kernels));
    }
    j["precision"] = std::string(topology::precision_name(o.gemm ? precision : topology::Precision::BF16));
    return j;
}

// A body of ops in order; TP collectives that overlap.tp hides run beside the next ops (they
// wait for the op before them, and the op after them does not wait for them).
json chain(const std::vector<OpSpec>& ops, topology::Precision precision, const std::string& prefix,
           bool first_waits_for_start = false) {
    json body = json::array();
    std::string last;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        json j = op_json(ops[i], precision);
        const std::string id = fmt::format("{}{}", prefix, i);
        j["id"] = id;
        if (last.empty()) {
            if (first_waits_for_start) {
                j["after"] = json::array();
            }
        } else {
            j["after"] = json::array({last});
        }
        if (!ops[i].hidden_by_overlap) {
            last = id;
        }
        body.push_back(std::move(j));
    }
    return body;
}

class Generator {
public:
    Generator(const TrainingConfig& c)
        : c_(c), ops_(detail::layer_ops(c, detail::representative_kind(c.model))), layout_(c.par) {
        for (const auto& k : detail::model_layer_kinds(c.model)) {
            kinds_[static_cast<std::size_t>(k.kind.index())] = detail::layer_ops(c, k.kind);
        }
        // The MTP modules' parameters (last stage), reduced once per step after its last backward.
        mtp_ops_.expert_param_bytes = detail::mtp_expert_parameters_per_gpu(c) * 2.0;
        mtp_ops_.dense_param_bytes = detail::mtp_parameters_per_gpu(c) * 2.0 - mtp_ops_.expert_param_bytes;
        p_ = c.par.pp;
        v_ = c.par.virtual_stages;
        m_ = c.micro_batches();
        act_bytes_ = static_cast<double>(c.micro_batch) * static_cast<double>(c.model.seq) / c.par.cp *
                     static_cast<double>(c.model.hidden) * 2.0 /
                     (c.par.sequence_parallel ? static_cast<double>(c.par.tp) : 1.0);
    }

    json trace() {
        json groups = detail::training_groups(c_, layout_, expert_replicas() > 1 && ops_.expert_param_bytes > 0,
                                              detail::tied_embedding_grad_bytes(c_) > 0);
        json classes = json::array();
        for (int s = 0; s < p_; ++s) {
            json ranges = json::array();
            for (const auto& [first, last] : layout_.stage_ranges(s)) {
                ranges.push_back(json::array({first, last}));
            }
            classes.push_back({{"name", fmt::format("stage{}", s)}, {"ranks", ranges}, {"program", program(s)}});
        }
        return json{{"schema_version", 1},
                    {"name", c_.name},
                    {"ranks", layout_.ranks()},
                    {"groups", groups},
                    {"classes", classes}};
    }

private:
    // The ring's wrap-around between the last and the first stage: (p − 1) pipeline strides.
    int wrap_offset() const { return (p_ - 1) * layout_.stride(detail::Dim::Pp); }

    json peer(int s, bool next) const {
        if (next) {
            return s < p_ - 1 ? json{{"group", "pp"}, {"to", "next"}} : json{{"offset", -wrap_offset()}};
        }
        return s > 0 ? json{{"group", "pp"}, {"to", "prev"}} : json{{"offset", wrap_offset()}};
    }

    // A group of concurrent transfers. With scatter/gather each TP rank sends its 1/tp slice of the
    // activation (gradient), and each received slice is all-gathered over "tp" (output: the whole).
    // gather = false: the received slices are left for the consumer to gather (program()).
    json p2p_json(const Unit& u, int s, bool gather = true) const {
        const bool sg = c_.scatter_gather_in_pipeline();
        const double size = sg ? act_bytes_ / c_.par.tp : act_bytes_;
        json ops = json::array();
        const auto add = [&](bool on, const char* op, const char* name, bool next) {
            if (!on) {
                return;
            }
            const std::string id = fmt::format("p{}", ops.size());
            ops.push_back({{"op", op},
                           {"name", name},
                           {"peer", peer(s, next)},
                           {"size", bytes_text(size)},
                           {"id", id},
                           {"after", json::array()}});
            if (sg && gather && std::string(op) == "recv") {
                json ag = collective("pp_tp_all_gather", CollectiveKind::AllGather, "tp", act_bytes_);
                ag["after"] = json::array({id});
                ops.push_back(std::move(ag));
            }
        };
        add(u.send_next, "send", "pp_send_activation", true);
        add(u.recv_prev, "recv", "pp_recv_activation", false);
        add(u.send_prev, "send", "pp_send_gradient", false);
        add(u.recv_next, "recv", "pp_recv_gradient", true);
        if (ops.size() == 1) {
            json op = ops[0];
            op.erase("id");
            op.erase("after");
            return op;
        }
        return json{{"name", "pp_exchange"}, {"body", ops}};
    }

    // Replicas that hold the same routed experts: dp/ep of them ("edp"), 1 for a dense model.
    int expert_replicas() const { return c_.model.is_moe() ? c_.par.dp / c_.par.ep : 1; }

    static json collective(const std::string& name, CollectiveKind kind, const std::string& family, double size) {
        OpSpec o;
        o.collective = true;
        o.name = name;
        o.kind = kind;
        o.family = family;
        o.size = size;
        return op_json(o, topology::Precision::BF16);
    }

    // The ranks that hold the same dense parameters: the data-parallel replicas, and with context
    // parallelism their cp ranks too ("dpcp" {size dp·cp, stride tp}: Megatron-LM reduces
    // gradients over its data-parallel group with context parallelism).
    const char* dense_family() const { return c_.par.cp > 1 ? "dpcp" : "dp"; }
    bool dense_replicated() const { return c_.par.dp * c_.par.cp > 1; }
    // Whether a layer of this kind has gradients to reduce (grad_ops non-empty), without building them.
    bool reduces(const detail::LayerOps& ops) const {
        return (dense_replicated() && ops.dense_param_bytes > 0) ||
               (expert_replicas() > 1 && ops.expert_param_bytes > 0);
    }

    // The gradient collectives of `layers` layers of one kind (a bucket): the dense part over "dp"
    // (or "dpcp"), the routed experts over "edp".
    std::vector<json> grad_ops(const detail::LayerOps& ops, std::int64_t layers = 1) const {
        const bool ar = c_.par.zero == 0;
        const CollectiveKind kind = ar ? CollectiveKind::AllReduce : CollectiveKind::ReduceScatter;
        const double k = static_cast<double>(layers);
        std::vector<json> out;
        if (dense_replicated() && ops.dense_param_bytes > 0) {
            out.push_back(collective(ar ? "dp_grad_all_reduce" : "dp_grad_reduce_scatter", kind, dense_family(),
                                     ops.dense_param_bytes * k));
        }
        if (expert_replicas() > 1 && ops.expert_param_bytes > 0) {
            out.push_back(collective(ar ? "expert_grad_all_reduce" : "expert_grad_reduce_scatter", kind, "edp",
                                     ops.expert_param_bytes * k));
        }
        return out;
    }

    // ZeRO 1-2 with overlap.param_gather: `layers` layers' updated parameters gathered (a bucket).
    std::vector<json> param_gathers(const detail::LayerOps& ops, std::int64_t layers) const {
        const double k = static_cast<double>(layers);
        std::vector<json> out;
        if (dense_replicated() && ops.dense_param_bytes > 0) {
            out.push_back(collective("dp_param_all_gather", CollectiveKind::AllGather, dense_family(),
                                     ops.dense_param_bytes * k));
        }
        if (expert_replicas() > 1 && ops.expert_param_bytes > 0) {
            out.push_back(
                collective("expert_param_all_gather", CollectiveKind::AllGather, "edp", ops.expert_param_bytes * k));
        }
        return out;
    }
    bool gathers_next_forward() const { return c_.overlap_param_gather && c_.par.zero >= 1 && c_.par.zero < 3; }
    // align_param_gather (Megatron-LM's default with the interleaved schedule, off with 1F1B): every
    // unbucketed chunk's all-gather is posted at the step's start.
    bool aligned_gather(int s, int chunk) const {
        return c_.par.schedule == PipelineSchedule::Interleaved && !detail::chunk_bucketed(c_, s, chunk);
    }

    // Gradient buckets of the `layers` layers of one kind in a chunk (zero 2, reduced every
    // micro-batch: one per layer). A chunk holding several layer kinds is bucketed kind by kind.
    detail::LayerBuckets chunk_buckets(int s, int chunk, const detail::LayerOps& ops, std::int64_t layers) const {
        if (c_.par.zero == 2) {
            return detail::LayerBuckets{1, layers, 0};
        }
        if (!detail::chunk_bucketed(c_, s, chunk)) {
            return detail::layer_buckets(layers, 0.0, 0.0);
        }
        return detail::layer_buckets(layers, ops.param_bytes() / 2.0, detail::dp_bucket_parameters(c_));
    }

    // ZeRO-3 as DeepSpeed 0.3.x (zero3_gather "tensor-sync"): per partitioned tensor, the host
    // work of a list-based collective then the collective (llm_training_zero3.cpp).
    std::vector<json> zero3_tensor_steps(LayerKind kind, CollectiveKind what, const char* name) const {
        std::vector<json> out;
        if (!dense_replicated()) {
            return out;
        }
        for (const OpSpec& o : detail::zero3_tensor_ops(c_, kind, what, name, dense_family(), c_.par.dp * c_.par.cp)) {
            out.push_back(op_json(o, c_.precision));
        }
        return out;
    }

    // ZeRO-3: one layer's parameters gathered, the dense part over "dp", the experts over "edp".
    std::vector<json> zero3_gathers(const detail::LayerOps& ops, LayerKind kind) const {
        std::vector<json> out;
        if (c_.par.zero < 3) {
            return out;
        }
        if (c_.par.zero3_tensor_sync) {
            return zero3_tensor_steps(kind, CollectiveKind::AllGather, "zero3_param_all_gather");
        }
        if (dense_replicated() && ops.dense_param_bytes > 0) {
            out.push_back(
                collective("zero3_param_all_gather", CollectiveKind::AllGather, dense_family(), ops.dense_param_bytes));
        }
        if (expert_replicas() > 1 && ops.expert_param_bytes > 0) {
            out.push_back(
                collective("zero3_expert_all_gather", CollectiveKind::AllGather, "edp", ops.expert_param_bytes));
        }
        return out;
    }

    // Layer ops with companion collectives: overlapped (beside the ops, all starting with the
    // iteration) or in sequence (before the ops).
    json layer_body(const std::vector<OpSpec>& ops, const std::vector<json>& companions, bool overlapped) const {
        json body = json::array();
        for (json comp : companions) {
            if (overlapped) {
                comp["after"] = json::array();
            }
            body.push_back(std::move(comp));
        }
        const json chained = chain(ops, c_.precision, "l", !companions.empty() && overlapped);
        for (const auto& j : chained) {
            body.push_back(j);
        }
        return body;
    }

    // DeepSpeed 0.3.x's layer backward: the tensors gathered again for the recompute (its forward
    // hooks re-fetch them) and again for the backward, then each gradient reduce-scattered, all
    // in sequence (llm_training_zero3.cpp).
    json tensor_sync_backward(const detail::LayerOps& ops, LayerKind kind, const std::vector<json>& gathers,
                              bool grads) const {
        json body = json::array();
        const auto append = [&body](const json& steps) {
            for (const auto& j : steps) {
                body.push_back(j);
            }
        };
        if (!ops.recompute.empty()) {
            append(gathers);
            append(chain(ops.recompute, c_.precision, "r"));
        }
        append(gathers);
        append(chain(ops.backward, c_.precision, "l"));
        if (grads) {
            append(zero3_tensor_steps(kind, CollectiveKind::ReduceScatter, "dp_grad_reduce_scatter"));
        }
        return body;
    }

    const detail::LayerOps& kind_ops(LayerKind k) const { return kinds_[static_cast<std::size_t>(k.index())]; }

    // One repeat block per layer kind of the chunk (llm_training_layers.hpp).
    json compute_json(const Unit& u, int s, bool first_forward = false) const {
        const std::vector<detail::KindCount> kinds = detail::chunk_layer_kinds(c_, s, u.chunk);
        json body = json::array();
        const auto append = [&body](const json& steps) {
            for (const auto& j : steps) {
                body.push_back(j);
            }
        };
        if (u.kind == Unit::Kind::Forward) {
            if (s == 0 && u.chunk == 0) {
                append(chain(ops_.embedding_forward, c_.precision, "e"));
            }
            bool first_kind = true;
            for (const auto& k : kinds) {
                const detail::LayerOps& ops = kind_ops(k.kind);
                if (first_forward && gathers_next_forward()) {
                    append(detail::gathered_forward(
                        chain(ops.forward, c_.precision, "l"), chunk_buckets(s, u.chunk, ops, k.layers),
                        [this, &ops](std::int64_t n) { return param_gathers(ops, n); },
                        first_kind && aligned_gather(s, u.chunk)));
                } else {
                    body.push_back(
                        {{"name", "layer_forward"},
                         {"repeat", k.layers},
                         {"body", layer_body(ops.forward, zero3_gathers(ops, k.kind), c_.overlap_param_gather)}});
                }
                first_kind = false;
            }
            if (s == p_ - 1 && u.chunk == v_ - 1) {
                append(chain(ops_.head_forward, c_.precision, "h"));
            }
            return json{{"name", "forward"}, {"body", body}};
        }
        if (s == p_ - 1 && u.chunk == v_ - 1) {
            append(chain(ops_.head_backward, c_.precision, "h"));
        }
        for (const auto& k : kinds) {
            const detail::LayerOps& ops = kind_ops(k.kind);
            std::vector<OpSpec> layer = ops.recompute;
            layer.insert(layer.end(), ops.backward.begin(), ops.backward.end());
            const std::vector<json> gathers = zero3_gathers(ops, k.kind);
            const bool grads = has_grads(u, s) && reduces(ops);
            if (c_.par.zero3_tensor_sync && !gathers.empty()) {
                body.push_back({{"name", "layer_backward"},
                                {"repeat", k.layers},
                                {"body", tensor_sync_backward(ops, k.kind, gathers, grads)}});
            } else if (!gathers.empty()) {
                body.push_back({{"name", "layer_backward"},
                                {"repeat", k.layers},
                                {"body", layer_body(layer, gathers, c_.overlap_param_gather)}});
                // ZeRO-3 reduce-scatters every micro-batch; modelled after the chunk's backward (program()).
            } else if (grads && c_.overlap_dp) {
                // Bucket i's gradient collectives run beside bucket i+1's backward; each kind's last
                // bucket's beside what follows the chunk (program()).
                std::int64_t trailing = 0;
                append(detail::bucketed_backward(
                    chain(layer, c_.precision, "l"), chunk_buckets(s, u.chunk, ops, k.layers),
                    [this, &ops](std::int64_t n) { return grad_ops(ops, n); }, fmt::format("b{}", k.kind.index()),
                    trailing));
            } else {
                body.push_back(
                    {{"name", "layer_backward"}, {"repeat", k.layers}, {"body", layer_body(layer, {}, false)}});
            }
        }
        if (s == 0 && u.chunk == 0 && c_.par.embedding_in_split) {
            // The embedding's gradient: the incoming gradient rows scattered into the table, the
            // same HBM traffic as the forward lookup. Modelled where the embedding counts as a
            // layer of the split (the chunk may hold nothing else, llm_training_split.cpp); left
            // out otherwise, as before, a few 1e-4 of a layer's backward.
            OpSpec e;
            e.name = "embedding_backward";
            e.bytes = ops_.embedding_forward.front().bytes;
            body.push_back(op_json(e, c_.precision));
        }
        return json{{"name", "backward"}, {"body", body}};
    }

    // Whether backward unit u reduces gradients: the last backward of each chunk (every backward
    // with zero >= 2).
    bool has_grads(const Unit& u, int s) const {
        return u.kind == Unit::Kind::Backward && (u.last || c_.par.zero >= 2) && reduces(ops_) &&
               c_.chunk_layers(s, u.chunk) > 0;
    }

    // The program of stage s: the schedule's steps, each waiting for the step before it on the
    // compute stream (a compute, or a blocking group of transfers), plus
    // - asynchronous transfers (overlap_p2p): each op posted after the step before it, waited for by
    //   the compute that consumes it (recv) or by the third compute after it (send), see ScheduleUnit;
    // - gradient collectives that follow a backward chunk: on their own, beside the schedule steps
    //   after it (Megatron-LM issues them asynchronously), so they never hold up the gradients
    //   flowing down the pipeline; the optimizer waits for all of them. Without overlap.dp they all
    //   run after the pipeline flush, before the optimizer (Megatron-LM 2021's allreduce_gradients).
    // A step gets `after` only where it waits for more than the step just before it.
    json program(int s) const {
        const std::vector<Unit> units =
            detail::pipeline_schedule(c_.par.schedule, p_, v_, m_, s, c_.overlap_p2p, c_.microbatch_group());
        std::vector<json> steps;
        std::vector<std::vector<std::size_t>> deps; // indices of the steps each step waits for
        const auto add = [&](json j, std::vector<std::size_t> d) {
            steps.push_back(std::move(j));
            deps.push_back(std::move(d));
            return steps.size() - 1;
        };
        std::vector<std::size_t> chain; // the last step on the compute stream (none at the start)
        std::vector<std::size_t> grads; // asynchronous gradient collectives
        struct InFlight {
            std::size_t step;
            int after_compute;   // computes done when it was posted
            Unit::Kind consumer; // Forward: activation received, Backward: gradient received, P2P: a send
        };
        std::vector<InFlight> in_flight;
        int computes = 0;
        const bool async_grads = c_.overlap_dp;
        // Chunk backwards whose gradients are reduced after the flush: Megatron-LM's bucket is then
        // unbounded, one collective per model chunk (per layer kind and chunk size here).
        std::vector<std::pair<detail::KindCount, std::int64_t>> flushed;
        bool flushed_mtp = false;
        const bool mtp_grads = s == p_ - 1 && !grad_ops(mtp_ops_).empty(); // built once, not per unit
        // overlap.param_gather with align_param_gather: unbucketed chunks' all-gathers posted at the start,
        // in chunk order on one communicator, so NCCL runs them one after the other: chunk k's gather
        // waits for chunk k - 1's (posted together they would share the links and all finish at the
        // end, holding up the first forward by the whole volume instead of one chunk's share).
        std::vector<std::vector<std::size_t>> gathered(static_cast<std::size_t>(v_));
        std::vector<std::size_t> previous_gather;
        std::vector<bool> forwarded(static_cast<std::size_t>(v_), false);
        for (int k = 0; k < v_ && gathers_next_forward(); ++k) {
            if (!aligned_gather(s, k)) {
                continue;
            }
            json body = json::array();
            for (const auto& kc : detail::chunk_layer_kinds(c_, s, k)) {
                for (json& j : param_gathers(kind_ops(kc.kind), kc.layers)) {
                    body.push_back(std::move(j));
                }
            }
            if (!body.empty()) {
                const std::size_t g = add({{"name", "dp_param_gather"}, {"body", body}}, previous_gather);
                gathered[static_cast<std::size_t>(k)].push_back(g);
                previous_gather = {g};
            }
        }
        for (const Unit& u : units) {
            if (u.kind == Unit::Kind::P2P && u.async) {
                const auto post = [&](bool on, Unit one, Unit::Kind consumer) {
                    if (on) {
                        in_flight.push_back({add(p2p_json(one, s, false), chain), computes, consumer});
                    }
                };
                Unit one;
                one.send_next = true;
                post(u.send_next, one, Unit::Kind::P2P);
                one = Unit{};
                one.recv_prev = true;
                post(u.recv_prev, one, Unit::Kind::Forward);
                one = Unit{};
                one.send_prev = true;
                post(u.send_prev, one, Unit::Kind::P2P);
                one = Unit{};
                one.recv_next = true;
                post(u.recv_next, one, Unit::Kind::Backward);
                continue;
            }
            const bool compute = u.kind != Unit::Kind::P2P;
            std::vector<std::size_t> d;
            // A compute consumes the oldest received tensor of its direction (Megatron-LM's
            // pp_pre_forward/backward pop the first receive handle), except stage 0's first chunk
            // forward and the last stage's last chunk backward, which receive nothing. With
            // microbatch groups larger than pp those stages buffer receives ahead of their use.
            bool consumes = compute && !(u.kind == Unit::Kind::Forward && s == 0 && u.chunk == 0) &&
                            !(u.kind == Unit::Kind::Backward && s == p_ - 1 && u.chunk == v_ - 1);
            std::erase_if(in_flight, [&](const InFlight& t) {
                const bool consumed = consumes && t.consumer == u.kind;
                consumes = consumes && !consumed;
                const bool wait = !compute || u.wait_async || consumed ||
                                  (t.consumer == Unit::Kind::P2P && computes + 1 >= t.after_compute + 3);
                if (wait && t.consumer != Unit::Kind::P2P && c_.scatter_gather_in_pipeline()) {
                    // The received slices are all-gathered over "tp" on the compute stream, in
                    // program order: TP collectives stay in the same order on every TP rank.
                    json ag = collective("pp_tp_all_gather", CollectiveKind::AllGather, "tp", act_bytes_);
                    std::vector<std::size_t> ad = chain;
                    ad.push_back(t.step);
                    chain = {add(std::move(ag), ad)};
                } else if (wait) {
                    d.push_back(t.step);
                }
                return wait;
            });
            d.insert(d.begin(), chain.begin(), chain.end());
            const auto ck = static_cast<std::size_t>(u.chunk);
            const bool first_forward = u.kind == Unit::Kind::Forward && !forwarded[ck];
            if (first_forward) {
                forwarded[ck] = true;
                d.insert(d.end(), gathered[ck].begin(), gathered[ck].end());
            }
            const std::size_t i = add(compute ? compute_json(u, s, first_forward) : p2p_json(u, s), d);
            chain = {i};
            computes += compute ? 1 : 0;
            // Trailing gradients: all the chunk's layers with ZeRO-3, else each kind's last bucket,
            // whose collectives had no later compute of the chunk to run beside (compute_json).
            if (mtp_grads && u.kind == Unit::Kind::Backward && u.last && s == p_ - 1 && u.chunk == v_ - 1) {
                if (async_grads) {
                    grads.push_back(add({{"name", "dp_gradients"}, {"body", grad_ops(mtp_ops_)}}, {i}));
                } else {
                    flushed_mtp = true;
                }
            }
            if (!has_grads(u, s)) {
                continue;
            }
            for (const auto& k : detail::chunk_layer_kinds(c_, s, u.chunk)) {
                const detail::LayerOps& ops = kind_ops(k.kind);
                if (!reduces(ops) || c_.par.zero3_tensor_sync) {
                    continue; // tensor-sync: reduced inside each layer's backward (tensor_sync_backward)
                }
                if (!async_grads) {
                    const auto same = std::find_if(flushed.begin(), flushed.end(), [&](const auto& f) {
                        return f.first.kind == k.kind && f.first.layers == k.layers;
                    });
                    if (same == flushed.end()) {
                        flushed.emplace_back(k, 1);
                    } else {
                        ++same->second;
                    }
                } else if (c_.par.zero >= 3) {
                    grads.push_back(
                        add({{"name", "dp_gradients"}, {"repeat", k.layers}, {"body", grad_ops(ops)}}, {i}));
                } else {
                    grads.push_back(add({{"name", "dp_gradients"},
                                         {"body", grad_ops(ops, chunk_buckets(s, u.chunk, ops, k.layers).last())}},
                                        {i}));
                }
            }
        }
        for (const auto& [k, chunks] : flushed) {
            chain = {add({{"name", "dp_gradients"}, {"repeat", chunks}, {"body", grad_ops(kind_ops(k.kind), k.layers)}},
                         chain)};
        }
        if (flushed_mtp) {
            chain = {add({{"name", "dp_gradients"}, {"body", grad_ops(mtp_ops_)}}, chain)};
        }
        // The optimizer waits for the last schedule step and every gradient collective.
        for (json& j : optimizer(s)) {
            std::vector<std::size_t> d = chain;
            d.insert(d.end(), grads.begin(), grads.end());
            grads.clear();
            chain = {add(std::move(j), d)};
        }
        // Ids for the steps named in an `after`; steps with either are never folded.
        std::vector<bool> named(steps.size(), false);
        std::vector<bool> waits(steps.size(), false);
        for (std::size_t i = 0; i < steps.size(); ++i) {
            waits[i] = !(deps[i].empty() && i == 0) && deps[i] != std::vector<std::size_t>{i - 1};
            for (std::size_t d : deps[i]) {
                named[d] = named[d] || waits[i];
            }
        }
        std::vector<std::string> keys;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            if (waits[i]) {
                json after = json::array();
                for (std::size_t d : deps[i]) {
                    after.push_back(fmt::format("s{}", d));
                }
                steps[i]["after"] = after;
            }
            if (named[i]) {
                steps[i]["id"] = fmt::format("s{}", i);
            }
            keys.push_back(named[i] || waits[i] ? fmt::format("#{}", i) : steps[i].dump());
        }
        return detail::fold_schedule(steps, keys, static_cast<std::size_t>(4 * v_ + 8));
    }

    // After the last backward: the tied embedding's gradient all-reduce (first and last stage),
    // the optimizer on the local shard, and (ZeRO 1-2) the all-gather of the updated parameters.
    std::vector<json> optimizer(int s) const {
        std::vector<json> out;
        const double tied = detail::tied_embedding_grad_bytes(c_);
        if (tied > 0 && (s == 0 || s == p_ - 1)) {
            out.push_back(collective("embedding_grad_all_reduce", CollectiveKind::AllReduce, "emb", tied));
        }
        const bool sharded = c_.par.zero >= 1;
        const double experts = detail::stage_expert_parameters_per_gpu(c_, s);
        const double dense = detail::stage_layer_parameters_per_gpu(c_, s) - experts;
        const double cp = c_.par.cp;
        OpSpec step;
        step.name = "optimizer";
        step.bytes = 32.0 * (sharded ? dense / (c_.par.dp * cp) + experts / (expert_replicas() * cp) : dense + experts);
        out.push_back(op_json(step, c_.precision));
        if (sharded && c_.par.zero < 3 && !c_.overlap_param_gather) {
            if (dense_replicated()) {
                out.push_back(
                    collective("dp_param_all_gather", CollectiveKind::AllGather, dense_family(), dense * 2.0));
            }
            if (expert_replicas() > 1 && experts > 0) {
                out.push_back(collective("expert_param_all_gather", CollectiveKind::AllGather, "edp", experts * 2.0));
            }
        } else if (sharded && c_.par.zero < 3 && s == p_ - 1) {
            // overlap.param_gather gathers the layers' buckets beside the forward; the MTP modules' after.
            for (json& j : param_gathers(mtp_ops_, 1)) {
                out.push_back(std::move(j));
            }
        }
        return out;
    }

    const TrainingConfig& c_;
    detail::LayerOps ops_;                    // the representative kind's: head, embedding, groups
    detail::LayerOps mtp_ops_;                // the MTP modules' parameter bytes only
    std::array<detail::LayerOps, 4> kinds_{}; // by LayerKind::index(), the kinds the model has
    detail::RankLayout layout_;
    int p_ = 1;
    int v_ = 1;
    std::int64_t m_ = 1;
    double act_bytes_ = 0.0;
};

} // namespace

Trace generate_training_trace(const TrainingConfig& config, const std::string& file) {
    Generator g(config);
    const std::string text = g.trace().dump();
    const Document doc = Document::parse(text, file + " (generated llm-training trace)");
    Trace trace = load_trace(doc.root().as_object());
    return trace;
}

} // namespace twin::models
