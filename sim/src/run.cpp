#include "twin/sim/run.hpp"

#include "engine.hpp"
#include "large_stack.hpp"
#include "platform.hpp"
#include "power_accounting.hpp"
#include "sanitizers.hpp"
#include "twin/sim/budget.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <optional>
#include <simgrid/s4u/Engine.hpp>
#include <xbt/log.h>

// GCC says __SANITIZE_ADDRESS__ under -fsanitize=address; clang says __has_feature(address_sanitizer).

namespace twin::sim {

namespace {

// Hands every event to two observers; a compute op runs at the lower of their speeds.
class TeeObserver final : public ActivityObserver {
public:
    TeeObserver(ActivityObserver& a, ActivityObserver& b) : a_(a), b_(b) {}
    void state_changed(int rank, double time_s, GpuState state, double sm_activity) override {
        a_.state_changed(rank, time_s, state, sm_activity);
        b_.state_changed(rank, time_s, state, sm_activity);
    }
    double compute_speed(int rank, double time_s) override {
        return std::min(a_.compute_speed(rank, time_s), b_.compute_speed(rank, time_s));
    }
    void stands_for(int rank, const std::vector<int>& gpus) override {
        a_.stands_for(rank, gpus);
        b_.stands_for(rank, gpus);
    }
    void finished(double time_s) override {
        a_.finished(time_s);
        b_.finished(time_s);
    }

private:
    ActivityObserver& a_;
    ActivityObserver& b_;
};

} // namespace

// run_trace on the calling thread.
static RunResult run_trace_here(const topology::Cluster& cluster, const models::Trace& trace,
                                const RunOptions& options);

// The power and cooling accounting watches every run of a scenario (and may throttle it); a
// caller's own observer sees the same events.
RunResult run_scenario(const models::Scenario& scenario, const RunOptions& options) {
    PowerAccounting power(scenario.cluster, scenario.facility);
    std::optional<TeeObserver> tee;
    RunOptions o = options;
    if (options.observer != nullptr) {
        tee.emplace(power, *options.observer);
        o.observer = &*tee;
    } else {
        o.observer = &power;
    }
    RunResult result = run_trace(scenario.cluster, scenario.trace, o);
    result.power = power.result();
    return result;
}

RunResult run_trace(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    // SimGrid's sharing update recurses once per link direction of a connected set of flows:
    // large fabrics need more than the main thread's stack (large_stack.hpp).
    RunResult result;
    on_large_stack(simgrid_stack_bytes(cluster.links().size()),
                   [&] { result = run_trace_here(cluster, trace, options); });
    return result;
}

static RunResult run_trace_here(const topology::Cluster& cluster, const models::Trace& trace,
                                const RunOptions& options) {
    const auto wall_start = std::chrono::steady_clock::now();
    check_budget(cluster, trace, options);
    // Only warnings and worse from SimGrid; its INFO lines would mix with our report.
    xbt_log_control_set("root.thresh:warning");
    char name[] = "clustertwin";
#if TWIN_HAS_ASAN
    // AddressSanitizer cannot follow SimGrid's hand-written context switches: an actor ended by
    // SimGrid's exception runs on a stack ASan does not know, which it reports on stderr ("ASan is
    // ignoring requested __asan_handle_no_return", depending on where the stack was mapped) and
    // follows with false stack errors. In an ASan build, and only there, actors run as threads,
    // each on a stack ASan knows, with room for ASan's larger frames. The context factory is chosen
    // while the engine is built, so it comes on the engine's command line (set_config after it is
    // too late, and silently ignored).
    char factory[] = "--cfg=contexts/factory:thread";
    char stack[] = "--cfg=contexts/stack-size:1024";
    int argc = 3;
    char* argv[] = {name, factory, stack, nullptr};
#else
    int argc = 1;
    char* argv[] = {name, nullptr};
#endif
    simgrid::s4u::Engine engine(&argc, argv);
    // A GPU fabric is not TCP: CM02 without LV08's TCP factors, without reverse cross-traffic and
    // without the TCP-window bound, with a large weight-S so that max-min sharing is exact
    // (K flows on a link of bandwidth B get B/K). See ../shared DESIGN notes, kept in README.
    simgrid::s4u::Engine::set_config("network/model:CM02");
    simgrid::s4u::Engine::set_config("network/crosstraffic:0");
    simgrid::s4u::Engine::set_config("network/TCP-gamma:0");
    simgrid::s4u::Engine::set_config(fmt::format("network/weight-S:{}", twin::sim::kSimGridWeightS));
    // Flow actors are many and shallow: 16 KiB stacks (SimGrid zeroes each stack when it creates
    // an actor, so the size is time as well as memory). The coordinator asks for more itself.
#if !TWIN_HAS_ASAN
    simgrid::s4u::Engine::set_config("contexts/stack-size:16");
    simgrid::s4u::Engine::set_config("contexts/guard-size:0");
#endif
    RunResult result = execute(cluster, trace, options);
    result.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return result;
}

} // namespace twin::sim
