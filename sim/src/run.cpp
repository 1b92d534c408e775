#include "twin/sim/run.hpp"

#include "engine.hpp"

#include <chrono>
#include <simgrid/s4u/Engine.hpp>
#include <xbt/log.h>

namespace twin::sim {

RunResult run_scenario(const models::Scenario& scenario, const RunOptions& options) {
    return run_trace(scenario.cluster, scenario.trace, options);
}

RunResult run_trace(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options) {
    const auto wall_start = std::chrono::steady_clock::now();
    // Only warnings and worse from SimGrid; its INFO lines would mix with our report.
    xbt_log_control_set("root.thresh:warning");
    int argc = 1;
    char name[] = "clustertwin";
    char* argv[] = {name, nullptr};
    simgrid::s4u::Engine engine(&argc, argv);
    // A GPU fabric is not TCP: CM02 without LV08's TCP factors, without reverse cross-traffic and
    // without the TCP-window bound, with a large weight-S so that max-min sharing is exact
    // (K flows on a link of bandwidth B get B/K). See ../shared DESIGN notes, kept in README.
    simgrid::s4u::Engine::set_config("network/model:CM02");
    simgrid::s4u::Engine::set_config("network/crosstraffic:0");
    simgrid::s4u::Engine::set_config("network/TCP-gamma:0");
    simgrid::s4u::Engine::set_config("network/weight-S:1e12");
    // Flow actors are many and shallow: 16 KiB stacks (SimGrid zeroes each stack when it creates
    // an actor, so the size is time as well as memory). The coordinator asks for more itself.
    simgrid::s4u::Engine::set_config("contexts/stack-size:16");
    simgrid::s4u::Engine::set_config("contexts/guard-size:0");
    RunResult result = execute(cluster, trace, options);
    result.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return result;
}

} // namespace twin::sim
