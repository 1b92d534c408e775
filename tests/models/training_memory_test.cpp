// Memory fit of LLM training (src/llm_training_memory.cpp): Korthikanti et al. 2022's activation
// formulas, Megatron-LM's bytes per parameter with and without the distributed optimizer, GQA and
// SwiGLU shapes, pipeline in-flight counts, and public recipes that ran on 80 GB GPUs and must fit.
#include "twin/models/llm_model.hpp"
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

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kH100Bytes = 81559.0 * 1024 * 1024; // the catalog's H100-SXM hbm_capacity

TrainingConfig config(const json& w) {
    const auto doc = Document::parse(w.dump(), "s.json");
    return read_training_config(doc.root().as_object());
}

// GPT-3 175B's layer (Korthikanti et al. 2022, Table 3: h 12288, a 96, s 2048, t 8, p 8, b 1).
json gpt3(bool sp, const std::string& recompute) {
    return json{{"type", "llm-training"},
                {"model", {{"layers", 96}, {"hidden", 12288}, {"heads", 96}, {"vocab", 51200}, {"seq_length", 2048}}},
                {"parallelism", {{"tp", 8}, {"pp", 8}, {"dp", 1}, {"sequence_parallel", sp}}},
                {"batch", {{"global_batch", 64}, {"micro_batch", 1}}},
                {"recompute", recompute},
                {"attention", "unfused"}};
}

TEST(TrainingMemory, KorthikantiTable2Activations) {
    // Korthikanti et al. 2022, Table 2, activations per layer in bytes, s·b·h = 2048·12288 = 25165824,
    // 5·a·s/h = 5·96·2048/12288 = 80:
    const double sbh = 2048.0 * 12288.0;
    //   no parallelism tricks:   s·b·h·(10 + 24/t + 5·a·s/(h·t)) = sbh·(10 + 3 + 10)
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(false, "none"))), sbh * 23.0);
    //   sequence parallel:       s·b·h·(34/t + 5·a·s/(h·t)) = sbh·(34 + 80)/8
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(true, "none"))), sbh * 114.0 / 8.0);
    //   selective recompute:     s·b·h·(10 + 24/t); with SP 34·s·b·h/t
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(false, "selective"))), sbh * 13.0);
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(true, "selective"))), sbh * 34.0 / 8.0);
    //   full recompute:          2·s·b·h; with SP 2·s·b·h/t
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(false, "full"))), sbh * 2.0);
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(gpt3(true, "full"))), sbh * 2.0 / 8.0);
}

TEST(TrainingMemory, GqaSwigluFlashLayerFromItsShape) {
    // Llama 3 70B (h 8192, a 64, g 8, d 128, SwiGLU f 28672), s 8192 on cp 2: T = 4096 tokens, tp 4 + SP,
    // flash attention, no dropout. Bytes per token, bf16 (w = 2):
    //   norms 2·2h = 32768, QKV and FC1 inputs 2·2h = 32768,
    //   Q, K, V 2·(8192 + 2·1024) = 20480, attention output 2·8192 = 16384,
    //   SwiGLU input 2·2·28672 = 114688, FC2 input 2·28672 = 57344      total 274432
    // per layer: 4096 · 274432 / 4 = 281018368 (the MHA formula 34·s·b·h/t would give 285212672).
    json w = {{"type", "llm-training"},
              {"model", {{"preset", "llama3-70b"}}},
              {"parallelism", {{"tp", 4}, {"pp", 4}, {"cp", 2}, {"dp", 2}, {"sequence_parallel", true}}},
              {"batch", {{"global_batch", 128}, {"micro_batch", 1}}}};
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(w)), 281018368.0);
    // FP8 (w = 1): Transformer Engine saves the GEMM inputs cast: norms 32768, QKV and FC1 inputs
    // 2·8192 = 16384, Q/K/V 20480, attention output 16384 + its FP8 copy for the projection 8192,
    // SwiGLU input 114688, FC2 input 28672: 237568 per token -> 4096 · 237568 / 4 = 243269632.
    w["precision"] = "fp8";
    EXPECT_DOUBLE_EQ(training_layer_activation_bytes(config(w)), 243269632.0);
}

// A dense model on one stage with tp 1: N = total_parameters, every parameter on every GPU.
json dense(int dp, int zero) {
    return json{{"type", "llm-training"},
                {"model", {{"layers", 4}, {"hidden", 1024}, {"heads", 16}, {"vocab", 32000}, {"seq_length", 2048}}},
                {"parallelism", {{"dp", dp}, {"zero", zero}}},
                {"batch", {{"global_batch", 64}, {"micro_batch", 1}}}};
}

TEST(TrainingMemory, MegatronBytesPerParameter) {
    const double n = total_parameters(config(dense(8, 0)).model);
    const auto states = [](const StageMemory& m) { return m.parameters + m.gradients + m.optimizer; };
    // Megatron-LM theoretical_memory_usage.py: 18 B/param without the distributed optimizer (bf16
    // weights 2, fp32 main_grad 4, fp32 main weights + Adam m, v 12), 6 + 12/D with it.
    EXPECT_DOUBLE_EQ(states(training_memory(config(dense(8, 0)))[0]), 18.0 * n);
    EXPECT_DOUBLE_EQ(states(training_memory(config(dense(8, 1)))[0]), (6.0 + 12.0 / 8.0) * n);
    // ZeRO-2 shards the gradients too (2 + 16/D), ZeRO-3 everything (18/D).
    EXPECT_DOUBLE_EQ(states(training_memory(config(dense(8, 2)))[0]), (2.0 + 16.0 / 8.0) * n);
    EXPECT_DOUBLE_EQ(states(training_memory(config(dense(8, 3)))[0]), 18.0 / 8.0 * n);
    // bf16 main gradients (--grad-reduce-in-bf16): 2 B less per parameter.
    json w = dense(8, 1);
    w["grad_dtype"] = "bf16";
    EXPECT_DOUBLE_EQ(states(training_memory(config(w))[0]), (4.0 + 12.0 / 8.0) * n);
    // Context-parallel ranks hold the same parameters: D = dp·cp.
    w = dense(4, 1);
    w["parallelism"]["cp"] = 2;
    EXPECT_DOUBLE_EQ(states(training_memory(config(w))[0]), (6.0 + 12.0 / 8.0) * n);
}

// Multi-token prediction (mtp_layers D): Megatron-LM builds the D modules on the last stage. Their
// parameters (2h² projection, 3h of norms, one layer each) add 18 B each there with pp 2 and no
// distributed optimizer (the first stage keeps its own); with pp 1 the 18 B/param rule holds for
// the model's total, MTP included. The head's logits are kept once per head: 1 + D.
TEST(TrainingMemory, MtpModulesOnTheLastStage) {
    const auto states = [](const StageMemory& m) { return m.parameters + m.gradients + m.optimizer; };
    json w = dense(1, 0);
    w["model"]["mtp_layers"] = 1;
    const double n = total_parameters(config(w).model);
    const double mtp = mtp_parameters(config(w).model);
    EXPECT_DOUBLE_EQ(mtp, 2.0 * 1024 * 1024 + 3.0 * 1024 + layer_parameters(config(w).model, LayerKind{}));
    EXPECT_DOUBLE_EQ(states(training_memory(config(w))[0]), 18.0 * n);
    w["parallelism"]["pp"] = 2;
    json plain = w;
    plain["model"].erase("mtp_layers");
    const auto with = training_memory(config(w));
    const auto without = training_memory(config(plain));
    EXPECT_DOUBLE_EQ(states(with[0]), states(without[0]));
    EXPECT_DOUBLE_EQ(states(with[1]) - states(without[1]), 18.0 * mtp);
    EXPECT_DOUBLE_EQ(with[1].logits, 2.0 * without[1].logits);
    EXPECT_GT(with[1].activations, without[1].activations);
}

TEST(TrainingMemory, PipelineInFlightMicroBatches) {
    json w = {{"type", "llm-training"},
              {"model", {{"preset", "llama3-70b"}}},
              {"parallelism", {{"tp", 4}, {"pp", 4}, {"cp", 2}, {"dp", 2}, {"sequence_parallel", true}}},
              {"batch", {{"global_batch", 128}, {"micro_batch", 1}}}};
    // 1F1B: stage i keeps p − i micro-batches (m = 64).
    auto mem = training_memory(config(w));
    for (int i = 0; i < 4; ++i) {
        EXPECT_DOUBLE_EQ(mem[static_cast<std::size_t>(i)].in_flight_micro_batches, 4.0 - i);
    }
    // Interleaved v = 5: stage 0 keeps 2(p − 1) + (v − 1)p + 1 = 23 chunks = 4.6 micro-batches,
    // Megatron's memory report p·(1 + (p − 1)/(p·v)) = 4·1.15; the last stage (v − 1)p + 1 = 17.
    w["parallelism"]["schedule"] = "interleaved";
    w["parallelism"]["virtual_stages"] = 5;
    mem = training_memory(config(w));
    EXPECT_DOUBLE_EQ(mem[0].in_flight_micro_batches, 4.6);
    EXPECT_DOUBLE_EQ(mem[3].in_flight_micro_batches, 17.0 / 5.0);
    // Activations: 23 chunks of 80/20 = 4 layers of 281018368 B (GqaSwigluFlashLayerFromItsShape).
    EXPECT_DOUBLE_EQ(mem[0].activations, 23.0 * 4.0 * 281018368.0);
    // First stage: token ids 8 B · 4096 tokens per micro-batch in flight (23 chunks / v = 4.6).
    EXPECT_DOUBLE_EQ(mem[0].embedding, 8.0 * 4096.0 * 4.6);
    // Last stage: final norm and output-layer inputs 2·2·8192/4 B per token, logits bf16 + fp32
    // (6 B) over V/t = 128256/4 entries: 4096 · (8192 + 6·32064).
    EXPECT_DOUBLE_EQ(mem[3].logits, 4096.0 * (8192.0 + 6.0 * 32064.0));
    // Framework: 781 MiB CUDA context + 256 MiB NCCL buffers for each of tp, cp, dp, pp.
    EXPECT_DOUBLE_EQ(mem[0].framework, (781.0 + 4.0 * 256.0) * 1024.0 * 1024.0);
}

// DGX H100 nodes, on an NDR rail-optimized fat-tree when there are several.
topology::Cluster h100(int nodes) {
    json t = {{"nodes", {{{"type", "DGX-H100"}, {"count", nodes}}}}};
    if (nodes > 1) {
        t["fabric"] = {{"type", "rail-optimized-fat-tree"},
                       {"access_cable", "NDR-DAC"},
                       {"tiers", {{{"switch", "QM9700"}, {"uplink_cable", "NDR-optical"}}, {{"switch", "QM9700"}}}}};
    }
    const auto doc = Document::parse(t.dump(), "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

Trace load_on(const json& w, const topology::Cluster& cluster);

Trace load(const json& w, int nodes) {
    const auto cluster = h100(nodes);
    return load_on(w, cluster);
}

Trace load_on(const json& w, const topology::Cluster& cluster) {
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

double max_stage_total(const json& w) {
    double most = 0.0;
    for (const auto& m : training_memory(config(w))) {
        most = std::max(most, m.total());
    }
    return most;
}

TEST(TrainingMemory, NemoLlama3_70BRecipeFitsOn80GB) {
    // NeMo 24.07's Llama 3 70B run on 64 H100 (tests/calibration/training.json,
    // train.nemo2407.LLAMA3-70B.64): TP 4, PP 4, CP 2, VP 5, SP, FP8, no recompute.
    json w = {{"type", "llm-training"},
              {"model", {{"preset", "llama3-70b"}}},
              {"parallelism",
               {{"tp", 4},
                {"pp", 4},
                {"cp", 2},
                {"dp", 2},
                {"schedule", "interleaved"},
                {"virtual_stages", 5},
                {"sequence_parallel", true},
                {"zero", 1}}},
              {"batch", {{"global_batch", 128}, {"micro_batch", 1}}},
              {"precision", "fp8"},
              {"recompute", "none"}};
    const auto mem = training_memory(config(w));
    // Stage 0 by hand: 20 layers of (P_attn + P_mlp)/4 + 2h = (150994944 + 704643072)/4 + 16384
    // = 213925888 parameters, plus the embedding 128256·8192/4 = 262668288: N = 4541186048.
    //   weights 2N, fp32 gradients 4N, optimizer 12N/(dp·cp = 4) = 3N: 9N = 40.87 GB
    //   FP8 copies 2·20·213909504 = 8556380160 B
    //   activations 23 · 4 · 243269632 (FP8 layer) = 22380806144 B
    const double n = 20.0 * 213925888.0 + 262668288.0;
    EXPECT_DOUBLE_EQ(mem[0].parameters + mem[0].gradients + mem[0].optimizer, 9.0 * n);
    EXPECT_DOUBLE_EQ(mem[0].weight_copies, 2.0 * 20.0 * 213909504.0);
    EXPECT_DOUBLE_EQ(mem[0].activations, 23.0 * 4.0 * 243269632.0);
    // ≈ 69.5 GiB in all: it fits the 79.6 GiB of an H100, as the run did.
    EXPECT_NEAR(mem[0].total() / kGiB, 69.5, 0.5);
    EXPECT_LT(max_stage_total(w), kH100Bytes);
    EXPECT_NO_THROW(load(w, 8));
}

TEST(TrainingMemory, PublicRecipesFit) {
    // Llama 3 8B, NeMo 24.07 on 8 H100 (train.nemo2407.LLAMA3-8B.8): TP 1, CP 2, FP8, no recompute;
    // NeMo 1.x's distributed_fused_adam keeps bf16 gradients.
    json llama8 = {{"type", "llm-training"},
                   {"model", {{"preset", "llama3-8b"}}},
                   {"parallelism", {{"tp", 1}, {"pp", 1}, {"cp", 2}, {"dp", 4}, {"zero", 1}}},
                   {"batch", {{"global_batch", 128}, {"micro_batch", 1}}},
                   {"precision", "fp8"},
                   {"grad_dtype", "bf16"},
                   {"recompute", "none"}};
    EXPECT_LT(max_stage_total(llama8), kH100Bytes);
    // GPT-3 175B as Korthikanti et al. 2022 ran it (Table 3: TP 8, PP 8, SP + selective recompute,
    // 80 GB A100; 2022 Megatron-LM without the distributed optimizer: 18 B/param), micro-batch 1.
    json gpt = gpt3(true, "selective");
    gpt["batch"]["global_batch"] = 64;
    EXPECT_LT(max_stage_total(gpt), 80e9);
}

TEST(TrainingMemory, ErrorNamesStageTermsAndExcess) {
    // Llama 3 70B on 8 GPUs, tp 8: N = 70.55e9/8 = 8.82e9 parameters: optimizer 12·N = 98.6 GiB,
    // fp32 gradients 4·N = 32.9 GiB, weights 2·N = 16.4 GiB; activations (one stage: one
    // micro-batch in flight; T = 8192 tokens, no SP: 65536 B per token replicated, 208896 split over
    // tp, GqaSwigluFlashLayerFromItsShape) 8192·(65536 + 208896/8) B per layer × 80 = 55.9 GiB.
    json w = {{"type", "llm-training"},
              {"model", {{"preset", "llama3-70b"}}},
              {"parallelism", {{"tp", 8}}},
              {"batch", {{"global_batch", 8}}}};
    EXPECT_INPUT_ERROR_IN(load(w, 1), "s.json", "/workload", "stage 0 (GPU type H100-SXM, 79.6 GiB) needs ");
    EXPECT_INPUT_ERROR_IN(load(w, 1), "s.json", "/workload",
                          "(optimizer 98.6, activations 55.9, gradients 32.9, parameters 16.4, ");
    EXPECT_INPUT_ERROR_IN(load(w, 1), "s.json", "/workload", "GiB over; raise tp/pp, zero or recompute");
}

TEST(TrainingMemory, GradDtypeIsChecked) {
    json w = dense(8, 1);
    w["grad_dtype"] = "fp16";
    EXPECT_INPUT_ERROR_IN(config(w), "s.json", "/grad_dtype", "fp32");
}

} // namespace
