// ZeRO-3 as DeepSpeed 0.3.x ran it: "zero3_gather": "tensor-sync" (the default, "layer", is one
// prefetched gather per layer as FSDP and later DeepSpeed run it: llm_training_trace.cpp).
//
// Mechanism (DeepSpeed v0.3.13, March 2021, deepspeed/runtime/zero/partition_parameters.py and
// stage3.py, read at the tag):
// - parameters are partitioned tensor by tensor; a tensor under stage3_param_persistence_threshold
//   (default 10^5 elements: biases, norm gains) stays whole on every rank and is never gathered;
// - _allgather_param gathers one tensor: torch.zeros of the full size, torch.cuda.synchronize()
//   (the host waits for the device: nothing queued runs beside the gather), a Python loop over the
//   world size building one narrow() view per rank, then torch.distributed.all_gather with that
//   list of n outputs (c10d gathers into a flat buffer and copies each of the n outputs out);
// - _reduce_scatter_gradient reduces one tensor's gradient: the same loop of n views, and
//   torch.distributed.reduce_scatter over that input list (c10d copies the n inputs into a flat
//   buffer first);
// - with activation checkpointing the recompute re-runs the forward hooks: a layer's tensors are
//   gathered before its forward, again before its recompute and again before its backward.
// Model, per partitioned tensor and collective over n data-parallel ranks (seconds):
//   t_host = n · h   (h = kZero3HostPerRank: the per-rank Python view and c10d copy launch)
//   then the collective (NCCL ring; its (n − 1)-step latency is the collective model's);
// host step and collective in sequence on the compute stream (the synchronize and the blocking
// Python thread leave nothing to overlap). h is fitted on one row (llm_training_zero3.hpp).
#include "llm_training_zero3.hpp"

#include "twin/models/llm_model.hpp"

namespace twin::models::detail {

std::vector<double> zero3_partitioned_tensors(const TrainingConfig& c, LayerKind kind) {
    const auto& m = c.model;
    std::vector<double> elements;
    for (const auto& g : attention_gemms(m, c.par.tp)) {
        elements.push_back(g.n * g.k);
    }
    if (!kind.moe) {
        const double matrix = static_cast<double>(m.hidden) * static_cast<double>(m.ffn) / c.par.tp;
        for (int i = 0; i < m.mlp_matrices(); ++i) {
            elements.push_back(matrix);
        }
    }
    std::vector<double> bytes;
    for (double e : elements) {
        if (e >= kZero3PersistenceThreshold) {
            bytes.push_back(2.0 * e); // bf16/fp16 parameters and gradients
        }
    }
    return bytes;
}

std::vector<OpSpec> zero3_tensor_ops(const TrainingConfig& c, LayerKind kind, CollectiveKind what, const char* name,
                                     const char* family, int ranks) {
    std::vector<OpSpec> out;
    for (double b : zero3_partitioned_tensors(c, kind)) {
        OpSpec host;
        host.name = "zero3_host_setup";
        host.duration_s = ranks * kZero3HostPerRank;
        out.push_back(host);
        OpSpec coll;
        coll.collective = true;
        coll.name = name;
        coll.kind = what;
        coll.family = family;
        coll.size = b;
        out.push_back(coll);
    }
    return out;
}

} // namespace twin::models::detail
