// tune's step-time estimate: compute, bubble and exposed communication per parallel dimension.
// Equations, units and symbols: twin/sweep/tune_estimate.hpp. Collective times are the models
// library's planner estimates (models/src/collective_*.cpp: NCCL's tuner-style cost per algorithm
// and protocol); no constant here is fitted.
#include "twin/sweep/tune_estimate.hpp"

#include <algorithm>

namespace twin::sweep {

using models::CollectiveKind;

double CollectiveClock::time(CollectiveKind kind, int size, int stride, double bytes) {
    if (size < 2 || bytes <= 0.0) {
        return 0.0;
    }
    const auto key = std::make_tuple(static_cast<int>(kind) * 1000003 + size, stride, 0, bytes);
    if (const auto it = cache_.find(key); it != cache_.end()) {
        return it->second;
    }
    std::vector<int> members(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
        members[static_cast<std::size_t>(i)] = i * stride;
    }
    const double t = planner_.plan(kind, members, Bytes(bytes), 0).estimate_s;
    cache_.emplace(key, t);
    return t;
}

namespace {

constexpr double kBf16 = 2.0;

// A group of rank 0: size and stride in the default rank order.
struct Group {
    int size = 1;
    int stride = 1;
};

// One layer kind's or the head's cost with its collectives timed, per micro-batch.
struct Priced {
    models::OpsCost ops;
    double tp_exposed = 0.0; // tp collectives not hidden by overlap.tp
    double tp_hidden = 0.0;  // those overlap.tp runs beside compute
    double cp = 0.0;
    double ep = 0.0;
};

Priced price(models::OpsCost ops, const models::TrainingParallelism& p, CollectiveClock& clock) {
    Priced out;
    for (const auto& c : ops.collectives) {
        const Group g = c.family == "tp"   ? Group{p.tp, 1}
                        : c.family == "cp" ? Group{p.cp, p.tp}
                        : c.family == "ep" ? Group{p.ep, p.tp * p.cp}
                                           : Group{};
        const double t = clock.time(c.kind, g.size, g.stride, c.bytes);
        if (c.family == "tp") {
            (c.hidden_by_overlap ? out.tp_hidden : out.tp_exposed) += t;
        } else if (c.family == "cp") {
            out.cp += t;
        } else {
            out.ep += t;
        }
    }
    out.ops = std::move(ops);
    return out;
}

// What one stage does per micro-batch.
struct Stage {
    double compute = 0.0;
    double forward = 0.0;  // its forward compute
    double backward = 0.0; // its backward + recompute compute
    double tp_exposed = 0.0;
    double tp_hidden = 0.0;
    double cp = 0.0;
    double ep = 0.0;
    double dense_bytes = 0.0;
    double expert_bytes = 0.0;
    std::vector<int> kinds; // layer kind index of each layer
    void add(const Priced& x, double n) {
        forward += n * x.ops.forward_s;
        backward += n * (x.ops.backward_s + x.ops.recompute_s);
        compute += n * x.ops.compute_s();
        tp_exposed += n * x.tp_exposed;
        tp_hidden += n * x.tp_hidden;
        cp += n * x.cp;
        ep += n * x.ep;
        dense_bytes += n * x.ops.dense_param_bytes;
        expert_bytes += n * x.ops.expert_param_bytes;
    }
    [[nodiscard]] double tp() const { return tp_exposed + std::max(0.0, tp_hidden - compute); }
    [[nodiscard]] double busy() const { return compute + tp() + cp + ep; }
};

} // namespace

StepEstimate estimate_step(const models::TrainingConfig& c, const topology::GpuType& gpu, CollectiveClock& clock) {
    const auto& m = c.model;
    const auto& p = c.par;
    const double mb = static_cast<double>(c.micro_batches());
    std::map<int, Priced> layer; // by LayerKind::index()
    std::vector<Stage> stages(static_cast<std::size_t>(p.pp));
    for (int s = 0; s < p.pp; ++s) {
        auto& st = stages[static_cast<std::size_t>(s)];
        for (int ch = 0; ch < p.virtual_stages; ++ch) {
            const std::int64_t first = c.chunk_first_layer(s, ch);
            for (std::int64_t l = first; l < first + c.chunk_layers(s, ch); ++l) {
                const auto kind = models::layer_kind(m, l);
                if (!layer.contains(kind.index())) {
                    layer.emplace(kind.index(), price(models::training_layer_cost(c, kind, gpu), p, clock));
                }
                st.add(layer.at(kind.index()), 1.0);
                st.kinds.push_back(kind.index());
            }
        }
    }
    stages.front().add(price(models::training_embedding_cost(c, gpu), p, clock), 1.0);
    stages.back().add(price(models::training_head_cost(c, gpu), p, clock), 1.0);
    const auto critical = std::max_element(stages.begin(), stages.end(),
                                           [](const Stage& a, const Stage& b) { return a.busy() < b.busy(); });

    StepEstimate e;
    e.bubble = (p.pp - 1.0) / (p.virtual_stages * mb + p.pp - 1.0);
    e.compute_s = mb * critical->compute;
    e.tp_s = mb * critical->tp();
    e.cp_s = mb * critical->cp;
    e.ep_s = mb * critical->ep;

    // PP: one activation (or gradient) transfer between neighbouring stages.
    const bool sp = p.sequence_parallel && p.tp > 1;
    if (p.pp > 1) {
        const double act = static_cast<double>(c.micro_batch) * static_cast<double>(m.seq) / p.cp *
                           static_cast<double>(m.hidden) * kBf16;
        const double bytes = act / (sp || c.scatter_gather_in_pipeline() ? p.tp : 1.0);
        const double p2p = clock.time(CollectiveKind::Broadcast, 2, p.tp * p.cp * p.dp, bytes);
        const double transfers = c.overlap_p2p ? 2.0 * (p.pp - 1.0) : 2.0 * (p.virtual_stages * mb + p.pp - 1.0);
        e.pp_s = transfers * p2p;
    }
    // DP / ZeRO: the dense part over dp (dp·cp ranks with cp > 1, stride tp), the experts over edp.
    const Group dense = p.cp > 1 ? Group{p.dp * p.cp, p.tp} : Group{p.dp, p.tp * p.cp};
    const Group edp{p.dp / p.ep, p.tp * p.cp * p.ep};
    const auto both = [&](CollectiveKind kind, double d, double x) {
        return clock.time(kind, dense.size, dense.stride, d) + clock.time(kind, edp.size, edp.stride, x);
    };
    const auto largest = std::max_element(stages.begin(), stages.end(), [](const Stage& a, const Stage& b) {
        return a.dense_bytes + a.expert_bytes < b.dense_bytes + b.expert_bytes;
    });
    const Stage& first = stages.front();
    const double hide = c.overlap_dp ? first.backward : 0.0;
    if (p.zero <= 1) {
        const double reduce = both(p.zero == 0 ? CollectiveKind::AllReduce : CollectiveKind::ReduceScatter,
                                   largest->dense_bytes, largest->expert_bytes);
        e.dp_s = std::max(0.0, reduce - hide);
    } else {
        // ZeRO-2/3: each layer's gradients reduce-scattered in every micro-batch's backward; ZeRO-3
        // also gathers each layer's parameters before its forward and its backward, all on the
        // one data-parallel communicator.
        double reduce = 0.0;
        double gather = 0.0;
        for (const int k : critical->kinds) {
            const auto& x = layer.at(k).ops;
            reduce += both(CollectiveKind::ReduceScatter, x.dense_param_bytes, x.expert_param_bytes);
            if (p.zero == 3) {
                gather += 2.0 * both(CollectiveKind::AllGather, x.dense_param_bytes, x.expert_param_bytes);
            }
        }
        const double per_mb = p.zero == 3 && c.overlap_param_gather ? std::max(0.0, reduce + gather - critical->compute)
                                                                    : gather + std::max(0.0, reduce - hide);
        e.dp_s = mb * per_mb;
    }
    if (p.zero == 1 || p.zero == 2) {
        const double gather = both(CollectiveKind::AllGather, largest->dense_bytes, largest->expert_bytes);
        e.dp_s += c.overlap_param_gather ? std::max(0.0, gather - first.forward) : gather;
    }
    return e;
}

} // namespace twin::sweep
