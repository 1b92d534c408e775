// The analytic step-time estimate that `clustertwin tune` ranks layouts by (issue 16): compute,
// pipeline bubble and the exposed communication of every parallel dimension. For ranking only; the
// simulated child runs give the real numbers. Units: seconds, bytes.
//
// Each op of the training generator is priced as the simulator prices it in isolation
// (models/llm_training_cost.hpp: the roofline time of every compute op of a layer, the head and the
// embedding, per pass), and each collective by c(kind, group, bytes), the collective planner's
// contention-free estimate (CollectivePlanner::plan(...).estimate_s: NCCL-style ring / tree /
// NVLS / all-to-all cost on the cluster's own links, the algorithm NCCL's tuner would pick) over
// the group of rank 0 in Megatron's default rank order (rank = t + tp·(c + cp·(d + dp·p)), rank r
// on GPU r): "tp" {0..tp−1}, "cp" stride tp, "ep" stride tp·cp, dense gradients over dp (dp·cp
// with cp > 1, stride tp), experts over "edp" {dp/ep ranks, stride tp·cp·ep}, "pp" {0, tp·cp·dp}.
//
// Per pipeline stage s and micro-batch (its layers from the config's split, by layer kind):
//   K_s   compute: the layers' forward + recompute + backward, + the embedding (s = 0) and the head
//         (s = pp − 1)
//   TP_s  the tp collectives of those ops (forward, backward and, with full recompute, the
//         recomputed forward's); those overlap.tp hides count max(0, Σ − K_s)
//   CP_s  the cp all-gathers (forward, recomputed forward) and reduce-scatters (backward)
//   EP_s  the ep all-to-alls (dispatch and combine per pass)
//   B_s = K_s + TP_s + CP_s + EP_s; the critical stage s* has the largest B_s
// With m micro-batches and v virtual stages the critical stage runs m·B plus the pipeline bubble
// (pp − 1)/v·B: β = (pp − 1)/(v·m + pp − 1) and m·B/(1 − β) = (m + (pp − 1)/v)·B.
//   compute = m·K_s*, tp = m·TP_s*, cp = m·CP_s*, ep = m·EP_s*   (per step)
//   pp   (pp > 1) one transfer p2p = c(broadcast, "pp" pair, b·(s/cp)·h·2 / (tp with sequence
//        parallelism or scatter-gather)); 2·(v·m + pp − 1) transfers block, with overlap.p2p only
//        the 2·(pp − 1) of the fill and drain: pp = that × p2p
//   dp   per GPU, the largest stage's gradient bytes D (dense) and X (experts);
//        R = c(all-reduce, or with zero >= 1 reduce-scatter, dense group, D) + c(same, edp, X);
//        H = the backward + recompute of one micro-batch of stage 0 (the last to finish), 0 without
//        overlap.grad_reduce; zero 0-1: max(0, R − H) once; zero >= 2: m·max(0, R − H);
//        zero 1-2: + A = c(all-gather, D) + c(all-gather, X), with overlap.param_gather
//        max(0, A − forward of one micro-batch of stage 0);
//        zero 3: + per micro-batch, layer by layer, the layer's gather a_l = c(all-gather, dense
//        group, D_l) + c(all-gather, edp, X_l) before its forward and before its backward, with
//        overlap.param_gather (prefetch) max(0, a_l − that pass's compute of the layer before)
//        (approximated by the layer's own), else a_l
//   step = (compute + tp + cp + ep) / (1 − β) + pp + dp
// Left out (the simulation has them): link contention between collectives, the tied-embedding
// all-reduce, the scatter-gather's all-gather at the receiver, the optimizer step.
#pragma once

#include "twin/models/collective_plan.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/llm_training_cost.hpp"
#include "twin/topology/cluster.hpp"

#include <map>
#include <tuple>

namespace twin::sweep {

struct StepEstimate {
    double compute_s = 0.0; // m·K of the critical stage
    double bubble = 0.0;    // β
    double tp_s = 0.0;      // exposed, per step
    double cp_s = 0.0;
    double ep_s = 0.0;
    double pp_s = 0.0;
    double dp_s = 0.0;
    [[nodiscard]] double exposed_comm_s() const { return tp_s + cp_s + ep_s + pp_s + dp_s; }
    [[nodiscard]] double step_s() const { return (compute_s + tp_s + cp_s + ep_s) / (1.0 - bubble) + pp_s + dp_s; }
};

// Collective times on one cluster, cached by (kind, first rank, stride, size, bytes).
class CollectiveClock {
public:
    explicit CollectiveClock(const topology::Cluster& cluster) : planner_(cluster) {}
    // Time of `kind` over `size` ranks starting at rank 0 with stride `stride`, `bytes` as the
    // trace gives them; 0 for size < 2 or bytes <= 0.
    double time(models::CollectiveKind kind, int size, int stride, double bytes);

private:
    models::CollectivePlanner planner_;
    std::map<std::tuple<int, int, int, double>, double> cache_;
};

// `config` as read by read_training_config (default rank order); `gpu` the cluster's GPU type.
[[nodiscard]] StepEstimate estimate_step(const models::TrainingConfig& config, const topology::GpuType& gpu,
                                         CollectiveClock& clock);

} // namespace twin::sweep
