// Chakra's binary rank files (.et): records hand-encoded here from the protobuf wire format (so the
// field numbers are checked independently of the project's writer) are imported with the JSON
// path's meaning; clustertwin's own export (chakra_writer.hpp) reads back to the same programs and
// dependencies; measured durations are kept and scaled; every bad-input rule names the file and
// the record (and the node id where the error is inside a node).
//
// The bundled scenarios/traces/chakra-et-gpt/rank{0..7}.et are the export of dgx-h100-1node.json's
// workload, and a test keeps them equal to it: after changing the writer or that workload, rewrite
// them with  TWIN_WRITE_BUNDLED=1 build/dev/tests/models/models_tests --gtest_filter='ChakraEt*'
#include "twin/core/json_reader.hpp"
#include "twin/models/chakra.hpp"
#include "twin/models/chakra_writer.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <zlib.h>

namespace {

namespace fs = std::filesystem;
using twin::models::Block;
using twin::models::CollectiveKind;
using twin::models::Op;
using twin::models::Trace;

// ---- the protobuf wire format (developers.google.com/protocol-buffers/docs/encoding) ----

std::string varint(std::uint64_t v) {
    std::string out;
    do {
        auto b = static_cast<unsigned char>(v & 0x7FU);
        v >>= 7U;
        out += static_cast<char>(v != 0 ? (b | 0x80U) : b);
    } while (v != 0);
    return out;
}
std::string field_varint(int number, std::uint64_t v) { // wire type 0
    return varint(static_cast<std::uint64_t>(number) << 3U) + varint(v);
}
std::string field_bytes(int number, const std::string& s) { // wire type 2
    return varint((static_cast<std::uint64_t>(number) << 3U) | 2U) + varint(s.size()) + s;
}
std::string record(const std::string& message) {
    return varint(message.size()) + message;
}

// et_def.proto field numbers: GlobalMetadata.version 1; Node id 1, name 2, type 3, data_deps 5,
// duration_micros 7, attr 10; AttributeProto name 1, int64_val 9, string_val 29.
std::string metadata() {
    return record(field_bytes(1, "0.0.4"));
}
std::string int_attr(const std::string& name, std::int64_t v) {
    return field_bytes(10, field_bytes(1, name) + field_varint(9, static_cast<std::uint64_t>(v)));
}
std::string string_attr(const std::string& name, const std::string& v) {
    return field_bytes(10, field_bytes(1, name) + field_bytes(29, v));
}
std::string node(std::uint64_t id, const std::string& name, int type, const std::string& rest,
                 std::vector<std::uint64_t> deps = {}) {
    std::string m = (id != 0 ? field_varint(1, id) : "") + field_bytes(2, name) + field_varint(3, type);
    std::string packed; // repeated uint64 is packed in proto3
    for (auto d : deps) {
        packed += varint(d);
    }
    if (!deps.empty()) {
        m += field_bytes(5, packed);
    }
    return record(m + rest);
}
constexpr int kComp = 4;
constexpr int kColl = 7;

class ChakraEt : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("chakra_et_test_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(const std::string& name, const std::string& bytes) {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
    std::vector<fs::path> write_ranks(const std::vector<std::string>& files) {
        std::vector<fs::path> out;
        for (std::size_t r = 0; r < files.size(); ++r) {
            out.push_back(write("rank" + std::to_string(r) + ".et", files[r]));
        }
        return out;
    }

    fs::path dir_;
};

const Op& op_at(const Block& b, std::size_t i) {
    return std::get<Op>(b.body.at(i));
}

// ---- reading hand-encoded files ----

TEST_F(ChakraEt, ReadsHandEncodedRecordsWithTheJsonMeaning) {
    std::vector<std::string> ranks;
    for (int r = 0; r < 2; ++r) {
        ranks.push_back(
            metadata() +
            node(0, "gemm", kComp, int_attr("num_ops", 4'000'000'000'000) + int_attr("tensor_size", 2'000'000'000)) +
            node(1, "grad_all_reduce", kColl,
                 int_attr("comm_type", 0) + int_attr("comm_size", 64 << 20) + string_attr("pg_name", "dp"), {0}));
    }
    const Trace t = twin::models::load_chakra(write_ranks(ranks));
    ASSERT_EQ(t.classes.size(), 1U);
    const Block& p = t.classes[0].program;
    ASSERT_EQ(p.body.size(), 2U);
    EXPECT_EQ(op_at(p, 0).name, "gemm");
    EXPECT_DOUBLE_EQ(op_at(p, 0).compute.flops.value(), 4e12);
    EXPECT_DOUBLE_EQ(op_at(p, 0).compute.bytes.value(), 2e9);
    EXPECT_EQ(op_at(p, 1).kind, Op::Kind::Collective);
    EXPECT_EQ(op_at(p, 1).collective.kind, CollectiveKind::AllReduce);
    EXPECT_DOUBLE_EQ(op_at(p, 1).collective.size.value(), 64.0 * (1 << 20));
    EXPECT_EQ(p.deps[1], (std::vector<int>{0}));
    EXPECT_EQ(t.groups.at(static_cast<std::size_t>(op_at(p, 1).collective.family)).communicators,
              (std::vector<std::vector<int>>{{0, 1}}));
}

std::string duration_node(std::uint64_t id, std::uint64_t micros) {
    return node(id, "measured_kernel", kComp, field_varint(7, micros));
}

TEST_F(ChakraEt, DurationOnlyComputeNodesKeepTheirMeasuredTime) {
    const Trace t = twin::models::load_chakra(write_ranks({metadata() + duration_node(0, 5200)}));
    const Op& op = op_at(t.classes.at(0).program, 0);
    EXPECT_EQ(op.kind, Op::Kind::Compute);
    EXPECT_DOUBLE_EQ(op.compute.duration.value(), 5200e-6);
    EXPECT_EQ(t.info.figures.at("dropped_nodes_count"), 0.0);

    twin::models::ChakraOptions ignore;
    ignore.durations = twin::models::ChakraDurations::Ignore;
    const std::string two = metadata() + duration_node(0, 5200) +
                            node(1, "gemm", kComp, int_attr("num_ops", 1'000'000) + field_varint(7, 9), {0});
    const Trace dropped = twin::models::load_chakra(write_ranks({two}), ignore);
    EXPECT_EQ(dropped.classes.at(0).program.body.size(), 1U);
    EXPECT_EQ(dropped.info.figures.at("dropped_nodes_count"), 1.0);

    // "prefer": the measured 9 us replaces the node's FLOPs.
    twin::models::ChakraOptions prefer;
    prefer.durations = twin::models::ChakraDurations::Prefer;
    const Trace measured = twin::models::load_chakra(write_ranks({two}), prefer);
    const Op& gemm = op_at(measured.classes.at(0).program, 1);
    EXPECT_DOUBLE_EQ(gemm.compute.flops.value(), 0.0);
    EXPECT_DOUBLE_EQ(gemm.compute.duration.value(), 9e-6);

    // Scaled per rank (ChakraOptions::duration_scale_of_rank, set from "measured_on").
    twin::models::ChakraOptions scaled;
    scaled.duration_scale_of_rank = {0.5};
    const Trace half = twin::models::load_chakra(write_ranks({metadata() + duration_node(0, 5200)}), scaled);
    EXPECT_DOUBLE_EQ(op_at(half.classes.at(0).program, 0).compute.duration.value(), 2600e-6);
}

// One gzip member of `in` (zlib, RFC 1952), as Python's gzip module writes for a ".gz" name.
std::string gzip(const std::string& in) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

TEST_F(ChakraEt, GzipCompressedFilesReadAsTheirContent) {
    // Chakra's protolib.py writes gzip for a name ending in ".gz": the same records give the same
    // trace.
    const std::string plain =
        metadata() + node(0, "gemm", kComp, int_attr("num_ops", 4'000'000'000'000)) + duration_node(1, 5200);
    const Trace a = twin::models::load_chakra({write("rank0.et", plain)});
    const fs::path gz = write("rank0.et.gz", gzip(plain));
    const Trace b = twin::models::load_chakra({gz});
    const Block& pa = a.classes.at(0).program;
    const Block& pb = b.classes.at(0).program;
    ASSERT_EQ(pb.body.size(), 2U);
    EXPECT_EQ(op_at(pb, 0).name, op_at(pa, 0).name);
    EXPECT_DOUBLE_EQ(op_at(pb, 0).compute.flops.value(), 4e12);
    EXPECT_DOUBLE_EQ(op_at(pb, 1).compute.duration.value(), 5200e-6);
    // Cut short, or with bytes after the stream: one line naming the file.
    const std::string z = gzip(plain);
    const fs::path cut = write("rank0.et.gz", z.substr(0, z.size() / 2));
    const auto e = twin::test::input_error_of([&] { (void)twin::models::load_chakra({cut}); });
    EXPECT_EQ(e.file(), cut.string());
    EXPECT_NE(e.message().find("starts as gzip but does not decompress: the stream is cut short"), std::string::npos)
        << e.message();
    const fs::path tail = write("rank0.et.gz", z + "xyz");
    const auto t = twin::test::input_error_of([&] { (void)twin::models::load_chakra({tail}); });
    EXPECT_NE(t.message().find("3 bytes follow the gzip stream"), std::string::npos) << t.message();
}

// ---- bad input ----

TEST_F(ChakraEt, BadFilesNameTheFileAndTheRecord) {
    const auto err = [&](const std::string& bytes) {
        const fs::path p = write("rank0.et", bytes);
        return twin::test::input_error_of([&] { (void)twin::models::load_chakra({p}); });
    };
    const std::string file = (dir_ / "rank0.et").string();
    {
        const auto e = err(metadata() + varint(100) + "short");
        EXPECT_EQ(e.file(), file);
        EXPECT_EQ(e.pointer(), "/1");
        EXPECT_NE(e.message().find("100 bytes long but only 5 bytes are left"), std::string::npos) << e.message();
    }
    {
        const auto e = err(metadata() + std::string("\xff\xff\xff\xff\xff\xff", 6));
        EXPECT_EQ(e.pointer(), "/1");
        EXPECT_NE(e.message().find("cut short or too long"), std::string::npos) << e.message();
    }
    {
        const auto e = err(metadata() + record("\x0a\xff"));
        EXPECT_EQ(e.pointer(), "/1");
        EXPECT_NE(e.message().find("not a valid Chakra Node message"), std::string::npos) << e.message();
    }
    {
        const auto e = err(record(field_bytes(2, "")) + duration_node(1, 5));
        EXPECT_EQ(e.pointer(), "/0");
        EXPECT_NE(e.message().find("GlobalMetadata with a \"version\""), std::string::npos) << e.message();
    }
    {
        const auto e = err(std::string("\x1f\x8b\x08\x00", 4));
        EXPECT_NE(e.message().find("gzip"), std::string::npos) << e.message();
    }
    {
        const auto e = err(metadata() + varint(0) + duration_node(1, 5));
        EXPECT_NE(e.message().find("length 0, which ends a Chakra file"), std::string::npos) << e.message();
    }
    {
        const auto e = err("");
        EXPECT_NE(e.message().find("holds no record"), std::string::npos) << e.message();
    }
    {
        // Inside a node: the node's id leads the message, the pointer addresses the JSON view.
        const auto e = err(metadata() + node(7, "ar", kColl, int_attr("comm_type", 1) + int_attr("comm_size", 8)));
        EXPECT_EQ(e.pointer(), "/1/attr/0/int64Val");
        EXPECT_EQ(e.message().rfind("node 7: comm_type 1 (REDUCE) is not supported", 0), 0U) << e.message();
    }
}

// ---- clustertwin's own export, read back ----

Trace trace_of(const std::string& text) {
    const auto doc = twin::Document::parse(text, "test.json");
    return twin::models::load_trace(doc.root().as_object());
}

TEST_F(ChakraEt, ExportReadsBackToTheSameOpsAndDependencies) {
    // Rank 0 and 1 pipeline (send/recv), a repeated block whose second step starts with the
    // iteration (after: []), a broadcast rooted at position 1, a measured step.
    const Trace t = trace_of(R"({"schema_version": 1, "name": "rt", "ranks": 2,
      "groups": {"world": {"size": 2}},
      "classes": [{"name": "all", "ranks": "all", "program": [
        {"name": "load", "op": "compute", "bytes": "1MB", "precision": "fp8", "kernels": 3},
        {"name": "layers", "repeat": 2, "body": [
          {"id": "a", "name": "attn", "op": "compute", "flops": "2TFLOP", "efficiency": 0.5},
          {"name": "gather", "op": "all_gather", "group": "world", "size": "4MB", "after": []}]},
        {"name": "bcast", "op": "broadcast", "group": "world", "size": "1KB", "root": 1},
        {"name": "measured", "op": "compute", "duration": "250us"}]}]})");
    std::vector<fs::path> files = twin::models::write_chakra(t, dir_);
    ASSERT_EQ(files.size(), 2U);
    EXPECT_EQ(files[1], dir_ / "rank1.et");
    const Trace back = twin::models::load_chakra(files);
    ASSERT_EQ(back.classes.size(), 1U);
    const Block& p = back.classes[0].program;
    ASSERT_EQ(p.body.size(), 7U);
    EXPECT_EQ(op_at(p, 0).compute.precision, twin::topology::Precision::FP8);
    EXPECT_EQ(op_at(p, 0).compute.kernels, 3);
    EXPECT_DOUBLE_EQ(op_at(p, 0).compute.bytes.value(), 1e6);
    EXPECT_DOUBLE_EQ(op_at(p, 1).compute.efficiency, 0.5);
    EXPECT_EQ(op_at(p, 2).collective.kind, CollectiveKind::AllGather);
    // Iteration 1: attn after load, gather after load (the iteration's start); iteration 2 starts
    // when both have finished.
    EXPECT_EQ(p.deps[1], (std::vector<int>{0}));
    EXPECT_EQ(p.deps[2], (std::vector<int>{0}));
    EXPECT_EQ(p.deps[3], (std::vector<int>{1, 2}));
    EXPECT_EQ(p.deps[4], (std::vector<int>{1, 2}));
    EXPECT_EQ(p.deps[5], (std::vector<int>{3, 4})); // the broadcast waits for the block's end
    EXPECT_EQ(op_at(p, 5).collective.kind, CollectiveKind::Broadcast);
    EXPECT_EQ(op_at(p, 5).collective.root, 1);
    EXPECT_DOUBLE_EQ(op_at(p, 6).compute.duration.value(), 250e-6);
    // Deterministic bytes.
    EXPECT_EQ(twin::models::chakra_rank_bytes(t, 0), twin::models::chakra_rank_bytes(t, 0));
}

TEST_F(ChakraEt, ExportOfAPipelineKeepsPeers) {
    const Trace t = trace_of(R"({"schema_version": 1, "name": "pp", "ranks": 2, "classes": [
        {"name": "first", "ranks": [0], "program": [{"name": "act", "op": "send", "peer": {"rank": 1}, "size": "8MB"}]},
        {"name": "second", "ranks": [1], "program": [{"name": "act", "op": "recv", "peer": {"rank": 0}, "size": "8MB"}]}]})");
    const Trace back = twin::models::load_chakra(twin::models::write_chakra(t, dir_));
    ASSERT_EQ(back.classes.size(), 2U);
    EXPECT_EQ(op_at(back.classes[0].program, 0).kind, Op::Kind::Send);
    EXPECT_EQ(twin::models::peer_of(back, op_at(back.classes[0].program, 0).p2p.peer, 0), 1);
    EXPECT_EQ(op_at(back.classes[1].program, 0).kind, Op::Kind::Recv);
    EXPECT_DOUBLE_EQ(op_at(back.classes[1].program, 0).p2p.size.value(), 8e6);
}

// ---- the bundled .et example ----

TEST(ChakraEtBundled, FilesMatchTheExportOfTheSourceScenario) {
    const fs::path src = fs::path(TWIN_SOURCE_DIR) / "scenarios";
    const auto s = twin::models::load_scenario(src / "dgx-h100-1node.json");
    const fs::path dir = src / "traces" / "chakra-et-gpt";
    const bool rewrite = std::getenv("TWIN_WRITE_BUNDLED") != nullptr;
    if (rewrite) {
        (void)twin::models::write_chakra(s.trace, dir);
    }
    ASSERT_EQ(s.trace.ranks, 8);
    for (int r = 0; r < s.trace.ranks; ++r) {
        const fs::path p = dir / ("rank" + std::to_string(r) + ".et");
        std::ifstream in(p, std::ios::binary);
        std::stringstream got;
        got << in.rdbuf();
        EXPECT_TRUE(got.str() == twin::models::chakra_rank_bytes(s.trace, r))
            << p << " differs from the export of dgx-h100-1node.json; rewrite it as the comment at the top says";
    }
    // The scenario that runs it imports the same number of operations per rank.
    const auto et = twin::models::load_scenario(src / "chakra-et-gpt-dgx-h100.json");
    ASSERT_EQ(et.trace.ranks, 8);
    EXPECT_EQ(twin::models::count_ops(et.trace.classes.at(0).program),
              twin::models::count_ops(s.trace.classes.at(0).program));
}

} // namespace
