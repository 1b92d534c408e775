// LLM training generator: transformer arithmetic, trace shape, WorkloadInfo and every bad-input
// rule (exception + JSON pointer).
#include "twin/models/llm_model.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

topology::Cluster dgx_h100() {
    const auto doc = Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

TransformerConfig preset(const std::string& name) {
    const auto doc = Document::parse(json{{"preset", name}}.dump(), "m.json");
    return read_transformer_config(doc.root().as_object());
}

// A small valid workload on 8 GPUs: tp 2, pp 2, dp 2.
json small() {
    return json{{"type", "llm-training"},
                {"model", {{"layers", 4}, {"hidden", 1024}, {"heads", 16}, {"vocab", 32000}, {"seq_length", 2048}}},
                {"parallelism", {{"tp", 2}, {"pp", 2}, {"dp", 2}}},
                {"batch", {{"global_batch", 16}, {"micro_batch", 2}}}};
}

Trace load(const json& w) {
    const auto cluster = dgx_h100();
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

// Expects an InputError at `pointer` whose message contains `text`.
void expect_error(const json& w, const std::string& pointer, const std::string& text) {
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", pointer, text);
}

TEST(LlmModel, PresetParameterCounts) {
    // Llama 3 paper: 8B (8.03 B), 70B (70.6 B), 405B; GPT-3 175B.
    EXPECT_NEAR(total_parameters(preset("llama3-8b")) / 1e9, 8.03, 0.02);
    EXPECT_NEAR(total_parameters(preset("llama3-70b")) / 1e9, 70.55, 0.1);
    EXPECT_NEAR(total_parameters(preset("llama3-405b")) / 1e9, 405.8, 1.0);
    EXPECT_NEAR(total_parameters(preset("gpt3-175b")) / 1e9, 174.6, 0.5);
    EXPECT_NEAR(total_parameters(preset("gpt-1.8t-moe")) / 1e12, 1.81, 0.02);
}

TEST(LlmModel, FlopsMatchNemoFormula) {
    // NeMo 24.07 reports 697 model TFLOP/s per GPU at 12036 tokens/s/GPU for Llama 3 8B at s = 8192:
    // 57.9 GFLOP per token = 3 x forward (GEMMs + 4 s h attention per layer + logits).
    const auto m = preset("llama3-8b");
    EXPECT_NEAR(3 * forward_flops_per_token(m, false).total() / 1e9, 697e12 / 12036 / 1e9, 0.2);
    const auto f = forward_flops_per_token(m, true);
    EXPECT_DOUBLE_EQ(f.attention, 32 * 2.0 * 8192 * 4096);
    // 2 (K, V) x 32 layers x 8 kv heads x 128 x 2 bytes = 128 KiB per token.
    EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(m), 131072.0);
}

TEST(LlmModel, PresetOverrideAndExplicitDefaults) {
    const auto doc = Document::parse(R"({"preset": "llama3-8b", "layers": 16, "seq_length": 4096})", "m.json");
    const auto m = read_transformer_config(doc.root().as_object());
    EXPECT_EQ(m.layers, 16);
    EXPECT_EQ(m.seq, 4096);
    EXPECT_EQ(m.kv_heads, 8);
    const auto d2 =
        Document::parse(R"({"layers": 2, "hidden": 64, "heads": 4, "vocab": 10, "seq_length": 8})", "m.json");
    const auto e = read_transformer_config(d2.root().as_object());
    EXPECT_EQ(e.kv_heads, 4);
    EXPECT_EQ(e.ffn, 256);
}

TEST(LlmModel, GemmShapeEfficiency) {
    EXPECT_NEAR(gemm_shape_efficiency(1e9, 1e9, 1e9), 1.0, 1e-6);
    EXPECT_LT(gemm_shape_efficiency(8192, 128, 8192), gemm_shape_efficiency(8192, 8192, 8192));
}

TEST(LlmTraining, TraceShapeAndInfo) {
    const Trace t = load(small());
    EXPECT_EQ(t.ranks, 8);
    ASSERT_EQ(t.classes.size(), 2u); // one class per pipeline stage
    EXPECT_EQ(t.classes[1].ranks.front(), 4);
    std::vector<std::string> families;
    for (const auto& g : t.groups) {
        families.push_back(g.name);
    }
    EXPECT_EQ(families, (std::vector<std::string>{"dp", "pp", "tp"}));
    // tp fastest, then dp, then pp: rank 5 = tp 1, dp 0, stage 1.
    EXPECT_EQ(t.groups[2].communicators[2], (std::vector<int>{4, 5}));
    EXPECT_EQ(t.groups[0].communicators[0], (std::vector<int>{0, 2}));
    EXPECT_EQ(t.groups[1].communicators[0], (std::vector<int>{0, 4}));
    EXPECT_TRUE(t.info.present);
    EXPECT_EQ(t.info.kind, "llm-training");
    EXPECT_DOUBLE_EQ(t.info.tokens_per_step, 16.0 * 2048);
    EXPECT_DOUBLE_EQ(t.info.figures.at("micro_batches"), 4.0);
    EXPECT_DOUBLE_EQ(t.info.figures.at("pipeline_bubble_fraction_estimate"), 1.0 / 5.0);
    EXPECT_EQ(t.info.family_roles.at("pp"), "pp");
    EXPECT_GT(t.info.hardware_flops_per_step, 0.0);
    EXPECT_GT(t.info.figures.at("memory_per_gpu_bytes"), 0.0);
}

TEST(LlmTraining, ModelFlopsAreSixNPlusAttention) {
    const Trace t = load(small());
    // l=4, h=1024, V=32000, s=2048, GELU 4h: per token forward 4·(24 h²) + 4·(4 s h) + 2 V h.
    const double h = 1024, s = 2048, V = 32000;
    const double fwd = 4 * (24 * h * h + 4 * s * h) + 2 * V * h;
    EXPECT_DOUBLE_EQ(t.info.model_flops_per_step, 3 * fwd * 16 * s);
}

TEST(LlmTraining, SchedulesVariants) {
    for (const char* recompute : {"none", "selective", "full"}) {
        json w = small();
        w["recompute"] = recompute;
        w["parallelism"]["sequence_parallel"] = true;
        w["parallelism"]["zero"] = 3; // without a pipeline (zero >= 2 refuses pp > 1)
        w["parallelism"]["pp"] = 1;
        w["parallelism"]["dp"] = 4;
        EXPECT_NO_THROW((void)load(w)) << recompute;
    }
    json w = small();
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 2;
    const Trace t = load(w);
    EXPECT_DOUBLE_EQ(t.info.figures.at("pipeline_bubble_fraction_estimate"), 1.0 / 5.0 / 2.0);
}

// Megatron-LM's overlap_p2p_comm (on by default with interleaving): in the steady state a chunk's
// transfers are posted after it on their own, and the next compute waits for the compute before it
// (and the transfers it needs), not for the transfers posted just before it. Without it (and with
// 1F1B) every step waits for the one before it: each exchange blocks.
int computes_not_waiting_for_the_step_before(const json& w, int stage) {
    const Trace t = load(w);
    const Block& prog = t.classes.at(static_cast<std::size_t>(stage)).program;
    int n = 0;
    for (std::size_t i = 1; i < prog.body.size(); ++i) {
        const auto* b = std::get_if<Block>(&prog.body[i]);
        const auto& d = prog.deps[i];
        if (b != nullptr && (b->name == "forward" || b->name == "backward") &&
            std::find(d.begin(), d.end(), static_cast<int>(i) - 1) == d.end()) {
            ++n;
        }
    }
    return n;
}

TEST(LlmTraining, InterleavedOverlapsPipelineTransfers) {
    json w = small();
    w["model"]["layers"] = 8;
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 2;
    w["batch"] = {{"global_batch", 16}, {"micro_batch", 1}}; // m = 8 per replica
    EXPECT_GT(computes_not_waiting_for_the_step_before(w, 0), 0);
    EXPECT_GT(computes_not_waiting_for_the_step_before(w, 1), 0);
    w["overlap"] = {{"p2p", false}};
    EXPECT_EQ(computes_not_waiting_for_the_step_before(w, 0), 0);
    EXPECT_EQ(computes_not_waiting_for_the_step_before(w, 1), 0);
    w = small();
    EXPECT_EQ(computes_not_waiting_for_the_step_before(w, 1), 0); // 1F1B: blocking
}

// 4 experts (GELU, f_e = 4h), tp 2, dp 4, ep 2: each expert shard is held by dp/ep = 2 replicas.
json small_moe() {
    json w = small();
    w["model"]["moe"] = {{"experts", 4}, {"top_k", 2}};
    w["parallelism"] = {{"tp", 2}, {"dp", 4}, {"ep", 2}};
    w["batch"] = {{"global_batch", 8}};
    return w;
}

TEST(LlmTraining, MoeWithExpertParallelism) {
    const Trace t = load(small_moe());
    EXPECT_EQ(t.info.family_roles.at("ep"), "ep");
    EXPECT_EQ(t.info.family_roles.at("edp"), "dp");
}

// Executions of the ops named `name` in `block` (repeats multiplied out).
std::int64_t executions(const Block& block, const std::string& name) {
    std::int64_t n = 0;
    for (const auto& step : block.body) {
        if (const auto* op = std::get_if<Op>(&step)) {
            n += op->name == name ? 1 : 0;
        } else {
            n += executions(std::get<Block>(step), name);
        }
    }
    return n * block.repeat;
}

TEST(LlmTraining, UnevenPipelineStages) {
    // 10 layers on tp 1 x pp 4 x dp 2: first stage 1 layer, last 3, the middle two 3 each.
    json w = small();
    w["model"]["layers"] = 10;
    w["parallelism"] = {{"pp", 4}, {"dp", 2}, {"first_stage_layers", 1}, {"last_stage_layers", 3}};
    const Trace t = load(w);
    ASSERT_EQ(t.classes.size(), 4u);
    const std::int64_t m = 4; // 16 / (2·2) micro-batches, each running "qkv" forward and backward
    std::vector<std::int64_t> layers;
    for (const auto& c : t.classes) {
        layers.push_back(executions(c.program, "qkv") / (2 * m));
    }
    EXPECT_EQ(layers, (std::vector<std::int64_t>{1, 3, 3, 3}));
    EXPECT_DOUBLE_EQ(t.info.figures.at("pipeline_stage_layers_min"), 1.0);
    EXPECT_DOUBLE_EQ(t.info.figures.at("pipeline_stage_layers_max"), 3.0);
    // The last stage also computes the logits: the busiest stage is above the mean (2.5 layers).
    EXPECT_GT(t.info.figures.at("pipeline_stage_imbalance_estimate"), 3.0 / 2.5);
    // An explicit list, with the interleaved schedule (2 chunks per stage, 1 or 2 layers each).
    w["model"]["layers"] = 12;
    w["parallelism"] = {
        {"pp", 4}, {"dp", 2}, {"schedule", "interleaved"}, {"virtual_stages", 2}, {"pipeline_layers", {2, 4, 4, 2}}};
    const Trace u = load(w);
    layers.clear();
    for (const auto& c : u.classes) {
        layers.push_back(executions(c.program, "qkv") / (2 * m));
    }
    EXPECT_EQ(layers, (std::vector<std::int64_t>{2, 4, 4, 2}));
    // 4 of 12 layers against a mean of 3, less the logits' share of the mean (V = 31 h here).
    EXPECT_GT(u.info.figures.at("pipeline_stage_imbalance_estimate"), 1.1);
    EXPECT_LT(u.info.figures.at("pipeline_stage_imbalance_estimate"), 4.0 / 3.0);
}

// The first op named `name` in `block` (depth first), or nullptr.
const Op* find_op(const Block& block, const std::string& name) {
    for (const auto& step : block.body) {
        if (const auto* op = std::get_if<Op>(&step)) {
            if (op->name == name) {
                return op;
            }
        } else if (const Op* found = find_op(std::get<Block>(step), name)) {
            return found;
        }
    }
    return nullptr;
}

std::string family_of(const Trace& t, const Op& op) {
    return t.groups[static_cast<std::size_t>(op.collective.family)].name;
}

TEST(LlmTraining, TiedEmbeddingAndVocabParallelCollectives) {
    json w = small(); // tp 2, pp 2, dp 2, 4 micro-batches of 2 sequences
    w["model"]["tied_embeddings"] = true;
    const Trace t = load(w);
    const auto emb = std::find_if(t.groups.begin(), t.groups.end(), [](const auto& g) { return g.name == "emb"; });
    ASSERT_NE(emb, t.groups.end());
    // Rank r of stage 0 with rank r + 4 of stage 1.
    EXPECT_EQ(emb->communicators, (std::vector<std::vector<int>>{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    EXPECT_EQ(t.info.family_roles.at("emb"), "dp");
    for (const auto& c : t.classes) {
        const Op* ar = find_op(c.program, "embedding_grad_all_reduce");
        ASSERT_NE(ar, nullptr) << c.name;
        EXPECT_DOUBLE_EQ(ar->collective.size.value(), 32000.0 * 1024 / 2 * 2); // V·h/t bf16
        EXPECT_EQ(executions(c.program, "embedding_grad_all_reduce"), 1);
    }
    // Vocab-parallel cross-entropy: 3 all-reduces of T fp32 per micro-batch on the last stage; the
    // logits' input gradient and the embedding output summed over TP (T·h·2 bytes).
    const double T = 2 * 2048;
    EXPECT_EQ(executions(t.classes[1].program, "ce_tp_all_reduce"), 3 * 4);
    EXPECT_DOUBLE_EQ(find_op(t.classes[1].program, "ce_tp_all_reduce")->collective.size.value(), T * 4);
    EXPECT_EQ(executions(t.classes[1].program, "head_tp_ar"), 4);
    EXPECT_EQ(executions(t.classes[0].program, "ce_tp_all_reduce"), 0);
    // Untied: no pair family, no embedding all-reduce.
    const Trace u = load(small());
    EXPECT_EQ(find_op(u.classes[0].program, "embedding_grad_all_reduce"), nullptr);
}

TEST(LlmTraining, BackwardRunsTheAdjointOfEveryForwardTpCollective) {
    // Megatron-LM (SC'21 §2.3): per layer 2 all-reduces forward and 2 backward (the input gradients
    // of the two column-parallel blocks); with SP 2 all-gathers + 2 reduce-scatters each way.
    // small(): 4 layers on pp 2 (2 per stage), 4 micro-batches, no recompute; stage 0 also sums
    // the vocab-parallel embedding's output over TP once per micro-batch.
    const Trace t = load(small());
    const auto& stage0 = t.classes[0].program;
    EXPECT_EQ(executions(stage0, "tp_ar"), 2 * 2 * 4 * 2 + 4); // (fwd + bwd) x layers x micro-batches x 2
    json w = small();
    w["parallelism"]["sequence_parallel"] = true;
    const Trace s = load(w);
    EXPECT_EQ(executions(s.classes[0].program, "tp_ag"), 2 * 2 * 4 * 2);
    EXPECT_EQ(executions(s.classes[0].program, "tp_rs"), 2 * 2 * 4 * 2 + 4);
    EXPECT_EQ(executions(s.classes[0].program, "tp_ar"), 0);
}

TEST(LlmTraining, PipelineScatterGather) {
    // tp 2 without sequence parallelism: each TP rank sends half of b·s·h·2 and all-gathers.
    const double act = 2.0 * 2048 * 1024 * 2;
    const Trace t = load(small());
    EXPECT_DOUBLE_EQ(find_op(t.classes[0].program, "pp_send_activation")->p2p.size.value(), act / 2);
    const Op* ag = find_op(t.classes[1].program, "pp_tp_all_gather");
    ASSERT_NE(ag, nullptr);
    EXPECT_EQ(ag->collective.kind, CollectiveKind::AllGather);
    EXPECT_DOUBLE_EQ(ag->collective.size.value(), act);
    // Off: the whole tensor from every TP rank, no gather.
    json w = small();
    w["parallelism"]["scatter_gather"] = false;
    const Trace u = load(w);
    EXPECT_DOUBLE_EQ(find_op(u.classes[0].program, "pp_send_activation")->p2p.size.value(), act);
    EXPECT_EQ(find_op(u.classes[1].program, "pp_tp_all_gather"), nullptr);
    // Sequence parallelism already splits the activations over TP.
    w["parallelism"]["scatter_gather"] = true;
    w["parallelism"]["sequence_parallel"] = true;
    const Trace v = load(w);
    EXPECT_DOUBLE_EQ(find_op(v.classes[0].program, "pp_send_activation")->p2p.size.value(), act / 2);
    EXPECT_EQ(find_op(v.classes[1].program, "pp_tp_all_gather"), nullptr);
}

// With overlapped transfers the received slices are all-gathered over "tp" on the compute stream,
// as top-level steps just before the consuming chunk: left beside the asynchronous receive, the
// gather could cross the chunk's own TP collectives in a different order on different TP ranks
// (a collective mismatch). Blocking exchanges keep the gather inside their group.
TEST(LlmTraining, OverlappedScatterGatherGathersOnTheComputeStream) {
    const auto top_level_gathers = [](const Trace& t, int stage) {
        int n = 0;
        for (const auto& step : t.classes.at(static_cast<std::size_t>(stage)).program.body) {
            const auto* op = std::get_if<Op>(&step);
            n += op != nullptr && op->name == "pp_tp_all_gather" ? 1 : 0;
        }
        return n;
    };
    json w = small();
    w["model"]["layers"] = 8;
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 2;
    w["batch"] = {{"global_batch", 16}, {"micro_batch", 1}};
    EXPECT_GT(top_level_gathers(load(w), 1), 0);
    w["overlap"] = {{"p2p", false}};
    EXPECT_EQ(top_level_gathers(load(w), 1), 0);
}

TEST(LlmTraining, ExpertGradientsOverExpertDataParallelGroup) {
    json w = small_moe();
    w["overlap"] = {{"bucket_params", 1}}; // one layer per gradient bucket
    const Trace t = load(w);
    const auto edp = std::find_if(t.groups.begin(), t.groups.end(), [](const auto& g) { return g.name == "edp"; });
    ASSERT_NE(edp, t.groups.end());
    // rank = tp position + 2·replica; replicas 0 and 2 (and 1 and 3) hold the same experts.
    EXPECT_EQ(edp->communicators, (std::vector<std::vector<int>>{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    const Op* experts = find_op(t.classes[0].program, "expert_grad_all_reduce");
    ASSERT_NE(experts, nullptr);
    EXPECT_EQ(family_of(t, *experts), "edp");
    const double h = 1024;
    EXPECT_DOUBLE_EQ(experts->collective.size.value(), 4.0 / 2 * 2 * h * 4 * h / 2 * 2); // E/ep·k_m·h·f_e/t bf16
    const Op* dense = find_op(t.classes[0].program, "dp_grad_all_reduce");
    ASSERT_NE(dense, nullptr);
    EXPECT_EQ(family_of(t, *dense), "dp");
    // attention 4h²/t + router h·E + norms 2h, bf16.
    EXPECT_DOUBLE_EQ(dense->collective.size.value(), (4 * h * h / 2 + h * 4 + 2 * h) * 2);
    // dp = ep: every replica of a group holds different experts, nothing to reduce.
    w["parallelism"] = {{"tp", 2}, {"dp", 2}, {"ep", 2}, {"pp", 2}};
    const Trace u = load(w);
    EXPECT_EQ(find_op(u.classes[0].program, "expert_grad_all_reduce"), nullptr);
    EXPECT_NE(find_op(u.classes[0].program, "dp_grad_all_reduce"), nullptr);
}

TEST(LlmTraining, ContextParallelGradientsOverDataAndContextRanks) {
    // tp 2, cp 2, dp 2: rank = t + 2·(c + 2·d); the cp and dp positions of a tensor rank hold the
    // same weights, so its gradients are reduced over all four.
    json w = small();
    w["parallelism"] = {{"tp", 2}, {"cp", 2}, {"dp", 2}};
    const Trace t = load(w);
    const Op* grads = find_op(t.classes[0].program, "dp_grad_all_reduce");
    ASSERT_NE(grads, nullptr);
    EXPECT_EQ(family_of(t, *grads), "dpcp");
    const auto& dpcp = t.groups[static_cast<std::size_t>(grads->collective.family)];
    EXPECT_EQ(dpcp.communicators, (std::vector<std::vector<int>>{{0, 2, 4, 6}, {1, 3, 5, 7}}));
    EXPECT_EQ(t.info.family_roles.at("dpcp"), "dp");
}

TEST(LlmTrainingErrors, UnevenStageRules) {
    json w = small();
    w["model"]["layers"] = 5;
    w["parallelism"]["pipeline_layers"] = {2, 2};
    expect_error(w, "/workload/parallelism/pipeline_layers", "add up to 4, but the model has 5 layers");
    w["parallelism"]["pipeline_layers"] = {5};
    expect_error(w, "/workload/parallelism/pipeline_layers", "1 stage layer counts for pp = 2");
    w["parallelism"]["pipeline_layers"] = {5, 0};
    expect_error(w, "/workload/parallelism/pipeline_layers/1", "0");
    w["parallelism"]["pipeline_layers"] = {2, 3};
    w["parallelism"]["first_stage_layers"] = 2;
    expect_error(w, "/workload/parallelism/first_stage_layers", "not both");
    w = small();
    w["model"]["layers"] = 5;
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 2;
    w["parallelism"]["pipeline_layers"] = {2, 3};
    expect_error(w, "/workload/parallelism/pipeline_layers/1",
                 "stage 1 has 3 layers, not a multiple of virtual_stages (2)");
    w = small();
    w["model"]["layers"] = 10;
    w["parallelism"] = {{"pp", 4}, {"dp", 2}, {"first_stage_layers", 2}};
    expect_error(w, "/workload/parallelism/first_stage_layers", "8 layers are left for the other 3 stage(s)");
    w["parallelism"] = {{"pp", 4}, {"dp", 2}, {"last_stage_layers", 10}};
    expect_error(w, "/workload/parallelism/last_stage_layers", "0 layers are left for the other 3 stage(s)");
    w["parallelism"] = {{"dp", 8}, {"last_stage_layers", 2}};
    expect_error(w, "/workload/parallelism/last_stage_layers", "uneven pipeline stages need pp >= 2");
}

TEST(LlmTrainingErrors, EveryRuleNamesItsPointer) {
    json w = small();
    w["parallelism"]["zero"] = 3;
    expect_error(w, "/workload/parallelism/zero", "zero 3 with pipeline parallelism (pp 2)");
    w["parallelism"]["zero"] = 2;
    expect_error(w, "/workload/parallelism/zero", "zero 2 with pipeline parallelism");
    w = small();
    w["parallelism"]["tp"] = 3;
    w["parallelism"]["dp"] = 1;
    expect_error(w, "/workload/parallelism/tp", "must divide the model's heads");
    w = small();
    w["model"]["kv_heads"] = 1;
    expect_error(w, "/workload/parallelism/tp", "kv_heads");
    w = small();
    w["model"]["layers"] = 3;
    expect_error(w, "/workload/parallelism/pp",
                 "must divide the model's layers (3); uneven stages need pipeline_layers");
    w = small();
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 4;
    expect_error(w, "/workload/parallelism/virtual_stages", "must divide the model's layers");
    w = small();
    w["parallelism"]["dp"] = 4;
    expect_error(w, "/workload/parallelism", "= 16 GPUs, but the cluster has 8 GPUs");
    w = small();
    w["batch"]["global_batch"] = 10;
    expect_error(w, "/workload/batch/global_batch", "divisible by micro_batch");
    w = small();
    w["parallelism"]["schedule"] = "interleaved";
    w["batch"]["global_batch"] = 12;
    w["batch"]["micro_batch"] = 2;
    expect_error(w, "/workload/batch/global_batch", "last group of micro-batches (3 mod microbatch_group_size 2 = 1)");
    w = small();
    w["model"] = {{"preset", "gpt5"}};
    expect_error(w, "/workload/model/preset", "unknown model preset \"gpt5\"");
    w = small();
    w["precision"] = "fp16";
    expect_error(w, "/workload/precision", "fp16");
    w = small();
    w["precision"] = "fp4";
    expect_error(w, "/workload/precision", "no fp4 peak");
    w = small();
    w["recompute"] = "some";
    expect_error(w, "/workload/recompute", "some");
    w = small();
    w["parallelism"]["schedule"] = "gpipe";
    expect_error(w, "/workload/parallelism/schedule", "gpipe");
    w = small();
    w["model"]["moe"] = {{"experts", 3}, {"top_k", 1}};
    w["parallelism"] = {{"tp", 2}, {"dp", 4}, {"ep", 2}};
    expect_error(w, "/workload/parallelism/ep", "must divide both the experts");
    w = small();
    w["parallelism"]["ep"] = 2;
    expect_error(w, "/workload/parallelism/ep", "mixture-of-experts");
    w = small();
    w["overlap"] = {{"p2p", true}};
    expect_error(w, "/workload/overlap/p2p", "only in the interleaved schedule");
    w = small();
    w["parallelism"]["pipeline"] = 2;
    expect_error(w, "/workload/parallelism/pipeline", "unknown key");
}

TEST(LlmTrainingErrors, ModelThatDoesNotFit) {
    json w;
    w["type"] = "llm-training";
    w["model"] = {{"preset", "llama3-70b"}};
    w["parallelism"] = {{"tp", 8}};
    w["batch"] = {{"global_batch", 8}};
    // 70.6e9 / 8 params x 16 B = 141 GB on an 80 GB H100.
    expect_error(w, "/workload", "stage 0 (GPU type H100-SXM");
    expect_error(w, "/workload", "GiB over; raise tp/pp, zero or recompute");
}

} // namespace
