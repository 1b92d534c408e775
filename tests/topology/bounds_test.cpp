// Floors and ceilings of rates, efficiencies and latencies (topology/bounds.hpp). Before them, a
// denormal efficiency or a bandwidth of "1e-300B/s" passed the reader and made SimGrid abort
// ("timeout is not finite!") or run forever.
#include "topology_test_util.hpp"
#include "twin/topology/bounds.hpp"

#include <string>

namespace twin::topology {
namespace {

using testing::load_text;

constexpr const char* kOneNode = R"(, "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]}})";

std::string with_catalog(const std::string& catalog) {
    return R"({"catalog": )" + catalog + kOneNode;
}

// A GPU entry with one field replaced.
std::string gpu_with(const std::string& field) {
    return with_catalog(R"({"gpus": {"G": {"peak_flops": {"bf16": "1PFLOPS"}, "hbm_capacity": "80GB",
        "hbm_bandwidth": "3TB/s", "scaleup_bandwidth": "450GB/s", "scaleup_latency": "1us",
        "idle_power": "80W", "max_power": "700W", )" +
                        field + "}}}");
}

TEST(Bounds, EfficiencyFloor) {
    EXPECT_INPUT_ERROR(load_text(gpu_with(R"("compute_efficiency": 0.001)")), "/catalog/gpus/G/compute_efficiency",
                       "below the floor of 0.01: expected a number in [0.01, 1]");
    EXPECT_INPUT_ERROR(load_text(gpu_with(R"("memory_efficiency": 0.009)")), "/catalog/gpus/G/memory_efficiency",
                       "below the floor of 0.01");
    EXPECT_INPUT_ERROR(load_text(gpu_with(R"("scaleup_efficiency": 1e-300)")), "/catalog/gpus/G/scaleup_efficiency",
                       "below the floor of 0.01");
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nics": {"X": {"port_bandwidth": "400Gbps", "latency": "1us",
                                         "power": "20W", "efficiency": 0.001}}})")),
                       "/catalog/nics/X/efficiency", "below the floor of 0.01");
    EXPECT_NO_THROW((void)testing::load_text(gpu_with(R"("compute_efficiency": 0.01)")));
}

TEST(Bounds, FlopRateFloor) {
    std::string text = gpu_with(R"("compute_efficiency": 1)");
    text.replace(text.find("1PFLOPS"), 7, "1e-300FLOPS");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/gpus/G/peak_flops/bf16", "below the floor of 1 GFLOPS");
    text = gpu_with(R"("compute_efficiency": 1)");
    text.replace(text.find("1PFLOPS"), 7, "1GFLOPS");
    EXPECT_NO_THROW((void)testing::load_text(text));
}

TEST(Bounds, BandwidthFloor) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"cables": {"C": {"bandwidth": "1e-300B/s", "latency": "5ns"}}})")),
                       "/catalog/cables/C/bandwidth", "bandwidth of 1e-300 B/s is below the floor of 1 Mbps");
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"switches": {"S": {"radix": 64, "port_bandwidth": "999kbps",
                                         "latency": "1us", "power": "1kW"}}})")),
                       "/catalog/switches/S/port_bandwidth", "below the floor of 1 Mbps");
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"nics": {"X": {"port_bandwidth": "1e-300B/s", "latency": "1us",
                                         "power": "20W"}}})")),
                       "/catalog/nics/X/port_bandwidth", "below the floor of 1 Mbps");
    std::string text = gpu_with(R"("compute_efficiency": 1)");
    text.replace(text.find("3TB/s"), 5, "1e-300B/s");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/gpus/G/hbm_bandwidth", "below the floor of 1 Mbps");
    text = gpu_with(R"("compute_efficiency": 1)");
    text.replace(text.find("450GB/s"), 7, "1e-300B/s");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/gpus/G/scaleup_bandwidth", "below the floor of 1 Mbps");
    EXPECT_NO_THROW(
        (void)testing::load_text(with_catalog(R"({"cables": {"C": {"bandwidth": "1Mbps", "latency": "5ns"}}})")));
}

TEST(Bounds, LatencyCeiling) {
    EXPECT_INPUT_ERROR(load_text(with_catalog(R"({"cables": {"C": {"bandwidth": "400Gbps", "latency": "1e300s"}}})")),
                       "/catalog/cables/C/latency", "latency of 1e+300 s is above the ceiling of 1 s");
    std::string text = gpu_with(R"("compute_efficiency": 1)");
    text.replace(text.find("\"1us\""), 5, "\"2s\"");
    EXPECT_INPUT_ERROR(load_text(text), "/catalog/gpus/G/scaleup_latency", "above the ceiling of 1 s");
}

TEST(Bounds, LinkEfficiencyFloor) {
    EXPECT_INPUT_ERROR(load_text(R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", "link_efficiency": 0.001,
                   "tiers": [{"switch": "QM9700"}]}}})"),
                       "/topology/fabric/link_efficiency", "below the floor of 0.01");
}

// Resource budgets of the topology (limits.hpp): checked before the graph is built.
TEST(Limits, GpusAndLinksBeforeBuilding) {
    const std::string text = R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 2}],
        "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                   "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})";
    const auto load = [&](const Limits& limits) {
        const Document doc = Document::parse(text, "test.json");
        Object root = doc.root().as_object();
        (void)load_topology(root.at("topology").as_object(), Catalog::builtin(), limits);
    };
    Limits limits;
    limits.max_gpus = 15;
    EXPECT_INPUT_ERROR(load(limits), "/topology/nodes/0/count", "16 GPUs, above the limit of 15");
    // 2 nodes x (8 GPUs + 4 x 8 NIC ports) = 80 links estimated.
    limits = Limits{};
    limits.max_links = 79;
    EXPECT_NE(twin::test::error_of([&] { load(limits); }).find("about 80 links, above the limit of 79"),
              std::string::npos);
    limits.max_links = 80;
    EXPECT_NO_THROW(load(limits));
    EXPECT_NO_THROW(load(Limits::none()));
}

} // namespace
} // namespace twin::topology
