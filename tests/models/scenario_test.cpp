// One test per bad-input rule of the scenario file (models/include/twin/models/scenario.hpp): each
// edits a valid scenario (one builtin DGX-H100 node, an inline 8-rank trace) and checks the JSON
// pointer that InputError names and the gist of the message.
#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

json valid_scenario() {
    return json::parse(R"({
      "schema_version": 1, "name": "s", "description": "one node", "seed": 7,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "t", "ranks": 8, "groups": {"all": {}},
        "classes": [{"name": "w", "ranks": "all", "program": [
          {"op": "compute", "flops": "1TFLOP", "precision": "bf16"},
          {"op": "all_reduce", "group": "all", "size": "1MB"}]}]}},
      "run": {"output_dir": "out", "top_links": 3}})");
}

twin::models::Scenario parse(const json& doc) {
    return twin::models::parse_scenario(doc.dump(), "test.json", ".");
}

// Expects parse_scenario to throw an InputError at `pointer` of test.json whose message contains
// `gist`.
void expect_error(const json& doc, const std::string& pointer, const std::string& gist) {
    EXPECT_INPUT_ERROR(parse(doc), pointer, gist);
}

TEST(ScenarioErrors, ValidBaseLoads) {
    const auto s = parse(valid_scenario());
    EXPECT_EQ(s.file, "test.json");
    EXPECT_EQ(s.name, "s");
    EXPECT_EQ(s.description, "one node");
    EXPECT_EQ(s.seed, 7U);
    EXPECT_EQ(s.cluster.gpu_count(), 8);
    EXPECT_EQ(s.trace.ranks, 8);
    EXPECT_EQ(s.run.output_dir.string(), "out");
    EXPECT_EQ(s.run.top_links, 3);
}

TEST(ScenarioErrors, RunIsOptional) {
    auto doc = valid_scenario();
    doc.erase("run");
    const auto s = parse(doc);
    EXPECT_EQ(s.run.output_dir.string(), "results/s"); // the default, relative to the scenario's folder
    EXPECT_EQ(s.run.top_links, 10);
}

// Relative output folders resolve against the scenario's folder, as workload files do; absolute ones
// stay.
TEST(ScenarioErrors, OutputDirIsRelativeToTheScenario) {
    auto doc = valid_scenario();
    EXPECT_EQ(twin::models::parse_scenario(doc.dump(), "d/test.json", "d").run.output_dir.string(), "d/out");
    EXPECT_EQ(twin::models::parse_scenario(doc.dump(), "test.json", "").run.output_dir.string(), "out");
    doc["run"]["output_dir"] = "../x/";
    EXPECT_EQ(twin::models::parse_scenario(doc.dump(), "a/b/test.json", "a/b").run.output_dir.string(), "a/x/");
    doc["run"]["output_dir"] = "/abs/x";
    EXPECT_EQ(twin::models::parse_scenario(doc.dump(), "a/test.json", "a").run.output_dir.string(), "/abs/x");
    doc.erase("run");
    EXPECT_EQ(twin::models::parse_scenario(doc.dump(), "a/test.json", "a").run.output_dir.string(), "a/results/s");
}

TEST(ScenarioErrors, OutputDirEmpty) {
    auto doc = valid_scenario();
    doc["run"]["output_dir"] = "";
    expect_error(doc, "/run/output_dir", "the output folder must not be empty");
}

// The name is the default output folder results/<name>: one plain file name, nothing that leaves
// results/ or hides.
TEST(ScenarioErrors, NameIsAPlainFileName) {
    for (const std::string& name :
         std::vector<std::string>{"../../x", "a/b", "a\\b", ".hidden", "..", ".", "new\nline", "bell\x07",
                                  std::string(twin::models::kMaxScenarioNameLength + 1, 'n')}) {
        SCOPED_TRACE(name);
        auto doc = valid_scenario();
        doc["name"] = name;
        expect_error(doc, "/name",
                     "the scenario name must be a plain file name (it names the output folder results/<name>): at "
                     "most 100 characters, no '/', '\\' or control characters, not starting with '.'");
    }
    for (const std::string& name : std::vector<std::string>{"a.b", "llama3 70b", "x-1_2",
                                                            std::string(twin::models::kMaxScenarioNameLength, 'n')}) {
        auto doc = valid_scenario();
        doc["name"] = name;
        EXPECT_EQ(parse(doc).name, name);
    }
}

TEST(ScenarioErrors, NameEmpty) {
    auto doc = valid_scenario();
    doc["name"] = "";
    expect_error(doc, "/name", "the scenario name must not be empty");
}

TEST(ScenarioErrors, UnknownTopLevelKey) {
    auto doc = valid_scenario();
    doc["sed"] = 1;
    expect_error(doc, "/sed", "unknown key \"sed\"");
}

TEST(ScenarioErrors, UnknownKeyInRun) {
    auto doc = valid_scenario();
    doc["run"]["toplinks"] = 5;
    expect_error(doc, "/run/toplinks", "unknown key \"toplinks\"");
}

TEST(ScenarioErrors, UnknownKeyInWorkload) {
    auto doc = valid_scenario();
    doc["workload"]["format"] = "v1";
    expect_error(doc, "/workload/format", "unknown key \"format\"");
}

TEST(ScenarioErrors, MissingName) {
    auto doc = valid_scenario();
    doc.erase("name");
    expect_error(doc, "/name", "missing required key \"name\"");
}

TEST(ScenarioErrors, EmptyName) {
    auto doc = valid_scenario();
    doc["name"] = "";
    expect_error(doc, "/name", "must not be empty");
}

TEST(ScenarioErrors, MissingSeed) {
    auto doc = valid_scenario();
    doc.erase("seed");
    expect_error(doc, "/seed", "missing required key \"seed\"");
}

TEST(ScenarioErrors, NegativeSeed) {
    auto doc = valid_scenario();
    doc["seed"] = -1;
    expect_error(doc, "/seed", "expected an integer");
}

TEST(ScenarioErrors, MissingTopology) {
    auto doc = valid_scenario();
    doc.erase("topology");
    expect_error(doc, "/topology", "missing required key \"topology\"");
}

TEST(ScenarioErrors, MissingWorkload) {
    auto doc = valid_scenario();
    doc.erase("workload");
    expect_error(doc, "/workload", "missing required key \"workload\"");
}

TEST(ScenarioErrors, MissingSchemaVersion) {
    auto doc = valid_scenario();
    doc.erase("schema_version");
    expect_error(doc, "/schema_version", "missing required key \"schema_version\"");
}

TEST(ScenarioErrors, SchemaVersionNotOne) {
    auto doc = valid_scenario();
    doc["schema_version"] = 2;
    expect_error(doc, "/schema_version", "expected an integer in [1, 1], got 2");
}

// The whole document has the empty pointer, which what() prints as "/".
TEST(ScenarioErrors, RootNotAnObject) {
    try {
        (void)parse(json::array());
        ADD_FAILURE() << "no error";
    } catch (const twin::InputError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("test.json: /: expected an object", 0), 0U) << e.what();
    }
}

TEST(ScenarioErrors, WorkloadWithFileAndTrace) {
    auto doc = valid_scenario();
    doc["workload"]["file"] = "traces/t.json";
    expect_error(doc, "/workload", "either \"file\" or \"trace\", not both");
}

TEST(ScenarioErrors, WorkloadWithNeitherFileNorTrace) {
    auto doc = valid_scenario();
    doc["workload"].erase("trace");
    expect_error(doc, "/workload/file", "missing required key \"file\"");
}

TEST(ScenarioErrors, UnknownWorkloadType) {
    auto doc = valid_scenario();
    doc["workload"]["type"] = "hologram";
    expect_error(doc, "/workload/type", "unknown workload type \"hologram\": expected one of");
}

TEST(ScenarioErrors, MissingWorkloadType) {
    auto doc = valid_scenario();
    doc["workload"].erase("type");
    expect_error(doc, "/workload/type", "missing required key \"type\"");
}

TEST(ScenarioErrors, MissingTraceFile) {
    auto doc = valid_scenario();
    doc["workload"].erase("trace");
    doc["workload"]["file"] = "no-such-trace.json";
    expect_error(doc, "/workload/file", "does not exist");
}

TEST(ScenarioErrors, InlineTraceErrorsNameTheScenarioPointer) {
    auto doc = valid_scenario();
    doc["workload"]["trace"]["classes"][0]["program"][1]["group"] = "dp";
    expect_error(doc, "/workload/trace/classes/0/program/1/group", "unknown group family \"dp\"");
}

TEST(ScenarioErrors, MoreTraceRanksThanGpus) {
    auto doc = valid_scenario();
    doc["workload"]["trace"]["ranks"] = 16;
    expect_error(doc, "/workload", "the trace has 16 ranks but the cluster has only 8 GPUs");
}

// H100-SXM lists no fp4 peak: there is no precision fallback (models/README.md, compute model).
TEST(ScenarioErrors, PrecisionTheGpuDoesNotSupport) {
    auto doc = valid_scenario();
    doc["workload"]["trace"]["classes"][0]["program"][0]["precision"] = "fp4";
    expect_error(doc, "/workload/trace/classes/0/program/0/precision", "fp4");
}

// A step with no FLOPs needs no peak, so fp4 memory-only work is fine on an H100.
TEST(ScenarioErrors, UnsupportedPrecisionWithoutFlopsIsAccepted) {
    auto doc = valid_scenario();
    doc["workload"]["trace"]["classes"][0]["program"][0] = {{"op", "compute"}, {"bytes", "1GB"}, {"precision", "fp4"}};
    EXPECT_NO_THROW((void)parse(doc));
}

TEST(ScenarioErrors, TopLinksZero) {
    auto doc = valid_scenario();
    doc["run"]["top_links"] = 0;
    expect_error(doc, "/run/top_links", "expected an integer in [1, ");
}

TEST(ScenarioErrors, OutputDirNotAString) {
    auto doc = valid_scenario();
    doc["run"]["output_dir"] = 3;
    expect_error(doc, "/run/output_dir", "expected a string");
}

TEST(ScenarioErrors, UnknownNodeType) {
    auto doc = valid_scenario();
    doc["topology"]["nodes"][0]["type"] = "DGX-H1000";
    expect_error(doc, "/topology/nodes/0/type", "DGX-H1000");
}

TEST(ScenarioErrors, CatalogErrorsNameTheScenarioPointer) {
    auto doc = valid_scenario();
    doc["catalog"] = json::parse(R"({"cables": {"C": {"bandwidth": "400Gbs", "latency": "1ns"}}})");
    expect_error(doc, "/catalog/cables/C/bandwidth", "\"400Gbs\" is not a valid bandwidth");
}

} // namespace
