// The planner's analytic estimate reproduces each public NCCL measurement it is calibrated on
// (shared/reference/public-measurements.json, copied here) within +-5 %. busbw = S / T x
// busbw_factor (nccl-tests); S = 4 GiB, the size of the measurements, so latency is < 0.5 %.
#include "twin/core/json_reader.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/topology/load.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace twin::models {
namespace {

topology::Cluster cluster(const std::string& node, int count, const std::string& fabric) {
    const auto doc = Document::parse(
        fmt::format(R"({{"nodes": [{{"type": "{}", "count": {}}}], "fabric": {}}})", node, count, fabric), "test.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

const std::string kNdr = R"({"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
    "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]})";
const std::string kHdr = R"({"type": "rail-optimized-fat-tree", "access_cable": "HDR-DAC",
    "tiers": [{"switch": "QM8700", "uplink_cable": "HDR-optical"}, {"switch": "QM8700"}]})";
const std::string kRoce = R"({"type": "rail-optimized-fat-tree", "technology": "roce", "access_cable": "NDR-DAC",
    "tiers": [{"switch": "SN5600-400G", "uplink_cable": "NDR-optical"}, {"switch": "SN5600-400G"}]})";

struct Row {
    const char* id;      // measurement id (+ variant)
    const char* node;    // catalog node type
    int nodes;           // nodes in the cluster
    const char* fabric;  // "ndr", "hdr", "roce"
    int gpus_per_node;   // members per node (the first ones of each node)
    Algorithm algorithm; // requested (Auto: NCCL's choice)
    Algorithm expect;    // the algorithm the plan must use
    double busbw_gbs;    // measured
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
    return os << r.id;
}

class Calibration : public ::testing::TestWithParam<Row> {};

TEST_P(Calibration, EstimateWithinFivePercent) {
    const Row& r = GetParam();
    const std::string fabric = std::string(r.fabric) == "hdr" ? kHdr : std::string(r.fabric) == "roce" ? kRoce : kNdr;
    const auto c = cluster(r.node, r.nodes, fabric);
    std::vector<int> members;
    for (int j = 0; j < r.nodes; ++j) {
        for (int k = 0; k < r.gpus_per_node; ++k) {
            members.push_back(c.nodes()[static_cast<std::size_t>(j)].first_gpu + k);
        }
    }
    const double s = 4.0 * 1024 * 1024 * 1024;
    const auto plan = plan_collective(CollectiveKind::AllReduce, members, Bytes(s), 0, c, r.algorithm);
    const double busbw =
        s / plan.estimate_s * busbw_factor(CollectiveKind::AllReduce, static_cast<int>(members.size())) / 1e9;
    EXPECT_EQ(plan.algorithm, r.expect) << algorithm_name(plan.algorithm);
    EXPECT_NEAR(busbw / r.busbw_gbs, 1.0, 0.05)
        << "busbw " << busbw << " GB/s vs measured " << r.busbw_gbs << " (" << algorithm_name(plan.algorithm) << ", "
        << protocol_name(plan.protocol) << ")";
}

INSTANTIATE_TEST_SUITE_P(
    Measurements, Calibration,
    ::testing::Values(
        // 8x H100, NVLS (default): coll.h100.8gpu.nvls 480, coll.h100.8gpu.expected 476.
        Row{"h100_8gpu_nvls", "DGX-H100", 1, "ndr", 8, Algorithm::Auto, Algorithm::Nvls, 480},
        Row{"h100_8gpu_expected", "DGX-H100", 1, "ndr", 8, Algorithm::Auto, Algorithm::Nvls, 476},
        // NCCL_ALGO=RING: coll.h100.8gpu.ring 370 (= 450 x scaleup_efficiency 0.822).
        Row{"h100_8gpu_ring", "DGX-H100", 1, "ndr", 8, Algorithm::Ring, Algorithm::Ring, 370},
        // coll.h100.nvls_vs_ngpu: NVLS 420/440/460 for 5..7 GPUs (the fit's points), ring 365-370 for 2..4.
        Row{"h100_nvls_5gpu", "DGX-H100", 1, "ndr", 5, Algorithm::Auto, Algorithm::Nvls, 420},
        Row{"h100_nvls_6gpu", "DGX-H100", 1, "ndr", 6, Algorithm::Auto, Algorithm::Nvls, 440},
        Row{"h100_nvls_7gpu", "DGX-H100", 1, "ndr", 7, Algorithm::Auto, Algorithm::Nvls, 460},
        Row{"h100_ring_2gpu", "DGX-H100", 1, "ndr", 2, Algorithm::Auto, Algorithm::Ring, 367.5},
        Row{"h100_ring_3gpu", "DGX-H100", 1, "ndr", 3, Algorithm::Auto, Algorithm::Ring, 367.5},
        Row{"h100_ring_4gpu", "DGX-H100", 1, "ndr", 4, Algorithm::Ring, Algorithm::Ring, 367.5},
        // coll.h200.8gpu 475.
        Row{"h200_8gpu", "HGX-H200", 1, "ndr", 8, Algorithm::Auto, Algorithm::Nvls, 475},
        // coll.a100.8gpu 232.5 (= 300 x 0.775).
        Row{"a100_8gpu", "DGX-A100", 1, "hdr", 8, Algorithm::Auto, Algorithm::Ring, 232.5},
        // coll.a100.dgx_multi 192: flat ring, one channel per rail: busbw = min(8 NICs x 24 (coll.a100.per_nic),
        // 232.5 x 8/7 = 265.7 over NVLink) = 192. On 4 nodes, as tests/calibration/nccl_busbw.json (the entry
        // does not say how many): there the tree sends 2 S/8 per NIC (busbw ~186) and Auto keeps the ring; on 2
        // nodes the tree halves the NIC load and would win, where NCCL's tuner (tree = 0.92 x ring) keeps the ring.
        Row{"a100_dgx_multi_4node", "DGX-A100", 4, "hdr", 8, Algorithm::Auto, Algorithm::Ring, 192},
        // coll.h100.2node.roce: NVLS off 330 = 8 NICs x 50 x 0.94 x 0.878 (ring); NVLS on 430 (nvls_tree, w fit);
        // 4 nodes ~320: nvls_tree gives no gain, Auto keeps ring (330).
        Row{"h100_roce_2node_nvls_off", "DGX-H100", 2, "roce", 8, Algorithm::Ring, Algorithm::Ring, 330},
        Row{"h100_roce_2node_nvls_on", "DGX-H100", 2, "roce", 8, Algorithm::Auto, Algorithm::NvlsTree, 430},
        Row{"h100_roce_4node", "DGX-H100", 4, "roce", 8, Algorithm::Auto, Algorithm::Ring, 320},
        // coll.gtc24.multinode: multi-node H100 NVLS+Tree ~370-380 (held out): NIC-bound, 8 x 47 / 2 = 188 GB/s
        // algbw (per NIC 2 S/8 each way) + 425 us -> busbw 366 at 4 GiB on 16 nodes.
        Row{"gtc24_multinode_16node", "DGX-H100", 16, "ndr", 8, Algorithm::Auto, Algorithm::NvlsTree, 375}),
    [](const ::testing::TestParamInfo<Row>& p) { return std::string(p.param.id); });

} // namespace
} // namespace twin::models
