// Model families of llm_model.hpp: MLA, head_dim, mixed dense/MoE layers, shared experts,
// multi-token prediction, sliding-window attention, and the DeepSeek-V3 / GPT-OSS presets. Every
// expected number is derived by hand in the comment above it.
#include "twin/models/llm_inference.hpp"
#include "twin/models/llm_model.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/trace_writer.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

TransformerConfig model(const json& j) {
    const auto doc = Document::parse(j.dump(), "m.json");
    return read_transformer_config(doc.root().as_object());
}

TransformerConfig preset(const std::string& name) {
    return model(json{{"preset", name}});
}

TEST(LlmFamilies, DeepSeekV3Parameters) {
    const auto m = preset("deepseek-v3");
    // MLA per layer (h 7168, a 128, r_q 1536, d_c 512, d_n 128, d_r 64, d_v 128):
    //   q_down 7168·1536 = 11,010,048; q_up 1536·128·192 = 37,748,736; kv_down 7168·576 = 4,128,768;
    //   kv_up 512·128·256 = 16,777,216; proj 128·128·7168 = 117,440,512; sum 187,105,280.
    EXPECT_DOUBLE_EQ(attention_parameters(m), 187105280.0);
    // Norms 2·7168 + 1536 + 512 = 16,384. Dense MLP 3·7168·18432 = 396,361,728. MoE: router
    // 7168·256 = 1,835,008 + 257 experts · 3·7168·2048 (44,040,192) = 11,320,164,352.
    EXPECT_DOUBLE_EQ(norm_parameters(m), 16384.0);
    EXPECT_DOUBLE_EQ(mlp_parameters(m, false), 396361728.0);
    EXPECT_DOUBLE_EQ(mlp_parameters(m, true), 11320164352.0);
    // Layers 0-2 dense, 3-60 MoE: 3·583,483,392 + 58·11,507,286,016 = 669,173,039,104; embedding and
    // head 2·129280·7168 = 1,853,358,080; final norm 7168: 671,026,404,352 (671 B in the report).
    // MTP: 2·7168² + 3·7168 + one MoE layer = 11,610,067,968.
    EXPECT_FALSE(layer_kind(m, 2).moe);
    EXPECT_TRUE(layer_kind(m, 3).moe);
    EXPECT_DOUBLE_EQ(mtp_parameters(m), 11610067968.0);
    EXPECT_DOUBLE_EQ(total_parameters(m) - mtp_parameters(m), 671026404352.0);
    EXPECT_NEAR((total_parameters(m) - mtp_parameters(m)) / 671e9, 1.0, 0.01);
    // Hugging Face's 685 B = 671 B + 14 B of MTP module with its own copy of embedding and head.
    EXPECT_NEAR((total_parameters(m) + 2 * embedding_parameters(m)) / 685e9, 1.0, 0.01);
    // Active: 61·(187,105,280 + 16,384) + 3·396,361,728 + 58·(1,835,008 + 9·44,040,192) + head
    // 926,679,040 + 7168 = 36,625,603,584: "37 B" (rounded; the tolerance is the rounding interval).
    EXPECT_DOUBLE_EQ(active_parameters(m), 36625603584.0);
    EXPECT_NEAR(active_parameters(m) / 37e9, 1.0, 0.014);
}

TEST(LlmFamilies, GptOssParameters) {
    // GPT-OSS 120B: attention 2880·(64 + 2·8)·64 + 64·64·2880 = 26,542,080; norms 5760; MoE router
    // 2880·128 + 128·3·2880² = 3,185,418,240; 36 layers + 2·201088·2880 + 2880 = 116,789,048,640.
    // Model card Table 1: 116.83 B total (with biases, 0.04 %), 5.13 B active.
    const auto big = preset("gpt-oss-120b");
    EXPECT_EQ(big.head_dim(), 64);
    EXPECT_DOUBLE_EQ(attention_parameters(big), 26542080.0);
    EXPECT_DOUBLE_EQ(total_parameters(big), 116789048640.0);
    EXPECT_NEAR(total_parameters(big) / 116.83e9, 1.0, 0.01);
    // Active: 36·(26,542,080 + 368,640 + 4·24,883,200 + 5760) + 579,133,440 + 2880 = 5,131,310,400.
    EXPECT_DOUBLE_EQ(active_parameters(big), 5131310400.0);
    EXPECT_NEAR(active_parameters(big) / 5.13e9, 1.0, 0.01);
    // GPT-OSS 20B: 24·(26,542,080 + 2880·32 + 32·24,883,200 + 5760) + 1,158,269,760 =
    // 20,907,927,360 (card: 20.91 B); active 24·126,172,800 + 579,136,320 = 3,607,283,520 (3.61 B).
    const auto small = preset("gpt-oss-20b");
    EXPECT_DOUBLE_EQ(total_parameters(small), 20907927360.0);
    EXPECT_NEAR(total_parameters(small) / 20.91e9, 1.0, 0.01);
    EXPECT_DOUBLE_EQ(active_parameters(small), 3607283520.0);
    EXPECT_NEAR(active_parameters(small) / 3.61e9, 1.0, 0.01);
    // Alternating attention: layer 0 sliding, layer 1 global (config.json layer_types).
    EXPECT_TRUE(layer_kind(big, 0).local);
    EXPECT_FALSE(layer_kind(big, 1).local);
}

// A small model with every feature: 4 layers, h 64, a 4, s 256, V 100, SwiGLU f 128; MLA r_q 32,
// d_c 16, d_n 8, d_r 4, d_v 8; MoE 4 experts top-1 + 1 shared of width 32 from layer 1, every other
// layer; window 64 with every second layer global; one MTP module.
json small_model() {
    return json{{"layers", 4},
                {"hidden", 64},
                {"heads", 4},
                {"vocab", 100},
                {"seq_length", 256},
                {"ffn", 128},
                {"activation", "swiglu"},
                {"mla",
                 {{"q_lora_rank", 32},
                  {"kv_lora_rank", 16},
                  {"qk_nope_head_dim", 8},
                  {"qk_rope_head_dim", 4},
                  {"v_head_dim", 8}}},
                {"moe",
                 {{"experts", 4},
                  {"top_k", 1},
                  {"shared_experts", 1},
                  {"ffn", 32},
                  {"first_dense_layers", 1},
                  {"layer_freq", 2}}},
                {"sliding_window", {{"window", 64}, {"global_every", 2}}},
                {"mtp_layers", 1}};
}

TEST(LlmFamilies, SmallMlaSlidingFlopsByHand) {
    const auto m = model(small_model());
    // Kinds: layer 0 dense local, 1 dense global, 2 MoE local, 3 dense global; MTP (layer 4) MoE local.
    EXPECT_EQ(layer_kind(m, 0), (LayerKind{false, true}));
    EXPECT_EQ(layer_kind(m, 1), (LayerKind{false, false}));
    EXPECT_EQ(layer_kind(m, 2), (LayerKind{true, true}));
    EXPECT_EQ(layer_kind(m, 3), (LayerKind{false, false}));
    EXPECT_EQ(layer_kind(m, 4), (LayerKind{true, true}));
    // Attention GEMMs: q_down 64·32 = 2048, q_up 32·4·12 = 1536, kv_down 64·20 = 1280,
    // kv_up 16·4·16 = 1024, proj 4·8·64 = 2048: 7936.
    EXPECT_DOUBLE_EQ(attention_parameters(m), 7936.0);
    // GEMMs: 4·2·7936 + 2·(3 dense · 3·64·128 + MoE (64·4 router + 2·3·64·32)) = 63,488 + 172,544.
    const auto f = forward_flops_per_token(m, true);
    EXPECT_DOUBLE_EQ(f.gemm, 236032.0);
    // Attention per query 2·n_k·4·(12 + 8) = 160·n_k; causal n_k: global 256/2 = 128, local
    // 64 − 64²/(2·256) = 56; layers local, global, local, global: 160·368.
    EXPECT_DOUBLE_EQ(attention_keys_per_query(m, true, true), 56.0);
    EXPECT_DOUBLE_EQ(f.attention, 58880.0);
    // Counted (not causal): global 256, local min(256, 64) = 64: 160·640.
    EXPECT_DOUBLE_EQ(forward_flops_per_token(m, false).attention, 102400.0);
    EXPECT_DOUBLE_EQ(f.logits, 12800.0);
    // MTP: projection 2·2·64² = 16,384 + attention GEMMs 15,872 + MoE 2·12,544 + local attention
    // 160·56 = 8960 + logits 12,800 = 79,104.
    EXPECT_DOUBLE_EQ(f.mtp, 79104.0);
    EXPECT_DOUBLE_EQ(f.total(), 386816.0);
}

TEST(LlmFamilies, HeadDimGqaGemmShapes) {
    // h 96, a 4 heads of d 32 (a·d = 128 ≠ h), g 2: qkv (4 + 2·2)·32 = 256 wide, proj input 128.
    const auto m = model(json{{"layers", 1},
                              {"hidden", 96},
                              {"heads", 4},
                              {"kv_heads", 2},
                              {"head_dim", 32},
                              {"vocab", 10},
                              {"seq_length", 8}});
    const auto g = attention_gemms(m, 2);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].name, "qkv");
    EXPECT_DOUBLE_EQ(g[0].n, 128.0); // 256 / tp 2
    EXPECT_DOUBLE_EQ(g[0].k, 96.0);
    EXPECT_DOUBLE_EQ(g[1].n, 96.0);
    EXPECT_DOUBLE_EQ(g[1].k, 64.0); // 128 / tp 2
    // P_attn = 96·256 + 128·96 = 36,864; attention counted 2·8·4·(32 + 32) = 4096 per token.
    EXPECT_DOUBLE_EQ(attention_parameters(m), 36864.0);
    EXPECT_DOUBLE_EQ(forward_flops_per_token(m, false).attention, 4096.0);
}

TEST(LlmFamilies, KvCacheMlaAndSlidingWindow) {
    // DeepSeek-V3: (d_c + d_r) = 576 elements per token and layer, 61 layers, bf16: 70,272 B,
    // the same on every TP rank (the latent is not split over heads).
    const auto v3 = preset("deepseek-v3");
    EXPECT_DOUBLE_EQ(kv_cache_bytes_per_token(v3), 70272.0);
    EXPECT_DOUBLE_EQ(kv_elements_per_token(v3, 8), 576.0);
    // GPT-OSS 120B, 1000 tokens: 18 global layers hold 1000, 18 local 128: 20,304 token-layers of
    // 2·8·64 = 1024 elements, bf16: 41,582,592 B; tp 16 keeps one KV head per rank (128 elements).
    const auto oss = preset("gpt-oss-120b");
    EXPECT_DOUBLE_EQ(kv_cache_bytes(oss, 1000, 2.0), 41582592.0);
    EXPECT_DOUBLE_EQ(kv_cache_bytes(oss, 1000, 2.0, 16), 41582592.0 / 8);
}

TEST(LlmFamilies, InferenceKvMemoryUsesLatent) {
    // DeepSeek-V3 at tp 8, P + O = 1000 + 24 tokens, fp8 weights and KV (1 B): 61 layers · 576 ·
    // 1024 tokens = 35,979,264 B per sequence on every GPU.
    const auto doc = Document::parse(json{{"type", "llm-inference"},
                                          {"model", {{"preset", "deepseek-v3"}}},
                                          {"parallelism", {{"tp", 8}}},
                                          {"precision", "fp8"},
                                          {"requests", {{"prompt_tokens", 1000}, {"output_tokens", 24}}},
                                          {"concurrency", 1}}
                                         .dump(),
                                     "w.json");
    const InferenceConfig c = read_inference_config(doc.root().as_object());
    const auto cluster = topology::load_topology(
        Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", "c.json").root().as_object(),
        topology::Catalog::builtin());
    const auto mem = inference_memory(c, cluster.gpu_type(0));
    EXPECT_DOUBLE_EQ(mem.kv_per_sequence_per_gpu_bytes, 35979264.0);
}

TEST(LlmFamilies, BadValuesAreInputErrors) {
    json j = small_model();
    j["head_dim"] = 0;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/head_dim", "");
    j = small_model();
    j["mla"].erase("kv_lora_rank");
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/mla/kv_lora_rank", "missing required key");
    j = small_model();
    j["mla"]["rope"] = 1;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/mla/rope", "");
    j = small_model();
    j["moe"]["first_dense_layers"] = 4;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/moe/first_dense_layers", "leaves no MoE layer");
    j = small_model();
    j["moe"]["layer_freq"] = 0;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/moe/layer_freq", "");
    j = small_model();
    j["sliding_window"]["window"] = 0;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/sliding_window/window", "");
    j = small_model();
    j["mtp_layers"] = -1;
    EXPECT_INPUT_ERROR_IN(model(j), "m.json", "/mtp_layers", "");
    // heads must divide hidden unless head_dim (or MLA) gives the head size.
    EXPECT_INPUT_ERROR_IN(model(json{{"layers", 1}, {"hidden", 96}, {"heads", 5}, {"vocab", 10}, {"seq_length", 8}}),
                          "m.json", "/heads", "unless head_dim is given");
}

// Training: 4 layers, h 256, a 4, GELU f 1024, V 1000, s 128; MoE 4 experts top-2 of width 512 from
// layer first_dense; tp 2, pp 2, dp 2, 8 sequences of 1.
json training(int first_dense) {
    return json{{"type", "llm-training"},
                {"model",
                 {{"layers", 4},
                  {"hidden", 256},
                  {"heads", 4},
                  {"vocab", 1000},
                  {"seq_length", 128},
                  {"moe", {{"experts", 4}, {"top_k", 2}, {"ffn", 512}, {"first_dense_layers", first_dense}}}}},
                {"parallelism", {{"tp", 2}, {"pp", 2}, {"dp", 2}}},
                {"batch", {{"global_batch", 8}, {"micro_batch", 1}}}};
}

Trace load(const json& w) {
    const auto cluster = topology::load_topology(
        Document::parse(R"({"nodes": [{"type": "DGX-H100", "count": 1}]})", "c.json").root().as_object(),
        topology::Catalog::builtin());
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

TEST(LlmFamilies, MixedDenseMoeStagesHaveTheirOwnLayers) {
    const Trace mixed = load(training(2)); // stage 0: layers 0-1 dense; stage 1: layers 2-3 MoE
    const json j = trace_to_json(mixed);
    const std::string stage0 = j["classes"][0]["program"].dump();
    const std::string stage1 = j["classes"][1]["program"].dump();
    EXPECT_EQ(stage0.find("\"experts\""), std::string::npos);
    EXPECT_NE(stage0.find("\"mlp_up\""), std::string::npos);
    EXPECT_NE(stage1.find("\"experts\""), std::string::npos);
    EXPECT_EQ(stage1.find("\"mlp_up\""), std::string::npos);
    // Model FLOPs per token: attention GEMMs 2·4h² = 524,288 per layer; dense MLP 2·2·256·1024 =
    // 1,048,576; MoE 2·(256·4 + 2·2·256·512) = 1,050,624; attention 4·s·h = 131,072; logits
    // 2·1000·256 = 512,000: 2·(524,288 + 1,048,576) + 2·(524,288 + 1,050,624) + 4·131,072 + 512,000.
    const double per_token = 2 * (524288.0 + 1048576) + 2 * (524288.0 + 1050624) + 4 * 131072.0 + 512000;
    EXPECT_DOUBLE_EQ(mixed.info.model_flops_per_step, 3 * per_token * 8 * 128);
    // Hardware FLOPs sum the layers by kind: two dense and two MoE layers are half of four of each.
    const double dense = load(training(3)).info.hardware_flops_per_step; // layers 0-2 dense, 3 MoE
    const double moe = load(training(0)).info.hardware_flops_per_step;   // all MoE
    const double one_dense = load(training(1)).info.hardware_flops_per_step;
    EXPECT_NEAR(mixed.info.hardware_flops_per_step, (dense + one_dense) / 2, 1e-6 * moe);
    EXPECT_LT(mixed.info.hardware_flops_per_step, moe);
}

TEST(LlmFamilies, SharedExpertsFlowIntoTheTrace) {
    // One shared expert in the two MoE layers (stage 1): per GPU and micro-batch a GEMM of
    // 2·T·(f_e/t)·h·k_m = 2·128·256·256·2 FLOPs forward, twice that backward; × 2 layers × tp·dp = 4
    // GPUs of a stage × 4 micro-batches (8 / (1·2)).
    json w = training(2);
    w["model"]["moe"]["shared_experts"] = 1;
    const Trace shared = load(w);
    EXPECT_NE(trace_to_json(shared)["classes"][1]["program"].dump().find("\"shared_experts\""), std::string::npos);
    const double gemm = 2.0 * 128 * 256 * 256 * 2;
    EXPECT_DOUBLE_EQ(shared.info.hardware_flops_per_step - load(training(2)).info.hardware_flops_per_step,
                     3 * gemm * 2 * 4 * 4);
    // Parameters: 2 MoE layers · 2·256·512 more.
    EXPECT_DOUBLE_EQ(shared.info.parameters - load(training(2)).info.parameters, 2.0 * 2 * 256 * 512);
}

TEST(LlmFamilies, PresetsGenerateTrainingTraces) {
    // DeepSeek-V3 and GPT-OSS shapes cut to a few layers generate on one node (shape checks only).
    for (const char* name : {"deepseek-v3", "gpt-oss-20b"}) {
        json w = {{"type", "llm-training"},
                  {"model", {{"preset", name}, {"layers", 4}}},
                  {"parallelism", {{"tp", 8}}},
                  {"batch", {{"global_batch", 1}}}};
        if (std::string(name) == "deepseek-v3") {
            w["model"]["moe"] = {
                {"experts", 8}, {"top_k", 2}, {"shared_experts", 1}, {"ffn", 2048}, {"first_dense_layers", 1}};
            w["model"]["seq_length"] = 1024;
        }
        const Trace t = load(w);
        EXPECT_GT(t.info.hardware_flops_per_step, t.info.model_flops_per_step / 3) << name;
    }
}

} // namespace
