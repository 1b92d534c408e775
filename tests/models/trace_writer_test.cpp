// trace_to_json: every trace v1 form survives load_trace(trace_to_json(t)) unchanged (blocks,
// repeats, after, every op and peer kind, strided and explicit families), and the output is
// compact where the input allows (strided families, defaults left out).
#include "twin/core/json_reader.hpp"
#include "twin/models/trace.hpp"
#include "twin/models/trace_writer.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace {

using nlohmann::json;
using twin::models::Block;
using twin::models::Op;
using twin::models::Step;
using twin::models::Trace;

Trace load(const std::string& text) {
    const auto doc = twin::Document::parse(text, "test.json");
    return twin::models::load_trace(doc.root().as_object());
}

Trace reload(const Trace& t) {
    return load(twin::models::trace_to_json(t).dump());
}

void expect_same_block(const Block& a, const Block& b, const std::string& where) {
    EXPECT_EQ(a.name, b.name) << where;
    EXPECT_EQ(a.repeat, b.repeat) << where;
    EXPECT_EQ(a.deps, b.deps) << where;
    ASSERT_EQ(a.body.size(), b.body.size()) << where;
    for (std::size_t i = 0; i < a.body.size(); ++i) {
        const std::string w = where + "/" + std::to_string(i);
        ASSERT_EQ(a.body[i].index(), b.body[i].index()) << w;
        if (const auto* x = std::get_if<Op>(&a.body[i])) {
            const auto& y = std::get<Op>(b.body[i]);
            EXPECT_EQ(x->kind, y.kind) << w;
            EXPECT_EQ(x->name, y.name) << w;
            EXPECT_EQ(x->compute.flops, y.compute.flops) << w;
            EXPECT_EQ(x->compute.bytes, y.compute.bytes) << w;
            EXPECT_EQ(x->compute.precision, y.compute.precision) << w;
            EXPECT_EQ(x->compute.efficiency, y.compute.efficiency) << w;
            EXPECT_EQ(x->compute.kernels, y.compute.kernels) << w;
            EXPECT_EQ(x->collective.kind, y.collective.kind) << w;
            EXPECT_EQ(x->collective.algorithm, y.collective.algorithm) << w;
            EXPECT_EQ(x->collective.protocol, y.collective.protocol) << w;
            EXPECT_EQ(x->collective.family, y.collective.family) << w;
            EXPECT_EQ(x->collective.size, y.collective.size) << w;
            EXPECT_EQ(x->collective.root, y.collective.root) << w;
            EXPECT_EQ(x->p2p.peer.kind, y.p2p.peer.kind) << w;
            EXPECT_EQ(x->p2p.peer.value, y.p2p.peer.value) << w;
            EXPECT_EQ(x->p2p.peer.family, y.p2p.peer.family) << w;
            EXPECT_EQ(x->p2p.size, y.p2p.size) << w;
        } else {
            expect_same_block(std::get<Block>(a.body[i]), std::get<Block>(b.body[i]), w);
        }
    }
}

void expect_same_trace(const Trace& a, const Trace& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.ranks, b.ranks);
    ASSERT_EQ(a.groups.size(), b.groups.size());
    for (std::size_t g = 0; g < a.groups.size(); ++g) {
        EXPECT_EQ(a.groups[g].name, b.groups[g].name);
        EXPECT_EQ(a.groups[g].communicators, b.groups[g].communicators) << a.groups[g].name;
        EXPECT_EQ(a.groups[g].comm_of_rank, b.groups[g].comm_of_rank) << a.groups[g].name;
        EXPECT_EQ(a.groups[g].position_of_rank, b.groups[g].position_of_rank) << a.groups[g].name;
    }
    EXPECT_EQ(a.class_of_rank, b.class_of_rank);
    ASSERT_EQ(a.classes.size(), b.classes.size());
    for (std::size_t c = 0; c < a.classes.size(); ++c) {
        EXPECT_EQ(a.classes[c].name, b.classes[c].name);
        EXPECT_EQ(a.classes[c].ranks, b.classes[c].ranks);
        expect_same_block(a.classes[c].program, b.classes[c].program, "/classes/" + std::to_string(c));
    }
}

// The first ```json block of models/README.md after "### Complete example".
std::string readme_example() {
    std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/models/README.md");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const auto section = text.find("### Complete example");
    const auto begin = text.find("```json\n", section) + 8;
    const auto end = text.find("```", begin);
    return text.substr(begin, end - begin);
}

TEST(TraceWriter, RoundTripsTheReadmeExample) {
    const Trace t = load(readme_example());
    const json j = twin::models::trace_to_json(t);
    expect_same_trace(t, reload(t));
    // Strided families stay strided; the explicit one stays explicit.
    EXPECT_EQ(j["groups"]["world"], json::object());
    EXPECT_EQ(j["groups"]["tp"], (json{{"size", 4}}));
    EXPECT_EQ(j["groups"]["pp"], (json{{"size", 2}, {"stride", 4}}));
    EXPECT_EQ(j["groups"]["dp"], (json{{"stride", 8}}));
    EXPECT_EQ(j["groups"]["pairs"], (json{{"members", {{0, 5}, {6, 15}}}}));
    EXPECT_EQ(j["classes"][0]["ranks"], (json{{0, 3}, {8, 11}}));
    EXPECT_EQ(j["classes"][1]["ranks"], (json{{4, 7}, {12, 15}}));
    // Writing is a fixed point after one round.
    EXPECT_EQ(twin::models::trace_to_json(reload(t)), j);
}

TEST(TraceWriter, RoundTripsDepsPeersAndEveryCollective) {
    const Trace t = load(R"({
      "schema_version": 1, "name": "all-forms", "ranks": 6,
      "groups": {"g": {"members": [[0, 2, 4], [1, 5]]}, "odd": {"members": [[1, 3]]}, "w": {}},
      "classes": [
        {"name": "a", "ranks": [0, 2, 4], "program": [
          {"op": "compute", "name": "c", "flops": "1.5TFLOP", "bytes": "300MB", "precision": "fp8",
           "efficiency": 0.7, "kernels": 3, "id": "c"},
          {"op": "all_reduce", "group": "g", "size": "64MiB", "algorithm": "ring", "protocol": "ll128"},
          {"op": "all_gather", "group": "g", "size": "3B", "after": []},
          {"op": "reduce_scatter", "group": "g", "size": "1GiB", "after": ["c"], "id": "rs"},
          {"op": "all_to_all", "group": "g", "size": "8MB", "algorithm": "pairwise"},
          {"op": "broadcast", "group": "g", "size": "4KiB", "root": 1},
          {"name": "loop", "repeat": 1000000, "id": "loop", "after": ["rs", "c"], "body": [
            {"op": "compute", "bytes": "1e20B", "id": "x"},
            {"op": "compute", "flops": "0.1FLOP", "after": []},
            {"op": "compute", "flops": "1FLOP", "after": ["x"]}
          ]},
          {"op": "send", "peer": {"offset": 1}, "size": "1MB"},
          {"op": "recv", "peer": {"offset": 1}, "size": "1MB"}
        ]},
        {"name": "b", "ranks": [1], "program": [
          {"op": "send", "peer": {"group": "odd", "to": "next"}, "size": "2MB"},
          {"op": "recv", "peer": {"rank": 0}, "size": "1MB"}
        ]},
        {"name": "c", "ranks": [5], "program": [
          {"op": "broadcast", "group": "g", "size": "4KiB", "root": 1, "after": []},
          {"op": "send", "peer": {"rank": 4}, "size": "1MB"},
          {"op": "all_reduce", "group": "w", "size": "1B", "algorithm": "tree", "protocol": "ll"}
        ]}
      ]})");
    expect_same_trace(t, reload(t));
    const json j = twin::models::trace_to_json(t);
    // Defaults are left out, "after" only where it says more than "the step before".
    const json& first = j["classes"][0]["program"][0];
    EXPECT_EQ(first, (json{{"op", "compute"},
                           {"name", "c"},
                           {"flops", "1500000000000FLOP"},
                           {"bytes", "300000000B"},
                           {"precision", "fp8"},
                           {"efficiency", 0.7},
                           {"kernels", 3},
                           {"id", "s0"}}));
    EXPECT_FALSE(j["classes"][0]["program"][1].contains("after"));
    EXPECT_EQ(j["classes"][0]["program"][2]["after"], json::array());
    EXPECT_EQ(j["classes"][0]["program"][6]["after"], (json{"s0", "s3"}));
    EXPECT_EQ(j["groups"]["w"], json::object());
}

TEST(TraceWriter, WritesAMembersFamilyThatLooksStridedAsStrided) {
    const Trace t = load(R"({"schema_version": 1, "name": "s", "ranks": 4,
      "groups": {"pairs": {"members": [[0, 2], [1, 3]]}},
      "classes": [{"name": "all", "ranks": "all", "program": [{"op": "all_reduce", "group": "pairs", "size": "1MB"}]}]})");
    const json j = twin::models::trace_to_json(t);
    EXPECT_EQ(j["groups"]["pairs"], (json{{"stride", 2}}));
    EXPECT_EQ(j["classes"][0]["ranks"], "all");
    expect_same_trace(t, reload(t));
}

} // namespace
