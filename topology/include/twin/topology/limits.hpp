// Resource budgets: what a scenario may ask of this machine before anything big is built.
//
// A typo ("count": 10000000, "repeat": 1099511627776, "global_batch": 2^40) used to make the
// loader or the engine run for hours or exhaust memory. Each budget is checked on an estimate
// made before the expensive part, and an InputError names the input, its pointer, the estimate,
// the limit and how to lift it (the CLI's --no-limits, --max-gpus, --max-ops).
//
//   max_gpus            GPUs in the topology (nodes x GPUs per node), checked before the graph is
//                       built. Loading costs about 0.7 GB of memory per million GPUs (the 1M
//                       rung: 0.69 GB peak for `clustertwin info`); 2^21 = 2,097,152 is twice
//                       the largest benchmark rung (1,000,000 GPUs).
//   max_links           Links of the graph, estimated per node group before building as
//                       nodes x (GPUs + 4 x NIC ports): 2^25 = 33,554,432 (the 1M rung has 8.0M).
//   max_pipeline_units  Micro-batches x pipeline stages x virtual stages of a generated training
//                       step (the schedule is generated unit by unit, ~0.4 ms each): 2^16 = 65,536.
//   max_ops             Operations the engine executes: ops of each simulated rank's program with
//                       every repeat expanded, summed over the simulated ranks (after folding):
//                       2^32 = 4,294,967,296 (the 1M rung: 2.9e9 before folding).
// Here (in the lowest module that checks one) so that every layer reads the same values.
#pragma once

#include <cstdint>
#include <limits>

namespace twin::topology {

struct Limits {
    std::int64_t max_gpus = std::int64_t{1} << 21;
    std::int64_t max_links = std::int64_t{1} << 25;
    std::int64_t max_pipeline_units = std::int64_t{1} << 16;
    std::int64_t max_ops = std::int64_t{1} << 32;

    // No budget at all (the hard format limits of each reader still apply).
    [[nodiscard]] static Limits none() {
        constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
        return Limits{kMax, kMax, kMax, kMax};
    }
};

// How to lift a limit, for messages: "; raise it with --max-gpus N or lift all limits with --no-limits".
inline constexpr const char* kLimitsHint = "lift all limits with --no-limits";

} // namespace twin::topology
