// Folding symmetric data-parallel replicas (DESIGN.md, "Symmetry"): thousands of data-parallel
// replicas run the same program on structurally identical hardware, so the simulator runs the
// programs of a few of them and lets each simulated rank stand for its images in the others.
//
// Definitions. F is the folded family (the data-parallel one). Position k of an F communicator c
// is c's replica k. F's communicators have |c| members each; sizes differ when jobs of different
// data-parallel sizes share the run (models/jobs.hpp merges their "dp" families into one F). The
// run is cut into M blocks, M dividing every |c|: communicator c has R_c = |c| / M positions per
// block, block m of c holds its positions [m·R_c, (m+1)·R_c), and a rank's block is that of its
// position in its F communicator. Block 0 is simulated and there are M blocks. The image of the
// rank r at position p of its F communicator c in block m is c[p mod R_c + m·R_c]. With one size D
// (one workload, or jobs of equal data-parallel sizes) every R_c is R = D / M: blocks of R
// consecutive replicas, and the image of replica j's rank in block m is replica j + m·R. Every
// other family G must be, for the chosen M, either
//   - internal: each communicator lies inside one block (tensor, pipeline, context parallelism).
//     Its collectives and transfers are simulated for block 0, and every flow they hand to the
//     network is also played for each image (src, dst) -> (image_m(src), image_m(dst)), so the
//     fabric carries the whole cluster's traffic; or
//   - spanning: each communicator has the same number of members (>= 1) in every block (the
//     folded family itself, expert-data-parallel groups). Its collectives start when the members in
//     block 0 arrive (the others arrive at the same time by symmetry) and play the plan of the
//     whole communicator.
// M is the largest divisor (>= 2) of gcd_c |c| for which every family is internal or spanning and
// every check below passes (fewest simulated ranks); with one size that is R = D / M the smallest
// such divisor of D (expert parallelism over data-parallel ranks makes R = ep). Sizes with gcd 1
// (data-parallel sizes 4 and 7) leave the run unfolded. Folding is valid only if the images
// preserve everything the simulation looks at; plan_fold checks, for every rank of block 0 and
// every block m:
//   class(image) = class(r), GPU type(image) = GPU type(r), ranks sharing a node have images sharing
//   a node, each communicator of every family maps onto one communicator with positions kept, and
//   every transfer's peer maps to the image's peer. So a block must not split a node: with two
//   replicas per node (TP 4, dp before pp) a job of DP 6 cut into blocks of R_c = 3 fails. A failed
//   check rules that M out and the next smaller one is tried (each try costs O(ranks x families));
//   when none is left the run is unfolded and the report says why (the failure at the largest M
//   that classified). What folding assumes without checking: the fabric
//   treats images alike (rail-optimized fat-trees place replicas on equivalent leaves); the tests
//   tests/cli/fold_test.cpp and tests/cli/jobs_test.cpp compare step times folded and unfolded.
// Reported: D = max |c| (Fold::replicas) and R = D / M (Fold::block); each communicator has 1 / M
// of its replicas in a block, so simulated / total replicas is the same for every job.
//
// ECMP. Images are not scaled copies of the simulated flows: image_plan lists each image flow with
// its own (src, dst), and the engine routes it like any flow (topology::Cluster::route, the same
// seed-salted pair hash as the unfolded run), so a folded plan's flows collide on exactly the
// links where the unfolded cluster's do, seed by seed, and the fluid solver shares those links
// among them. No statistical stand-in (an expected balls-into-bins load factor) is needed for
// collisions inside a plan or among plans that start together; what folding misses is contention
// with images of groups that started earlier (sim/README.md, "Shortcuts").
//
// Partial folding (src/fold_partial.cpp). A straggler (models/stragglers.hpp) breaks the symmetry
// in a few replicas only. After the checks above (structure: programs, types, placement,
// communicators, peers), blocks are grouped by their GPUs' speeds and one block of each group is
// simulated and stands for the other blocks of its group (its images). Two equivalences:
//   - exact: blocks with the same speed at each of block 0's rank positions; the first block of a
//     group stands for it, so block 0 stands for every block without a straggler and each block
//     with one is simulated unless another has the same stragglers in the same places. Used when
//     it leaves at most kExactGroupCap groups;
//   - slowest synchronisation class, otherwise: blocks whose slowest GPU has the same speed and
//     lies in the same synchronisation class (the ranks that meet at the collectives of the
//     families internal to a block: an LLM's pipeline stage) form a group, stood for by its member
//     with the largest delay (sum over classes of 1 / slowest speed - 1), so the slowest replica
//     is simulated itself. Members differ from their stand-in only by slow GPUs outside the class
//     that keys the group; such a slow stage adds about (1/s - 1) t_stage once to a 1F1B
//     replica's critical path of m + p - 1 stage slots (0.3 % for s = 0.9 on the 100k rung, m = 16,
//     p = 20), and only the slowest replica sets the step. Per-GPU figures of an image are its
//     stand-in's: they err on the slow side (src/fold_partial.cpp).
// Simulated blocks run their own programs; a spanning collective waits for the members of every
// simulated block and plays the whole communicator (the flows of simulated GPUs in SimGrid, the
// others in the fluid solver), so the synchronous data-parallel step waits for the slowest
// replica; an internal plan of a simulated block is played with that block's images only. Every
// simulated rank counts for 1 + its images in the per-GPU figures (weight). When every block
// differs the run is not folded (the fluid-timed unfolded run is cheaper than a fold that folds
// nothing). What partial folding misses: the images of one simulated block are not seen by groups
// of another block that run at other instants (contention across instants is seen among simulated
// flows only, as above).
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
    int replicas = 1;                   // D = max |c| over F's communicators (all of them when sizes are equal)
    int block = 1;                      // R = D / M: its replicas per block (R_c = |c| / M for each c)
    int blocks = 1;                     // M: each simulated rank stands for M GPUs (symmetric run)
    std::vector<std::uint8_t> spanning; // per family: 1 when spanning (see above), 0 internal
    // Per family and communicator: members in block 0 (the members a collective waits for).
    std::vector<std::vector<std::int32_t>> simulated_members;
    std::vector<std::uint8_t> simulated; // per rank: 1 when its program is run
    // Partial folding (above): per block, the simulated block that stands for it (itself when
    // simulated); per block, the other blocks it stands for (empty unless simulated); per rank, the
    // GPUs it stands for (1 + its block's images; 0 when not simulated).
    std::vector<std::int32_t> stand_in;
    std::vector<std::vector<std::int32_t>> images;
    std::vector<std::int32_t> weight;
    int simulated_blocks = 1;
    std::string grouping = "exact"; // the equivalence used: "exact" or "slowest synchronisation class"

    // The block of a rank of the folded family: its position in its F communicator c over R_c.
    [[nodiscard]] int block_of(const Trace& trace, int rank) const;
    // The rank at `rank`'s place in block m (0 <= m < blocks): c[p mod R_c + m·R_c] for position p
    // of c; `rank` itself in its own block.
    [[nodiscard]] int image(const Trace& trace, int rank, int m) const;
};

// Exact grouping is used while it leaves at most this many simulated blocks. Each simulated block
// costs about one symmetric run's event loop (the 100k rung: ~1.5 s of CPU per 160-rank block,
// README "Performance"), so 16 keeps a partially folded run within ~2-3x the symmetric one; past
// it, the coarse grouping leaves at most (synchronisation classes x distinct speeds + 1) groups.
inline constexpr int kExactGroupCap = 16;

// Groups the blocks of a fold that passed the structural checks by their GPUs' speeds (partial
// folding, above) and sets stand_in, images, simulated, weight, simulated_blocks and grouping.
// Leaves the fold inactive, with the reason, when every block differs.
void group_blocks(Fold& fold, const Trace& trace, const topology::Cluster& cluster,
                  int max_exact_groups = kExactGroupCap);

// The synchronisation class (numbered 0.. by first position) of each of `base`, block 0's ranks in
// rank order: union-find over the communicators of the families that a collective op uses and
// that are internal to a block (src/fold_partial.cpp).
[[nodiscard]] std::vector<int> sync_classes(const Fold& fold, const Trace& trace, const std::vector<int>& base);

// `plan` (flows among ranks of one simulated block b) with every flow also played for each image
// of b: phase by phase, the flows of b followed by those of its images in block order.
[[nodiscard]] CollectivePlan image_plan(const CollectivePlan& plan, const Fold& fold, const Trace& trace);

// Chooses the folded family (the one the workload marks "dp", else one named "dp") and M, and
// checks the symmetry conditions above. Never throws on a trace that is not foldable: returns an
// inactive Fold with the reason.
// `max_exact_groups`: see group_blocks.
[[nodiscard]] Fold plan_fold(const Trace& trace, const topology::Cluster& cluster,
                             int max_exact_groups = kExactGroupCap);

} // namespace twin::models
