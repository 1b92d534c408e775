#include "twin/core/json_reader.hpp"
#include "twin/models/trace.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <sstream>
#include <string>

namespace {

using twin::models::Block;
using twin::models::CollectiveKind;
using twin::models::Op;
using twin::models::Peer;
using twin::models::Step;
using twin::models::Trace;

Trace load(const std::string& text) {
    const auto doc = twin::Document::parse(text, "test.json");
    return twin::models::load_trace(doc.root().as_object());
}

const Op& op_at(const Block& b, std::size_t i) {
    return std::get<Op>(b.body.at(i));
}
const Block& block_at(const Block& b, std::size_t i) {
    return std::get<Block>(b.body.at(i));
}

// 16 ranks = 2 data-parallel replicas x 2 pipeline stages x 4 tensor-parallel ranks.
// Rank r: tp position r % 4, pipeline stage (r / 4) % 2, dp replica r / 8.
constexpr const char* kExample = R"({
  "schema_version": 1,
  "name": "tp4-pp2-dp2",
  "ranks": 16,
  "groups": {
    "world": {},
    "tp": {"size": 4},
    "pp": {"size": 2, "stride": 4},
    "dp": {"size": 2, "stride": 8},
    "pairs": {"members": [[0, 5], [6, 15]]}
  },
  "classes": [
    {"name": "stage0", "ranks": [[0, 3], [8, 11]],
     "program": [
       {"op": "broadcast", "name": "load", "group": "world", "size": "4KiB", "root": 3},
       {"name": "microbatches", "repeat": 4, "body": [
         {"name": "layers", "repeat": 12, "body": [
           {"op": "compute", "name": "fwd", "flops": "1.5TFLOP", "bytes": "300MB", "precision": "bf16"},
           {"op": "all_reduce", "name": "tp_ar", "group": "tp", "size": "64MiB"}
         ]},
         {"op": "send", "name": "pp_fwd", "peer": {"group": "pp", "to": "next"}, "size": "32MiB"}
       ]},
       {"op": "compute", "name": "bwd", "flops": "3TFLOP", "id": "bwd"},
       {"op": "compute", "name": "optimizer", "bytes": "2GB", "precision": "fp8", "after": []},
       {"op": "reduce_scatter", "name": "grad_rs", "group": "dp", "size": "1GiB", "after": ["bwd"], "id": "rs"},
       {"op": "all_gather", "name": "grad_ag", "group": "dp", "size": "1GiB", "after": ["rs", "bwd"]}
     ]},
    {"name": "stage1", "ranks": [4, 5, 6, [7, 7], [12, 15]],
     "program": [
       {"op": "broadcast", "name": "load", "group": "world", "size": "4KiB", "root": 3},
       {"op": "recv", "name": "pp_fwd", "peer": {"group": "pp", "to": "prev"}, "size": "32MiB"},
       {"op": "all_to_all", "name": "moe", "group": "tp", "size": "8MB"},
       {"op": "send", "name": "x", "peer": {"offset": -4}, "size": "1MB"},
       {"op": "recv", "name": "y", "peer": {"rank": 0}, "size": "1B"}
     ]}
  ]
})";

TEST(Trace, ExampleGroupFamilies) {
    const Trace t = load(kExample);
    EXPECT_EQ(t.name, "tp4-pp2-dp2");
    EXPECT_EQ(t.ranks, 16);
    EXPECT_EQ(t.file, "test.json");
    // Families come in name order.
    ASSERT_EQ(t.groups.size(), 5U);
    EXPECT_EQ(t.groups[0].name, "dp");
    EXPECT_EQ(t.groups[1].name, "pairs");
    EXPECT_EQ(t.groups[2].name, "pp");
    EXPECT_EQ(t.groups[3].name, "tp");
    EXPECT_EQ(t.groups[4].name, "world");

    using Comms = std::vector<std::vector<int>>;
    // dp: size 2 at stride 8, one block of 16: {j, j + 8}.
    EXPECT_EQ(t.groups[0].communicators, (Comms{{0, 8}, {1, 9}, {2, 10}, {3, 11}, {4, 12}, {5, 13}, {6, 14}, {7, 15}}));
    EXPECT_EQ(t.groups[1].communicators, (Comms{{0, 5}, {6, 15}}));
    // pp: size 2 at stride 4, blocks of 8 ranks: {b + j, b + j + 4}.
    EXPECT_EQ(t.groups[2].communicators, (Comms{{0, 4}, {1, 5}, {2, 6}, {3, 7}, {8, 12}, {9, 13}, {10, 14}, {11, 15}}));
    EXPECT_EQ(t.groups[3].communicators, (Comms{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}, {12, 13, 14, 15}}));
    ASSERT_EQ(t.groups[4].communicators.size(), 1U);
    EXPECT_EQ(t.groups[4].communicators[0].size(), 16U);

    // Rank 13: dp {5, 13} position 1; pp {9, 13} = communicator 5, position 1; tp communicator 3, position 1.
    EXPECT_EQ(t.groups[0].comm_of_rank[13], 5);
    EXPECT_EQ(t.groups[0].position_of_rank[13], 1);
    EXPECT_EQ(t.groups[2].comm_of_rank[13], 5);
    EXPECT_EQ(t.groups[2].position_of_rank[13], 1);
    EXPECT_EQ(t.groups[3].comm_of_rank[13], 3);
    EXPECT_EQ(t.groups[3].position_of_rank[13], 1);
    EXPECT_EQ(t.groups[4].position_of_rank[13], 13);
    // Explicit members: ranks in no communicator are -1.
    EXPECT_EQ(t.groups[1].comm_of_rank[15], 1);
    EXPECT_EQ(t.groups[1].position_of_rank[15], 1);
    EXPECT_EQ(t.groups[1].comm_of_rank[1], -1);
    EXPECT_EQ(t.groups[1].position_of_rank[1], -1);
}

TEST(Trace, ExampleClassesAndPrograms) {
    const Trace t = load(kExample);
    ASSERT_EQ(t.classes.size(), 2U);
    EXPECT_EQ(t.classes[0].ranks, (std::vector<int>{0, 1, 2, 3, 8, 9, 10, 11}));
    EXPECT_EQ(t.classes[1].ranks, (std::vector<int>{4, 5, 6, 7, 12, 13, 14, 15}));
    EXPECT_EQ(t.class_of_rank, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1}));

    const Block& p = t.classes[0].program;
    EXPECT_EQ(p.name, "stage0");
    EXPECT_EQ(p.repeat, 1);
    ASSERT_EQ(p.body.size(), 6U);

    const Op& load_op = op_at(p, 0);
    EXPECT_EQ(load_op.kind, Op::Kind::Collective);
    EXPECT_EQ(load_op.collective.kind, CollectiveKind::Broadcast);
    EXPECT_EQ(load_op.collective.root, 3);
    EXPECT_EQ(load_op.collective.family, 4); // world
    EXPECT_DOUBLE_EQ(load_op.collective.size.value(), 4096.0);
    EXPECT_EQ(load_op.pointer, "/classes/0/program/0");

    // Nested repeat blocks.
    const Block& micro = block_at(p, 1);
    EXPECT_EQ(micro.name, "microbatches");
    EXPECT_EQ(micro.repeat, 4);
    ASSERT_EQ(micro.body.size(), 2U);
    const Block& layers = block_at(micro, 0);
    EXPECT_EQ(layers.repeat, 12);
    const Op& fwd = op_at(layers, 0);
    EXPECT_EQ(fwd.name, "fwd");
    EXPECT_EQ(fwd.kind, Op::Kind::Compute);
    EXPECT_DOUBLE_EQ(fwd.compute.flops.value(), 1.5e12);
    EXPECT_DOUBLE_EQ(fwd.compute.bytes.value(), 3e8);
    EXPECT_EQ(fwd.compute.precision, twin::topology::Precision::BF16);
    EXPECT_EQ(fwd.pointer, "/classes/0/program/1/body/0/body/0");
    const Op& ar = op_at(layers, 1);
    EXPECT_EQ(ar.collective.kind, CollectiveKind::AllReduce);
    EXPECT_EQ(ar.collective.family, 3); // tp
    EXPECT_DOUBLE_EQ(ar.collective.size.value(), 64.0 * 1024 * 1024);
    EXPECT_EQ(layers.deps, (std::vector<std::vector<int>>{{}, {0}}));
    EXPECT_EQ(micro.deps, (std::vector<std::vector<int>>{{}, {0}}));
    const Op& send = op_at(micro, 1);
    EXPECT_EQ(send.kind, Op::Kind::Send);
    EXPECT_EQ(send.p2p.peer.kind, Peer::Kind::GroupNext);
    EXPECT_EQ(send.p2p.peer.family, 2); // pp
    EXPECT_DOUBLE_EQ(send.p2p.size.value(), 32.0 * 1024 * 1024);

    // Defaults: bwd has no bytes; optimizer has no flops and fp8.
    EXPECT_DOUBLE_EQ(op_at(p, 2).compute.bytes.value(), 0.0);
    EXPECT_EQ(op_at(p, 3).compute.precision, twin::topology::Precision::FP8);
    EXPECT_DOUBLE_EQ(op_at(p, 3).compute.flops.value(), 0.0);
    EXPECT_EQ(op_at(p, 4).collective.kind, CollectiveKind::ReduceScatter);
    EXPECT_EQ(op_at(p, 5).collective.kind, CollectiveKind::AllGather);
    EXPECT_EQ(op_at(p, 5).collective.family, 0); // dp

    // Dependencies: default = previous step; "after": [] = block start; ids sorted.
    EXPECT_EQ(p.deps, (std::vector<std::vector<int>>{{}, {0}, {1}, {}, {2}, {2, 4}}));

    // Ops per run: 1 + 4 * (12 * 2 + 1) + 4 = 105.
    EXPECT_EQ(twin::models::count_ops(p), 105);
    EXPECT_EQ(twin::models::count_ops(t.classes[1].program), 5);
}

TEST(Trace, ExamplePeers) {
    const Trace t = load(kExample);
    const Block& p0 = t.classes[0].program;
    const Peer next = op_at(block_at(p0, 1), 1).p2p.peer;
    // Stage 0 rank r sends to r + 4 (its pp communicator is {r, r + 4}).
    for (int r : t.classes[0].ranks) {
        EXPECT_EQ(twin::models::peer_of(t, next, r), r + 4);
    }
    const Block& p1 = t.classes[1].program;
    const Peer prev = op_at(p1, 1).p2p.peer;
    EXPECT_EQ(prev.kind, Peer::Kind::GroupPrev);
    for (int r : t.classes[1].ranks) {
        EXPECT_EQ(twin::models::peer_of(t, prev, r), r - 4);
    }
    EXPECT_EQ(twin::models::peer_of(t, next, 4), -1); // end of {0, 4}: no wrap-around
    const Peer offset = op_at(p1, 3).p2p.peer;
    EXPECT_EQ(offset.kind, Peer::Kind::Offset);
    EXPECT_EQ(offset.value, -4);
    EXPECT_EQ(twin::models::peer_of(t, offset, 12), 8);
    EXPECT_EQ(twin::models::peer_of(t, offset, 3), -1);
    const Op& recv = op_at(p1, 4);
    EXPECT_EQ(recv.kind, Op::Kind::Recv);
    EXPECT_EQ(recv.p2p.peer.kind, Peer::Kind::Rank);
    EXPECT_EQ(twin::models::peer_of(t, recv.p2p.peer, 13), 0);
    EXPECT_EQ(op_at(p1, 2).collective.kind, CollectiveKind::AllToAll);
    EXPECT_EQ(twin::models::op_kind_name(op_at(p1, 2)), "all_to_all");
    EXPECT_EQ(twin::models::op_kind_name(recv), "recv");
}

TEST(Trace, DefaultNamesAndIdleRanks) {
    const Trace t = load(R"({"schema_version": 1, "name": "t", "ranks": 4,
      "classes": [{"name": "c", "ranks": [1], "program": [
        {"op": "compute", "flops": "1GFLOP"},
        {"body": [{"op": "send", "peer": {"rank": 3}, "size": "1kB"}]}]}]})");
    EXPECT_TRUE(t.groups.empty());
    EXPECT_EQ(t.class_of_rank, (std::vector<std::int32_t>{-1, 0, -1, -1}));
    const Block& p = t.classes[0].program;
    EXPECT_EQ(op_at(p, 0).name, "compute");
    EXPECT_EQ(op_at(p, 0).compute.precision, twin::topology::Precision::BF16);
    EXPECT_EQ(block_at(p, 1).name, "block");
    EXPECT_EQ(block_at(p, 1).repeat, 1);
    EXPECT_EQ(op_at(block_at(p, 1), 0).name, "send");
}

TEST(Trace, LargeRepeatCountSaturates) {
    const Trace t = load(R"({"schema_version": 1, "name": "t", "ranks": 1,
      "classes": [{"name": "c", "ranks": "all", "program": [
        {"repeat": 1099511627776, "body": [{"repeat": 1099511627776, "body": [
          {"op": "compute", "flops": "1FLOP"}]}]}]}]})");
    EXPECT_EQ(twin::models::count_ops(t.classes[0].program), std::numeric_limits<std::int64_t>::max());
}

// The trace of a 10,000-rank job stays small: ranks are described by classes and families,
// never listed one by one.
std::string data_parallel_trace(int ranks, int tp) {
    std::ostringstream s;
    s << R"({"schema_version": 1, "name": "dp-training", "ranks": )" << ranks << R"(,
  "groups": {"tp": {"size": )"
      << tp << R"(}, "dp": {"stride": )" << tp << R"(}},
  "classes": [{"name": "worker", "ranks": "all", "program": [
    {"repeat": 8, "name": "microbatches", "body": [
      {"repeat": 80, "name": "layers", "body": [
        {"op": "compute", "name": "fwd", "flops": "1.2TFLOP", "bytes": "300MB"},
        {"op": "all_reduce", "name": "tp_fwd", "group": "tp", "size": "64MiB"}]},
      {"repeat": 80, "name": "layers_bwd", "body": [
        {"op": "compute", "name": "bwd", "flops": "2.4TFLOP", "bytes": "600MB"},
        {"op": "all_reduce", "name": "tp_bwd", "group": "tp", "size": "64MiB"}]}]},
    {"op": "reduce_scatter", "name": "grad_rs", "group": "dp", "size": "1GiB"},
    {"op": "compute", "name": "optimizer", "bytes": "3GB", "precision": "tf32"},
    {"op": "all_gather", "name": "param_ag", "group": "dp", "size": "1GiB"}]}]})";
    return s.str();
}

TEST(Trace, TenThousandRanksIsCompact) {
    const std::string text = data_parallel_trace(10000, 8);
    EXPECT_LT(text.size(), 8U * 1024U);
    const Trace t = load(text);
    EXPECT_EQ(t.ranks, 10000);
    ASSERT_EQ(t.groups.size(), 2U);
    const auto& dp = t.groups[0];
    const auto& tp = t.groups[1];
    EXPECT_EQ(dp.name, "dp");
    ASSERT_EQ(dp.communicators.size(), 8U); // {j + 8k : k < 1250}
    EXPECT_EQ(dp.communicators[3].size(), 1250U);
    EXPECT_EQ(dp.communicators[3][1], 11);
    EXPECT_EQ(dp.comm_of_rank[9999], 7);
    EXPECT_EQ(dp.position_of_rank[9999], 1249);
    EXPECT_EQ(tp.communicators.size(), 1250U);
    EXPECT_EQ(tp.comm_of_rank[9999], 1249);
    EXPECT_EQ(tp.position_of_rank[9999], 7);
    EXPECT_EQ(t.classes[0].ranks.size(), 10000U);
    // 8 * (80 * 2 + 80 * 2) + 3
    EXPECT_EQ(twin::models::count_ops(t.classes[0].program), 2563);
}

// The complete example in models/README.md loads.
TEST(Trace, ReadmeExampleLoads) {
    std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/models/README.md");
    ASSERT_TRUE(in) << "cannot read models/README.md";
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    const auto begin = readme.find("```json\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = readme.find("```", begin + 8);
    ASSERT_NE(end, std::string::npos);
    const Trace t = load(readme.substr(begin + 8, end - begin - 8));
    EXPECT_EQ(t.ranks, 16);
    EXPECT_EQ(t.classes.size(), 2U);
}

} // namespace
