// A training step of a model with every family feature of llm_model.hpp (MLA, dense layers before
// MoE ones with a shared expert and expert parallelism, sliding-window attention on every other
// layer, one MTP module) generates and runs on the test catalog (sim_test_util.hpp). One
// simulation per test (process).
#include "sim_test_util.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/trace_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

TEST(ModelFamilies, MixedDenseMoeMlaSlidingMtpStepRuns) {
    // 4 layers: 0-1 dense (stage 0), 2-3 MoE (stage 1, with the head and the MTP module).
    const json w = {
        {"type", "llm-training"},
        {"model",
         {{"layers", 4},
          {"hidden", 256},
          {"heads", 4},
          {"vocab", 1000},
          {"seq_length", 256},
          {"activation", "swiglu"},
          {"mla",
           {{"q_lora_rank", 64},
            {"kv_lora_rank", 32},
            {"qk_nope_head_dim", 32},
            {"qk_rope_head_dim", 16},
            {"v_head_dim", 32}}},
          {"moe", {{"experts", 4}, {"top_k", 2}, {"shared_experts", 1}, {"ffn", 256}, {"first_dense_layers", 2}}},
          {"sliding_window", {{"window", 64}, {"global_every", 2}}},
          {"mtp_layers", 1}}},
        {"parallelism", {{"tp", 2}, {"pp", 2}, {"dp", 2}, {"ep", 2}}},
        {"batch", {{"global_batch", 4}, {"micro_batch", 1}}}};
    const auto doc = twin::Document::parse(w.dump(), "w.json");
    const twin::models::TrainingConfig c = twin::models::read_training_config(doc.root().as_object());
    const auto trace = twin::models::generate_training_trace(c, "w.json");
    const auto r = twin::test::run_text(twin::test::one_node_scenario(twin::models::trace_to_json(trace).dump()));
    ASSERT_EQ(r.gpus.size(), 8u);
    EXPECT_GT(r.simulated_time_s, 0.0);
    // Ranks 0-3 are stage 0 (two dense layers and the embedding), 4-7 stage 1 (two MoE layers, the
    // head and the MTP module's layer and head): stage 1 computes more.
    EXPECT_GT(r.gpus[0].compute_s, 0.0);
    EXPECT_GT(r.gpus[4].compute_s, r.gpus[0].compute_s);
}

} // namespace
