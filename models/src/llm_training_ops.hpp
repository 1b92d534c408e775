// The operations of one transformer layer for one GPU and one micro-batch (internal to the
// training generator; equations at the top of llm_training_ops.cpp).
#pragma once

#include "twin/models/llm_training.hpp"

#include <string>
#include <vector>

namespace twin::models::detail {

struct OpSpec {
    bool collective = false;
    std::string name;
    // compute
    double flops = 0.0;
    double bytes = 0.0;
    double efficiency = 1.0;
    bool gemm = false;       // runs at the workload's precision (else bf16)
    double kernels = 0.0;    // kernel launches (each pays the launch gap, compute.hpp)
    double duration_s = 0.0; // a step known by its time only (host work the device waits for)
    // collective
    CollectiveKind kind = CollectiveKind::AllReduce;
    std::string family;
    double size = 0.0;
    bool hidden_by_overlap = false; // TP collective that overlap.tp lets run beside compute
};

struct LayerOps {
    std::vector<OpSpec> forward;
    std::vector<OpSpec> backward;
    std::vector<OpSpec> recompute;    // run before `backward` (selective/full recompute)
    std::vector<OpSpec> head_forward; // last stage: logits + loss
    std::vector<OpSpec> head_backward;
    std::vector<OpSpec> embedding_forward; // first stage
    // One layer's parameters on one GPU (bf16 bytes; gradients are the same size): the part every
    // data-parallel replica holds (attention, norms, router, shared experts), synchronised over
    // "dp", and the routed experts' shard, held by dp/ep replicas and synchronised over "edp".
    double dense_param_bytes = 0.0;
    double expert_param_bytes = 0.0;
    [[nodiscard]] double param_bytes() const { return dense_param_bytes + expert_param_bytes; }

    // FLOPs of forward + recompute + backward of one layer; of the head.
    [[nodiscard]] double flops() const;
    [[nodiscard]] double head_flops() const;
};

// The ops of one layer of kind `kind` (MoE or dense MLP, sliding-window or global attention).
[[nodiscard]] LayerOps layer_ops(const TrainingConfig& config, LayerKind kind);

// Parameters of one layer of kind `kind` held by one GPU (tensor- and expert-parallel shards), and
// the routed experts' part of them (0 for a dense layer). Per stage: llm_training_layers.hpp.
[[nodiscard]] double layer_parameters_per_gpu(const TrainingConfig& config, LayerKind kind);
[[nodiscard]] double expert_parameters_per_gpu(const TrainingConfig& config, LayerKind kind);

// The embedding's (tied) gradient all-reduce between the first and the last pipeline stage: bytes
// per GPU, 0 when there is none (untied embeddings or pp = 1).
[[nodiscard]] double tied_embedding_grad_bytes(const TrainingConfig& config);

} // namespace twin::models::detail
