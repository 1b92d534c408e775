// Data-parallel communication of the training trace (models/src/llm_training_dp.cpp): Megatron-LM's
// gradient buckets, the parameter all-gather beside the next forward, ZeRO-3's per-layer gathers,
// and the overlap keys' rules. Counts and bytes derived by hand in each test.
#include "twin/models/llm_training.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

// h = 1024, GELU MLP 4h, no biases: a layer holds 12h² + 2h parameters (norms), per GPU with tp 1.
constexpr double kH = 1024;
constexpr double kLayerParams = 12 * kH * kH + 2 * kH;

json workload(int layers, int pp, int dp) {
    return json{
        {"type", "llm-training"},
        {"model", {{"layers", layers}, {"hidden", 1024}, {"heads", 16}, {"vocab", 32000}, {"seq_length", 2048}}},
        {"parallelism", {{"tp", 1}, {"pp", pp}, {"dp", dp}}},
        {"batch", {{"global_batch", 2 * dp}, {"micro_batch", 1}}}};
}

Trace load(const json& w) {
    const auto doc = Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", "cluster.json");
    const auto cluster = topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
    const auto wd = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = wd.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

// Executions of the collectives named `name` (repeats multiplied out) and their bytes.
struct Tally {
    std::int64_t count = 0;
    double bytes = 0.0;
    double seconds = 0.0;      // measured durations of compute steps ("duration")
    std::vector<double> sizes; // distinct sizes in program order
};
void tally(const Block& block, const std::string& name, std::int64_t times, Tally& t) {
    for (const auto& step : block.body) {
        if (const auto* op = std::get_if<Op>(&step)) {
            if (op->name == name) {
                t.count += times;
                t.bytes += static_cast<double>(times) * op->collective.size.value();
                t.seconds += static_cast<double>(times) * op->compute.duration.value();
                t.sizes.push_back(op->collective.size.value());
            }
        } else {
            const auto& b = std::get<Block>(step);
            tally(b, name, times * b.repeat, t);
        }
    }
}
Tally tally(const Trace& t, int cls, const std::string& name) {
    Tally out;
    tally(t.classes[static_cast<std::size_t>(cls)].program, name, 1, out);
    return out;
}

// Megatron-LM buckets pipeline rank 0's first chunk by whole layers here: with a bucket of 2.5
// layers' parameters, r = ceil(2.5) = 3 layers per bucket, so 10 layers give buckets of 3, 3, 3
// and 1 layer(s): ceil(10/3) = 4 all-reduces carrying the 10 layers' gradients once.
TEST(LlmTrainingDp, GradientBucketsOfTheFirstStage) {
    json w = workload(10, 1, 2);
    w["overlap"] = {{"bucket_params", static_cast<std::int64_t>(2.5 * kLayerParams)}};
    const Tally g = tally(load(w), 0, "dp_grad_all_reduce");
    EXPECT_EQ(g.count, 4);
    EXPECT_DOUBLE_EQ(g.bytes, 10 * kLayerParams * 2);
    // In program order: the full buckets beside the backward, the last (1 layer) after the chunk.
    EXPECT_EQ(g.sizes, (std::vector<double>{3 * kLayerParams * 2, 3 * kLayerParams * 2, 3 * kLayerParams * 2,
                                            kLayerParams * 2}));
    // Megatron's default bucket, max(40e6, 1e6·dp) = 40e6 parameters: r = ceil(40e6 / 12.58e6) = 4
    // layers per bucket, buckets of 4, 4 and 2 layers: 3 all-reduces.
    const Tally d = tally(load(workload(10, 1, 2)), 0, "dp_grad_all_reduce");
    EXPECT_EQ(d.count, 3);
    EXPECT_DOUBLE_EQ(d.bytes, 10 * kLayerParams * 2);
}

// The block holding the bucketed backward: the one whose body has "dp_gradients" blocks.
const Block* bucketed_block(const Block& block) {
    for (const auto& step : block.body) {
        if (const auto* b = std::get_if<Block>(&step)) {
            if (b->name == "dp_gradients") {
                return &block;
            }
            if (const Block* inner = bucketed_block(*b)) {
                return inner;
            }
        }
    }
    return nullptr;
}

// Megatron-LM posts each bucket's collective asynchronously: the backward compute of the next
// buckets never waits for it, only the next bucket's collective does (one communication stream).
// Buckets of 3, 3, 3, 1 layers: computes c0..c3 chained to each other only; collectives g0..g2 after
// their bucket's compute and the collective before; the last bucket's (g3) follows the chunk.
TEST(LlmTrainingDp, BucketComputeNeverWaitsForCollectives) {
    json w = workload(10, 1, 2);
    w["overlap"] = {{"bucket_params", static_cast<std::int64_t>(2.5 * kLayerParams)}};
    const Trace t = load(w);
    const Block* block = bucketed_block(t.classes[0].program);
    ASSERT_NE(block, nullptr);
    std::vector<int> computes;
    std::vector<int> grads;
    for (std::size_t i = 0; i < block->body.size(); ++i) {
        if (const auto* b = std::get_if<Block>(&block->body[i])) {
            (b->name == "dp_gradients" ? grads : computes).push_back(static_cast<int>(i));
        }
    }
    ASSERT_EQ(computes.size(), 4U);
    ASSERT_EQ(grads.size(), 3U);
    for (std::size_t i = 1; i < computes.size(); ++i) {
        EXPECT_EQ(block->deps[static_cast<std::size_t>(computes[i])], std::vector<int>{computes[i - 1]}) << i;
    }
    EXPECT_EQ(block->deps[static_cast<std::size_t>(grads[0])], std::vector<int>{computes[0]});
    for (std::size_t i = 1; i < grads.size(); ++i) {
        // deps are kept sorted: g(i-1) comes before c(i) in the body.
        EXPECT_EQ(block->deps[static_cast<std::size_t>(grads[i])], (std::vector<int>{grads[i - 1], computes[i]})) << i;
    }
}

// Later pipeline stages are one bucket (training.py: no bucketing for pp rank > 0), and without
// overlap.grad_reduce every chunk is one bucket, reduced after the pipeline flush.
TEST(LlmTrainingDp, OneBucketOffTheFirstStageOrWithoutOverlap) {
    json w = workload(8, 2, 2);
    w["overlap"] = {{"bucket_params", 1}};
    const Trace t = load(w);
    EXPECT_EQ(tally(t, 0, "dp_grad_all_reduce").count, 4); // a layer per bucket
    const Tally last = tally(t, 1, "dp_grad_all_reduce");
    EXPECT_EQ(last.count, 1);
    EXPECT_DOUBLE_EQ(last.bytes, 4 * kLayerParams * 2);
    w["overlap"] = {{"grad_reduce", false}};
    const Tally off = tally(load(w), 0, "dp_grad_all_reduce");
    EXPECT_EQ(off.count, 1);
    EXPECT_DOUBLE_EQ(off.bytes, 4 * kLayerParams * 2);
}

// The distributed optimizer's all-gather of the updated parameters: after the optimizer by
// default (one of the stage's parameters), or bucket by bucket in the first forward with
// overlap.param_gather (same bytes, in the buckets of the gradients).
TEST(LlmTrainingDp, ParameterGatherBesideTheFirstForward) {
    json w = workload(10, 1, 2);
    w["parallelism"]["zero"] = 1;
    const Tally after = tally(load(w), 0, "dp_param_all_gather");
    EXPECT_EQ(after.count, 1);
    EXPECT_DOUBLE_EQ(after.bytes, 10 * kLayerParams * 2);
    w["overlap"] = {{"param_gather", true}, {"bucket_params", static_cast<std::int64_t>(2.5 * kLayerParams)}};
    const Tally beside = tally(load(w), 0, "dp_param_all_gather");
    EXPECT_EQ(beside.count, 4); // buckets 1 (the first layer), 3, 3, 3 in forward order
    EXPECT_DOUBLE_EQ(beside.bytes, 10 * kLayerParams * 2);
    EXPECT_EQ(beside.sizes.front(), kLayerParams * 2);
}

// The MTP modules' gradients are reduced once per step after the last stage's last backward, and
// their updated parameters gathered after the optimizer: mtp_parameters(m) bf16 bytes more of each
// (h 1024, MTP = 2h² + 3h + one layer), on the last stage only.
TEST(LlmTrainingDp, MtpGradientsAndParameters) {
    json w = workload(4, 2, 2);
    w["parallelism"]["zero"] = 1;
    json mtp = w;
    mtp["model"]["mtp_layers"] = 1;
    const double bytes = (2 * kH * kH + 3 * kH + kLayerParams) * 2;
    for (const char* name : {"dp_grad_reduce_scatter", "dp_param_all_gather"}) {
        EXPECT_DOUBLE_EQ(tally(load(mtp), 1, name).bytes - tally(load(w), 1, name).bytes, bytes) << name;
        EXPECT_DOUBLE_EQ(tally(load(mtp), 0, name).bytes, tally(load(w), 0, name).bytes) << name;
    }
}

// The interleaved schedule posts every unbucketed chunk's parameter all-gather at the step's start
// (align_param_gather). They share one data-parallel communicator, so NCCL runs them in the order
// posted: the gather of chunk k waits for the gather of chunk k - 1, the first for nothing (pp 2,
// v 2: stage 1's two chunks; stage 0's first chunk is bucketed and gathered beside its forward).
TEST(LlmTrainingDp, AlignedChunkGathersRunOneAfterTheOther) {
    json w = workload(8, 2, 2);
    w["parallelism"]["zero"] = 1;
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 2;
    w["overlap"] = {{"param_gather", true}};
    const Trace t = load(w);
    const Block& program = t.classes[1].program;
    std::vector<int> gathers;
    for (std::size_t i = 0; i < program.body.size(); ++i) {
        if (const auto* b = std::get_if<Block>(&program.body[i]); b != nullptr && b->name == "dp_param_gather") {
            gathers.push_back(static_cast<int>(i));
        }
    }
    ASSERT_EQ(gathers.size(), 2U);
    EXPECT_TRUE(program.deps[static_cast<std::size_t>(gathers[0])].empty());
    EXPECT_EQ(program.deps[static_cast<std::size_t>(gathers[1])], std::vector<int>{gathers[0]});
}

// ZeRO-3: each layer's parameters gathered before its forward and again before its backward, and
// its gradients reduce-scattered, in every micro-batch: per GPU and step 3·m·L collectives of one
// layer's bytes (m = 2 micro-batches, L = 4 layers: 8 + 8 all-gathers, 8 reduce-scatters),
// ≈ 3 × the parameter bytes per micro-batch.
TEST(LlmTrainingDp, ZeroThreeGathersEveryLayerInEveryMicroBatch) {
    json w = workload(4, 1, 2);
    w["parallelism"]["zero"] = 3;
    for (bool prefetch : {true, false}) {
        w["overlap"] = {{"param_gather", prefetch}};
        const Trace t = load(w);
        const Tally ag = tally(t, 0, "zero3_param_all_gather");
        const Tally rs = tally(t, 0, "dp_grad_reduce_scatter");
        EXPECT_EQ(ag.count, 2 * 2 * 4) << prefetch;
        EXPECT_EQ(rs.count, 2 * 4) << prefetch;
        EXPECT_DOUBLE_EQ(ag.bytes + rs.bytes, 3 * 2 * 4 * kLayerParams * 2) << prefetch;
        EXPECT_EQ(tally(t, 0, "dp_param_all_gather").count, 0); // nothing left after the optimizer
    }
}

// ZeRO-3 as DeepSpeed 0.3.x ran it (zero3_gather "tensor-sync", llm_training_zero3.cpp): each of
// a layer's 4 weight tensors (qkv 3h·h, proj h·h, fc1 and fc2 4h·h; the norms, 2h, stay whole
// under the 10^5-element persistence threshold) gathered on its own before the forward, before the
// recompute (full) and before the backward, its gradient reduce-scattered on its own, each
// collective after a host step of dp × kZero3HostPerRank. m = 2 micro-batches, L = 4 layers:
// without recompute 2·2·4·4 = 64 gathers, with full recompute 3·2·4·4 = 96; 2·4·4 = 32
// reduce-scatters; bytes 12h²·2 per layer and pass.
TEST(LlmTrainingDp, ZeroThreeTensorSyncGathersEachTensorAfterAHostStep) {
    json w = workload(4, 1, 2);
    w["parallelism"]["zero"] = 3;
    w["parallelism"]["zero3_gather"] = "tensor-sync";
    for (const char* recompute : {"none", "full"}) {
        w["recompute"] = recompute;
        const Trace t = load(w);
        const std::int64_t passes = std::string(recompute) == "full" ? 3 : 2;
        const Tally ag = tally(t, 0, "zero3_param_all_gather");
        const Tally rs = tally(t, 0, "dp_grad_reduce_scatter");
        const Tally host = tally(t, 0, "zero3_host_setup");
        EXPECT_EQ(ag.count, passes * 2 * 4 * 4) << recompute;
        EXPECT_EQ(rs.count, 2 * 4 * 4) << recompute;
        EXPECT_DOUBLE_EQ(ag.bytes, passes * 2 * 4 * 12 * kH * kH * 2) << recompute;
        EXPECT_DOUBLE_EQ(rs.bytes, 2 * 4 * 12 * kH * kH * 2) << recompute;
        EXPECT_EQ(host.count, ag.count + rs.count) << recompute;
        EXPECT_NEAR(host.seconds, static_cast<double>(host.count) * 2 * 16.8e-6, 1e-12) << recompute;
    }
}

TEST(LlmTrainingDpErrors, ZeroThreeTensorSyncRules) {
    json w = workload(4, 1, 2);
    w["parallelism"]["zero"] = 1;
    w["parallelism"]["zero3_gather"] = "tensor-sync";
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/parallelism/zero3_gather", "needs zero 3");
    w["parallelism"]["zero"] = 3;
    w["parallelism"]["zero3_gather"] = "per-tensor";
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/parallelism/zero3_gather", "");
    w["parallelism"]["zero3_gather"] = "tensor-sync";
    w["overlap"] = {{"param_gather", true}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/overlap/param_gather", "synchronizes");
    w.erase("overlap");
    w["model"]["moe"] = {{"experts", 4}, {"top_k", 1}, {"ffn", 256}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/parallelism/zero3_gather", "mixture-of-experts");
}

TEST(LlmTrainingDpErrors, OverlapRules) {
    json w = workload(4, 1, 2);
    w["overlap"] = {{"param_gather", true}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/overlap/param_gather", "needs a sharded optimizer");
    w["parallelism"]["zero"] = 1;
    w["overlap"] = {{"param_gather", true}, {"grad_reduce", false}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/overlap/param_gather", "overlap_grad_reduce");
    w["overlap"] = {{"dp", true}, {"grad_reduce", false}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/overlap/grad_reduce", "disagree");
    w["overlap"] = {{"bucket_params", 0}};
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", "/workload/overlap/bucket_params", "");
}

} // namespace
