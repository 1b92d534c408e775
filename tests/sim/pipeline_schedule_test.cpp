// Megatron-LM's pipeline schedules as the training generator writes them
// (models/src/llm_training_trace.cpp), run by the engine on the test catalog (sim_test_util.hpp:
// 100 TFLOPS GPUs, NVLink 100 GB/s with a 2 us hop). One simulation per test (process).
//
// Compute-only pipeline: one layer per model chunk, h = 65536, s = 1024, vocab 128, tp = dp = 1.
// A chunk's forward F is 24·s·h² ≈ 1.06e14 FLOP (~1 s); a transfer takes t_x = s·h·2 B / 100 GB/s
// + 2 us = 1.344 ms, about 1.3e-3 of F; the embedding and the 128-word head are ~1e-3 of F (the bound allows the
// stages' compute spread). With F the forward and B the backward of one chunk, p stages, m micro-batches and v chunks
// per stage, the schedule with free transfers (Narayanan et al. SC'21 §2.2) leaves every stage idle (p − 1)(F + B) in a
// step of T = (m·v + p − 1)(F + B) + t_opt (t_opt: the optimizer, the same on every stage): 1F1B's bubble is p − 1
// forward/backward pairs of the whole stage (v = 1), interleaving's p − 1 pairs of one chunk, 1/v of it. The bubble
// share of the pipeline part is (p − 1)/(m·v + p − 1), SC'21's bubble fraction (p − 1)/(v·m) of the ideal time.
// Transfers add to that: with Megatron's blocking exchanges (1F1B; interleaved without
// overlap_p2p_comm) the critical path runs through 2(m·v + p − 1) forward or backward chunks, each
// followed by at most one blocking exchange, and the first receive: at most 2(m·v + p − 1) + 1
// transfers; with overlap_p2p_comm the steady state's transfers run beside
// the computes and only the blocking warm-up and cool-down ones remain, fewer than one per cycle.
#include "sim_test_util.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/trace_writer.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using twin::Document;

struct Pipeline {
    twin::sim::RunResult result;
    double chunk_s = 0.0; // F + B of one chunk: the mean forward and backward block times
};

Pipeline run_pipeline(int p, int v, int m, bool overlap_p2p, int hidden = 65536, int seq = 1024, int group = 0) {
    json w = {{"type", "llm-training"},
              {"model", {{"layers", p * v}, {"hidden", hidden}, {"heads", 64}, {"vocab", 128}, {"seq_length", seq}}},
              {"parallelism", {{"tp", 1}, {"pp", p}, {"dp", 1}}},
              {"batch", {{"global_batch", m}, {"micro_batch", 1}}},
              {"overlap", {{"p2p", overlap_p2p}}}};
    if (v > 1) {
        w["parallelism"]["schedule"] = "interleaved";
        w["parallelism"]["virtual_stages"] = v;
    }
    if (group > 0) {
        w["parallelism"]["microbatch_group_size"] = group;
    }
    const auto doc = Document::parse(w.dump(), "w.json");
    const twin::models::TrainingConfig c = twin::models::read_training_config(doc.root().as_object());
    const auto trace = twin::models::generate_training_trace(c, "w.json");
    Pipeline out;
    out.result = twin::test::run_text(twin::test::one_node_scenario(twin::models::trace_to_json(trace).dump()));
    for (const auto& b : out.result.blocks) {
        if (b.name == "forward" || b.name == "backward") {
            out.chunk_s += b.total_s / static_cast<double>(b.count);
        }
    }
    return out;
}

double at(const std::map<std::string, double>& m, const std::string& k) {
    const auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
}

// Every stage idles (p − 1)(F + B) plus at most `hops` transfers (see the top), and the
// bubble share is (p − 1)(F + B)/T within 1 % of itself. Returns the worst stage's extra idle
// time, in transfers.
double expect_ideal_bubble(const Pipeline& pl, int p, int v, int m, double hops) {
    const auto& r = pl.result;
    const double fb = pl.chunk_s;
    EXPECT_GT(fb, 0.5);
    const double t_x = 1024.0 * 65536 * 2 / 1e11 + 2e-6;
    const double t = r.simulated_time_s;
    // The first and last stage also run the embedding and the head (logits, loss: ~1e-3 of F with
    // its small, shape-inefficient GEMM); the other stages may wait for that extra work.
    double least = r.gpus[0].compute_s;
    double most = least;
    for (int s = 0; s < p; ++s) {
        least = std::min(least, r.gpus[static_cast<std::size_t>(s)].compute_s);
        most = std::max(most, r.gpus[static_cast<std::size_t>(s)].compute_s);
    }
    double worst = 0.0;
    for (int s = 0; s < p; ++s) {
        const double idle = t - r.gpus[static_cast<std::size_t>(s)].compute_s;
        EXPECT_GE(idle, (p - 1) * fb - 1e-9) << "stage " << s;
        EXPECT_LE(idle, (p - 1) * fb + hops * t_x + (most - least)) << "stage " << s;
        worst = std::max(worst, (idle - (p - 1) * fb) / t_x);
    }
    // T = (m·v + p − 1)(F + B) + t_opt, t_opt from stage 0's compute.
    const double t_opt = r.gpus[0].compute_s - (m * v) * fb;
    EXPECT_GE(t, (m * v + p - 1) * fb + t_opt - 1e-9);
    EXPECT_LE(t, (m * v + p - 1) * fb + t_opt + hops * t_x);
    const double share = at(r.bound_gpu_s, "bubble") / (p * t);
    EXPECT_NEAR(share, (p - 1) * fb / t, 0.01 * share);
    // Of the pipeline part alone: SC'21's (p − 1)/(m·v + p − 1).
    const double ideal = static_cast<double>(p - 1) / (m * v + p - 1);
    EXPECT_NEAR(share * t / (t - t_opt), ideal, 0.01 * ideal);
    return worst;
}

TEST(PipelineSchedule, OneFOneBBubbleIsTheSchedules) {
    const int p = 4, m = 8;
    expect_ideal_bubble(run_pipeline(p, 1, m, false), p, 1, m, 2.0 * (m + p - 1) + 1);
}

// With overlap_p2p_comm (Megatron-LM's default with interleaving) the steady state's transfers
// leave the critical path: fewer than m·v + p − 1 transfers of extra idle time.
TEST(PipelineSchedule, InterleavedBubbleIsOneVthWithOverlap) {
    const int p = 4, v = 2, m = 8;
    expect_ideal_bubble(run_pipeline(p, v, m, true), p, v, m, m * v + p - 1.0);
}

// m = 5 micro-batches on p = 2 stages in groups of N = 3 (Megatron-LM's schedule table: chunk 0 for
// micro-batches 0-2, chunk 1 for 0-2, then 3-4 on each): a last group of at least p micro-batches
// leaves no dependency stall, so the bubble is still (p − 1)(F + B).
TEST(PipelineSchedule, InterleavedMicroBatchGroupsKeepTheBubble) {
    const int p = 2, v = 2, m = 5;
    expect_ideal_bubble(run_pipeline(p, v, m, true, 65536, 1024, 3), p, v, m, m * v + p - 1.0);
}

TEST(PipelineSchedule, InterleavedMicroBatchGroupsKeepTheBubbleWithoutOverlap) {
    const int p = 2, v = 2, m = 5;
    expect_ideal_bubble(run_pipeline(p, v, m, false, 65536, 1024, 3), p, v, m, 2.0 * (m * v + p - 1) + 1);
}

// Without it every cycle's exchange blocks: more than m·v + p − 1 transfers of extra idle time.
TEST(PipelineSchedule, InterleavedBubbleIsOneVthWithoutOverlap) {
    const int p = 4, v = 2, m = 8;
    const double worst = expect_ideal_bubble(run_pipeline(p, v, m, false), p, v, m, 2.0 * (m * v + p - 1) + 1);
    EXPECT_GT(worst, m * v + p - 1.0);
}

// Large transfers (h = 128: a transfer of s·h·2 = 256 KiB takes 2.6 us + 2 us, a chunk's forward
// about as long): with overlap_p2p_comm a stage's backward starts as soon as its forward ends,
// while the forward's activation is still being sent (Megatron posts the send after the forward
// and waits for it only after the next forward). Stage 1's timeline must show computes that start
// while one of its sends is in flight; without overlap (next test) none do.
int computes_started_during_a_send(bool overlap) {
    const int p = 4, v = 2, m = 8;
    json w = {{"type", "llm-training"},
              {"model", {{"layers", p * v}, {"hidden", 128}, {"heads", 4}, {"vocab", 128}, {"seq_length", 1024}}},
              {"parallelism", {{"tp", 1}, {"pp", p}, {"dp", 1}, {"schedule", "interleaved"}, {"virtual_stages", v}}},
              {"batch", {{"global_batch", m}, {"micro_batch", 1}}},
              {"overlap", {{"p2p", overlap}}}};
    const auto doc = Document::parse(w.dump(), "w.json");
    const auto trace =
        twin::models::generate_training_trace(twin::models::read_training_config(doc.root().as_object()), "w.json");
    twin::sim::RunOptions o;
    o.timeline_ranks = p;
    const auto r = twin::sim::run_scenario(
        twin::models::parse_scenario(twin::test::one_node_scenario(twin::models::trace_to_json(trace).dump()),
                                     "test.json", "."),
        o);
    const auto& tl = r.timeline;
    int n = 0;
    for (const auto& c : tl.slices) {
        if (c.rank != 1 || tl.ops[c.op].kind != "compute") {
            continue;
        }
        for (const auto& x : tl.slices) {
            if (x.rank == 1 && tl.ops[x.op].kind == "send" && c.start_s > x.start_s && c.start_s < x.end_s) {
                ++n;
                break;
            }
        }
    }
    return n;
}

TEST(PipelineSchedule, SendsRunBesideTheNextComputeWithOverlap) {
    EXPECT_GT(computes_started_during_a_send(true), 0);
}

TEST(PipelineSchedule, SendsBlockTheNextComputeWithoutOverlap) {
    EXPECT_EQ(computes_started_during_a_send(false), 0);
}

// Uneven model chunks (Megatron-LM's account_for_embedding/loss_in_pipeline_split): 6 layers,
// p = 2, v = 2, m = 2; (6 + 2) / 4 = 2 per chunk, less the embedding in stage 0's first chunk and the
// loss in stage 1's last: n(0,0) = 1, n(0,1) = 2, n(1,0) = 2, n(1,1) = 1. Virtual stages in order
// S0c0 → S1c0 → S0c1 → S1c1 forward, the reverse backward. m = p: every stage runs its 4
// forwards (chunk 0 for micro-batches 0, 1, then chunk 1), then its 4 backwards (chunk 1, then 0).
// With a = one layer's forward and c = its backward (transfers, embedding and head ~1e-3 of a):
//   S0 F00: [0, a], [a, 2a]           S1 F10: [a, 3a], [3a, 5a]
//   S0 F01: [3a, 5a], [5a, 7a]        S1 F11: [5a, 6a], [7a, 8a]
//   S1 B11: [8a, 8a+c], [8a+c, 8a+2c] S0 B01: [8a+c, 8a+3c], [8a+3c, 8a+5c]
//   S1 B10: [8a+3c, 8a+5c], [8a+5c, 8a+7c]
//   S0 B00: [8a+5c, 8a+6c], [8a+7c, 8a+8c]
// so the step is 8a + 8c + t_opt (stage 0 ends last), and each stage, computing 3 layers each
// way per micro-batch, idles 8a + 8c − 6(a + c) = 2(a + c). (Chunks of 2 layers everywhere, 8
// layers, would take 10(a + c) the same way; 6 layers over 4 chunks is an input error without the
// accounting.)
TEST(PipelineSchedule, UnevenChunksFollowTheHandSchedule) {
    const int p = 2, v = 2, m = 2;
    json w = {{"type", "llm-training"},
              {"model", {{"layers", 6}, {"hidden", 65536}, {"heads", 64}, {"vocab", 128}, {"seq_length", 1024}}},
              {"parallelism",
               {{"tp", 1},
                {"pp", p},
                {"dp", 1},
                {"schedule", "interleaved"},
                {"virtual_stages", v},
                {"account_for_embedding_in_pipeline_split", true},
                {"account_for_loss_in_pipeline_split", true}}},
              {"batch", {{"global_batch", m}, {"micro_batch", 1}}}};
    const auto doc = Document::parse(w.dump(), "w.json");
    const auto trace =
        twin::models::generate_training_trace(twin::models::read_training_config(doc.root().as_object()), "w.json");
    const auto r = twin::test::run_text(twin::test::one_node_scenario(twin::models::trace_to_json(trace).dump()));
    double a = 0.0, c = 0.0;
    for (const auto& b : r.blocks) {
        // m·L = 12 layer executions each way.
        a += b.name == "layer_forward" ? b.total_s / 12.0 : 0.0;
        c += b.name == "layer_backward" ? b.total_s / 12.0 : 0.0;
    }
    ASSERT_GT(a, 0.5);
    ASSERT_GT(c, a);
    const double t_x = 1024.0 * 65536 * 2 / 1e11 + 2e-6;
    // Stage compute: m·3 layers each way, plus the optimizer (and ~1e-4 a of embedding/head).
    const double t_opt = r.gpus[0].compute_s - 6 * (a + c);
    EXPECT_NEAR(r.gpus[1].compute_s - 6 * (a + c), t_opt, 1e-3 * a);
    const double t = r.simulated_time_s;
    EXPECT_GE(t, 8 * a + 8 * c + t_opt - 1e-3 * a);
    EXPECT_LE(t, 8 * a + 8 * c + t_opt + (2.0 * (m * v + p - 1) + 1) * t_x + 1e-3 * a);
    EXPECT_NEAR(t - r.gpus[0].compute_s, 2 * a + 2 * c, 12 * t_x + 1e-3 * a);
    EXPECT_NEAR(t - r.gpus[1].compute_s, 2 * a + 2 * c, 12 * t_x + 1e-3 * a);
}

} // namespace
