// Prices the ops of llm_training_ops.cpp on one GPU (equations: twin/models/llm_training_cost.hpp;
// compute times: compute.cpp's roofline). No constant of its own.
#include "twin/models/llm_training_cost.hpp"

#include "llm_training_ops.hpp"
#include "twin/models/compute.hpp"

#include <cmath>

namespace twin::models {
namespace {

double op_time(const detail::OpSpec& o, const TrainingConfig& c, const topology::GpuType& gpu) {
    ComputeOp op;
    op.flops = Flops(o.flops);
    op.bytes = Bytes(o.bytes);
    op.precision = o.gemm ? c.precision : topology::Precision::BF16;
    op.efficiency = o.flops > 0 ? std::min(1.0, o.efficiency) : 1.0;
    op.kernels = static_cast<std::int64_t>(std::llround(o.kernels));
    return compute_time(gpu, op).time.value();
}

void add(const std::vector<detail::OpSpec>& ops, Pass pass, const TrainingConfig& c, const topology::GpuType& gpu,
         OpsCost& out) {
    for (const auto& o : ops) {
        if (o.collective) {
            out.collectives.push_back({o.kind, o.family, o.size, pass, o.hidden_by_overlap});
            continue;
        }
        const double t = op_time(o, c, gpu);
        (pass == Pass::Forward ? out.forward_s : pass == Pass::Backward ? out.backward_s : out.recompute_s) += t;
    }
}

} // namespace

OpsCost training_layer_cost(const TrainingConfig& config, LayerKind kind, const topology::GpuType& gpu) {
    const detail::LayerOps ops = detail::layer_ops(config, kind);
    OpsCost out;
    add(ops.forward, Pass::Forward, config, gpu, out);
    add(ops.recompute, Pass::Recompute, config, gpu, out);
    add(ops.backward, Pass::Backward, config, gpu, out);
    out.dense_param_bytes = ops.dense_param_bytes;
    out.expert_param_bytes = ops.expert_param_bytes;
    return out;
}

OpsCost training_head_cost(const TrainingConfig& config, const topology::GpuType& gpu) {
    const detail::LayerOps ops = detail::layer_ops(config, layer_kind(config.model, config.model.layers - 1));
    OpsCost out;
    add(ops.head_forward, Pass::Forward, config, gpu, out);
    add(ops.head_backward, Pass::Backward, config, gpu, out);
    return out;
}

OpsCost training_embedding_cost(const TrainingConfig& config, const topology::GpuType& gpu) {
    const detail::LayerOps ops = detail::layer_ops(config, layer_kind(config.model, 0));
    OpsCost out;
    add(ops.embedding_forward, Pass::Forward, config, gpu, out);
    return out;
}

} // namespace twin::models
