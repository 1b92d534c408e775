// The cabling plan: its CSV rows, its port checks (a port used twice, a port missing), and the
// 100k-GPU hall's plan passing them.
#include "buildout_test_util.hpp"

#include <gtest/gtest.h>
#include <sstream>
#include <vector>

namespace twin::buildout {
namespace {

using testing::load;
using testing::superpod;

std::vector<PlanRow> rows_of(const BuildoutInput& in, const Layout& l) {
    std::vector<PlanRow> rows;
    walk_plan(in.cluster, l, [&](const PlanRow& r) { rows.push_back(r); });
    return rows;
}

// Node 0's NIC 0 is the first access link of leaf.g0.r0 (leaf ports: the 32 nodes' rail-0 NICs
// first, twin-port cages: port 1 = cage 1 lane 1); 10.68 m -> SR fibre of 15 m (floorplan_test).
TEST(Cabling, CsvRowOfNode0) {
    auto in = load(superpod(1));
    const Layout l = make_layout(in.cluster, in.floorplan);
    std::ostringstream out;
    const CablingResult r = write_cabling_csv(in.cluster, l, out);
    const std::string csv = out.str();
    EXPECT_EQ(csv.rfind("label,tier,gbps,cable,rule,length_m,length_class_m,a_hall,a_row,a_rack,a_device,a_port,"
                        "b_hall,b_row,b_rack,b_device,b_port\n",
                        0),
              0U);
    EXPECT_NE(csv.find(",access,400,fibre,SR,10.68,15,0,1,compute.0,node0,nic0,0,1,leaf.g0.0,leaf.g0.r0,1/1\n"),
              std::string::npos);
    EXPECT_TRUE(r.check.ok) << r.check.first_problem;
    EXPECT_EQ(r.check.links, 512);
    // Patch counts: the leaf rack takes 256 access ends + 256 uplink ends; the spine rack 256;
    // a compute rack 4 nodes x 8 NICs = 32.
    EXPECT_EQ(r.ends_per_rack[0], 32);
    std::int64_t sum = 0;
    for (auto n : r.ends_per_rack) {
        sum += n;
    }
    EXPECT_EQ(sum, 2 * 512);
}

TEST(Cabling, PortCheckFindsAPortUsedTwice) {
    auto in = load(superpod(1));
    const Layout l = make_layout(in.cluster, in.floorplan);
    const auto rows = rows_of(in, l);
    PortChecker check(in.cluster);
    for (const auto& r : rows) {
        check.add(r);
    }
    check.add(rows.front());
    const PortCheck c = check.finish();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.first_problem.find("port 1 of node0/nic0 is used twice"), std::string::npos) << c.first_problem;
}

TEST(Cabling, PortCheckFindsAMissingPort) {
    auto in = load(superpod(1));
    const Layout l = make_layout(in.cluster, in.floorplan);
    const auto rows = rows_of(in, l);
    PortChecker check(in.cluster);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        check.add(rows[i]);
    }
    const PortCheck c = check.finish();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.first_problem.find("node0/nic0 needs 1 cabled ports, the plan has 0"), std::string::npos)
        << c.first_problem;
}

// The bundled 100,000-GPU hall: 12,500 DGX H100, 100,000 access links; the plan passes its checks.
TEST(Cabling, Hall100kPlanPassesPortChecks) {
    auto in = load_buildout(std::string(TWIN_SOURCE_DIR) + "/scenarios/hall-100k-h100-liquid.json");
    const Layout l = make_layout(in.cluster, in.floorplan);
    std::ostringstream out;
    const CablingResult r = write_cabling_csv(in.cluster, l, out);
    EXPECT_TRUE(r.check.ok) << r.check.first_problem;
    EXPECT_GT(r.check.links, 100000);
    EXPECT_EQ(r.check.ports, 2 * r.check.links);
}

} // namespace
} // namespace twin::buildout
