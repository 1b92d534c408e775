// Partial folding (models/fold.hpp, "Partial folding") and the scenario's "stragglers"
// (models/stragglers.hpp): which replica blocks are simulated, whom each stands for, and the
// bad-input paths of the new key.
#include "twin/core/error.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/scenario.hpp"
#include "twin/topology/load.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

// 4 DGX-H100 (32 GPUs) on a non-blocking rail-optimized leaf/spine.
json topology_json() {
    return json::parse(R"({"nodes": [{"type": "DGX-H100", "count": 4}],
      "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
                 "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}})");
}

topology::Cluster four_nodes() {
    const auto doc = Document::parse(topology_json().dump(), "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

// 32 ranks: tp 8 (one node), dp 4 (stride 8). Rank r: replica r / 8.
json trace_json() {
    return json{
        {"schema_version", 1},
        {"name", "tp8-dp4"},
        {"ranks", 32},
        {"groups", {{"tp", {{"size", 8}}}, {"dp", {{"size", 4}, {"stride", 8}}}}},
        {"classes",
         json::array({{{"name", "all"},
                       {"ranks", "all"},
                       {"program",
                        json::array({{{"op", "compute"}, {"name", "c"}, {"flops", "1TFLOP"}},
                                     {{"op", "all_reduce"}, {"name", "tp"}, {"group", "tp"}, {"size", "1MiB"}},
                                     {{"op", "all_reduce"}, {"name", "dp"}, {"group", "dp"}, {"size", "1MiB"}}})}}})}};
}

Trace load(const json& j) {
    const auto doc = Document::parse(j.dump(), "trace.json");
    return load_trace(doc.root().as_object());
}

TEST(PartialFold, ABlockWithAStragglerIsSimulatedTheOthersFoldOntoBlockZero) {
    auto cluster = four_nodes();
    cluster.set_gpu_speed(19, 0.5); // replica 2, TP rank 3
    const auto trace = load(trace_json());
    const auto fold = plan_fold(trace, cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 4);
    EXPECT_EQ(fold.simulated_blocks, 2);
    EXPECT_EQ(fold.stand_in, (std::vector<std::int32_t>{0, 0, 2, 0}));
    EXPECT_EQ(fold.images[0], (std::vector<std::int32_t>{1, 3}));
    EXPECT_TRUE(fold.images[2].empty());
    for (int r = 0; r < 32; ++r) {
        const bool sim = r < 8 || (r >= 16 && r < 24);
        EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], sim ? 1 : 0) << r;
        EXPECT_EQ(fold.weight[static_cast<std::size_t>(r)], r < 8 ? 3 : sim ? 1 : 0) << r;
    }
    // The dp collective waits for the members of both simulated blocks.
    EXPECT_EQ(fold.simulated_members[static_cast<std::size_t>(fold.family)][0], 2);
    EXPECT_EQ(fold.image(trace, 19, 0), 3);
    EXPECT_EQ(fold.image(trace, 3, 2), 19);
    EXPECT_EQ(fold.block_of(trace, 19), 2);
}

TEST(PartialFold, BlocksWithTheSameStragglersFoldTogether) {
    auto cluster = four_nodes();
    cluster.set_gpu_speed(11, 0.8); // replica 1, TP rank 3
    cluster.set_gpu_speed(27, 0.8); // replica 3, TP rank 3
    const auto fold = plan_fold(load(trace_json()), cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.stand_in, (std::vector<std::int32_t>{0, 1, 0, 1}));
    EXPECT_EQ(fold.images[0], (std::vector<std::int32_t>{2}));
    EXPECT_EQ(fold.images[1], (std::vector<std::int32_t>{3}));
    EXPECT_EQ(fold.weight[8], 2);
}

TEST(PartialFold, EveryBlockDifferentLeavesTheRunUnfolded) {
    auto cluster = four_nodes();
    for (int b = 1; b < 4; ++b) {
        cluster.set_gpu_speed(8 * b + b, 0.9); // a straggler at a different place in each block
    }
    const auto fold = plan_fold(load(trace_json()), cluster);
    EXPECT_FALSE(fold.active);
    EXPECT_NE(fold.reason.find("stragglers"), std::string::npos) << fold.reason;
}

Scenario with_stragglers(const json& stragglers) {
    json s{{"schema_version", 1},
           {"name", "s"},
           {"seed", 3},
           {"topology", topology_json()},
           {"workload", {{"type", "trace"}, {"trace", trace_json()}}},
           {"stragglers", stragglers}};
    return parse_scenario(s.dump(), "s.json", ".");
}

TEST(Stragglers, ListedAndDrawnGpusGetTheirSpeed) {
    const auto s = with_stragglers(json::parse(R"([{"gpus": [3, 30], "speed": 0.5}])"));
    EXPECT_EQ(s.cluster.gpu_speed(3), 0.5);
    EXPECT_EQ(s.cluster.gpu_speed(30), 0.5);
    EXPECT_EQ(s.cluster.gpu_speed(4), 1.0);
    // A quarter of 32 GPUs: 8, the same 8 for the same seed.
    const auto a = with_stragglers(json::parse(R"([{"fraction": 0.25, "speed": 0.9}])"));
    const auto b = with_stragglers(json::parse(R"([{"fraction": 0.25, "speed": 0.9}])"));
    int slow = 0;
    for (int g = 0; g < 32; ++g) {
        slow += a.cluster.gpu_speed(g) < 1.0 ? 1 : 0;
        EXPECT_EQ(a.cluster.gpu_speed(g), b.cluster.gpu_speed(g)) << g;
    }
    EXPECT_EQ(slow, 8);
}

std::string error_pointer(const json& stragglers) {
    try {
        (void)with_stragglers(stragglers);
    } catch (const InputError& e) {
        return e.pointer();
    }
    return "(no error)";
}

TEST(Stragglers, BadInputNamesTheKey) {
    EXPECT_EQ(error_pointer(json::parse(R"([{"gpus": [32], "speed": 0.5}])")), "/stragglers/0/gpus/0");
    EXPECT_EQ(error_pointer(json::parse(R"([{"gpus": [1], "speed": 1.5}])")), "/stragglers/0/speed");
    EXPECT_EQ(error_pointer(json::parse(R"([{"gpus": [1], "speed": 0}])")), "/stragglers/0/speed");
    EXPECT_EQ(error_pointer(json::parse(R"([{"gpus": [1], "fraction": 0.1, "speed": 0.5}])")), "/stragglers/0");
    EXPECT_EQ(error_pointer(json::parse(R"([{"speed": 0.5}])")), "/stragglers/0");
    EXPECT_EQ(error_pointer(json::parse(R"([{"fraction": 2, "speed": 0.5}])")), "/stragglers/0/fraction");
    EXPECT_EQ(error_pointer(json::parse(R"([{"gpus": [1], "speed": 0.5, "typo": 1}])")), "/stragglers/0/typo");
    EXPECT_EQ(error_pointer(json::parse(R"({"gpus": [1]})")), "/stragglers");
    EXPECT_EQ(error_pointer(json(65, json::parse(R"({"gpus": [1], "speed": 0.5})"))), "/stragglers");
}

} // namespace
