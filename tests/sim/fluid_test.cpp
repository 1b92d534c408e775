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

// Connected sets of the same shape are solved once (fluid.hpp): a copy gets bit for bit the times
// a fresh solver gives it alone, and a set that differs only in which flow carries what is not
// mistaken for one solved before.
TEST(Fluid, CopiesOfASetGetTheTimesItGetsAlone) {
    Star star(8);
    const std::vector<std::tuple<int, int, double>> a{{0, 1, 10e9}, {2, 1, 5e9}};
    const std::vector<std::tuple<int, int, double>> b{{3, 4, 10e9}, {5, 4, 5e9}}; // a's copy
    const std::vector<std::tuple<int, int, double>> c{{6, 7, 7e9}};               // another shape
    auto all = a;
    for (const auto* set : {&b, &c}) {
        all.insert(all.end(), set->begin(), set->end());
    }
    sim::FluidSolver solver(star.scenario.cluster, sim::kSimGridWeightS);
    std::vector<double> t;
    solver.solve(star.phase(all), t);
    ASSERT_EQ(t.size(), 5U);
    // a and b: 5 GB/s each until the 5 GB flow ends at 1 s, then 10 GB/s for the 5 GB left.
    EXPECT_NEAR(t[0], 1.5, 1e-9);
    EXPECT_NEAR(t[1], 1.0, 1e-9);
    EXPECT_NEAR(t[4], 0.7, 1e-9);
    std::size_t at = 0;
    for (const auto* set : {&a, &b, &c}) {
        sim::FluidSolver fresh(star.scenario.cluster, sim::kSimGridWeightS);
        std::vector<double> alone;
        fresh.solve(star.phase(*set), alone);
        for (std::size_t i = 0; i < alone.size(); ++i) {
            EXPECT_EQ(t[at + i], alone[i]) << "flow " << at + i; // bit for bit
        }
        at += alone.size();
    }
    // Solved again by the same solver (every set now remembered): the same times.
    std::vector<double> again;
    solver.solve(star.phase(all), again);
    EXPECT_EQ(again, t);
    // a with its flows' sizes swapped is another shape: the short flow is now the first.
    std::vector<double> swapped;
    solver.solve(star.phase({{0, 1, 5e9}, {2, 1, 10e9}}), swapped);
    EXPECT_NEAR(swapped[0], 1.0, 1e-9);
    EXPECT_NEAR(swapped[1], 1.5, 1e-9);
}

} // namespace
} // namespace twin::test
