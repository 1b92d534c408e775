// Spraying against ECMP and per-phase adaptive routing on a pod-to-pod permutation of a 3-tier
// fabric, timed by the fluid solver (SimGrid's max-min sharing). The fabric: 128 DGX-H100 (1,024
// GPUs), rail-optimized, leaf groups of 32 nodes, 2 groups per pod, so 2 pods of 512 GPUs; SN5600
// switches split to 400G; non-blocking. GPU g of pod 0 sends 1 GB to GPU g + 512 of pod 1 and
// back (same local index, so the same rail: no PXN detour); every NIC sends one flow and receives
// one. Line rate: 400 Gb/s = 50 GB/s.
//
// Hand-derived expectations:
//  - spray: every switch tier is pooled (spray_pools.cpp) and each pool has at least the
//    bandwidth of the NICs below it (1:1), so the NICs bound every flow: rate = 50 GB/s x 0.94
//    (ConnectX-7 efficiency) x technology factor (Spectrum-X 1, RoCE 0.878). All flows cross the
//    same kinds of hops, so their max-min weights are equal and each gets exactly that.
//  - ECMP: the 32 flows up from one leaf hash onto its 32 uplinks; all distinct has probability
//    32!/32^32 ~ 1e-13, so some uplink carries 2 flows or more, and each of those flows gets at
//    most half the link: the slowest flow runs at <= 50 % of its NIC's effective rate.
//  - adaptive (today's per-phase least-load choice) with the permutation split into two
//    collectives (rails 0-3 and rails 4-7, balanced each on its own, as two jobs in flight are):
//    the choices above the leaves are made with no sight of the other collective's load nor of
//    the down links past the core, so it collides too.
#include "fluid.hpp"
#include "link_accounting.hpp"
#include "platform.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/topology/load.hpp"

#include <algorithm>
#include <cstdio>
#include <gtest/gtest.h>
#include <numeric>
#include <string>

namespace twin::test {
namespace {

constexpr int kGpus = 1024;
constexpr double kBytes = 1e9;
constexpr double kLine = 50e9;

topology::Cluster fabric(const std::string& technology, const std::string& routing) {
    const std::string text = R"({"nodes": [{"type": "DGX-H100", "count": 128}],
      "fabric": {"type": "rail-optimized-fat-tree", "technology": ")" +
                             technology + R"(", "routing": ")" + routing +
                             R"(", "access_cable": "NDR-DAC",
                 "nodes_per_leaf_group": 32, "leaf_groups_per_pod": 2,
                 "tiers": [{"switch": "SN5600-400G", "uplink_cable": "NDR-optical"},
                           {"switch": "SN5600-400G", "uplink_cable": "NDR-optical"},
                           {"switch": "SN5600-400G"}]}})";
    const Document doc = Document::parse(text, "test.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

int partner(int g) {
    return g < kGpus / 2 ? g + kGpus / 2 : g - kGpus / 2;
}

// The permutation's flow rates (bytes/s) when routed by route(), or by route_adaptive() with one
// load per collective (a flow's collective: its local GPU index / 4, i.e. rails 0-3 or 4-7).
std::vector<double> permutation_rates(const topology::Cluster& c) {
    sim::FluidPhase phase;
    std::vector<topology::Hop> hops;
    std::vector<std::vector<double>> load(2, std::vector<double>(2 * c.links().size(), 0.0));
    for (int g = 0; g < kGpus; ++g) {
        hops.clear();
        if (c.adaptive_routing()) {
            c.route_adaptive(g, partner(g), kBytes, load[static_cast<std::size_t>(c.local_index(g) / 4)], hops);
        } else {
            c.route(g, partner(g), hops);
        }
        phase.begin.push_back(static_cast<std::uint32_t>(phase.slots.size()));
        for (const auto& h : hops) {
            phase.slots.push_back(2 * h.link + (h.up ? 0U : 1U));
        }
        phase.bytes.push_back(kBytes);
    }
    phase.begin.push_back(static_cast<std::uint32_t>(phase.slots.size()));
    sim::FluidSolver solver(c, sim::kSimGridWeightS);
    std::vector<double> t;
    solver.solve(phase, t);
    std::vector<double> rates;
    for (double x : t) {
        rates.push_back(kBytes / x);
    }
    return rates;
}

double slowest(const std::vector<double>& r) {
    return *std::min_element(r.begin(), r.end());
}

double mean(const std::vector<double>& r) {
    return std::accumulate(r.begin(), r.end(), 0.0) / static_cast<double>(r.size());
}

TEST(Spray, PermutationRunsAtTheNicRate) {
    const auto spectrum = permutation_rates(fabric("spectrum-x", "spray"));
    EXPECT_NEAR(slowest(spectrum) / kLine, 0.94, 1e-9);
    EXPECT_NEAR(mean(spectrum) / kLine, 0.94, 1e-9);
    const auto ib = permutation_rates(fabric("infiniband", "spray"));
    EXPECT_NEAR(slowest(ib) / kLine, 0.94, 1e-9);
}

TEST(Spray, EcmpCollidesOnThePermutation) {
    const auto ecmp = permutation_rates(fabric("spectrum-x", "ecmp"));
    EXPECT_LE(slowest(ecmp), 0.5 * 0.94 * kLine * (1 + 1e-9));
    EXPECT_LT(mean(ecmp), 0.94 * kLine * 0.9);
}

TEST(Spray, PerPhaseAdaptiveWithTwoCollectivesInFlightCollides) {
    const auto adaptive = permutation_rates(fabric("spectrum-x", "adaptive"));
    EXPECT_LE(slowest(adaptive), 0.5 * 0.94 * kLine * (1 + 1e-9));
}

TEST(Spray, RoceWithEcmpAgainstSpectrumX) {
    // RoCE: the technology factor (0.878, coll.h100.2node.roce) and ECMP's collisions.
    const auto roce = permutation_rates(fabric("roce", "ecmp"));
    const auto spectrum = permutation_rates(fabric("spectrum-x", "spray"));
    EXPECT_LE(slowest(roce), 0.5 * 0.878 * 0.94 * kLine * (1 + 1e-9));
    EXPECT_LE(mean(roce), 0.878 * 0.94 * kLine * (1 + 1e-9));
    EXPECT_GE(slowest(spectrum) / slowest(roce), 2.0 / 0.878 * (1 - 1e-9));
    RecordProperty("roce_ecmp_slowest_of_line", std::to_string(slowest(roce) / kLine));
    RecordProperty("roce_ecmp_mean_of_line", std::to_string(mean(roce) / kLine));
    std::printf("roce/ecmp: slowest %.4f, mean %.4f of line rate; spectrum-x/spray: %.4f\n", slowest(roce) / kLine,
                mean(roce) / kLine, slowest(spectrum) / kLine);
}

TEST(Spray, LinkBytesOfAPoolAreSharedEvenly) {
    const auto spray = fabric("spectrum-x", "spray");
    const auto ecmp = fabric("spectrum-x", "ecmp");
    models::CollectivePhase phase;
    for (int g = 0; g < kGpus; ++g) {
        phase.flows.push_back(models::Flow{g, partner(g), Bytes(kBytes)});
    }
    const auto tier_bytes = [&](const topology::Cluster& c, std::vector<double>& per_link) {
        sim::LinkAccounting acc(c);
        sim::PhaseRoutes routes;
        sim::LinkBytes bytes;
        (void)acc.analyse(phase, routes, bytes);
        acc.add(bytes, 1.0);
        double total = 0.0;
        per_link.clear();
        for (std::size_t l = 0; l < c.links().size(); ++l) {
            if (c.links()[l].tier == topology::LinkTier::Aggregation) {
                total += acc.bytes_up()[l];
                per_link.push_back(acc.bytes_up()[l]);
            }
        }
        return total;
    };
    std::vector<double> s;
    std::vector<double> e;
    // Each flow crosses one leaf -> spine link up: 1,024 GB in all, under either routing.
    EXPECT_NEAR(tier_bytes(spray, s), kGpus * kBytes, 1e-3 * kBytes);
    EXPECT_NEAR(tier_bytes(ecmp, e), kGpus * kBytes, 1e-3 * kBytes);
    // Spraying: every leaf sends 32 flows over its uplinks, the same bytes on each.
    const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
    EXPECT_NEAR(*lo, *hi, 1e-6 * *hi);
    EXPECT_GT(*std::max_element(e.begin(), e.end()), *hi * 1.5); // ECMP: collisions
}

} // namespace
} // namespace twin::test
