#include "twin/sim/budget.hpp"

#include "twin/core/error.hpp"
#include "twin/models/fold.hpp"
#include "twin/topology/limits.hpp"

#include <fmt/format.h>
#include <limits>

namespace twin::sim {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    return b > kMax - a ? kMax : a + b;
}

std::int64_t saturating_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? kMax : r;
}

// Where a class's program is in the trace file: the pointer of its first op up to "/program".
std::string program_pointer(const models::Block& program) {
    for (const auto& step : program.body) {
        if (const auto* op = std::get_if<models::Op>(&step)) {
            const auto at = op->pointer.find("/program");
            return at == std::string::npos ? std::string() : op->pointer.substr(0, at + 8);
        }
        const auto inner = program_pointer(std::get<models::Block>(step));
        if (!inner.empty()) {
            return inner;
        }
    }
    return {};
}

} // namespace

std::int64_t estimate_ops(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    std::int64_t unfolded = 0;
    for (const auto& c : trace.classes) {
        unfolded = saturating_add(
            unfolded, saturating_mul(static_cast<std::int64_t>(c.ranks.size()), models::count_ops(c.program)));
    }
    if (unfolded <= options.max_ops || options.unfolded || options.no_fold) {
        return unfolded; // within the budget anyway, or every rank runs
    }
    // Folding runs only the ranks of the simulated replicas (the engine plans the same fold).
    const auto fold = models::plan_fold(trace, cluster);
    if (!fold.active) {
        return unfolded;
    }
    std::int64_t simulated = 0;
    for (std::size_t r = 0; r < trace.class_of_rank.size(); ++r) {
        const int cls = trace.class_of_rank[r];
        if (cls >= 0 && fold.simulated[r] != 0) {
            simulated =
                saturating_add(simulated, models::count_ops(trace.classes[static_cast<std::size_t>(cls)].program));
        }
    }
    return simulated;
}

void check_budget(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    const std::int64_t ops = estimate_ops(cluster, trace, options);
    if (ops <= options.max_ops) {
        return;
    }
    // Name the class whose ranks execute the most.
    const models::RankClass* largest = nullptr;
    std::int64_t most = -1;
    for (const auto& c : trace.classes) {
        const auto n = saturating_mul(static_cast<std::int64_t>(c.ranks.size()), models::count_ops(c.program));
        if (n > most) {
            most = n;
            largest = &c;
        }
    }
    throw InputError(trace.file, largest != nullptr ? program_pointer(largest->program) : std::string(),
                     fmt::format("the run would execute {} operations (every repeat expanded, over the simulated "
                                 "ranks; rank class \"{}\" the most), above the limit of {}; raise it with --max-ops N "
                                 "or {}",
                                 ops == kMax ? std::string("more than 9.2e18") : std::to_string(ops),
                                 largest != nullptr ? largest->name : std::string(), options.max_ops,
                                 topology::kLimitsHint));
}

} // namespace twin::sim
