// The training generator's ops of one layer (and of the head), priced on one GPU without a
// simulation, for the layout search of `clustertwin tune` (tools/sweep/tune_estimate.hpp).
//
// Compute: every compute op of llm_training_ops.cpp at its roofline time (compute.hpp:
// max(F / (P·e_c·e_shape), D / (B_hbm·e_m)) + kernels·2 µs), summed per pass: the forward, the
// backward and the recompute before it (selective: the attention core; full: the whole forward).
// Collectives: the layer's collectives as the trace issues them (kind, family "tp" / "cp" / "ep",
// bytes as the trace's "size") with their pass and whether overlap.tp hides them; their time is
// the caller's (it knows the cluster). Parameters: one GPU's bf16 bytes of the layer, dense
// (synchronised over "dp") and routed experts (over "edp"), as the trace's gradient collectives.
// Units: seconds, bytes. One micro-batch, one GPU.
#pragma once

#include "twin/models/llm_training.hpp"
#include "twin/topology/catalog.hpp"

#include <string>
#include <vector>

namespace twin::models {

enum class Pass : std::uint8_t { Forward, Backward, Recompute };

struct CostedCollective {
    CollectiveKind kind = CollectiveKind::AllReduce;
    std::string family; // "tp", "cp", "ep"
    double bytes = 0.0;
    Pass pass = Pass::Forward;
    bool hidden_by_overlap = false; // a TP collective that overlap.tp runs beside compute
};

struct OpsCost {
    double forward_s = 0.0;
    double backward_s = 0.0;
    double recompute_s = 0.0;
    std::vector<CostedCollective> collectives;
    double dense_param_bytes = 0.0;
    double expert_param_bytes = 0.0;
    [[nodiscard]] double compute_s() const { return forward_s + backward_s + recompute_s; }
};

// One layer of kind `kind` (call after read_training_config); `gpu` must have the workload's precision.
[[nodiscard]] OpsCost training_layer_cost(const TrainingConfig& config, LayerKind kind, const topology::GpuType& gpu);
// The last stage's head (logits, loss, MTP modules) and the first stage's embedding, as one cost
// each (forward_s / backward_s; parameters 0).
[[nodiscard]] OpsCost training_head_cost(const TrainingConfig& config, const topology::GpuType& gpu);
[[nodiscard]] OpsCost training_embedding_cost(const TrainingConfig& config, const topology::GpuType& gpu);

} // namespace twin::models
