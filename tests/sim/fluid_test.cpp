// FluidSolver against hand-derived times on a star of T1 nodes (sim_test_util.hpp): a flow
// between two nodes crosses host link (20 GB/s), NIC cable up (10 GB/s), cable down (10 GB/s),
// host link (20 GB/s); every route has the same penalty, so sharing is plain max-min.
#include "fluid.hpp"
#include "platform.hpp"
#include "sim_test_util.hpp"

#include <gtest/gtest.h>

namespace twin::test {
namespace {

struct Star {
    models::Scenario scenario;
    explicit Star(int n)
        : scenario(models::parse_scenario(star_scenario(n, R"({"schema_version": 1, "name": "idle", "ranks": 1,
                                   "classes": [{"name": "c", "ranks": [0], "program": [
                                       {"op": "compute", "name": "x", "flops": "1TFLOP", "bytes": "1GB"}]}]})"),
                                          "test.json", ".")) {}

    sim::FluidPhase phase(const std::vector<std::tuple<int, int, double>>& flows) const {
        sim::FluidPhase p;
        std::vector<topology::Hop> hops;
        for (const auto& [src, dst, bytes] : flows) {
            hops.clear();
            scenario.cluster.route(src, dst, hops);
            p.begin.push_back(static_cast<std::uint32_t>(p.slots.size()));
            for (const auto& h : hops) {
                p.slots.push_back(2 * h.link + (h.up ? 0U : 1U));
            }
            p.bytes.push_back(bytes);
        }
        p.begin.push_back(static_cast<std::uint32_t>(p.slots.size()));
        return p;
    }
};

TEST(Fluid, AloneAFlowRunsAtItsSlowestLink) {
    Star star(2);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    solver.solve(star.phase({{0, 1, 10e9}}), t);
    EXPECT_NEAR(t[0], 1.0, 1e-9); // 10 GB at 10 GB/s
}

TEST(Fluid, FlowsIntoOneNodeShareItsCable) {
    Star star(3);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10e9}}), t);
    EXPECT_NEAR(t[0], 2.0, 1e-9); // 5 GB/s each
    EXPECT_NEAR(t[1], 2.0, 1e-9);
}

TEST(Fluid, WhenAFlowEndsTheOthersTakeItsShare) {
    Star star(3);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    // 5 GB/s each until the 5 GB flow ends at 1 s; then 5 GB left at 10 GB/s: 0.5 s more.
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 5e9}}), t);
    EXPECT_NEAR(t[0], 1.5, 1e-9);
    EXPECT_NEAR(t[1], 1.0, 1e-9);
}

TEST(Fluid, AFlowHeldBackElsewhereLeavesTheRestToOthers) {
    Star star(4);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    // Node 1's cable up carries three flows (10/3 GB/s each), so 1->2 gets 10/3 and 0->2 gets the
    // remaining 20/3 GB/s of node 2's cable down. 0->2: 10 GB at 20/3 = 1.5 s. The node-1 flows of
    // 10 GB: 3 s, then nothing is left for anyone else to take.
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10e9}, {1, 3, 10e9}, {1, 0, 10e9}}), t);
    EXPECT_NEAR(t[0], 1.5, 1e-9);
    EXPECT_NEAR(t[1], 3.0, 1e-9);
    EXPECT_NEAR(t[2], 3.0, 1e-9);
    EXPECT_NEAR(t[3], 3.0, 1e-9);
}

TEST(Fluid, AnEmptyFlowTakesNoTimeAndTheSolverCanBeReused) {
    Star star(3);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    solver.solve(star.phase({{0, 2, 0.0}, {1, 2, 10e9}}), t);
    EXPECT_EQ(t[0], 0.0);
    EXPECT_NEAR(t[1], 1.0, 1e-9);
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10e9}}), t);
    EXPECT_NEAR(t[0], 2.0, 1e-9);
}

// With a tolerance (the collective sweep's setting) the solver uses an indexed heap and ends flows
// that would end close together at once: the hand-derived cases above come out the same.
TEST(Fluid, WithAToleranceTheHandDerivedTimesHold) {
    Star star(4);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    solver.set_tolerance(1e-3);
    std::vector<double> t;
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10e9}, {1, 3, 10e9}, {1, 0, 10e9}}), t);
    EXPECT_NEAR(t[0], 1.5, 1e-9);
    EXPECT_NEAR(t[1], 3.0, 1e-9);
    EXPECT_NEAR(t[3], 3.0, 1e-9);
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 5e9}}), t);
    EXPECT_NEAR(t[0], 1.5, 1e-9);
    EXPECT_NEAR(t[1], 1.0, 1e-9);
}

// Two flows into one node, 10 GB and 10.005 GB: exactly, the first ends at 2 s and the second
// 0.0005 s later (5 MB alone at 10 GB/s). Within a tolerance of 1e-3 of the set's first end
// estimate (2.001 s: 2 ms) they end together at 2 s: each time is short by at most 2 ms.
TEST(Fluid, WithAToleranceFlowsEndingCloseTogetherEndAtOnce) {
    Star star(3);
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> exact;
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10.005e9}}), exact);
    EXPECT_NEAR(exact[0], 2.0, 1e-9);
    EXPECT_NEAR(exact[1], 2.0005, 1e-9);
    solver.set_tolerance(1e-3);
    std::vector<double> t;
    solver.solve(star.phase({{0, 2, 10e9}, {1, 2, 10.005e9}}), t);
    EXPECT_NEAR(t[0], 2.0, 1e-9);
    EXPECT_NEAR(t[1], 2.0, 1e-9);
    EXPECT_LE(exact[1] - t[1], 1e-3 * 2.001);
}

} // namespace
} // namespace twin::test
