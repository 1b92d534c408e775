// Folding symmetric data-parallel replicas (DESIGN.md, "Symmetry"): thousands of data-parallel
// replicas run the same program on structurally identical hardware, so the simulator runs the
// programs of a few of them and lets each simulated rank stand for its images in the others.
//
// Definitions. F is the folded family (the data-parallel one); all its communicators have D members
// and position k of every F communicator forms replica k. Replicas are grouped into blocks of R
// consecutive replicas (R divides D); block 0 (replicas 0..R-1) is simulated and there are
// M = D / R blocks. The image of a rank r of block 0 (replica j) in block m is member j + m·R of r's
// F communicator. Every other family G must be, for the chosen R, either
//   - internal: each communicator lies inside one block (tensor, pipeline, context parallelism).
//     Its collectives and transfers are simulated for block 0, and every flow they hand to the
//     network is also played for each image (src, dst) -> (image_m(src), image_m(dst)), so the
//     fabric carries the whole cluster's traffic; or
//   - spanning: each communicator has the same number of members (>= 1) in every block (the
//     folded family itself, expert-data-parallel groups). Its collectives start when the members in
//     block 0 arrive (the others arrive at the same time by symmetry) and play the plan of the
//     whole communicator.
// R is the smallest divisor of D that makes every family internal or spanning (expert parallelism
// over data-parallel ranks makes R = ep). Folding is valid only if the images preserve everything
// the simulation looks at; plan_fold checks, for every rank of block 0 and every block m:
//   class(image) = class(r), GPU type(image) = GPU type(r), ranks sharing a node have images sharing
//   a node, each communicator of every family maps onto one communicator with positions kept, and
//   every transfer's peer maps to the image's peer. Any failed check leaves the run unfolded and
//   says why. What folding assumes without checking: the fabric treats images alike (rail-optimized
//   fat-trees place replicas on equivalent leaves); the test tests/cli/fold_test.cpp compares step
//   times folded and unfolded.
//
// ECMP. Images are not scaled copies of the simulated flows: image_plan lists each image flow with
// its own (src, dst), and the engine routes it like any flow (topology::Cluster::route, the same
// seed-salted pair hash as the unfolded run), so a folded plan's flows collide on exactly the
// links where the unfolded cluster's do, seed by seed, and the fluid solver shares those links
// among them. No statistical stand-in (an expected balls-into-bins load factor) is needed for
// collisions inside a plan or among plans that start together; what folding misses is contention
// with images of groups that started earlier (sim/README.md, "Shortcuts").
//
// Cost: the programs of N/M ranks instead of N. The network sees images too, but SimGrid does not:
// the engine solves each plan with its images once (sim/src/fluid.hpp) and plays only block 0's flows.
#pragma once

#include "twin/models/collective_plan.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/cluster.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace twin::models {

struct Fold {
    bool active = false;
    std::string reason;                 // why the run is not folded (when !active)
    int family = -1;                    // F, index into Trace::groups
    int replicas = 1;                   // D
    int block = 1;                      // R: replicas simulated
    int blocks = 1;                     // M = D / R: each simulated rank stands for M GPUs
    std::vector<std::uint8_t> spanning; // per family: 1 when spanning (see above), 0 internal
    // Per family and communicator: members in block 0 (the members a collective waits for).
    std::vector<std::vector<std::int32_t>> simulated_members;
    std::vector<std::uint8_t> simulated; // per rank: 1 when its program is run

    // Image of rank `rank` of block 0 in block m (0 <= m < blocks); `rank` itself for m == 0.
    [[nodiscard]] int image(const Trace& trace, int rank, int m) const;
};

// `plan` (flows among ranks of block 0) with every flow also played for each image: phase by
// phase, the flows of block 0 followed by those of block 1, 2, ... (M times the flows).
[[nodiscard]] CollectivePlan image_plan(const CollectivePlan& plan, const Fold& fold, const Trace& trace);

// Chooses the folded family (the one the workload marks "dp", else one named "dp") and R, and
// checks the symmetry conditions above. Never throws on a trace that is not foldable: returns an
// inactive Fold with the reason.
[[nodiscard]] Fold plan_fold(const Trace& trace, const topology::Cluster& cluster);

} // namespace twin::models
