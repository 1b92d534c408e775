// tune's step-time estimate (twin/sweep/tune_estimate.hpp) on 4 DGX H100 with Llama-3 8B
// (tests/scenarios/tune-32-h100-llama3-8b.json: L = 32 layers, h = 4096, s = 8192, global batch
// 32): each communication term is the count of collectives the trace issues times the planner's
// time of one, counted here by hand from the ops of models/src/llm_training_ops.cpp.
#include "twin/core/json_reader.hpp"
#include "twin/models/llm_model.hpp"
#include "twin/models/scenario.hpp"
#include "twin/sweep/tune.hpp"
#include "twin/sweep/tune_estimate.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace twin::sweep {
namespace {

using models::CollectiveKind;
using nlohmann::json;

const std::string kScenario = std::string(TWIN_SOURCE_DIR) + "/tests/scenarios/tune-32-h100-llama3-8b.json";
constexpr double kL = 32.0;
constexpr double kT = 8192.0;              // tokens of a micro-batch (b = 1, cp = 1)
constexpr double kAct = kT * 4096.0 * 2.0; // T·h·2 bytes

class TuneEstimateTest : public ::testing::Test {
protected:
    TuneEstimateTest() : scenario_(models::load_scenario(kScenario)), clock_(scenario_.cluster) {}
    // The base workload with `par` merged into its parallelism (and `top` into the workload).
    models::TrainingConfig config(const json& par, const json& top = json::object()) const {
        json w = Document::load(kScenario).root().json()["workload"];
        w["parallelism"].update(par);
        w.update(top);
        return models::read_training_config(
            Value(w, std::make_shared<const std::string>("test.json"), "/workload").as_object());
    }
    StepEstimate estimate(const models::TrainingConfig& c) {
        return estimate_step(c, scenario_.cluster.gpu_type(0), clock_);
    }
    models::Scenario scenario_;
    CollectiveClock clock_;
};

// tp 2 without sequence parallelism, dp 16: m = 32/16 = 2 micro-batches. Per layer the trace
// issues 2 all-reduces of T·h·2 forward and 2 backward (the input gradients of qkv and of the MLP,
// Megatron-LM's adjoints, llm_training_ops.cpp); the embedding's partial rows 1 and the
// head's input gradient 1 more; the vocab-parallel cross-entropy 3 of T fp32. Full recompute adds
// the forward's 2 per layer.
TEST_F(TuneEstimateTest, TensorParallelTermCountsTheTracesAllReduces) {
    const json par = {{"tp", 2}, {"dp", 16}, {"sequence_parallel", false}};
    const double ar = clock_.time(CollectiveKind::AllReduce, 2, 1, kAct);
    const double ce = clock_.time(CollectiveKind::AllReduce, 2, 1, kT * 4.0);
    ASSERT_GT(ar, 0.0);
    EXPECT_NEAR(estimate(config(par)).tp_s, 2.0 * ((4.0 * kL + 2.0) * ar + 3.0 * ce), 1e-12);
    EXPECT_NEAR(estimate(config(par, {{"recompute", "full"}})).tp_s, 2.0 * ((6.0 * kL + 2.0) * ar + 3.0 * ce), 1e-12);
}

// tp 1, pp 4 (1F1B), dp 8: m = 4, β = 3/(4 + 3); 2·(m + pp − 1) = 14 blocking transfers of
// T·h·2 bytes between rank 0 and rank tp·cp·dp = 8 (the next stage).
TEST_F(TuneEstimateTest, PipelineTermAndBubble) {
    const auto e = estimate(config({{"tp", 1}, {"pp", 4}, {"dp", 8}, {"sequence_parallel", false}}));
    EXPECT_NEAR(e.bubble, 3.0 / 7.0, 1e-15);
    const double p2p = clock_.time(CollectiveKind::Broadcast, 2, 8, kAct);
    ASSERT_GT(p2p, 0.0);
    EXPECT_NEAR(e.pp_s, 14.0 * p2p, 1e-12);
    EXPECT_DOUBLE_EQ(e.step_s(), (e.compute_s + e.tp_s + e.cp_s + e.ep_s) / (1.0 - 3.0 / 7.0) + e.pp_s + e.dp_s);
}

// tp 1, dp 32, zero 0 without overlap.grad_reduce: one all-reduce over the 32 ranks of every
// layer's gradients, 2 bytes per parameter: D = 32 · P_layer · 2 (P_layer: llm_model.hpp, tp 1
// holds the whole layer); with the overlap, the backward of one micro-batch hides part of it.
TEST_F(TuneEstimateTest, DataParallelTermIsTheGradientAllReduceLessWhatTheBackwardHides) {
    const json par = {{"tp", 1}, {"dp", 32}, {"zero", 0}, {"sequence_parallel", false}};
    const auto c = config(par, {{"recompute", "full"}, {"overlap", {{"grad_reduce", false}}}});
    const double d = kL * models::layer_parameters(c.model, models::LayerKind{}) * 2.0;
    const double ar = clock_.time(CollectiveKind::AllReduce, 32, 1, d);
    EXPECT_NEAR(estimate(c).dp_s, ar, 1e-12);
    const auto overlapped = estimate(config(par, {{"recompute", "full"}}));
    EXPECT_LT(overlapped.dp_s, ar);
    // compute = m·(L·layer + embedding + head) with m = 1 (the roofline of each op)
    const auto cf = config(par, {{"recompute", "full"}});
    const auto& gpu = scenario_.cluster.gpu_type(0);
    EXPECT_NEAR(overlapped.compute_s,
                kL * models::training_layer_cost(cf, models::LayerKind{}, gpu).compute_s() +
                    models::training_embedding_cost(cf, gpu).compute_s() +
                    models::training_head_cost(cf, gpu).compute_s(),
                1e-9);
}

// No tp, cp, ep or pp: those terms are 0 and the step is compute + dp.
TEST_F(TuneEstimateTest, OneDimensionLayoutHasOnlyItsTerms) {
    const auto e = estimate(config({{"tp", 1}, {"dp", 32}, {"sequence_parallel", false}}));
    EXPECT_EQ(e.tp_s, 0.0);
    EXPECT_EQ(e.cp_s, 0.0);
    EXPECT_EQ(e.ep_s, 0.0);
    EXPECT_EQ(e.pp_s, 0.0);
    EXPECT_EQ(e.bubble, 0.0);
    EXPECT_DOUBLE_EQ(e.step_s(), e.compute_s + e.dp_s);
}

} // namespace
} // namespace twin::sweep

namespace twin::sweep {
namespace {

// A base with its own uneven stage split (pp 2, 15 + 17 layers): tune drops the split for the
// layouts it tries, so other pipeline depths (pp 4: 8 layers a stage) are still searched.
TEST(TuneLayouts, TheBasesStageSplitDoesNotPinThePipelineDepth) {
    json base = Document::load(kScenario).root().json();
    base["workload"]["parallelism"].update(json{{"tp", 8}, {"pp", 2}, {"dp", 2}, {"pipeline_layers", {15, 17}}});
    const auto file = std::filesystem::temp_directory_path() / ("tune-split-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << base.dump();
    const auto r = tune_layouts(file);
    std::filesystem::remove(file);
    EXPECT_TRUE(std::any_of(r.ranked.begin(), r.ranked.end(), [](const Candidate& c) { return c.layout.pp == 4; }));
    EXPECT_TRUE(std::none_of(r.ranked.begin(), r.ranked.end(), [](const Candidate& c) {
        return c.scenario["workload"]["parallelism"].contains("pipeline_layers");
    }));
}

} // namespace
} // namespace twin::sweep
