// BOM of SuperPOD-style fabrics against the published reference-architecture counts.
//
// Source of the switch and cable counts: NVIDIA DGX SuperPOD reference architecture (DGX B200),
// "DGX SuperPOD Architecture", table "Larger DGX SuperPOD component counts",
// docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/latest/
// dgx-superpod-architecture.html. Its compute fabric is the one of the DGX H100 SuperPOD
// (RA-11333-001; shared/reference entry ra.h100.su): scalable units of 32 eight-GPU nodes, eight
// ConnectX-7 NDR 400G per node, rail-optimized QM9700 leaves and spines, QM9700 cores from 16 SUs.
//   SUs  nodes  GPUs   leaf spine core  node-leaf leaf-spine spine-core
//    2     64    512    16    8    -       512       512        -
//    4    128   1024    32   16    -      1024      1024        -
//    8    256   2048    64   32    -      2048      2048        -
//   16    512   4096   128  128   64      4096      4096      4096
//   32   1024   8192   256  256  128      8192      8192      8192
//   64   2048  16384   512  512  256     16384     16384     16384
// The 1-SU row (not in the table) follows the same rule: 8 leaves, 4 spines, 256 + 256 cables.
// (The H100 RA's own rows count 31 nodes per SU, one slot going to the UFM appliance.)
//
// Transceivers (hand-derived; QM9700: 64 NDR ports in 32 twin-port OSFP cages, datasheet; DGX H100:
// 8 ConnectX-7 behind 4 twin-port OSFP cages, user guide), all links on fibre (the floor plan
// below allows only SR/DR optics): nodes 4 per node = 128 per SU; a leaf's 64 ports = 32 modules;
// a 2-tier spine 64 ports = 32; 3-tier spines and cores 64 ports = 32 each. Hence
//   2 tiers: 128 N + 32 (8 N) + 32 (4 N) = 512 N;   3 tiers: 128 N + 32 (8 N + 8 N + 4 N) = 768 N.
#include "buildout_test_util.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace twin::buildout {
namespace {

using testing::load;
using testing::superpod;

const char* const kFibreOnly = R"({"cable_rules": [
    {"name": "SR", "type": "fibre", "max_length_m": 50, "transceiver_w_per_400g": 9, "source": "MMA4Z00-NS"},
    {"name": "DR", "type": "fibre", "max_length_m": 500, "transceiver_w_per_400g": 9, "source": "MMS4X00-NM"}]})";

struct RaRow {
    int sus, leaf, spine, core;
    std::int64_t node_leaf, leaf_spine, spine_core;
};

class SuperPodBom : public ::testing::TestWithParam<RaRow> {};

TEST_P(SuperPodBom, MatchesReferenceArchitecture) {
    const RaRow ra = GetParam();
    auto in = load(superpod(ra.sus, kFibreOnly));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    EXPECT_EQ(bom.count("GPU", "H100-SXM"), 256LL * ra.sus);
    EXPECT_EQ(bom.count("server", "DGX-H100"), 32LL * ra.sus);
    EXPECT_EQ(bom.count("NIC", "ConnectX-7 (compute)"), 256LL * ra.sus);
    EXPECT_EQ(bom.count("switch", "leaf QM9700"), ra.leaf);
    EXPECT_EQ(bom.count("switch", "spine QM9700"), ra.spine);
    EXPECT_EQ(bom.count("switch", "core QM9700"), ra.core);
    // Every link one fibre cable; node-leaf + leaf-spine + spine-core.
    EXPECT_EQ(bom.count("cable"), ra.node_leaf + ra.leaf_spine + ra.spine_core);
    const std::int64_t per_su = ra.core > 0 ? 768 : 512;
    EXPECT_EQ(bom.count("transceiver"), per_su * ra.sus);
    EXPECT_EQ(bom.count("transceiver", "OSFP 800G SR (2x400G)") + bom.count("transceiver", "OSFP 800G DR (2x400G)"),
              per_su * ra.sus);
    // 9 W per 400G of module capacity: 18 W per twin-port module.
    EXPECT_NEAR(bom.optics_power_w, 18.0 * static_cast<double>(per_su * ra.sus), 1e-6);
    EXPECT_TRUE(bom.check.ok) << bom.check.first_problem;
    EXPECT_EQ(bom.check.links, ra.node_leaf + ra.leaf_spine + ra.spine_core);
}

INSTANTIATE_TEST_SUITE_P(Ra, SuperPodBom,
                         ::testing::Values(RaRow{1, 8, 4, 0, 256, 256, 0}, RaRow{2, 16, 8, 0, 512, 512, 0},
                                           RaRow{4, 32, 16, 0, 1024, 1024, 0}, RaRow{8, 64, 32, 0, 2048, 2048, 0},
                                           RaRow{16, 128, 128, 64, 4096, 4096, 4096},
                                           RaRow{32, 256, 256, 128, 8192, 8192, 8192},
                                           RaRow{64, 512, 512, 256, 16384, 16384, 16384}),
                         [](const ::testing::TestParamInfo<RaRow>& i) { return "su" + std::to_string(i.param.sus); });

// Racks and PDUs of one SU with the derived layout: 32 DGX H100 at 4 per rack = 8 compute racks;
// 8 leaves in one network rack (16 switches per rack), 4 spines in one. A compute rack draws
// 4 x 10.2 kW = 40.8 kW: ceil(40.8 / 17.3) = 3 PDUs per feed, 6 with A+B; a leaf rack 8 x 750 W
// = 6 kW: 1 per feed, 2; the spine rack 2. Total 8 x 6 + 2 + 2 = 52. Air-cooled (H100 is not
// liquid-only): no manifolds or CDUs.
TEST(Bom, RacksAndPdusOfOneSu) {
    auto in = load(superpod(1));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    EXPECT_EQ(bom.count("rack", "compute rack"), 8);
    EXPECT_EQ(bom.count("rack", "network rack"), 2);
    EXPECT_EQ(bom.count("PDU", "rack PDU"), 52);
    EXPECT_EQ(bom.count("cooling"), 0);
    EXPECT_EQ(bom.count("NIC", "ConnectX-7-2port (storage)"), 64);
}

// Busbar-fed racks: two GB200 NVL72 racks (catalog power_shelves 4 x 33 kW) on QM9700 leaves and
// spines (a few 750 W switches per network rack, which keeps rack PDUs): each NVL72 rack counts
// its 4 power shelves and no rack PDU; a network rack 2 PDUs (under 17.3 kW: 1 per feed, A + B).
// Before, each NVL72 rack counted 2 x ceil(132 / 17.3) = 16 rack PDUs it does not have.
TEST(Bom, BusbarRacksCountPowerShelvesNotPdus) {
    auto in = load(R"({"schema_version": 1, "name": "nvl72", "seed": 1,
      "topology": {"nodes": [{"type": "GB200-NVL72", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-optical", "nodes_per_leaf_group": 1,
                   "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})");
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    EXPECT_EQ(bom.count("rack", "compute rack"), 2);
    EXPECT_EQ(bom.count("PDU", "power shelf 33 kW (busbar)"), 8);
    for (std::size_t r = 0; r < layout.racks.size(); ++r) {
        if (layout.racks[r].kind == RackKind::Compute) {
            const auto id =
                std::find(bom.items.begin(), bom.items.end(), std::pair<std::string, std::string>("PDU", "rack PDU"));
            EXPECT_TRUE(id == bom.items.end() || !bom.per_rack[r].contains(static_cast<int>(id - bom.items.begin())))
                << layout.racks[r].name;
        }
    }
    EXPECT_EQ(bom.count("PDU", "rack PDU"), 2 * static_cast<std::int64_t>(bom.count("rack", "network rack")));
}

// Liquid cooling: 8 compute racks of 40.8 kW = 326.4 kW in one hall, one row: 8 rack manifolds,
// 1 row manifold, ceil(326.4 kW / 1.5 MW) = 1 CDU.
TEST(Bom, LiquidCoolingParts) {
    auto in = load(superpod(1, R"({"cooling": "liquid"})"));
    const Layout layout = make_layout(in.cluster, in.floorplan);
    const Bom bom = build_bom(in.cluster, layout);
    EXPECT_EQ(bom.count("cooling", "rack manifold"), 8);
    EXPECT_EQ(bom.count("cooling", "row manifold"), 1);
    EXPECT_EQ(bom.count("cooling", "CDU"), 1);
}

} // namespace
} // namespace twin::buildout
