// Checkpoint writes and data loading as storage traffic of a training step, and what they cost on
// the topology's storage network (twin/topology/storage.hpp). Equations (bytes, bytes/s, s):
//
// Checkpoint state (Megatron-LM distributed checkpoint, megatron/core/dist_checkpointing, with
// fully_parallel_save: each data-parallel replica writes 1/D of its model-parallel shard, so every
// byte of state is written once):
//   per rank of stage i   c_i = (2 + 12) B x P_i / D    P_i the stage's parameters per GPU (the
//                         training memory accounting's, llm_training_memory.cpp), D = dp·cp (routed
//                         experts: (dp/ep)·cp); 2 B bf16 weights + 12 B fp32 main weights, Adam m, v
//                         = the memory accounting's optimizer term with the distributed optimizer
//                         (ZeRO >= 1) x 14/12
//   S = sum over ranks of c_i;  S_node = the most any node's ranks write
// Data loading per step: G·s tokens (global batch x sequence) x b_tok bytes per token (Megatron's
//   indexed dataset: uint16 when the vocabulary is below 65,500, else int32; or "bytes_per_token"),
//   read by the first pipeline stage's ranks, evenly: D_node = the most any node reads.
//
// Transfer time of X bytes (X_node the most on a node) at M servers of B_srv each:
//   T(X) = max(X / (M·B_srv), X_node / B_node, X / B_net)        (servers, node links, network)
// Checkpoint (interval K steps, T_step the simulated step):
//   blocking  training stops while it writes: cost per step = T_ckpt / K
//   async     written beside the next K steps (Megatron's --async-save after the copy to host):
//             separate   cost per step = max(0, T_ckpt − K·T_step) / K (the next save waits)
//             converged  the write shares the compute NICs: each step carries S_node / K more bytes
//                        on the node's NICs, serialised with its own traffic (an upper bound: the
//                        step's NIC-bound phases slow by that much), contention = S_node / (K·B_node);
//                        plus max(0, T_ckpt − K·(T_step + contention)) / K
// Data loading (prefetched by the data loader beside the step):
//   exposed = max(0, T_read − T_step); converged also contention = D_node / B_node per step.
// step_time_with_storage = T_step + contention (checkpoint and data) + exposed data + checkpoint cost.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/topology/storage.hpp"

#include <cstdint>
#include <string>

namespace twin::models {

enum class CheckpointMode : std::uint8_t { Blocking, Async };
inline constexpr auto kCheckpointModeNames =
    enum_names<CheckpointMode>({{CheckpointMode::Blocking, "blocking"}, {CheckpointMode::Async, "async"}});

// The workload's "checkpoint" and "data_loading" keys (models/README.md).
struct StorageTrafficConfig {
    std::int64_t checkpoint_interval_steps = 0; // 0: no checkpoint
    CheckpointMode checkpoint_mode = CheckpointMode::Blocking;
    double bytes_per_token = 0.0; // 0: from the vocabulary (2 or 4)
    bool data_loading = true;     // "data_loading": false leaves data loading out
    std::string pointer;          // of the "checkpoint" object (or the workload), for errors
};

// What one training step moves to and from storage.
struct StorageTraffic {
    double checkpoint_bytes = 0.0;          // S
    double checkpoint_bytes_per_node = 0.0; // S_node
    std::int64_t checkpoint_interval_steps = 0;
    CheckpointMode checkpoint_mode = CheckpointMode::Blocking;
    double data_bytes_per_step = 0.0;          // D
    double data_bytes_per_node_per_step = 0.0; // D_node
};

// Times on a storage network; every field in seconds.
struct StorageCost {
    double checkpoint_time_s = 0.0;          // T_ckpt (0 without checkpoint)
    std::string checkpoint_bound;            // "servers", "node links", "network" ("" without checkpoint)
    double checkpoint_cost_per_step_s = 0.0; // blocking T_ckpt / K; async as above (contention excluded)
    double data_read_time_s = 0.0;           // T_read per step
    double data_exposed_per_step_s = 0.0;
    double contention_per_step_s = 0.0; // converged only: checkpoint (async) and data bytes on the shared NICs
    double step_time_s = 0.0;           // T_step, as simulated
    double step_time_with_storage_s = 0.0;
};

// Reads "checkpoint" ({"interval_steps": K, "mode": "blocking" | "async"}) and "data_loading"
// ({"bytes_per_token": b} or false) from a training workload object, when present.
[[nodiscard]] StorageTrafficConfig read_storage_traffic(Object& workload);

// T(X) above and which term bounds it.
struct StorageTransfer {
    double time_s = 0.0;
    std::string bound;
};
[[nodiscard]] StorageTransfer storage_transfer(const topology::StorageFabric& storage, double bytes,
                                               double bytes_per_node, BytesPerSecond server_bandwidth);

[[nodiscard]] StorageCost storage_cost(const topology::StorageFabric& storage, const StorageTraffic& traffic,
                                       double step_time_s);

} // namespace twin::models
