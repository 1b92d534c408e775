// Shared internals of the collective planner (models/src/collective_*.cpp): the communicator's
// shape on the cluster, the per-step latencies, the analytic estimator and one builder per
// algorithm. Not installed.
#pragma once

#include "twin/models/collective_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::models::detail {

// Where a communicator's members sit.
struct Shape {
    int n = 0;                           // members
    std::vector<std::vector<int>> nodes; // member GPUs per node; nodes by first appearance, GPUs in communicator order
    int m = 0;                           // nodes
    int min_per_node = 0;
    bool even = false;               // every node holds the same number of members
    int g = 0;                       // members per node when even, else 0
    bool all_nvls = false;           // every member's GPU has NVLink SHARP
    bool all_nvlink = false;         // every member's GPU has a scale-up (NVLink) port
    std::string no_nvls_gpu;         // a member's GPU type without NVLS ("" when all_nvls)
    double scaleup_efficiency = 1.0; // smallest over the members' GPU types
    bool nvlink5 = false;            // every member's NVLink runs >= kNvlink5BytesPerS per direction
};
[[nodiscard]] Shape make_shape(const std::vector<int>& members, const topology::Cluster& cluster);

// Analytic time of flows that start together (the estimator behind CollectivePlan::estimate_s;
// equations in collective_plan.cpp): a flow lasts its route latency + the longest time any link of
// its route needs for all the phase's bytes crossing it in that direction.
class Estimator {
public:
    explicit Estimator(const topology::Cluster& cluster);
    struct Result {
        double time_s = 0.0;        // max over flows of latency + transfer
        double transfer_s = 0.0;    // max over flows of transfer only
        double min_bandwidth = 0.0; // smallest flow bandwidth [B/s]
    };
    [[nodiscard]] Result flows(const std::vector<Flow>& flows, double byte_factor);
    // base latency + sum over phases of (flows + extra latency).
    [[nodiscard]] double plan(const CollectivePlan& plan);

private:
    const topology::Cluster& cluster_;
    std::vector<double> load_; // bytes per (link, direction): index 2 link + up
    std::vector<topology::Hop> hops_;
    std::vector<std::size_t> offsets_;
};

// Per-step latencies [s] of an algorithm/protocol (collective_tuning.hpp).
struct StepLatency {
    double base_s = 0.0;
    double intra_s = 0.0; // a step inside a node (NVLink)
    double inter_s = 0.0; // a step across the fabric
};
[[nodiscard]] StepLatency step_latency(Algorithm a, Protocol p, const Shape& shape);

// Why `algorithm` cannot run `kind` on this shape, or nullopt when it can.
[[nodiscard]] std::optional<std::string> why_not(CollectiveKind kind, Algorithm algorithm, const Shape& shape);
// Protocols `algorithm` can use on this shape, in enum order.
[[nodiscard]] std::vector<Protocol> protocols_of(Algorithm algorithm, const Shape& shape);

// Fraction of the Simple protocol's bandwidth (collective_tuning.hpp).
[[nodiscard]] double protocol_bandwidth_factor(Algorithm a, Protocol p, CollectiveKind kind, const Shape& shape);

// Ring volume factor (bytes each member sends, per byte of `size`) and step count.
// Appends one flow per member to its successor in `ring` (the last wraps to the first).
void add_ring(const std::vector<int>& ring, Bytes per_flow, std::vector<Flow>& out);
[[nodiscard]] double ring_volume(CollectiveKind kind, int n);
[[nodiscard]] int ring_steps(CollectiveKind kind, int n);

// Flows of the one-phase ring (flat, or one ring per rail across evenly spread nodes).
[[nodiscard]] std::vector<Flow> ring_flows(CollectiveKind kind, const std::vector<int>& members, const Shape& shape,
                                           Bytes size);
// Edges (child, parent) over node positions 0..m-1 of the double binary tree; tree 0 then tree 1.
[[nodiscard]] std::vector<std::pair<int, int>> double_tree_edges(int m, int tree);
// Inter-node flows of a double binary tree over the nodes, one tree per channel c (GPU c of
// each node is its channel's head), each tree carrying half of `per_channel`, both directions
// (reduce up, broadcast down); flows between the same GPUs are merged.
[[nodiscard]] std::vector<Flow> tree_inter_flows(const Shape& shape, int channels, Bytes per_channel);
// NVLS efficiency eta = algbw / NVLink line rate of an n-GPU NVLS all-reduce (collective_tuning.hpp):
// Hopper's fit, or e5 n/(n+1) on NVLink5.
[[nodiscard]] double nvls_eta(int n, bool nvlink5);
// NVLS pipeline fill [s]: n x kNvlsFillPerRankUs on NVLink5 or beyond kNvlsFitMaxN GPUs, else 0.
[[nodiscard]] double nvls_fill_s(int n, bool nvlink5);

// Builders: `protocol` is never Auto; the estimate is filled by the caller.
[[nodiscard]] CollectivePlan plan_ring(CollectiveKind kind, const std::vector<int>& members, const Shape& shape,
                                       Bytes size, Protocol protocol);
[[nodiscard]] CollectivePlan plan_hierarchical(CollectiveKind kind, const Shape& shape, Bytes size);
[[nodiscard]] CollectivePlan plan_tree(const Shape& shape, Bytes size, Protocol protocol);
[[nodiscard]] CollectivePlan plan_nvls(const std::vector<int>& members, const Shape& shape, Bytes size);
[[nodiscard]] CollectivePlan plan_nvls_tree(const Shape& shape, Bytes size);
[[nodiscard]] CollectivePlan plan_pipeline(const std::vector<int>& members, const topology::Cluster& cluster,
                                           Bytes size, int root, Estimator& est);
[[nodiscard]] CollectivePlan plan_direct(const std::vector<int>& members, const topology::Cluster& cluster, Bytes size);
[[nodiscard]] CollectivePlan plan_pairwise(const std::vector<int>& members, const topology::Cluster& cluster,
                                           Bytes size);

} // namespace twin::models::detail
