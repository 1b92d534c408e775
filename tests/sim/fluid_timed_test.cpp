// Fluid-timed collectives (sim/src/plan_cache.hpp; README, "Shortcuts"): a run that is not folded
// times a collective with a phase of at least RunOptions::fluid_min_flows flows by the fluid solver
// instead of one SimGrid flow each. One test per process (SimGrid's engine is one per process).
//
// The fabric: tests/scenarios/allreduce-512-oversub.json, 64 Grand Teton nodes (512 H100, one
// 400G NIC per GPU) in racks of 2 on one top-of-rack switch, pods of 8 racks, the aggregation tier
// 1:7 oversubscribed; one all-reduce of 1 GiB over all 512 GPUs, no data-parallel family (so not
// folded). Its NVLS-tree plan has phases of 512 NVLink flows and ~1,800 fabric flows whose ECMP
// collisions give them many different rates: SimGrid re-solved their one connected set at every
// end (7.4 s here, 214 s at 2,048 GPUs, wall time at load ~1).
//
// tests/cli/fluid_timed_test.cpp compares it with SimGrid (--no-fold, another process).
#include "twin/models/scenario.hpp"
#include "twin/sim/run.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using namespace twin;

std::string scenario_text(const std::string& name, const std::string& algorithm) {
    std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/tests/scenarios/" + name);
    std::stringstream text;
    text << in.rdbuf();
    auto j = nlohmann::json::parse(text.str());
    j["workload"]["trace"]["classes"][0]["program"][0]["algorithm"] = algorithm;
    return j.dump();
}

sim::RunResult run(const std::string& name, const std::string& algorithm) {
    const auto s =
        models::parse_scenario(scenario_text(name, algorithm), name, std::string(TWIN_SOURCE_DIR) + "/tests/scenarios");
    sim::RunOptions options;
    options.record_collectives = true;
    return sim::run_scenario(s, options);
}

double collective_time(const sim::RunResult& r) {
    EXPECT_EQ(r.records.size(), 1U);
    return r.records.empty() ? 0.0 : r.records.front().end_s - r.records.front().start_s;
}

} // namespace

// 2,048 GPUs, the same fabric with 256 nodes in 16 pods: SimGrid took 214 s on it (--no-fold, not
// run here). The fluid-timed all-reduce completes (1.75 s of CPU measured) with NVLS tree's time of
// the collective sweep's fluid solver (`clustertwin collective -b 1GiB -e 1GiB`: 21,978.78 us),
// the same solver on the same flows.
TEST(FluidTimed, AllGpuAllReduceOn2048OversubscribedGpusCompletes) {
    const auto r = run("allreduce-2048-oversub.json", "auto");
    EXPECT_EQ(r.fluid_groups, 1);
    EXPECT_EQ(r.flows, 0);
    ASSERT_EQ(r.records.size(), 1U);
    EXPECT_EQ(r.records.front().algorithm, "nvls_tree/simple");
    EXPECT_NEAR(collective_time(r) / 21978.78e-6, 1.0, 1e-4) << collective_time(r);
}

// fluid_min_flows = 0 turns the shortcut off: every flow in SimGrid, as --no-fold.
TEST(FluidTimed, OffWhenFluidMinFlowsIsZero) {
    const auto s = models::parse_scenario(scenario_text("allreduce-512-oversub.json", "ring"), "t.json",
                                          std::string(TWIN_SOURCE_DIR) + "/tests/scenarios");
    sim::RunOptions options;
    options.fluid_min_flows = 0;
    const auto r = sim::run_scenario(s, options);
    EXPECT_EQ(r.fluid_groups, 0);
    EXPECT_GT(r.flows, 512);
}
