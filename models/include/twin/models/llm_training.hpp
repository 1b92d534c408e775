// LLM training workload generator: scenario "workload": {"type": "llm-training", ...} -> trace v1.
//
// Keys, defaults and ranges: models/README.md, "LLM training workloads". Equations:
//   llm_model.hpp            parameters and FLOPs of the transformer
//   src/llm_training.cpp     input reading and checks, WorkloadInfo
//   src/llm_training_memory.cpp  memory fit per pipeline stage (Korthikanti et al. 2022)
//   src/llm_training_trace.cpp   ops per layer, GEMM shape efficiency, 1F1B / interleaved schedules
//   src/llm_training_split.cpp   layers per stage and model chunk (embedding/loss accounting)
//   src/llm_training_layout.cpp  rank order and group families
//
// Ranks are laid out Megatron-style: by default ("order": "tp-cp-ep-dp-pp")
// rank = t + tp·(c + cp·(d + dp·p)) for tensor position t, context position c, data-parallel
// replica d and pipeline stage p (TP fastest, so a TP group stays inside an NVLink domain); other
// orders (such as "tp-cp-ep-pp-dp") permute the strides, and the families below then become
// explicit member lists where their dimensions are not adjacent (src/llm_training_layout.cpp).
// Families (default order): "tp" {size tp}, "cp" {size cp, stride tp},
// "dp" {size dp, stride tp·cp}, "pp" {size pp, stride tp·cp·dp}, "ep" {size ep, stride tp·cp}
// (expert parallelism splits each data-parallel group into dp/ep groups of ep replicas),
// "dpcp" {size dp·cp, stride tp} (cp > 1: the ranks holding the same dense parameters, whose
// gradients Megatron-LM reduces over data and context parallel ranks together),
// "edp" {size dp/ep, stride tp·cp·ep} (the replicas that hold the same experts; their gradients),
// "emb" (tied embeddings with pp > 1: rank r of the first stage with r + (pp − 1)·tp·cp·dp of the
// last, for the embedding-gradient all-reduce).
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/models/llm_model.hpp"
#include "twin/models/trace.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/catalog.hpp"

#include <string>
#include <utility>
#include <vector>

namespace twin::models {

enum class PipelineSchedule { OneFOneB, Interleaved };
enum class Recompute { None, Selective, Full };
enum class AttentionKernel { Flash, Unfused };
inline constexpr auto kPipelineScheduleNames = enum_names<PipelineSchedule>(
    {{PipelineSchedule::OneFOneB, "1f1b"}, {PipelineSchedule::Interleaved, "interleaved"}});
inline constexpr auto kRecomputeNames =
    enum_names<Recompute>({{Recompute::None, "none"}, {Recompute::Selective, "selective"}, {Recompute::Full, "full"}});
inline constexpr auto kAttentionKernelNames =
    enum_names<AttentionKernel>({{AttentionKernel::Flash, "flash"}, {AttentionKernel::Unfused, "unfused"}});

struct TrainingParallelism {
    int tp = 1;
    int pp = 1;
    int dp = 1;
    int cp = 1;
    int ep = 1; // divides dp and the number of experts
    PipelineSchedule schedule = PipelineSchedule::OneFOneB;
    int virtual_stages = 1; // v, interleaved only
    int zero = 0;           // 0..3 ("fsdp" = 3)
    // zero3_gather "tensor-sync": ZeRO-3 as DeepSpeed 0.3.x ran it, tensor by tensor with a device
    // synchronize and list-based collectives (llm_training_zero3.cpp); "layer" (default): one
    // prefetched gather per layer (FSDP, later DeepSpeed).
    bool zero3_tensor_sync = false;
    bool sequence_parallel = false;
    bool scatter_gather = true;             // pipeline transfers split over TP, all-gathered after (SC'21 §4.1)
    std::vector<std::int64_t> stage_layers; // layers of each pipeline stage (pp entries; read_training_config)
    // Layers of each model chunk, stage-major (pp·virtual_stages entries; chunk c of stage s at
    // s·virtual_stages + c); with the embedding/loss accounting the first chunk of stage 0 and the
    // last chunk of the last stage hold fewer (src/llm_training_split.cpp).
    std::vector<std::int64_t> chunk_layers;
    bool embedding_in_split = false;      // Megatron's --account-for-embedding-in-pipeline-split
    bool loss_in_split = false;           // Megatron's --account-for-loss-in-pipeline-split
    std::string order = "tp-cp-ep-dp-pp"; // rank order, fastest dimension first (Megatron's order)
    // Megatron's --microbatch-group-size-per-virtual-pipeline-stage (interleaved): micro-batches
    // run per model chunk before the next chunk; 0 = pp (its default).
    std::int64_t microbatch_group = 0;
    [[nodiscard]] int gpus() const { return tp * pp * dp * cp; }
};

struct TrainingConfig {
    std::string name;
    TransformerConfig model;
    TrainingParallelism par;
    std::int64_t global_batch = 0;                             // sequences per step
    std::int64_t micro_batch = 1;                              // sequences per micro-batch
    topology::Precision precision = topology::Precision::BF16; // of the GEMMs
    Recompute recompute = Recompute::None;
    AttentionKernel attention = AttentionKernel::Flash;
    // Dtype of the main-gradient buffer (Megatron-LM's --main-grads-dtype, fp32 by default; bf16:
    // --grad-reduce-in-bf16). Bytes per parameter: 4 or 2.
    bool grads_fp32 = true;
    // overlap.grad_reduce (alias overlap.dp): Megatron-LM's overlap_grad_reduce, gradients
    // bucketed and reduced beside the backward (llm_training_dp.cpp).
    bool overlap_dp = true;
    // overlap.param_gather: Megatron-LM's overlap_param_gather (zero 1-2: the updated parameters
    // gathered beside the next step's first forward); ZeRO-3: each layer's gather prefetched
    // beside the compute of the layer before it (default on with zero 3, as FSDP's and DeepSpeed's
    // prefetch; off otherwise, Megatron-LM's default).
    bool overlap_param_gather = false;
    std::int64_t dp_bucket_params = 0; // overlap.bucket_params (--ddp-bucket-size); 0: Megatron's default
    bool overlap_tp = false;
    // Megatron-LM's overlap_p2p_comm: pipeline transfers run beside the compute (interleaved
    // schedule only; its default there, --no-overlap-p2p-communication turns it off).
    bool overlap_p2p = false;
    StorageTrafficConfig storage; // "checkpoint" and "data_loading" (storage_traffic.hpp)
    std::string file;             // scenario file, for errors found after reading
    std::string pointer;          // JSON pointer of the workload object

    [[nodiscard]] std::int64_t micro_batches() const { return global_batch / (micro_batch * par.dp); }
    // Megatron's scatter/gather of pipeline transfers applies with tp > 1 without sequence
    // parallelism (with it the activations are already split over TP).
    [[nodiscard]] bool scatter_gather_in_pipeline() const {
        return par.scatter_gather && par.tp > 1 && !par.sequence_parallel && par.pp > 1;
    }
    [[nodiscard]] std::int64_t stage_layers(int stage) const {
        return par.stage_layers[static_cast<std::size_t>(stage)];
    }
    // Transformer layers of model chunk `chunk` (0 <= chunk < virtual_stages) of pipeline stage `stage`.
    [[nodiscard]] std::int64_t chunk_layers(int stage, int chunk) const {
        return par.chunk_layers[static_cast<std::size_t>(stage) * static_cast<std::size_t>(par.virtual_stages) +
                                static_cast<std::size_t>(chunk)];
    }
    // Index of the first model layer of that chunk: chunks take the layers in virtual-stage order
    // (chunk c of stage s is virtual stage c·pp + s, Megatron-LM's interleaved assignment).
    [[nodiscard]] std::int64_t chunk_first_layer(int stage, int chunk) const {
        std::int64_t first = 0;
        for (int k = 0; k < chunk * par.pp + stage; ++k) {
            first += chunk_layers(k % par.pp, k / par.pp);
        }
        return first;
    }
    // Micro-batches per model chunk in the interleaved schedule (Megatron's microbatch group size).
    [[nodiscard]] std::int64_t microbatch_group() const {
        return par.microbatch_group > 0 ? par.microbatch_group : par.pp;
    }
};

// Reads and checks the whole workload object (every key but the cluster-dependent checks).
[[nodiscard]] TrainingConfig read_training_config(Object workload);

// GEMM shape efficiency in (0, 1], multiplying the GPU type's compute_efficiency:
//   e(m, n, k) = 1 / (1 + c_g · (1/m + 1/n + r/k)),  c_g = kGemmShapeConstant
// a smooth stand-in for tile quantisation and wave tails: a GEMM whose smallest dimension is x
// loses about c_g/x of its throughput, about half a tile edge per dimension. r is the depth of the
// k tile relative to a 16-bit GEMM's, 2 bytes / element bytes: 1 for BF16/FP16, 2 for FP8, 4 for
// FP4 (the same shared memory holds twice the k-depth of 1-byte elements: cuBLASLt and CUTLASS
// Hopper FP8 kernels use 128-deep k blocks where BF16 uses 64), so a short k costs a low-precision
// GEMM more; m and n tiles are the same. c_g = 96 (about half the 128 x 256 tile's mean edge) is
// fitted, with the catalog's compute_efficiency (0.75), on the BF16 A100 rows marked "fit" in
// tests/calibration/training.json: train.megatron21.t1.18.4B and train.megatron21.t1.145.6B
// (train.megatron21.t1.1.7B and .1008.0B are held out).
inline constexpr double kGemmShapeConstant = 96.0;
[[nodiscard]] double gemm_shape_efficiency(double m, double n, double k,
                                           topology::Precision precision = topology::Precision::BF16);

// Memory one GPU of a pipeline stage needs, in bytes (equations: src/llm_training_memory.cpp).
struct StageMemory {
    double parameters = 0.0;    // bf16 weights (ZeRO-3: sharded)
    double weight_copies = 0.0; // Transformer Engine's FP8/FP4 weight copies (row-wise + transposed)
    double gradients = 0.0;     // main-gradient buffer, fp32 or bf16 (ZeRO-2/3: sharded)
    double optimizer = 0.0;     // fp32 main weights + Adam m, v (distributed optimizer: sharded)
    double activations = 0.0;   // in-flight micro-batches' layers, plus one layer's working set with recompute
    double embedding = 0.0;     // first stage: token ids (and embedding dropout masks) in flight
    double logits = 0.0;        // last stage: final norm, output-layer input, logits and loss of one micro-batch
    double framework = 0.0;     // CUDA context and kernels, NCCL buffers
    double fragmentation = 0.0; // caching-allocator slack and temporaries on the activations
    double in_flight_micro_batches = 0.0; // of the stage (interleaved: chunks / v), for the report
    [[nodiscard]] double total() const {
        return parameters + weight_copies + gradients + optimizer + activations + embedding + logits + framework +
               fragmentation;
    }
};
// The terms of StageMemory as (name, bytes), in a fixed order, for reports and errors.
[[nodiscard]] std::vector<std::pair<std::string, double>> memory_terms(const StageMemory& m);
[[nodiscard]] std::vector<StageMemory> training_memory(const TrainingConfig& config);
// The error when a stage's `m` exceeds `capacity_bytes` of GPU type `gpu`: the stage, the excess
// and every term in GiB, largest first.
[[nodiscard]] std::string memory_overflow_message(int stage, const StageMemory& m, const std::string& gpu,
                                                  double capacity_bytes);
// Activations of one layer for one micro-batch on one GPU at the config's recompute (bytes).
[[nodiscard]] double training_layer_activation_bytes(const TrainingConfig& config);

// FLOPs of one step: model (6·N-style, no recompute, the PaLM/Megatron convention) and hardware
// (what the GPUs execute: recompute included, causal attention halved with flash attention).
struct StepFlops {
    double model = 0.0;
    double hardware = 0.0;
};
[[nodiscard]] StepFlops training_step_flops(const TrainingConfig& config);

// The trace of `config` (call after read_training_config). `file` names the scenario for errors.
[[nodiscard]] Trace generate_training_trace(const TrainingConfig& config, const std::string& file);

// The "llm-training" workload loader: read, check against the cluster (GPU count, precision,
// memory fit), generate. Registered by register_llm_training_workload().
[[nodiscard]] Trace load_llm_training(Object workload, const WorkloadContext& context);

} // namespace twin::models
