// Summary numbers on small cases derived by hand.
#include "fabrics.hpp"
#include "topology_test_util.hpp"

#include <gtest/gtest.h>

namespace twin::topology {
namespace {

using testing::load_text;

std::string four_nodes(const std::string& leaf_extra) {
    return R"({"topology": {"name": "four", "nodes": [{"type": "DGX-H100", "count": 4}],
      "racks": {"nodes_per_rack": 2},
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical")" +
           leaf_extra + R"(}, {"switch": "QM9700"}]}}})";
}

TEST(Summary, FourNodesByHand) {
    // One leaf group of 4 nodes: 8 leaves with 4 down + 4 up, one spine (8 x 4 = 32 of 64 ports).
    // NICs: 32 x 50 GB/s = 1.6 TB/s; access and leaf-spine capacity 1.6 TB/s each, so the
    // bisection is 1.6 / 2 = 800 GB/s. Power: 4 x (8 x 700 + 4350 + 10 x 25 NICs) = 40.8 kW, 9
    // QM9700 x 750 W = 6.75 kW, 32 optical leaf-spine cables x 18 W = 576 W (DAC and PCIe: 0) -> 48,126 W.
    const Summary s = summarize(load_text(four_nodes("")));
    EXPECT_EQ(s.name, "four");
    EXPECT_EQ(s.nodes, 4);
    EXPECT_EQ(s.racks, 2);
    EXPECT_EQ(s.gpus, 32);
    EXPECT_EQ(s.gpus_by_type.at("H100-SXM"), 32);
    EXPECT_EQ(s.nics, 32);
    EXPECT_EQ(s.scaleup_switches, 16);
    EXPECT_EQ(s.fabric_switches, 9);
    ASSERT_EQ(s.tiers.size(), 2u);
    EXPECT_EQ(s.tiers[0].name, "leaf");
    EXPECT_EQ(s.tiers[0].switches, 8);
    EXPECT_EQ(s.tiers[0].ports_used, 64);
    EXPECT_EQ(s.tiers[0].ports_total, 512);
    EXPECT_DOUBLE_EQ(s.tiers[0].oversubscription, 1.0);
    EXPECT_EQ(s.tiers[1].name, "spine");
    EXPECT_EQ(s.tiers[1].ports_used, 32);
    EXPECT_EQ(s.tiers[1].ports_total, 64);
    ASSERT_EQ(s.link_tiers.size(), 4u);
    EXPECT_EQ(s.link_tiers[3].tier, LinkTier::Aggregation);
    EXPECT_EQ(s.link_tiers[3].links, 32);
    EXPECT_DOUBLE_EQ(s.link_tiers[3].total_bandwidth.value(), 1.6e12);
    EXPECT_DOUBLE_EQ(s.scaleup_bandwidth_per_gpu.value(), 450e9);
    EXPECT_DOUBLE_EQ(s.scaleout_bandwidth_per_gpu.value(), 50e9);
    EXPECT_DOUBLE_EQ(s.bisection_bandwidth.value(), 800e9);
    EXPECT_DOUBLE_EQ(s.it_power_max.value(), 48126.0);
    const std::string text = format_summary(s);
    EXPECT_NE(text.find("800.0 GB/s (6400 Gb/s)"), std::string::npos) << text;
    EXPECT_NE(text.find("48.1 kW"), std::string::npos) << text;
    EXPECT_NE(text.find("32 x H100-SXM"), std::string::npos) << text;
}

TEST(Summary, OversubscriptionHalvesTheBisection) {
    // 2:1: 2 uplinks per leaf, 16 x 50 GB/s = 800 GB/s leaf-spine capacity -> 400 GB/s bisection.
    const Summary s = summarize(load_text(four_nodes(R"(, "oversubscription": 2)")));
    EXPECT_DOUBLE_EQ(s.tiers[0].oversubscription, 2.0);
    EXPECT_DOUBLE_EQ(s.bisection_bandwidth.value(), 400e9);
}

TEST(Summary, OneNodeReportsScaleUpBisection) {
    // 8 H100: 4 x 450 GB/s cross a balanced cut of the NVSwitch; power 8 x 700 + 4350 + 10 x 25
    // (8 compute, 2 storage NICs).
    const Summary s = summarize(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})"));
    EXPECT_EQ(s.fabric_switches, 0);
    EXPECT_TRUE(s.tiers.empty());
    EXPECT_DOUBLE_EQ(s.bisection_bandwidth.value(), 1800e9);
    EXPECT_DOUBLE_EQ(s.it_power_max.value(), 10200.0);
}

TEST(Summary, ThreeTierTiers) {
    const Summary s = summarize(load_text(testing::kThreeTier));
    ASSERT_EQ(s.tiers.size(), 3u);
    EXPECT_EQ(s.tiers[2].name, "core");
    EXPECT_EQ(s.tiers[2].switches, 2);
    EXPECT_EQ(s.tiers[2].ports_used, 64);
    // 64 NICs x 50 GB/s / 2; every tier boundary carries 64 links of 50 GB/s.
    EXPECT_DOUBLE_EQ(s.bisection_bandwidth.value(), 1.6e12);
}

} // namespace
} // namespace twin::topology
