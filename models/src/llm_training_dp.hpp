// Data-parallel communication of the training trace: Megatron-LM's gradient buckets and parameter
// all-gather buckets (internal to the training generator; equations and sources at the top of
// llm_training_dp.cpp).
#pragma once

#include "twin/models/llm_training.hpp"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

namespace twin::models::detail {

// Reads overlap.dp / overlap.grad_reduce (aliases; both given must agree), overlap.param_gather
// and overlap.bucket_params into `config` (after its parallelism), with Megatron-LM's rules:
// param_gather needs a sharded optimizer (zero >= 1) and, below zero 3, grad_reduce.
void read_dp_overlap(Object& overlap, TrainingConfig& config);

// Megatron-LM's default DDP bucket: max(40e6, 1e6·dp·cp) parameters, unless overlap.bucket_params
// sets it.
[[nodiscard]] double dp_bucket_parameters(const TrainingConfig& config);

// The buckets of one model chunk of `layers` layers in backprop order, whole layers each: `full`
// buckets of `per_bucket` layers, then one of `rest` layers (0: none). A bucket closes at the first
// layer that brings it to >= the bucket size (Megatron closes it at the first parameter that does).
struct LayerBuckets {
    std::int64_t per_bucket = 1;
    std::int64_t full = 0;
    std::int64_t rest = 0;
    [[nodiscard]] std::int64_t count() const { return full + (rest > 0 ? 1 : 0); }
    // Layers of the last bucket in backprop order (the chunk's first layers).
    [[nodiscard]] std::int64_t last() const { return rest > 0 ? rest : per_bucket; }
};
// bucket_params <= 0: one bucket holding the whole chunk.
[[nodiscard]] LayerBuckets layer_buckets(std::int64_t layers, double layer_params, double bucket_params);

// Whether model chunk `chunk` of pipeline stage `stage` is split into buckets: Megatron-LM buckets
// only with overlap_grad_reduce, on pipeline rank 0, model chunk 0 (training.py,
// per_chunk_bucket_sizes); every other chunk is one bucket.
[[nodiscard]] bool chunk_bucketed(const TrainingConfig& config, int stage, int chunk);

// The collectives of one bucket of k layers (bytes = k × one layer's).
using BucketOps = std::function<std::vector<nlohmann::json>(std::int64_t layers)>;

// One chunk's backward: `layer` is one layer's ops, chained (first op without `after`). The
// gradients of bucket i are posted when its backward compute ends and run beside the compute that
// follows, on one collective stream: bucket i's collectives wait for bucket i - 1's, the compute
// never waits for a collective (Megatron-LM issues them asynchronously). Returns the body steps
// (ids prefixed with `id_prefix`, unique within the enclosing body; its last step is the last
// bucket's compute); `trailing` gets the layers of the last bucket, whose collectives have no later
// compute in the chunk to run beside (the caller runs them beside the schedule steps that follow).
[[nodiscard]] nlohmann::json bucketed_backward(const nlohmann::json& layer, const LayerBuckets& buckets,
                                               const BucketOps& grads, const std::string& id_prefix,
                                               std::int64_t& trailing);

// One chunk's forward with its parameters all-gathered bucket by bucket in forward order (the
// chunk's first layers, the `rest` bucket, first): the first bucket's all-gather before any
// compute, bucket i + 1's beside the compute of bucket i (Megatron-LM's finish_param_sync
// dispatching the next bucket's all-gather). `first_gathered`: the first bucket was gathered
// before the body (posted at the step's start, align_param_gather).
[[nodiscard]] nlohmann::json gathered_forward(const nlohmann::json& layer, const LayerBuckets& buckets,
                                              const BucketOps& gathers, bool first_gathered);

} // namespace twin::models::detail
