// ZeRO-3 as DeepSpeed 0.3.x ran it ("zero3_gather": "tensor-sync"; llm_training_zero3.cpp).
#pragma once

#include "llm_training_ops.hpp"
#include "twin/models/llm_training.hpp"

#include <vector>

namespace twin::models::detail {

// Host time per data-parallel rank of one list-based torch.distributed collective (s):
// fitted on train.megatron21.t2.ZeRO-3.174.6B.1536 only (the 384- and 768-GPU rows held out).
inline constexpr double kZero3HostPerRank = 16.8e-6;
// DeepSpeed's stage3_param_persistence_threshold default (elements): smaller tensors stay whole.
inline constexpr double kZero3PersistenceThreshold = 1e5;

// The bf16 bytes on one GPU of each partitioned weight tensor of one layer (attention GEMM
// weights, MLP matrices; biases and norm gains are under the persistence threshold).
[[nodiscard]] std::vector<double> zero3_partitioned_tensors(const TrainingConfig& c, LayerKind kind);

// Per partitioned tensor: the host work of a list-based collective over `ranks` ranks (a step
// of duration ranks x kZero3HostPerRank on the compute stream) then the collective itself
// (`kind` over `family`, the tensor's bytes), in sequence.
[[nodiscard]] std::vector<OpSpec> zero3_tensor_ops(const TrainingConfig& c, LayerKind kind, CollectiveKind what,
                                                   const char* name, const char* family, int ranks);

} // namespace twin::models::detail
