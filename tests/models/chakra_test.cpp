// Chakra import (models/chakra.hpp): rank files in the jsonizer's form (protobuf MessageToJson
// records, concatenated) are written here from C++ descriptions, imported, and checked step by
// step; every bad-input rule is checked with its file and JSON pointer. The bundled example
// scenarios/traces/chakra-small/rank{0..3}.json is written by the generator below, and a test keeps
// the files equal to it: after changing the generator, rewrite them with
//   TWIN_WRITE_BUNDLED=1 build/ci/tests/models/models_tests --gtest_filter='ChakraSmall.*'
#include "twin/core/json_reader.hpp"
#include "twin/models/chakra.hpp"
#include "twin/models/scenario.hpp"
#include "twin/models/trace_writer.hpp"
#include "twin_test/input_error.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json; // MessageToJson writes fields in .proto order
using twin::InputError;
using twin::models::Block;
using twin::models::CollectiveKind;
using twin::models::Op;
using twin::models::Peer;
using twin::models::Trace;

// ---- writing Chakra JSON the way MessageToJson does ----

// 64-bit integers are strings in protobuf's JSON mapping; 32-bit ones are numbers.
json i64(const std::string& name, std::int64_t v) {
    return json{{"name", name}, {"int64Val", std::to_string(v)}};
}
json u64(const std::string& name, std::uint64_t v) {
    return json{{"name", name}, {"uint64Val", std::to_string(v)}};
}
json i32(const std::string& name, std::int32_t v) {
    return json{{"name", name}, {"int32Val", v}};
}
json str(const std::string& name, const std::string& v) {
    return json{{"name", name}, {"stringVal", v}};
}
json flag(const std::string& name, bool v) {
    return json{{"name", name}, {"boolVal", v}};
}

// Chakra's CollectiveCommType values.
constexpr int kAllReduce = 0;
constexpr int kReduce = 1;
constexpr int kAllGather = 2;
constexpr int kBroadcast = 5;
constexpr int kAllToAll = 6;
constexpr int kReduceScatter = 7;

struct NodeDesc {
    std::uint64_t id;
    std::string name;
    std::string type;
    std::vector<json> attr;
    std::vector<std::uint64_t> ctrl_deps = {};
    std::vector<std::uint64_t> data_deps = {};
    std::uint64_t duration_micros = 0;
};

// One node as MessageToJson writes it: fields at their default value are left out.
json node_json(const NodeDesc& n) {
    json j = json::object();
    if (n.id != 0) {
        j["id"] = std::to_string(n.id);
    }
    if (!n.name.empty()) {
        j["name"] = n.name;
    }
    j["type"] = n.type;
    const auto ids = [](const std::vector<std::uint64_t>& v) {
        json a = json::array();
        for (auto x : v) {
            a.push_back(std::to_string(x));
        }
        return a;
    };
    if (!n.ctrl_deps.empty()) {
        j["ctrlDeps"] = ids(n.ctrl_deps);
    }
    if (!n.data_deps.empty()) {
        j["dataDeps"] = ids(n.data_deps);
    }
    if (n.duration_micros != 0) {
        j["durationMicros"] = std::to_string(n.duration_micros);
    }
    if (!n.attr.empty()) {
        j["attr"] = n.attr;
    }
    return j;
}

// A rank file as chakra_jsonizer writes it: GlobalMetadata, then every node, no separators.
std::string rank_file_text(const std::vector<json>& nodes) {
    std::string out = json{{"version", "0.0.4"}}.dump(2);
    for (const auto& n : nodes) {
        out += n.dump(2);
    }
    return out;
}

std::string rank_file_text(const std::vector<NodeDesc>& nodes) {
    std::vector<json> js;
    for (const auto& n : nodes) {
        js.push_back(node_json(n));
    }
    return rank_file_text(js);
}

// ---- the bundled example: 4 ranks, 2 pipeline stages x 2 tensor-parallel ranks ----
//
// Stage 0 (ranks 0, 1) loads a batch, runs its forward half, all-reduces inside its TP pair,
// sends activations to stage 1 (rank + 2), waits for the gradients back, runs backward, then in
// parallel all-reduces a gradient norm over all ranks and runs the optimizer (a memory store).
// Stage 1 (ranks 2, 3) mirrors it. Node 0 has id 0, which MessageToJson leaves out.
std::vector<NodeDesc> chakra_small_rank(int rank) {
    const bool first = rank < 2;
    const std::string tp = first ? "tp_stage0" : "tp_stage1";
    const auto gpu = [] { return flag("is_cpu_op", false); };
    if (first) {
        return {
            {0, "load_batch", "MEM_LOAD_NODE", {gpu(), u64("tensor_size", 64ULL << 20)}},
            {1,
             "forward",
             "COMP_NODE",
             {gpu(), i64("num_ops", 4000000000000), u64("tensor_size", 2000000000)},
             {},
             {0},
             5200},
            {2,
             "forward_tp_all_reduce",
             "COMM_COLL_NODE",
             {gpu(), i64("comm_type", kAllReduce), i64("comm_size", 32LL << 20), str("pg_name", tp)},
             {},
             {1}},
            {3,
             "send_activations",
             "COMM_SEND_NODE",
             {gpu(), i32("comm_src", rank), i32("comm_dst", rank + 2), i64("comm_size", 16LL << 20),
              i32("comm_tag", 7)},
             {},
             {2}},
            {4,
             "recv_gradients",
             "COMM_RECV_NODE",
             {gpu(), i32("comm_src", rank + 2), i32("comm_dst", rank), i64("comm_size", 16LL << 20),
              i32("comm_tag", 8)},
             {3},
             {}},
            {5,
             "backward",
             "COMP_NODE",
             {gpu(), i64("num_ops", 8000000000000), u64("tensor_size", 4000000000)},
             {},
             {4},
             10400},
            {6,
             "grad_norm_all_reduce",
             "COMM_COLL_NODE",
             {gpu(), i64("comm_type", kAllReduce), i64("comm_size", 8)},
             {5},
             {}},
            {7, "optimizer_step", "MEM_STORE_NODE", {gpu(), u64("tensor_size", 512ULL << 20)}, {}, {5}},
            {8, "step_end", "METADATA_NODE", {}, {6, 7}, {}},
        };
    }
    return {
        {0,
         "recv_activations",
         "COMM_RECV_NODE",
         {gpu(), i32("comm_src", rank - 2), i32("comm_dst", rank), i64("comm_size", 16LL << 20), i32("comm_tag", 7)}},
        {1,
         "forward",
         "COMP_NODE",
         {gpu(), i64("num_ops", 4000000000000), u64("tensor_size", 2000000000)},
         {},
         {0},
         5200},
        {2,
         "forward_tp_all_reduce",
         "COMM_COLL_NODE",
         {gpu(), i64("comm_type", kAllReduce), i64("comm_size", 32LL << 20), str("pg_name", tp)},
         {},
         {1}},
        {3,
         "loss_and_backward",
         "COMP_NODE",
         {gpu(), i64("num_ops", 8000000000000), u64("tensor_size", 4000000000)},
         {},
         {2},
         10400},
        {4,
         "send_gradients",
         "COMM_SEND_NODE",
         {gpu(), i32("comm_src", rank), i32("comm_dst", rank - 2), i64("comm_size", 16LL << 20), i32("comm_tag", 8)},
         {},
         {3}},
        {5,
         "grad_norm_all_reduce",
         "COMM_COLL_NODE",
         {gpu(), i64("comm_type", kAllReduce), i64("comm_size", 8)},
         {3},
         {}},
        {6, "optimizer_step", "MEM_STORE_NODE", {gpu(), u64("tensor_size", 512ULL << 20)}, {}, {3}},
    };
}

class Chakra : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("chakra_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& name, const std::string& text) {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

    // Writes one file per rank and imports them.
    Trace import(const std::vector<std::string>& texts) {
        std::vector<fs::path> files;
        for (std::size_t r = 0; r < texts.size(); ++r) {
            files.push_back(write("rank" + std::to_string(r) + ".json", texts[r]));
        }
        return twin::models::load_chakra(files);
    }

    // The InputError of importing `texts`; fails the test when there is none.
    InputError import_error(const std::vector<std::string>& texts) {
        return twin::test::input_error_of([&] { (void)import(texts); });
    }

    std::string file(int rank) const { return (dir_ / ("rank" + std::to_string(rank) + ".json")).string(); }

    fs::path dir_;
};

const Op& op_at(const Block& b, std::size_t i) {
    return std::get<Op>(b.body.at(i));
}

// ---- the bundled example ----

TEST(ChakraSmall, BundledFilesMatchTheGenerator) {
    const fs::path dir = fs::path(TWIN_SOURCE_DIR) / "scenarios" / "traces" / "chakra-small";
    const bool write = std::getenv("TWIN_WRITE_BUNDLED") != nullptr;
    for (int r = 0; r < 4; ++r) {
        const fs::path p = dir / ("rank" + std::to_string(r) + ".json");
        const std::string want = rank_file_text(chakra_small_rank(r)) + "\n";
        if (write) {
            fs::create_directories(dir);
            std::ofstream(p, std::ios::binary) << want;
        }
        std::ifstream in(p, std::ios::binary);
        std::stringstream got;
        got << in.rdbuf();
        EXPECT_EQ(got.str(), want) << p << " differs from the generator in " << __FILE__
                                   << "; rewrite it as the comment at the top says";
    }
}

TEST_F(Chakra, ImportsTheSmallExample) {
    std::vector<std::string> texts;
    for (int r = 0; r < 4; ++r) {
        texts.push_back(rank_file_text(chakra_small_rank(r)));
    }
    const Trace t = import(texts);
    EXPECT_EQ(t.name, "chakra");
    EXPECT_EQ(t.ranks, 4);
    EXPECT_EQ(t.file, file(0));
    // The two TP groups are used at the same position on their ranks and are disjoint: one family.
    ASSERT_EQ(t.groups.size(), 2U);
    EXPECT_EQ(t.groups[0].name, "pg:tp_stage0,tp_stage1");
    EXPECT_EQ(t.groups[0].communicators, (std::vector<std::vector<int>>{{0, 1}, {2, 3}}));
    EXPECT_EQ(t.groups[1].name, "world");
    EXPECT_EQ(t.groups[1].communicators, (std::vector<std::vector<int>>{{0, 1, 2, 3}}));
    // Equal programs (peers as offsets) share a class.
    ASSERT_EQ(t.classes.size(), 2U);
    EXPECT_EQ(t.classes[0].name, "ranks0-1");
    EXPECT_EQ(t.classes[0].ranks, (std::vector<int>{0, 1}));
    EXPECT_EQ(t.classes[1].name, "ranks2-3");
    EXPECT_EQ(t.class_of_rank, (std::vector<std::int32_t>{0, 0, 1, 1}));

    const Block& s0 = t.classes[0].program;
    ASSERT_EQ(s0.body.size(), 8U); // the METADATA_NODE is dropped
    EXPECT_EQ(op_at(s0, 0).name, "load_batch");
    EXPECT_EQ(op_at(s0, 0).kind, Op::Kind::Compute);
    EXPECT_EQ(op_at(s0, 0).compute.flops.value(), 0.0);
    EXPECT_EQ(op_at(s0, 0).compute.bytes.value(), 64.0 * (1 << 20));
    EXPECT_EQ(op_at(s0, 0).pointer, "/1");
    EXPECT_EQ(op_at(s0, 1).compute.flops.value(), 4e12);
    EXPECT_EQ(op_at(s0, 1).compute.bytes.value(), 2e9);
    EXPECT_EQ(op_at(s0, 2).kind, Op::Kind::Collective);
    EXPECT_EQ(op_at(s0, 2).collective.kind, CollectiveKind::AllReduce);
    EXPECT_EQ(op_at(s0, 2).collective.family, 0);
    EXPECT_EQ(op_at(s0, 2).collective.size.value(), 32.0 * (1 << 20));
    EXPECT_EQ(op_at(s0, 3).kind, Op::Kind::Send);
    EXPECT_EQ(op_at(s0, 3).p2p.peer.kind, Peer::Kind::Offset);
    EXPECT_EQ(op_at(s0, 3).p2p.peer.value, 2);
    EXPECT_EQ(op_at(s0, 3).p2p.size.value(), 16.0 * (1 << 20));
    EXPECT_EQ(op_at(s0, 4).kind, Op::Kind::Recv);
    EXPECT_EQ(op_at(s0, 4).p2p.peer.value, 2);
    EXPECT_EQ(op_at(s0, 6).collective.family, 1);
    EXPECT_EQ(op_at(s0, 6).collective.size.value(), 8.0);
    EXPECT_EQ(op_at(s0, 7).name, "optimizer_step");
    EXPECT_EQ(op_at(s0, 7).compute.bytes.value(), 512.0 * (1 << 20));
    // ctrl and data deps; the all-reduce and the optimizer both wait for backward only.
    EXPECT_EQ(s0.deps, (std::vector<std::vector<int>>{{}, {0}, {1}, {2}, {3}, {4}, {5}, {5}}));

    const Block& s1 = t.classes[1].program;
    ASSERT_EQ(s1.body.size(), 7U);
    EXPECT_EQ(op_at(s1, 0).kind, Op::Kind::Recv);
    EXPECT_EQ(op_at(s1, 0).p2p.peer.value, -2);
    EXPECT_EQ(op_at(s1, 4).kind, Op::Kind::Send);
    EXPECT_EQ(s1.deps, (std::vector<std::vector<int>>{{}, {0}, {1}, {2}, {3}, {3}, {3}}));

    EXPECT_TRUE(t.info.present);
    EXPECT_EQ(t.info.kind, "chakra");
    EXPECT_EQ(t.info.model, "Chakra trace (4 ranks)");
    EXPECT_EQ(t.info.hardware_flops_per_step, 4 * 12e12);
    EXPECT_EQ(t.info.figures.at("dropped_nodes_count"), 2.0);

    // Exported as trace v1, it reads back as the same program.
    const Trace back = twin::models::load_trace(
        twin::Document::parse(twin::models::trace_to_json(t).dump(), "x.json").root().as_object());
    EXPECT_EQ(twin::models::trace_to_json(back), twin::models::trace_to_json(t));
}

TEST_F(Chakra, ScenarioWorkloadTypeReadsAFilePattern) {
    const auto s = twin::models::load_scenario(fs::path(TWIN_SOURCE_DIR) / "scenarios" / "chakra-small-dgx-h100.json");
    EXPECT_EQ(s.trace.ranks, 4);
    EXPECT_EQ(s.trace.classes.size(), 2U);
    EXPECT_EQ(s.trace.name, "chakra-small");
}

// ---- mapping details ----

TEST_F(Chakra, OrdersNodesByDependencyAndPassesDroppedNodesOn) {
    // File order 3, 1, 2: node 1 waits for 2 (ctrl), 2 for 3 (data); node 4 is compute with
    // nothing to time (no FLOPs, bytes or duration: dropped); 5 waits for 4, so for 1.
    const Trace t = import({rank_file_text(std::vector<NodeDesc>{
        {3, "c", "COMP_NODE", {i64("num_ops", 30)}},
        {1, "a", "COMP_NODE", {i64("num_ops", 10)}, {2}},
        {2, "b", "MEM_STORE_NODE", {u64("tensor_size", 20)}, {}, {3}},
        {4, "gap", "COMP_NODE", {}, {}, {1}},
        {5, "e", "COMP_NODE", {i64("num_ops", 50)}, {4}, {}},
    })});
    const Block& p = t.classes.at(0).program;
    ASSERT_EQ(p.body.size(), 4U);
    EXPECT_EQ(op_at(p, 0).name, "c");
    EXPECT_EQ(op_at(p, 1).name, "b");
    EXPECT_EQ(op_at(p, 2).name, "a");
    EXPECT_EQ(op_at(p, 3).name, "e");
    EXPECT_EQ(p.deps, (std::vector<std::vector<int>>{{}, {0}, {1}, {2}}));
}

TEST_F(Chakra, MapsEveryCollectiveTypeAndOverlappingGroups) {
    // pg "a" = {0, 1}, pg "b" = {1, 2}: used at the same position but overlapping, so each is a
    // family of its own. No pg_name: all ranks.
    const auto rank_nodes = [](int r) {
        std::vector<NodeDesc> n;
        n.push_back({1,
                     "",
                     "COMM_COLL_NODE",
                     {i64("comm_type", kAllReduce), i64("comm_size", 100), str("pg_name", r == 2 ? "b" : "a")}});
        n.push_back({2, "ag", "COMM_COLL_NODE", {i64("comm_type", kAllGather), u64("comm_size", 200)}, {1}});
        n.push_back({3, "rs", "COMM_COLL_NODE", {i64("comm_type", kReduceScatter), i64("comm_size", 300)}, {2}});
        n.push_back({4, "rsb", "COMM_COLL_NODE", {i64("comm_type", 8), i64("comm_size", 300)}, {3}});
        n.push_back({5, "a2a", "COMM_COLL_NODE", {i64("comm_type", kAllToAll), i64("comm_size", 400)}, {4}});
        n.push_back({6,
                     "bc",
                     "COMM_COLL_NODE",
                     {i64("comm_type", kBroadcast), i64("comm_size", 500), i32("comm_src", 2)},
                     {5}});
        n.push_back({7, "barrier", "COMM_COLL_NODE", {i64("comm_type", 9)}, {6}});
        if (r == 1) {
            n.push_back({8,
                         "b_too",
                         "COMM_COLL_NODE",
                         {i64("comm_type", kAllReduce), i64("comm_size", 100), str("pg_name", "b")},
                         {7}});
        }
        return n;
    };
    const Trace t =
        import({rank_file_text(rank_nodes(0)), rank_file_text(rank_nodes(1)), rank_file_text(rank_nodes(2))});
    ASSERT_EQ(t.groups.size(), 3U);
    EXPECT_EQ(t.groups[0].name, "pg:a");
    EXPECT_EQ(t.groups[0].communicators, (std::vector<std::vector<int>>{{0, 1}}));
    EXPECT_EQ(t.groups[1].name, "pg:b");
    EXPECT_EQ(t.groups[1].communicators, (std::vector<std::vector<int>>{{1, 2}}));
    EXPECT_EQ(t.groups[2].name, "world");
    ASSERT_EQ(t.classes.size(), 3U);
    const Block& p = t.classes[0].program;
    EXPECT_EQ(op_at(p, 0).name, "all_reduce"); // unnamed node: the op's kind
    EXPECT_EQ(op_at(p, 0).collective.family, 0);
    EXPECT_EQ(op_at(p, 1).collective.kind, CollectiveKind::AllGather);
    EXPECT_EQ(op_at(p, 1).collective.size.value(), 200.0);
    EXPECT_EQ(op_at(p, 2).collective.kind, CollectiveKind::ReduceScatter);
    EXPECT_EQ(op_at(p, 3).collective.kind, CollectiveKind::ReduceScatter); // REDUCE_SCATTER_BLOCK
    EXPECT_EQ(op_at(p, 4).collective.kind, CollectiveKind::AllToAll);
    EXPECT_EQ(op_at(p, 5).collective.kind, CollectiveKind::Broadcast);
    EXPECT_EQ(op_at(p, 5).collective.root, 2);                         // rank 2 is position 2 of the world
    EXPECT_EQ(op_at(p, 6).collective.kind, CollectiveKind::AllReduce); // BARRIER: 4 bytes
    EXPECT_EQ(op_at(p, 6).collective.size.value(), 4.0);
    EXPECT_EQ(op_at(t.classes[2].program, 0).collective.family, 1);
}

TEST_F(Chakra, AcceptsProtoFieldNamesArraysAndNumbers) {
    // preserving_proto_field_name, enums as numbers, integers as numbers, a JSON array of records.
    const std::string text = R"j([
      {"version": "0.0.4", "attr": [{"name": "schema", "stringVal": "1.0.2-chakra.0.0.4"}]},
      {"id": 0, "name": "x", "type": 4, "ctrl_deps": [], "data_deps": [], "duration_micros": 5,
       "inputs": {"values": "[]", "shapes": "[]", "types": "[]"},
       "attr": [{"name": "num_ops", "int64_val": 7, "doc_string": "FLOPs"}, {"name": "rf_id", "uint64Val": "9"},
                {"name": "op_schema", "stringVal": "aten::mm(...)"}, {"name": "dims", "int64List": {"values": ["1"]}}]
},
      {"id": "1", "type": "COMP_NODE", "dataDeps": ["0"], "attr": [{"name": "num_ops", "uint32Val": 3}]}
    ])j";
    const Trace t = import({text});
    ASSERT_EQ(t.classes.at(0).program.body.size(), 2U);
    EXPECT_EQ(op_at(t.classes[0].program, 0).compute.flops.value(), 7.0);
    EXPECT_EQ(op_at(t.classes[0].program, 1).compute.flops.value(), 3.0);
    EXPECT_EQ(op_at(t.classes[0].program, 1).name, "compute");
}

TEST_F(Chakra, FlopsPerOpAndPrecision) {
    const fs::path p =
        write("r0.json", rank_file_text(std::vector<NodeDesc>{{1, "x", "COMP_NODE", {i64("num_ops", 10)}}}));
    twin::models::ChakraOptions o;
    o.name = "n";
    o.flops_per_op = 2.5;
    o.precision = twin::topology::Precision::FP8;
    const Trace t = twin::models::load_chakra({p}, o);
    EXPECT_EQ(t.name, "n");
    EXPECT_EQ(op_at(t.classes.at(0).program, 0).compute.flops.value(), 25.0);
    EXPECT_EQ(op_at(t.classes.at(0).program, 0).compute.precision, twin::topology::Precision::FP8);
    EXPECT_EQ(t.info.model, "Chakra trace (1 ranks)");
}

TEST_F(Chakra, ARankWithNothingToDoIsIdle) {
    const Trace t = import({rank_file_text(std::vector<NodeDesc>{{1, "x", "COMP_NODE", {i64("num_ops", 10)}}}),
                            rank_file_text(std::vector<NodeDesc>{{1, "m", "METADATA_NODE", {}}})});
    EXPECT_EQ(t.class_of_rank, (std::vector<std::int32_t>{0, -1}));
}

// ---- bad input: file and JSON pointer ----

struct BadCase {
    std::string name;
    std::string text; // rank 0's file; rank 1 is a single compute node
    std::string pointer;
    std::string message; // a part of the message
};

std::string one(const json& node) {
    return rank_file_text(std::vector<json>{node});
}
std::string two(const json& a, const json& b) {
    return rank_file_text(std::vector<json>{a, b});
}

json comp(std::uint64_t id) {
    return node_json({id, "c", "COMP_NODE", {i64("num_ops", 10)}});
}

void PrintTo(const BadCase& c, std::ostream* os) {
    *os << c.name;
}

class ChakraBad : public Chakra, public ::testing::WithParamInterface<BadCase> {};

TEST_P(ChakraBad, NamesFileAndPointer) {
    const auto& c = GetParam();
    const InputError e = import_error({c.text, one(comp(1))});
    EXPECT_EQ(e.file(), file(0)) << e.what();
    EXPECT_EQ(e.pointer(), c.pointer) << e.what();
    EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what();
}

const BadCase kBad[] = {
    {"malformed", "{\"version\": \"0.0.4\"}\n{\"id\": \"1\", \"type\": }", "", "line 2"},
    {"unknown_type", one(json{{"id", "1"}, {"type", "SOMETHING_NODE"}}), "/1/type", "unknown value"},
    {"unsupported_type", one(json{{"id", "1"}, {"type", "STORAGE_NODE"}}), "/1/type",
     "node type STORAGE_NODE is not supported"},
    {"missing_type", one(json{{"id", "1"}, {"name", "x"}}), "/1/type", "missing node type"},
    {"unknown_key", one(json{{"id", "1"}, {"type", "COMP_NODE"}, {"colour", "red"}}), "/1/colour", "unknown key"},
    {"missing_comm_size", one(node_json({1, "ar", "COMM_COLL_NODE", {i64("comm_type", kAllReduce)}})), "/1/attr",
     "missing attribute \"comm_size\""},
    {"missing_comm_type", one(node_json({1, "ar", "COMM_COLL_NODE", {i64("comm_size", 8)}})), "/1/attr",
     "missing attribute \"comm_type\""},
    {"unsupported_collective",
     one(node_json({1, "r", "COMM_COLL_NODE", {i64("comm_type", kReduce), i64("comm_size", 8)}})), "/1/attr/0/int64Val",
     "comm_type 1 (REDUCE) is not supported"},
    {"unknown_collective", one(node_json({1, "r", "COMM_COLL_NODE", {i64("comm_type", 42), i64("comm_size", 8)}})),
     "/1/attr/0/int64Val", "unknown comm_type 42"},
    {"zero_comm_size", one(node_json({1, "ar", "COMM_COLL_NODE", {i64("comm_type", kAllReduce), i64("comm_size", 0)}})),
     "/1/attr/1/int64Val", "expected an integer in [1,"},
    {"size_not_integer",
     one(node_json({1, "ar", "COMM_COLL_NODE", {i64("comm_type", kAllReduce), str("comm_size", "8")}})), "/1/attr/1",
     "attribute \"comm_size\" must hold one integer"},
    {"bad_integer_string", one(node_json({1, "c", "COMP_NODE", {json{{"name", "num_ops"}, {"int64Val", "12x"}}}})),
     "/1/attr/0/int64Val", "expected an integer"},
    {"missing_tensor_size", one(node_json({1, "l", "MEM_LOAD_NODE", {}})), "/1/attr",
     "missing attribute \"tensor_size\""},
    {"missing_dep", two(comp(1), node_json({2, "c", "COMP_NODE", {i64("num_ops", 1)}, {}, {1, 7}})), "/2/dataDeps/1",
     "no node of this rank has id 7"},
    {"cycle",
     two(node_json({1, "a", "COMP_NODE", {i64("num_ops", 1)}, {2}}),
         node_json({2, "b", "COMP_NODE", {i64("num_ops", 1)}, {}, {1}})),
     "/1", "node 1 is on a dependency cycle: 1 -> 2 -> 1"},
    {"self_dep", one(node_json({1, "a", "COMP_NODE", {i64("num_ops", 1)}, {1}})), "/1", "dependency cycle: 1 -> 1"},
    {"duplicate_id", two(comp(1), comp(1)), "/2/id", "node id 1 is already used by the node at /1"},
    {"peer_out_of_range", one(node_json({1, "s", "COMM_SEND_NODE", {i32("comm_dst", 5), i64("comm_size", 8)}})),
     "/1/attr/0/int32Val", "peer rank 5 is out of range: the trace has ranks 0..1"},
    {"send_to_self", one(node_json({1, "s", "COMM_SEND_NODE", {i32("comm_dst", 0), i64("comm_size", 8)}})),
     "/1/attr/0/int32Val", "rank 0 would send to itself"},
    {"recv_without_src", one(node_json({1, "r", "COMM_RECV_NODE", {i32("comm_dst", 0), i64("comm_size", 8)}})),
     "/1/attr", "missing attribute \"comm_src\""},
    {"two_values",
     one(node_json({1, "c", "COMP_NODE", {json{{"name", "num_ops"}, {"int64Val", "1"}, {"uint64Val", "1"}}}})),
     "/1/attr/0", "an attribute holds one value"},
    {"duplicate_attr", one(node_json({1, "c", "COMP_NODE", {i64("num_ops", 1), i64("num_ops", 2)}})), "/1/attr/1/name",
     "attribute \"num_ops\" is given twice"},
    {"both_spellings",
     one(json{{"id", "1"},
              {"type", "COMP_NODE"},
              {"ctrlDeps", json::array()},
              {"ctrl_deps", json::array()},
              {"attr", {i64("num_ops", 1)}}}),
     "/1/ctrl_deps", "are the same field"},
};

INSTANTIATE_TEST_SUITE_P(All, ChakraBad, ::testing::ValuesIn(kBad),
                         [](const ::testing::TestParamInfo<BadCase>& i) { return i.param.name; });

TEST_F(Chakra, BroadcastRootOutsideTheGroupIsAnInputError) {
    const auto bcast =
        node_json({1,
                   "bc",
                   "COMM_COLL_NODE",
                   {i64("comm_type", kBroadcast), i64("comm_size", 8), i32("comm_src", 1), str("pg_name", "p")}});
    const InputError e = import_error({one(bcast), one(comp(1)), one(bcast)});
    EXPECT_EQ(e.file(), file(0)) << e.what();
    EXPECT_EQ(e.pointer(), "/1/attr/2/int32Val") << e.what();
    EXPECT_EQ(e.message(), "broadcast root rank 1 is not in rank 0's process group (ranks 0, 2)");
}

TEST_F(Chakra, MissingFileIsAnInputError) {
    try {
        (void)twin::models::load_chakra({dir_ / "nope.json"});
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), (dir_ / "nope.json").string());
        EXPECT_EQ(e.message(), "cannot open file: No such file or directory");
    }
}

TEST_F(Chakra, NothingToSimulateIsAnInputError) {
    const InputError e = import_error({one(node_json({1, "m", "METADATA_NODE", {}}))});
    EXPECT_EQ(e.pointer(), "");
    EXPECT_NE(e.message().find("no node of any rank is an operation"), std::string::npos) << e.what();
}

// Workload errors point into the scenario.
struct WorkloadCase {
    std::string name;
    std::string workload;
    std::string pointer;
    std::string message;
};

void PrintTo(const WorkloadCase& c, std::ostream* os) {
    *os << c.name;
}

class ChakraWorkload : public ::testing::TestWithParam<WorkloadCase> {};

TEST_P(ChakraWorkload, NamesThePointer) {
    const auto& c = GetParam();
    const std::string text = R"({"schema_version": 1, "name": "s", "seed": 1,
      "topology": {"name": "t", "nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": )" + c.workload +
                             "}";
    try {
        (void)twin::models::parse_scenario(text, "s.json", fs::path(TWIN_SOURCE_DIR) / "scenarios");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), "s.json") << e.what();
        EXPECT_EQ(e.pointer(), c.pointer) << e.what();
        EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what();
    }
}

const WorkloadCase kWorkloadBad[] = {
    {"no_slot", R"({"type": "chakra", "files": "traces/chakra-small/rank0.json"})", "/workload/files",
     "a file pattern needs \"{rank}\""},
    {"missing_rank_file", R"({"type": "chakra", "files": "traces/chakra-small/rank{rank}.json", "ranks": 8})",
     "/workload/files", "no file for rank 4"},
    {"missing_first", R"({"type": "chakra", "files": "traces/none/rank{rank}.json"})", "/workload/files",
     "no file for rank 0"},
    {"missing_listed", R"({"type": "chakra", "files": ["traces/chakra-small/rank0.json", "traces/x.json"]})",
     "/workload/files/1", "does not exist"},
    {"ranks_mismatch", R"({"type": "chakra", "files": ["traces/chakra-small/rank0.json"], "ranks": 2})",
     "/workload/ranks", "\"ranks\" is 2 but \"files\" lists 1 files"},
    {"bad_precision",
     R"({"type": "chakra", "files": "traces/chakra-small/rank{rank}.json", "compute": {"precision": "fp3"}})",
     "/workload/compute/precision", "unknown precision"},
    {"bad_flops_per_op",
     R"({"type": "chakra", "files": "traces/chakra-small/rank{rank}.json", "compute": {"flops_per_op": 0}})",
     "/workload/compute/flops_per_op", "expected a number > 0"},
    {"unknown_key", R"({"type": "chakra", "files": "traces/chakra-small/rank{rank}.json", "rank": 4})",
     "/workload/rank", "unknown key"},
};

INSTANTIATE_TEST_SUITE_P(All, ChakraWorkload, ::testing::ValuesIn(kWorkloadBad),
                         [](const ::testing::TestParamInfo<WorkloadCase>& i) { return i.param.name; });

} // namespace
