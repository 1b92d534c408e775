// PXN (topology/cluster.hpp, pxn_proxy) in a run: a cross-rail transfer on a rail-optimized
// fabric crosses NVLink to the source node's GPU on the destination's rail and stays on that
// rail's leaf; the report's link bytes put the transfer on the NVLink and PCIe links it crosses.
#include "sim_test_util.hpp"

#include <gtest/gtest.h>

namespace {

using twin::topology::LinkTier;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Two T8 nodes (8 GPUs, 8 NICs on rails 0..7) on a 2-tier rail-optimized fat-tree of TS switches
// (8 ports of 10 GB/s): one leaf group of 2 nodes, a leaf per rail with 2 down and 2 up ports.
std::string two_nodes(const std::string& pxn) {
    return std::string(R"({"schema_version": 1, "name": "t", "seed": 1,)") + twin::test::kTestCatalog + R"(,
      "topology": {"nodes": [{"type": "T8", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "TC", )" +
           pxn + R"(
                   "tiers": [{"switch": "TS", "uplink_cable": "TC"}, {"switch": "TS"}]}},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "p2p", "ranks": 16,
        "classes": [{"name": "s", "ranks": [0], "program": [{"op": "send", "peer": {"rank": 9}, "size": "1GiB"}]},
                    {"name": "r", "ranks": [9], "program": [{"op": "recv", "peer": {"rank": 0}, "size": "1GiB"}]}]}}})";
}

struct Bytes {
    double nvlink_up_gpu0 = 0, nvlink_down_gpu1 = 0, host_up_gpu0 = 0, host_up_gpu1 = 0, spine = 0;
};

Bytes bytes_of(const twin::models::Scenario& s, const twin::sim::RunResult& r) {
    Bytes b;
    const auto& c = s.cluster;
    for (std::size_t i = 0; i < c.links().size(); ++i) {
        const auto& l = c.links()[i];
        if (l.tier == LinkTier::ScaleUp && l.a == c.gpu_vertex(0)) {
            b.nvlink_up_gpu0 = r.link_bytes_up[i];
        } else if (l.tier == LinkTier::ScaleUp && l.a == c.gpu_vertex(1)) {
            b.nvlink_down_gpu1 = r.link_bytes_down[i];
        } else if (l.tier == LinkTier::Host && l.a == c.gpu_vertex(0)) {
            b.host_up_gpu0 = r.link_bytes_up[i];
        } else if (l.tier == LinkTier::Host && l.a == c.gpu_vertex(1)) {
            b.host_up_gpu1 = r.link_bytes_up[i];
        } else if (l.tier == LinkTier::Aggregation) {
            b.spine += r.link_bytes_up[i] + r.link_bytes_down[i];
        }
    }
    return b;
}

// node0/gpu0 (rail 0) -> node1/gpu1 (rail 1), 1 GiB. With PXN: NVLink gpu0 -> gpu1 of node 0
// (2 x 1 us, 100 GB/s), host link of node0/gpu1 (500 ns + 1/2 NIC = 1 us), access to leaf r1 and
// down (2 x 1.1 us), host link of node1/gpu1 (1 us). Latency 6.2 us, bottleneck 10 GB/s:
//   T = 6.2 us + 2^30 / 1e10 s.
// Without (NCCL_PXN_DISABLE=1): host 1 us, access 1.1 us, leaf r0 -> spine -> leaf r1 (2 x
// (100 ns + 1/2 + 1/2 us) = 2.2 us), access 1.1 us, host 1 us: 6.4 us + 2^30 / 1e10 s.
TEST(Pxn, CrossRailTransferCrossesNvlinkAndNoSpine) {
    const auto s = twin::models::parse_scenario(two_nodes(""), "test.json", ".");
    const auto r = twin::sim::run_scenario(s);
    EXPECT_NEAR(r.simulated_time_s, 6.2e-6 + kGiB / 1e10, 1e-9) << r.simulated_time_s;
    const Bytes b = bytes_of(s, r);
    EXPECT_DOUBLE_EQ(b.nvlink_up_gpu0, kGiB);
    EXPECT_DOUBLE_EQ(b.nvlink_down_gpu1, kGiB);
    EXPECT_DOUBLE_EQ(b.host_up_gpu1, kGiB); // leaves by node0/gpu1's NIC
    EXPECT_DOUBLE_EQ(b.host_up_gpu0, 0.0);
    EXPECT_DOUBLE_EQ(b.spine, 0.0);
}

TEST(Pxn, DisabledTheTransferClimbsToASpine) {
    const auto s = twin::models::parse_scenario(two_nodes(R"("pxn": false,)"), "test.json", ".");
    const auto r = twin::sim::run_scenario(s);
    EXPECT_NEAR(r.simulated_time_s, 6.4e-6 + kGiB / 1e10, 1e-9) << r.simulated_time_s;
    const Bytes b = bytes_of(s, r);
    EXPECT_DOUBLE_EQ(b.nvlink_up_gpu0, 0.0);
    EXPECT_DOUBLE_EQ(b.nvlink_down_gpu1, 0.0);
    EXPECT_DOUBLE_EQ(b.host_up_gpu0, kGiB);
    EXPECT_DOUBLE_EQ(b.host_up_gpu1, 0.0);
    EXPECT_DOUBLE_EQ(b.spine, 2 * kGiB); // one leaf-spine link up, one down
}

} // namespace
