#include "finite_checks.hpp"

#include "twin/core/error.hpp"

#include <fmt/format.h>
#include <limits>

namespace twin::sim {

void check_duration(double seconds, const std::string& file, const models::Op& op, const char* what) {
    if (!(seconds >= 0.0 && seconds <= kMaxDurationS)) {
        throw InputError(file, op.pointer,
                         fmt::format("{} of {:g} s is not a duration in [0, {:g} s]: check the rates, "
                                     "efficiencies and sizes of \"{}\" and of the hardware it runs on",
                                     what, seconds, kMaxDurationS, op.name));
    }
}

void check_plan(const models::CollectivePlan& plan, const std::string& file, const models::Op& op) {
    check_duration(plan.base_latency_s, file, op, "base latency");
    for (const auto& phase : plan.phases) {
        check_duration(phase.extra_latency_s, file, op, "phase latency");
        for (const auto& f : phase.flows) {
            const double bytes = f.bytes.value() * phase.byte_factor;
            if (!(bytes >= 0.0 && bytes <= kMaxFlowBytes)) {
                throw InputError(file, op.pointer,
                                 fmt::format("a flow of {:g} bytes of \"{}\" is not a size in [0, {:g}] bytes", bytes,
                                             op.name, kMaxFlowBytes));
            }
        }
    }
}

void check_caps(const std::vector<PhaseCaps>& caps, const std::string& file, const models::Op& op) {
    for (const auto& c : caps) {
        check_duration(c.min_time_s, file, op, "phase time");
        for (double r : c.rate) {
            if (!(r >= 0.0 && r < std::numeric_limits<double>::infinity())) {
                throw InputError(file, op.pointer,
                                 fmt::format("a flow rate of {:g} B/s of \"{}\" is not finite", r, op.name));
            }
        }
    }
}

} // namespace twin::sim
