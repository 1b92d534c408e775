// Small types the parts of the engine share (see engine.hpp for the execution semantics): where a
// step sits in a rank's program, who waits in a collective or transfer, and a plan as the network
// sees it. Plain data; no part owns another.
#pragma once

#include "flow_player.hpp"
#include "fluid.hpp"
#include "link_accounting.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/trace.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twin::sim {

// A step of a running block instance (frame) of a rank's program (ProgramState).
struct OpRef {
    int frame = 0;
    int step = 0;
};

// A rank waiting in a collective or transfer since it arrived.
struct Pending {
    OpRef op;
    int rank = 0;
    double since = 0.0; // arrival time
};

// A rank is simulated unless a folded run stands it in by another rank's image.
[[nodiscard]] inline bool is_simulated(const models::Fold& fold, int rank) {
    return !fold.active || fold.simulated[static_cast<std::size_t>(rank)] != 0;
}

// A phase of a folded plan as FluidSolver sees it: all its flows, images included.
struct FoldedPhase {
    FluidPhase phase;
    std::vector<double> latency;         // per flow, seconds
    std::vector<std::uint8_t> simulated; // per flow: 1 when its source GPU is simulated (played)
    std::optional<PhaseCaps> isolated;   // solved alone, once needed
};

// A plan as the network sees it — with its images in a folded run — analysed once: routes,
// per-phase estimate and bound, link bytes are pure functions of the plan (ECMP hashes the pair;
// adaptive routing starts every phase from an empty fabric), so a plan launched a thousand times
// (every layer, every micro-batch) is routed once and its link bytes counted per launch.
struct Played {
    std::shared_ptr<const models::CollectivePlan> plan;
    std::shared_ptr<std::vector<PhaseRoutes>> routes;   // per phase; empty unless routing is adaptive
    std::shared_ptr<const std::vector<PhaseCaps>> caps; // per phase, folded runs only (see fold_plan)
    std::vector<FoldedPhase> fluid;                     // per phase, folded runs only
    std::size_t index = 0;                              // creation order
    std::vector<double> estimate_s;                     // per phase, for attributing time to tiers
    std::vector<std::string> bound;                     // per phase: tier of its bottleneck link
    LinkBytes link_bytes;                               // per launch, merged
    std::int64_t flows = 0;                             // per launch, handed to SimGrid
    std::int64_t image_flows = 0;                       // per launch, solved by FluidSolver (folded)
    std::int64_t launches = 0;
    bool fluid_timed = false;       // unfolded run: every flow timed by FluidSolver, none played
    std::vector<int> scale_up_gpus; // GPUs with flows inside their node (own flows)
    std::string label;              // "ring/simple" ("" for a transfer)
};

} // namespace twin::sim
