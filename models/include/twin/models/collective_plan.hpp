// Collectives decomposed into flows, one flow per peer per phase (never per chunk).
//
// Algorithms (n members, buffer S, per-direction bandwidth B of the slowest hop, per-step latency a):
//   ring all-reduce      every member sends 2(n-1)/n * S to its ring successor; the algorithm has
//                        2(n-1) steps:  T = 2(n-1)/n * S/B + 2(n-1) * a
//   ring all-gather      output S: each member sends (n-1)/n * S;  T = (n-1)/n * S/B + (n-1) * a
//   ring reduce-scatter  input S: same volume and steps as all-gather
//   pipelined broadcast  chain from the root: every member but the last forwards S;
//                        T = S/B + (n-1) * a (pipelined chunks, the chain fills once)
//   direct all-to-all    each member sends S/(n-1) to every other member at once; 1 step
//   hierarchical (members spread evenly over m > 1 nodes, g > 1 per node) — NCCL's scheme:
//     all-reduce      = intra-node ring reduce-scatter (S)  -> inter-node ring all-reduce of S/g
//                       among the GPUs of equal local index (one ring per rail) -> intra-node
//                       ring all-gather (S)
//     all-gather      = inter-node ring all-gather of S/g per rail -> intra-node ring all-gather (S)
//     reduce-scatter  = intra-node ring reduce-scatter (S) -> inter-node ring reduce-scatter of S/g
// Sources: Patarasuk & Yuan, "Bandwidth optimal all-reduce algorithms for clusters of
// workstations", JPDC 2009 (ring volume 2(n-1)/n*S); NCCL's ring and hierarchical algorithms
// (nccl-tests doc/PERFORMANCE.md for algbw/busbw). Each phase's flows run concurrently and share
// the fabric in the flow model; the simulator pays a phase's latency once per step.
#pragma once

#include <string>
#include <vector>

#include "twin/core/units.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::models {

struct Flow {
    int src_gpu = 0;
    int dst_gpu = 0;
    Bytes bytes;
};

struct CollectivePhase {
    std::string label;   // "intra-node reduce-scatter", "inter-node all-reduce (per rail)", ...
    std::vector<Flow> flows;
    int steps = 1;       // sequential algorithm steps the phase stands for (latency paid per step)
};

struct CollectivePlan {
    std::string algorithm; // "ring", "hierarchical-ring", "pipeline", "direct"
    std::vector<CollectivePhase> phases;
};

// `members`: GPU of each communicator member, in communicator order (position 0 first).
// `root`: broadcast root's position. Requires members.size() >= 2 and size > 0.
[[nodiscard]] CollectivePlan plan_collective(CollectiveKind kind, const std::vector<int>& members, Bytes size,
                                             int root, const topology::Cluster& cluster);

// nccl-tests' bus-bandwidth factor: busbw = algbw * factor (all-reduce 2(n-1)/n, all-gather and
// reduce-scatter (n-1)/n, all-to-all (n-1)/n, broadcast 1).
[[nodiscard]] double busbw_factor(CollectiveKind kind, int n);

} // namespace twin::models
