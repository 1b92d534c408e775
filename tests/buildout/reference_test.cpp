// The reference build: one scalable unit with its share of spines (and cores), the workload cut to
// whole replicas with the batch per replica kept.
#include "buildout_test_util.hpp"
#include "twin/buildout/reference.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace twin::buildout {
namespace {

nlohmann::json with_llm(const std::string& text, int dp) {
    auto j = nlohmann::json::parse(text);
    j["workload"] = {{"type", "llm-training"},
                     {"model", {{"preset", "llama3-70b"}}},
                     {"parallelism", {{"tp", 4}, {"pp", 4}, {"cp", 2}, {"dp", dp}}},
                     {"batch", {{"global_batch", 8 * dp}, {"micro_batch", 1}}}};
    return j;
}

// 4 SUs (1,024 GPUs), tp 4 x pp 4 x cp 2 = 32 GPUs per replica, dp 32, global batch 256 (8 per
// replica). One SU = 32 nodes = 256 GPUs = 8 replicas: dp 8, global batch 64; 2 tiers kept, the
// spines derived for one SU (4).
TEST(Reference, OneSuOfA4SuPod) {
    const std::string text = testing::superpod(4);
    auto in = testing::load(text);
    const auto ref = make_reference(with_llm(text, 32), in.cluster, "test.json");
    EXPECT_EQ(ref.leaf_groups, 1);
    EXPECT_EQ(ref.nodes, 32);
    EXPECT_EQ(ref.gpus, 256);
    EXPECT_EQ(ref.dp, 8);
    EXPECT_EQ(ref.scenario["workload"]["batch"]["global_batch"], 64);
    EXPECT_EQ(ref.scenario["topology"]["nodes"][0]["count"], 32);
    auto small = testing::load(ref.scenario.dump());
    const Layout layout = make_layout(small.cluster, small.floorplan);
    const Bom bom = build_bom(small.cluster, layout);
    EXPECT_EQ(bom.count("switch", "leaf QM9700"), 8);
    EXPECT_EQ(bom.count("switch", "spine QM9700"), 4);
}

// 16 SUs on 3 tiers: the reference keeps a core tier (one pod of one SU: 32 spines, and
// ceil(1 x 32 / 64) = 1 core per core group x 32 groups = 32 cores).
TEST(Reference, KeepsTheCoreTier) {
    const std::string text = testing::superpod(16);
    auto in = testing::load(text);
    const auto ref = make_reference(with_llm(text, 128), in.cluster, "test.json");
    EXPECT_EQ(ref.gpus, 256);
    auto small = testing::load(ref.scenario.dump());
    const Layout layout = make_layout(small.cluster, small.floorplan);
    const Bom bom = build_bom(small.cluster, layout);
    EXPECT_EQ(bom.count("switch", "leaf QM9700"), 8);
    EXPECT_GT(bom.count("switch", "spine QM9700"), 0);
    EXPECT_GT(bom.count("switch", "core QM9700"), 0);
}

TEST(Reference, Errors) {
    const std::string text = testing::superpod(2);
    auto in = testing::load(text);
    auto trace = nlohmann::json::parse(text);
    trace["workload"] = {{"type", "trace"}, {"file", "x.json"}};
    EXPECT_INPUT_ERROR(make_reference(trace, in.cluster, "test.json"), "/workload/type", "fixed ranks");
    auto odd = with_llm(text, 16);
    odd["workload"]["batch"]["global_batch"] = 100;
    EXPECT_INPUT_ERROR(make_reference(odd, in.cluster, "test.json"), "/workload/batch/global_batch",
                       "not a multiple of dp 16");
}

} // namespace
} // namespace twin::buildout
