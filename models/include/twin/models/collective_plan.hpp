// Collectives decomposed into flows, one flow per peer per phase (never per chunk), with the
// algorithm and protocol chosen the way NCCL chooses them. Equations, constants and sources are
// in models/src/collective_*.cpp; the user-facing description is in models/README.md.
//
// Execution contract with sim/: the phases of a plan run one after the other. A phase starts all
// its flows at once in the flow model (they share links by max-min fairness); each flow carries
// `bytes * byte_factor` (byte_factor >= 1 stands for protocol and algorithm overheads that the
// wire does not see as bandwidth); when the last flow of the phase ends, the phase waits
// `extra_latency_s` (the latency of the algorithm's remaining steps that a single flow does not
// pay: (steps - 1) x per-step latency). The plan's `base_latency_s` is paid once, before the first
// phase (kernel launch and protocol set-up).
#pragma once

#include "twin/core/units.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace twin::models {

struct Flow {
    int src_gpu = 0;
    int dst_gpu = 0;
    Bytes bytes;
};

struct CollectivePhase {
    std::string label; // "intra-node reduce-scatter", "inter-node all-reduce (per rail)", ...
    std::vector<Flow> flows;
    int steps = 1;              // sequential algorithm steps the phase stands for
    double byte_factor = 1.0;   // >= 1: flows carry bytes * byte_factor
    double extra_latency_s = 0; // waited after the phase's flows end
};

struct CollectivePlan {
    Algorithm algorithm = Algorithm::Ring; // never Auto
    Protocol protocol = Protocol::Simple;  // never Auto
    std::vector<CollectivePhase> phases;
    double base_latency_s = 0.0;
    double estimate_s = 0.0; // the planner's analytic time without contention (what Auto minimises)
};

// Why a requested algorithm cannot run (e.g. NVLS on a GPU without NVLink SHARP, tree for an
// all-gather): thrown by plan_collective; the engine turns it into an InputError at the op.
class UnsupportedAlgorithm : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {
class Estimator;
}

// Plans collectives on one cluster, reusing its scratch buffers (one load entry per directed link)
// across calls: the simulator plans many collectives and must not allocate per call.
class CollectivePlanner {
public:
    explicit CollectivePlanner(const topology::Cluster& cluster);
    ~CollectivePlanner();
    CollectivePlanner(const CollectivePlanner&) = delete;
    CollectivePlanner& operator=(const CollectivePlanner&) = delete;

    // See plan_collective.
    [[nodiscard]] CollectivePlan plan(CollectiveKind kind, const std::vector<int>& members, Bytes size, int root,
                                      Algorithm algorithm = Algorithm::Auto, Protocol protocol = Protocol::Auto);

private:
    const topology::Cluster& cluster_;
    std::unique_ptr<detail::Estimator> estimator_;
};

// `members`: GPU of each communicator member, in communicator order (position 0 first).
// `root`: broadcast root's position. Requires members.size() >= 2 and size > 0.
// With Algorithm::Auto / Protocol::Auto the planner evaluates every applicable combination and
// keeps the one with the smallest estimate (ties: the order of the enums).
[[nodiscard]] CollectivePlan plan_collective(CollectiveKind kind, const std::vector<int>& members, Bytes size, int root,
                                             const topology::Cluster& cluster, Algorithm algorithm = Algorithm::Auto,
                                             Protocol protocol = Protocol::Auto);

// Every (algorithm, protocol) the planner can use for this collective on these members.
[[nodiscard]] std::vector<std::pair<Algorithm, Protocol>>
applicable_algorithms(CollectiveKind kind, const std::vector<int>& members, const topology::Cluster& cluster);

// nccl-tests' bus-bandwidth factor: busbw = algbw * factor (all-reduce 2(n-1)/n, all-gather and
// reduce-scatter (n-1)/n, all-to-all (n-1)/n, broadcast 1).
[[nodiscard]] double busbw_factor(CollectiveKind kind, int n);

} // namespace twin::models
