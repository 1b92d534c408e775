// Layouts of the training generator: layers per model chunk (embedding/loss accounting,
// layers_per_virtual_stage), rank orders and their group members, the interleaved schedule's
// micro-batch groups, and micro-batch > 1 under every schedule. Expectations derived by hand.
#include "llm_training_schedule.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp"

#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

// n DGX-H100 on a rail-optimized leaf/spine (as tests/models/fold_test.cpp).
topology::Cluster nodes(int n) {
    json j{{"nodes", {{{"type", "DGX-H100"}, {"count", n}}}}};
    if (n > 1) {
        j["fabric"] = json::parse(R"({"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
            "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]})");
    }
    const auto doc = Document::parse(j.dump(), "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

TrainingConfig config(const json& w) {
    const auto doc = Document::parse(w.dump(), "s.json");
    return read_training_config(doc.root().as_object());
}

Trace load(const json& w, int node_count = 1) {
    const auto cluster = nodes(node_count);
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

void expect_error(const json& w, const std::string& pointer, const std::string& text) {
    EXPECT_INPUT_ERROR_IN(load(w), "s.json", pointer, text);
}

json llama405(json par) {
    return json{{"type", "llm-training"},
                {"model", {{"preset", "llama3-405b"}}},
                {"parallelism", std::move(par)},
                {"batch", {{"global_batch", 16}}}};
}

// A small model on 8 GPUs: 4 layers.
json small(json par) {
    return json{{"type", "llm-training"},
                {"model", {{"layers", 4}, {"hidden", 1024}, {"heads", 16}, {"vocab", 32000}, {"seq_length", 2048}}},
                {"parallelism", std::move(par)},
                {"batch", {{"global_batch", 16}, {"micro_batch", 1}}}};
}

const GroupFamily& family(const Trace& t, const std::string& name) {
    for (const auto& g : t.groups) {
        if (g.name == name) {
            return g;
        }
    }
    throw std::runtime_error("no family " + name);
}

using Comms = std::vector<std::vector<int>>;

// Llama 3 405B (126 layers) on pp 16, v 8 with the embedding and the loss each counted as a layer
// (Megatron-LM's account_for_embedding/loss_in_pipeline_split): 126 + 2 = 128 = 16·8 chunks of one
// layer; stage 0's first chunk holds only the embedding, stage 15's last only the loss.
TEST(LlmTrainingLayout, Llama405bChunksWithEmbeddingAndLossInTheSplit) {
    const json par = {{"tp", 8},
                      {"pp", 16},
                      {"schedule", "interleaved"},
                      {"virtual_stages", 8},
                      {"account_for_embedding_in_pipeline_split", true},
                      {"account_for_loss_in_pipeline_split", true}};
    const TrainingConfig c = config(llama405(par));
    std::int64_t sum = 0;
    for (int s = 0; s < 16; ++s) {
        for (int k = 0; k < 8; ++k) {
            const bool empty = (s == 0 && k == 0) || (s == 15 && k == 7);
            EXPECT_EQ(c.chunk_layers(s, k), empty ? 0 : 1) << s << " " << k;
            sum += c.chunk_layers(s, k);
        }
        EXPECT_EQ(c.stage_layers(s), s == 0 || s == 15 ? 7 : 8) << s;
    }
    EXPECT_EQ(sum, 126);
    // Virtual stage c·16 + s: stage 0's chunk 1 (virtual stage 16) follows virtual stages 0..15,
    // which hold 0 + 15 layers; stage 15's last chunk follows all 126.
    EXPECT_EQ(c.chunk_first_layer(1, 0), 0);
    EXPECT_EQ(c.chunk_first_layer(2, 0), 1);
    EXPECT_EQ(c.chunk_first_layer(0, 1), 15);
    EXPECT_EQ(c.chunk_first_layer(15, 7), 126);

    // --num-layers-per-virtual-pipeline-stage 1: v = 128 / 16 / 1 = 8, the same split.
    json by_layers = par;
    by_layers.erase("virtual_stages");
    by_layers["layers_per_virtual_stage"] = 1;
    const TrainingConfig d = config(llama405(by_layers));
    EXPECT_EQ(d.par.virtual_stages, 8);
    EXPECT_EQ(d.par.chunk_layers, c.par.chunk_layers);
    // 2 layers per virtual stage: v = 4; the first and last chunks hold 1.
    by_layers["layers_per_virtual_stage"] = 2;
    const TrainingConfig e = config(llama405(by_layers));
    EXPECT_EQ(e.par.virtual_stages, 4);
    EXPECT_EQ(e.chunk_layers(0, 0), 1);
    EXPECT_EQ(e.chunk_layers(0, 1), 2);
    EXPECT_EQ(e.chunk_layers(15, 3), 1);
    EXPECT_EQ(e.stage_layers(0), 7);
}

TEST(LlmTrainingLayout, SplitRules) {
    json w = small({{"pp", 2}, {"dp", 4}, {"account_for_loss_in_pipeline_split", true}});
    // 4 + 1 = 5 does not split over 2 stages.
    expect_error(w, "/workload/parallelism/pp", "must divide the model's layers (4 plus the embedding/loss");
    w["parallelism"]["first_stage_layers"] = 1;
    expect_error(w, "/workload/parallelism/account_for_loss_in_pipeline_split", "needs an even split");
    w = small(
        {{"pp", 2}, {"dp", 4}, {"schedule", "interleaved"}, {"virtual_stages", 2}, {"layers_per_virtual_stage", 1}});
    expect_error(w, "/workload/parallelism/layers_per_virtual_stage", "not both");
    w["parallelism"].erase("virtual_stages");
    w["parallelism"]["layers_per_virtual_stage"] = 3; // 4 / 2 = 2 layers per stage
    expect_error(w, "/workload/parallelism/layers_per_virtual_stage", "whole multiple of layers_per_virtual_stage (3)");
    w["parallelism"]["layers_per_virtual_stage"] = 1;
    w["parallelism"].erase("schedule");
    expect_error(w, "/workload/parallelism/layers_per_virtual_stage", "needs \"schedule\": \"interleaved\"");
    w = small({{"pp", 2}, {"dp", 4}, {"first_stage_layers", 2}, {"layers_per_virtual_stage", 1}});
    expect_error(w, "/workload/parallelism/layers_per_virtual_stage", "with uneven stages give virtual_stages");
}

// tp 2, pp 2, dp 2 with the stages inside a replica ("tp-cp-ep-pp-dp"): rank = t + 2·(p + 2·d).
TEST(LlmTrainingLayout, PipelineBeforeDataParallelOrder) {
    json w = small({{"tp", 2}, {"pp", 2}, {"dp", 2}, {"order", "tp-cp-ep-pp-dp"}});
    w["model"]["tied_embeddings"] = true;
    const Trace t = load(w);
    EXPECT_EQ(family(t, "tp").communicators, (Comms{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
    EXPECT_EQ(family(t, "pp").communicators, (Comms{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
    EXPECT_EQ(family(t, "dp").communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    // Rank r of stage 0 with r + (pp − 1)·σ_pp = r + 2 of the last stage.
    EXPECT_EQ(family(t, "emb").communicators, (Comms{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
    ASSERT_EQ(t.classes.size(), 2u);
    EXPECT_EQ(t.classes[0].ranks, (std::vector<int>{0, 1, 4, 5}));
    EXPECT_EQ(t.classes[1].ranks, (std::vector<int>{2, 3, 6, 7}));
    // The default order for comparison: rank = t + 2·(d + 2·p).
    w["parallelism"].erase("order");
    const Trace u = load(w);
    EXPECT_EQ(family(u, "pp").communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    EXPECT_EQ(family(u, "dp").communicators, (Comms{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
    EXPECT_EQ(u.classes[0].ranks, (std::vector<int>{0, 1, 2, 3}));
}

// The interleaved ring's wrap-around from the last stage to stage 0 is (pp − 1)·σ_pp ranks back:
// σ_pp = tp = 2 with "tp-pp-dp" (a send to offset −2 from stage 1), tp·dp = 4 by default.
TEST(LlmTrainingLayout, RingWrapAroundFollowsTheOrder) {
    for (const auto& [order, offset] : {std::pair{"tp-pp-dp", -2}, std::pair{"tp-cp-ep-dp-pp", -4}}) {
        const Trace t = load(small(
            {{"tp", 2}, {"pp", 2}, {"dp", 2}, {"schedule", "interleaved"}, {"virtual_stages", 2}, {"order", order}}));
        std::vector<int> offsets;
        std::function<void(const Block&)> walk = [&](const Block& b) {
            for (const Step& s : b.body) {
                if (const auto* inner = std::get_if<Block>(&s)) {
                    walk(*inner);
                } else if (const Op& op = std::get<Op>(s);
                           op.kind == Op::Kind::Send && op.p2p.peer.kind == Peer::Kind::Offset) {
                    offsets.push_back(op.p2p.peer.value);
                }
            }
        };
        walk(t.classes[1].program);
        ASSERT_FALSE(offsets.empty()) << order;
        for (int o : offsets) {
            EXPECT_EQ(o, offset) << order;
        }
    }
}

// Families whose dimensions are not adjacent in the order become member lists: tp 1, cp 2, pp 2,
// dp 2 with "tp-cp-pp-dp", rank = c + 2·(p + 2·d): the ranks of one stage over cp and dp.
TEST(LlmTrainingLayout, ContextAndDataParallelNotAdjacent) {
    const Trace t = load(small({{"cp", 2}, {"pp", 2}, {"dp", 2}, {"order", "tp-cp-pp-dp"}}));
    EXPECT_EQ(family(t, "dpcp").communicators, (Comms{{0, 1, 4, 5}, {2, 3, 6, 7}}));
    EXPECT_EQ(family(t, "cp").communicators, (Comms{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
    EXPECT_EQ(family(t, "dp").communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
}

// Expert parallelism inside the data-parallel replicas: tp 2, dp 4, ep 2. "ep-dp" (default):
// rank = t + 2·(e + 2·f); "dp-ep": rank = t + 2·(f + 2·e).
TEST(LlmTrainingLayout, ExpertGroupsFollowTheOrder) {
    json w = small({{"tp", 2}, {"dp", 4}, {"ep", 2}});
    w["model"]["moe"] = {{"experts", 4}, {"top_k", 1}};
    const Trace a = load(w);
    EXPECT_EQ(family(a, "ep").communicators, (Comms{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
    EXPECT_EQ(family(a, "edp").communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    w["parallelism"]["order"] = "tp-cp-dp-ep-pp";
    const Trace b = load(w);
    EXPECT_EQ(family(b, "ep").communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
    EXPECT_EQ(family(b, "edp").communicators, (Comms{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
    EXPECT_EQ(family(b, "dp").communicators, (Comms{{0, 2, 4, 6}, {1, 3, 5, 7}}));
}

TEST(LlmTrainingLayout, OrderRules) {
    json w = small({{"tp", 2}, {"pp", 2}, {"dp", 2}, {"order", "tp-xp-dp-pp"}});
    expect_error(w, "/workload/parallelism/order", "each one of tp, cp, ep, dp, pp");
    w["parallelism"]["order"] = "tp-dp-pp-dp";
    expect_error(w, "/workload/parallelism/order", "\"dp\" appears 2 times");
    w["parallelism"]["order"] = "tp-pp";
    expect_error(w, "/workload/parallelism/order", "\"dp\" has size 2 but is not in the order");
    w = small({{"tp", 1}, {"pp", 2}, {"dp", 4}, {"ep", 2}, {"order", "ep-tp-dp-pp"}});
    w["model"]["moe"] = {{"experts", 4}, {"top_k", 1}};
    expect_error(w, "/workload/parallelism/order", "ep must sit next to dp");
    w["parallelism"]["order"] = "tp-ep-dp-pp";
    EXPECT_NO_THROW((void)load(w));
    w["parallelism"]["order"] = "tp-pp-ep-dp";
    expect_error(w, "/workload/parallelism/order", "must end with pp");
}

// Folding still holds with the stages inside a replica: 4 nodes, tp 4, pp 2, dp 4 with
// "tp-cp-ep-pp-dp" (rank = t + 4·(p + 2·d)): replica d is node d, ranks 8d..8d+7; rank 5 (tp 1,
// stage 1) of replica 0 stands for 5 + 8m.
TEST(LlmTrainingLayout, FoldHoldsForPipelineBeforeData) {
    json w = small({{"tp", 4}, {"pp", 2}, {"dp", 4}, {"order", "tp-cp-ep-pp-dp"}});
    const auto cluster = nodes(4);
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    const Trace t = load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
    const Fold fold = plan_fold(t, cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.blocks, 4);
    EXPECT_EQ(fold.image(t, 5, 3), 29);
    for (int r = 0; r < 32; ++r) {
        EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], r < 8 ? 1 : 0) << r;
    }
}

// Megatron-LM's schedule table (get_schedule_table) for p = 2, v = 2, m = 5 with groups of N = 3
// micro-batches (its docstring's "PP2 N3M5 with VP2"): chunks 0 0 0 1 1 1 0 0 1 1 forward, and
// v − 1 − that backward; stage 0 warms up with 2(p − 1) + (v − 1)·N = 5 forwards, and its
// first steady step runs the 6th forward before the first backward.
TEST(LlmTrainingLayout, InterleavedMicroBatchGroups) {
    const auto units = detail::pipeline_schedule(PipelineSchedule::Interleaved, 2, 2, 5, 0, false, 3);
    std::vector<int> fwd;
    std::vector<int> bwd;
    int first_backward = -1;
    for (const auto& u : units) {
        if (u.kind == detail::ScheduleUnit::Kind::Forward) {
            fwd.push_back(u.chunk);
        } else if (u.kind == detail::ScheduleUnit::Kind::Backward) {
            first_backward = first_backward < 0 ? static_cast<int>(fwd.size()) : first_backward;
            bwd.push_back(u.chunk);
        }
    }
    EXPECT_EQ(fwd, (std::vector<int>{0, 0, 0, 1, 1, 1, 0, 0, 1, 1}));
    EXPECT_EQ(bwd, (std::vector<int>{1, 1, 1, 0, 0, 0, 1, 1, 0, 0}));
    EXPECT_EQ(first_backward, 6);

    // Reading: m = 5 per replica (global 10, dp 2) passes with N = 3 and fails with the default N = pp = 2 (5 mod 2 = 1
    // < pp).
    json w = small({{"tp", 2},
                    {"pp", 2},
                    {"dp", 2},
                    {"schedule", "interleaved"},
                    {"virtual_stages", 2},
                    {"microbatch_group_size", 3}});
    w["batch"]["global_batch"] = 10;
    EXPECT_NO_THROW((void)load(w));
    w["parallelism"].erase("microbatch_group_size");
    expect_error(w, "/workload/batch/global_batch", "(5 mod microbatch_group_size 2 = 1)");
    w["parallelism"]["microbatch_group_size"] = 6;
    expect_error(w, "/workload/parallelism/microbatch_group_size", "must lie between pp (2) and the micro-batches");
    w["parallelism"] = {{"tp", 2}, {"pp", 2}, {"dp", 2}, {"microbatch_group_size", 2}};
    expect_error(w, "/workload/parallelism/microbatch_group_size", "interleaved schedule only");
}

// Micro-batch 2 against 1 at the same global batch, under 1F1B, interleaved and no pipeline:
// half the micro-batches, and every activation-sized quantity twice: the pipeline transfer
// b·s·h·2 B, a GEMM's FLOPs (2·b·s·h·3h/t for QKV... any GEMM), the TP all-reduce b·s·h·2 B.
const Op* find_op(const Block& b, const std::string& name) {
    for (const Step& s : b.body) {
        if (const auto* inner = std::get_if<Block>(&s)) {
            if (const Op* o = find_op(*inner, name)) {
                return o;
            }
        } else if (std::get<Op>(s).name == name) {
            return &std::get<Op>(s);
        }
    }
    return nullptr;
}

TEST(LlmTrainingLayout, MicroBatchTwoScalesEverySchedule) {
    const json schedules[] = {{{"tp", 2}, {"pp", 2}, {"dp", 2}},
                              {{"tp", 2}, {"pp", 2}, {"dp", 2}, {"schedule", "interleaved"}, {"virtual_stages", 2}},
                              {{"tp", 2}, {"dp", 4}}};
    for (const auto& par : schedules) {
        json w = small(par);
        const Trace one = load(w);
        w["batch"]["micro_batch"] = 2;
        const Trace two = load(w);
        EXPECT_DOUBLE_EQ(two.info.figures.at("micro_batches") * 2, one.info.figures.at("micro_batches")) << par;
        for (const char* name : {"qkv", "tp_ar", "pp_send_activation"}) {
            const Op* a = find_op(one.classes[0].program, name);
            const Op* b = find_op(two.classes[0].program, name);
            if (std::string(name) == "pp_send_activation" && !par.contains("pp")) {
                EXPECT_EQ(a, nullptr);
                continue;
            }
            ASSERT_NE(a, nullptr) << name << " " << par;
            ASSERT_NE(b, nullptr) << name;
            if (a->kind == Op::Kind::Compute) {
                EXPECT_DOUBLE_EQ(b->compute.flops.value(), 2 * a->compute.flops.value()) << name << " " << par;
            } else if (a->kind == Op::Kind::Send) {
                EXPECT_DOUBLE_EQ(b->p2p.size.value(), 2 * a->p2p.size.value()) << name << " " << par;
            } else {
                EXPECT_DOUBLE_EQ(b->collective.size.value(), 2 * a->collective.size.value()) << name << " " << par;
            }
        }
    }
}

} // namespace
