// Checkpoint and data-loading bytes of an LLM training step (twin/models/storage_traffic.hpp):
//   c_i = (2 + 12) B x P_i / D per rank of stage i (bf16 weights, fp32 main weights, Adam m and v;
//         Megatron-LM's fully parallel distributed checkpoint writes each byte of state once,
//         split over the data-parallel replicas); S = sum of c_i over ranks, S_node the most of a node
//   D = global_batch x seq_length x b_tok; b_tok = 2 B below a 65,500-token vocabulary, else 4 B
//       (megatron/core/datasets/indexed_dataset.py, DType.optimal_dtype), read by the ranks of
//       pipeline stage 0, D / (their count) each; D_node the most of a node
#include "llm_training_storage.hpp"

#include "llm_training_layout.hpp"

#include <algorithm>

namespace twin::models::detail {
namespace {

constexpr double kWeightBytes = 2.0;     // bf16 model weights
constexpr double kMainStateBytes = 12.0; // fp32 main weights + Adam m, v
constexpr std::int64_t kUint16Vocab = 65'500;

} // namespace

std::vector<double> checkpoint_bytes_per_rank(const TrainingConfig& config) {
    TrainingConfig sharded = config;
    sharded.par.zero = std::max(sharded.par.zero, 1);
    std::vector<double> out;
    for (const auto& m : training_memory(sharded)) {
        out.push_back(m.optimizer * (kWeightBytes + kMainStateBytes) / kMainStateBytes);
    }
    return out;
}

StorageTraffic training_storage_traffic(const TrainingConfig& c, const topology::Cluster& cluster, int first_gpu) {
    StorageTraffic t;
    t.checkpoint_interval_steps = c.storage.checkpoint_interval_steps;
    t.checkpoint_mode = c.storage.checkpoint_mode;
    const auto per_rank = checkpoint_bytes_per_rank(c);
    const RankLayout layout(c.par);
    std::vector<double> ckpt_node(cluster.nodes().size(), 0.0);
    std::vector<double> data_node(cluster.nodes().size(), 0.0);
    if (c.storage.data_loading) {
        const double b_tok =
            c.storage.bytes_per_token > 0 ? c.storage.bytes_per_token : (c.model.vocab < kUint16Vocab ? 2.0 : 4.0);
        t.data_bytes_per_step = static_cast<double>(c.global_batch) * static_cast<double>(c.model.seq) * b_tok;
    }
    for (int s = 0; s < c.par.pp; ++s) {
        const auto ranges = layout.stage_ranges(s);
        double readers = 0.0;
        for (const auto& [first, last] : ranges) {
            readers += last - first + 1;
        }
        for (const auto& [first, last] : ranges) {
            for (int r = first; r <= last; ++r) {
                const auto node = static_cast<std::size_t>(cluster.node_of_gpu(first_gpu + r));
                if (c.storage.checkpoint_interval_steps > 0) {
                    ckpt_node[node] += per_rank[static_cast<std::size_t>(s)];
                    t.checkpoint_bytes += per_rank[static_cast<std::size_t>(s)];
                }
                if (s == 0) {
                    data_node[node] += t.data_bytes_per_step / readers;
                }
            }
        }
    }
    t.checkpoint_bytes_per_node = *std::max_element(ckpt_node.begin(), ckpt_node.end());
    t.data_bytes_per_node_per_step = *std::max_element(data_node.begin(), data_node.end());
    return t;
}

} // namespace twin::models::detail
