// One test per bad-input rule of the workload trace: each checks the JSON pointer that
// InputError names and the gist of the message.
#include "twin/core/json_reader.hpp"
#include "twin/models/trace.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <string>

namespace {

// A 16-rank trace with tp (4 x 4), dp (stride 4) and an explicit pair family.
std::string doc(const std::string& classes, const std::string& groups = R"({"tp": {"size": 4},
    "dp": {"size": 4, "stride": 4}, "pairs": {"members": [[0, 1]]}})",
                const std::string& ranks = "16") {
    return R"({"schema_version": 1, "name": "t", "ranks": )" + ranks + R"(, "groups": )" + groups + R"(, "classes": )" +
           classes + "}";
}

// One class over all ranks running `program`.
std::string prog(const std::string& program, const std::string& ranks = R"("all")") {
    return doc(R"([{"name": "c", "ranks": )" + ranks + R"(, "program": )" + program + "}]");
}

const std::string kCompute = R"({"op": "compute", "flops": "1GFLOP"})";

// Expects load_trace to throw an InputError at `pointer` of test.json whose message contains `gist`.
void expect_error(const std::string& text, const std::string& pointer, const std::string& gist) {
    const auto doc_ = twin::Document::parse(text, "test.json");
    EXPECT_INPUT_ERROR(twin::models::load_trace(doc_.root().as_object()), pointer, gist);
}

TEST(TraceErrors, ValidBaseLoads) {
    const auto d = twin::Document::parse(prog("[" + kCompute + "]"), "test.json");
    EXPECT_NO_THROW((void)twin::models::load_trace(d.root().as_object()));
}

// ---- top level ----

TEST(TraceErrors, SchemaVersionMustBeOne) {
    expect_error(R"({"schema_version": 2, "name": "t", "ranks": 1, "classes": []})", "/schema_version",
                 "unsupported schema_version");
}
TEST(TraceErrors, SchemaVersionRequired) {
    expect_error(R"({"name": "t", "ranks": 1, "classes": []})", "/schema_version", "missing required key");
}
TEST(TraceErrors, RanksAtLeastOne) {
    expect_error(doc("[]", "{}", "0"), "/ranks", "expected an integer in [1, ");
}
TEST(TraceErrors, UnknownRootKey) {
    expect_error(R"({"schema_version": 1, "name": "t", "ranks": 1, "classes": [{"name": "c", "ranks": "all",
        "program": [{"op": "compute", "bytes": "1B"}]}], "seed": 3})",
                 "/seed", "unknown key \"seed\"");
}
TEST(TraceErrors, NoClasses) {
    expect_error(doc("[]"), "/classes", "at least one rank class");
}

// ---- group families ----

TEST(TraceErrors, GroupSizeAtLeastTwo) {
    expect_error(doc("[]", R"({"tp": {"size": 1}})"), "/groups/tp/size", "expected an integer in [2, ");
}
TEST(TraceErrors, GroupStrideAtLeastOne) {
    expect_error(doc("[]", R"({"tp": {"size": 2, "stride": 0}})"), "/groups/tp/stride", "expected an integer in [1, ");
}
TEST(TraceErrors, GroupBlockMustDivideRanks) {
    expect_error(doc("[]", R"({"dp": {"size": 3, "stride": 2}})"), "/groups/dp",
                 "repeat every 6 ranks, which does not divide ranks = 16");
}
TEST(TraceErrors, GroupBlockLargerThanRanks) {
    expect_error(doc("[]", R"({"dp": {"size": 8, "stride": 4}})"), "/groups/dp",
                 "repeat every 32 ranks, which does not divide ranks = 16");
}
TEST(TraceErrors, GroupDefaultSizeNeedsStrideDividingRanks) {
    expect_error(doc("[]", R"({"dp": {"stride": 3}})"), "/groups/dp", "give \"size\"");
    expect_error(doc("[]", R"({"dp": {"stride": 16}})"), "/groups/dp", "at least 2 ranks per communicator");
}
TEST(TraceErrors, GroupUnknownKey) {
    expect_error(doc("[]", R"({"tp": {"size": 4, "sise": 2}})"), "/groups/tp/sise", "unknown key \"sise\"");
}
TEST(TraceErrors, GroupMembersAndSize) {
    expect_error(doc("[]", R"({"p": {"members": [[0, 1]], "size": 2}})"), "/groups/p/size",
                 "either \"members\" or \"size\"/\"stride\"");
}
TEST(TraceErrors, GroupMemberOutOfRange) {
    expect_error(doc("[]", R"({"p": {"members": [[0, 1], [2, 16]]}})"), "/groups/p/members/1/1",
                 "expected an integer in [0, 15]");
}
TEST(TraceErrors, GroupMemberInTwoCommunicators) {
    expect_error(doc("[]", R"({"p": {"members": [[0, 1], [1, 2]]}})"), "/groups/p/members/1/0",
                 "rank 1 is already in communicator 0 of group family \"p\"");
}
TEST(TraceErrors, GroupMemberTwiceInOneCommunicator) {
    expect_error(doc("[]", R"({"p": {"members": [[0, 1, 1]]}})"), "/groups/p/members/0/2",
                 "rank 1 appears twice in this communicator");
}
TEST(TraceErrors, GroupMembersAscending) {
    expect_error(doc("[]", R"({"p": {"members": [[3, 1]]}})"), "/groups/p/members/0/1", "ascending order");
}
TEST(TraceErrors, GroupCommunicatorTooSmall) {
    expect_error(doc("[]", R"({"p": {"members": [[0, 1], [2]]}})"), "/groups/p/members/1", "at least 2 ranks");
}
TEST(TraceErrors, GroupNoCommunicators) {
    expect_error(doc("[]", R"({"p": {"members": []}})"), "/groups/p/members", "at least one communicator");
}
TEST(TraceErrors, GroupNameEscapedInPointer) {
    expect_error(doc("[]", R"({"a/b": {"size": 5}})"), "/groups/a~1b", "does not divide ranks = 16");
}

// ---- classes ----

TEST(TraceErrors, ClassRankOutOfRange) {
    expect_error(prog("[" + kCompute + "]", "[[0, 16]]"), "/classes/0/ranks/0/1", "expected an integer in [0, 15]");
    expect_error(prog("[" + kCompute + "]", "[-1]"), "/classes/0/ranks/0", "expected an integer in [0, 15]");
}
TEST(TraceErrors, ClassRangeReversed) {
    expect_error(prog("[" + kCompute + "]", "[[5, 4]]"), "/classes/0/ranks/0/1", "expected an integer in [5, 15]");
}
TEST(TraceErrors, ClassRangeShape) {
    expect_error(prog("[" + kCompute + "]", "[[1, 2, 3]]"), "/classes/0/ranks/0", "inclusive range [first, last]");
}
TEST(TraceErrors, ClassRanksNotAll) {
    expect_error(prog("[" + kCompute + "]", R"("every")"), "/classes/0/ranks", "expected one of all");
}
TEST(TraceErrors, ClassRanksEmpty) {
    expect_error(prog("[" + kCompute + "]", "[]"), "/classes/0/ranks", "at least one rank");
}
TEST(TraceErrors, RankInTwoClasses) {
    expect_error(doc(R"([{"name": "first", "ranks": [[0, 7]], "program": [{"op": "compute", "flops": "1FLOP"}]},
                        {"name": "second", "ranks": [9, [6, 8]], "program": [{"op": "compute", "flops": "1FLOP"}]}])"),
                 "/classes/1/ranks/1", "rank 6 is in both class \"first\" and class \"second\"");
}
TEST(TraceErrors, RankTwiceInOneClass) {
    expect_error(prog("[" + kCompute + "]", "[[0, 3], 2]"), "/classes/0/ranks/1", "rank 2 is listed twice");
}
TEST(TraceErrors, DuplicateClassName) {
    expect_error(doc(R"([{"name": "c", "ranks": [0], "program": [{"op": "compute", "flops": "1FLOP"}]},
                        {"name": "c", "ranks": [1], "program": [{"op": "compute", "flops": "1FLOP"}]}])"),
                 "/classes/1/name", "already used by /classes/0");
}
TEST(TraceErrors, ClassUnknownKey) {
    expect_error(doc(R"([{"name": "c", "ranks": [0], "program": [{"op": "compute", "flops": "1FLOP"}], "x": 1}])"),
                 "/classes/0/x", "unknown key");
}
TEST(TraceErrors, EmptyProgram) {
    expect_error(prog("[]"), "/classes/0/program", "at least one step");
}

// ---- steps ----

TEST(TraceErrors, StepNeedsOpOrBody) {
    expect_error(prog(R"([{"name": "x"}])"), "/classes/0/program/0", "needs \"op\"");
}
TEST(TraceErrors, StepOpAndBody) {
    expect_error(prog(R"([{"op": "compute", "body": []}])"), "/classes/0/program/0/op", "not both");
}
TEST(TraceErrors, UnknownOp) {
    expect_error(prog(R"([{"op": "allreduce", "group": "tp", "size": "1MB"}])"), "/classes/0/program/0/op",
                 "expected one of compute, all_reduce");
}
TEST(TraceErrors, UnknownStepKey) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "flop": "2FLOP"}])"), "/classes/0/program/0/flop",
                 "unknown key \"flop\"");
}
TEST(TraceErrors, RootOnlyForBroadcast) {
    expect_error(prog(R"([{"op": "all_reduce", "group": "tp", "size": "1MB", "root": 0}])"),
                 "/classes/0/program/0/root", "unknown key \"root\"");
}
TEST(TraceErrors, RepeatAtLeastOne) {
    expect_error(prog(R"([{"repeat": 0, "body": [{"op": "compute", "flops": "1FLOP"}]}])"),
                 "/classes/0/program/0/repeat", "expected an integer in [1, ");
}
TEST(TraceErrors, EmptyBlockBody) {
    expect_error(prog(R"([{"repeat": 2, "body": []}])"), "/classes/0/program/0/body", "at least one step");
}

// ---- compute ----

TEST(TraceErrors, ComputeFlopsAndBytesBothZero) {
    expect_error(prog(R"([{"op": "compute", "flops": "0FLOP", "bytes": "0B"}])"), "/classes/0/program/0/flops",
                 "needs \"flops\" > 0, \"bytes\" > 0 or \"duration\" > 0");
    expect_error(prog(R"([{"op": "compute"}])"), "/classes/0/program/0/flops", "needs \"flops\" > 0");
}
TEST(TraceErrors, ComputeNegativeFlops) {
    expect_error(prog(R"([{"op": "compute", "flops": "-1TFLOP"}])"), "/classes/0/program/0/flops", "must be >= 0");
}
TEST(TraceErrors, ComputeNegativeBytes) {
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "bytes": "-1MB"}])"), "/classes/0/program/0/bytes",
                 "must be >= 0");
}
TEST(TraceErrors, ComputeFlopsNeedsUnit) {
    expect_error(prog(R"([{"op": "compute", "flops": 1000}])"), "/classes/0/program/0/flops",
                 "as a string with a unit");
}
TEST(TraceErrors, UnknownPrecision) {
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "precision": "int8"}])"),
                 "/classes/0/program/0/precision", "unknown precision \"int8\": expected one of fp64, tf32, bf16");
}

TEST(TraceErrors, ComputeEfficiencyInZeroOne) {
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "efficiency": 0}])"), "/classes/0/program/0/efficiency",
                 "expected a number > 0");
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "efficiency": 1.5}])"),
                 "/classes/0/program/0/efficiency", "expected a number <= 1");
}
// "kernels" (launches that each pay the launch gap) is a whole count in [0, 1e6].
TEST(TraceErrors, ComputeKernelsWholeAndBounded) {
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "kernels": -1}])"), "/classes/0/program/0/kernels",
                 "expected an integer in [0, 1000000], got -1");
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "kernels": 1.5}])"), "/classes/0/program/0/kernels",
                 "expected an integer, got 1.5");
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "kernels": 2000000}])"), "/classes/0/program/0/kernels",
                 "expected an integer in [0, 1000000], got 2000000");
}
// A denormal efficiency passed "> 0" and made the compute time infinite (SimGrid aborted).
TEST(TraceErrors, ComputeEfficiencyFloor) {
    expect_error(prog(R"([{"op": "compute", "flops": "1TFLOP", "efficiency": 0.001}])"),
                 "/classes/0/program/0/efficiency", "below the floor of 0.01");
}

// ---- collectives ----

TEST(TraceErrors, CollectiveUnknownFamily) {
    expect_error(prog("[" + kCompute + R"(, {"op": "all_reduce", "group": "ep", "size": "1MB"}])"),
                 "/classes/0/program/1/group", "unknown group family \"ep\" (defined under /groups: dp, pairs, tp)");
}
TEST(TraceErrors, CollectiveRankInNoCommunicator) {
    expect_error(prog(R"([{"op": "all_gather", "group": "pairs", "size": "1MB"}])", "[[0, 2]]"),
                 "/classes/0/program/0/group", "rank 2 of class \"c\" is in no communicator of group family \"pairs\"");
}
TEST(TraceErrors, CollectiveZeroSize) {
    expect_error(prog(R"([{"op": "all_reduce", "group": "tp", "size": "0B"}])"), "/classes/0/program/0/size",
                 "must be > 0");
}
TEST(TraceErrors, MessageSizeCeiling) {
    expect_error(prog(R"([{"op": "all_reduce", "group": "tp", "size": "1.01PiB"}])"), "/classes/0/program/0/size",
                 "above the ceiling of 1 PiB");
    expect_error(prog(R"([{"op": "send", "peer": {"offset": 1}, "size": "1e300B"}])", "[0]"),
                 "/classes/0/program/0/size", "above the ceiling of 1 PiB");
}
TEST(TraceErrors, CollectiveMissingSize) {
    expect_error(prog(R"([{"op": "reduce_scatter", "group": "tp"}])"), "/classes/0/program/0/size",
                 "missing required key \"size\"");
}
TEST(TraceErrors, BroadcastRootOutsideCommunicator) {
    expect_error(prog(R"([{"op": "broadcast", "group": "tp", "size": "1MB", "root": 4}])"), "/classes/0/program/0/root",
                 "communicator in \"tp\" has 4 ranks");
}
TEST(TraceErrors, ErrorInsideNestedBlock) {
    expect_error(prog(R"([{"repeat": 2, "body": [{"repeat": 3, "body": [
                     {"op": "compute", "flops": "1FLOP"}, {"op": "all_to_all", "group": "xx", "size": "1MB"}]}]}])"),
                 "/classes/0/program/0/body/0/body/1/group", "unknown group family \"xx\"");
}

// ---- send / recv ----

TEST(TraceErrors, PeerRankOutOfRange) {
    expect_error(prog(R"([{"op": "send", "peer": {"rank": 16}, "size": "1MB"}])", "[0]"),
                 "/classes/0/program/0/peer/rank", "expected an integer in [0, 15]");
}
TEST(TraceErrors, PeerIsSelf) {
    expect_error(prog(R"([{"op": "recv", "peer": {"rank": 3}, "size": "1MB"}])", "[[0, 3]]"),
                 "/classes/0/program/0/peer/rank", "rank 3 of class \"c\" would be its own peer");
}
TEST(TraceErrors, PeerOffsetLeavesRange) {
    expect_error(prog(R"([{"op": "send", "peer": {"offset": 4}, "size": "1MB"}])", "[[8, 12]]"),
                 "/classes/0/program/0/peer/offset", "rank 12 of class \"c\" has no peer at offset 4: 16 is outside");
    expect_error(prog(R"([{"op": "recv", "peer": {"offset": -1}, "size": "1MB"}])", "[[0, 1]]"),
                 "/classes/0/program/0/peer/offset", "rank 0 of class \"c\" has no peer at offset -1");
}
TEST(TraceErrors, PeerOffsetZero) {
    expect_error(prog(R"([{"op": "send", "peer": {"offset": 0}, "size": "1MB"}])"), "/classes/0/program/0/peer/offset",
                 "offset of 0");
}
TEST(TraceErrors, PeerGroupUnknownFamily) {
    expect_error(prog(R"([{"op": "send", "peer": {"group": "pp", "to": "next"}, "size": "1MB"}])"),
                 "/classes/0/program/0/peer/group", "unknown group family \"pp\"");
}
TEST(TraceErrors, PeerGroupNoNext) {
    // dp communicators are {j, j+4, j+8, j+12}: rank 12 is the last of {0, 4, 8, 12}.
    expect_error(prog(R"([{"op": "send", "peer": {"group": "dp", "to": "next"}, "size": "1MB"}])", "[[0, 12]]"),
                 "/classes/0/program/0/peer/to", "rank 12 of class \"c\" is at the end of its communicator in \"dp\"");
}
TEST(TraceErrors, PeerGroupNoPrev) {
    expect_error(prog(R"([{"op": "recv", "peer": {"group": "tp", "to": "prev"}, "size": "1MB"}])", "[[1, 4]]"),
                 "/classes/0/program/0/peer/to", "rank 4 of class \"c\" is at the start");
}
TEST(TraceErrors, PeerGroupRankInNoCommunicator) {
    expect_error(prog(R"([{"op": "send", "peer": {"group": "pairs", "to": "next"}, "size": "1MB"}])", "[0, 2]"),
                 "/classes/0/program/0/peer/group", "rank 2 of class \"c\" is in no communicator");
}
TEST(TraceErrors, PeerBadTo) {
    expect_error(prog(R"([{"op": "send", "peer": {"group": "tp", "to": "up"}, "size": "1MB"}])", "[0]"),
                 "/classes/0/program/0/peer/to", "expected one of next, prev");
}
TEST(TraceErrors, PeerTwoForms) {
    expect_error(prog(R"([{"op": "send", "peer": {"rank": 1, "offset": 1}, "size": "1MB"}])", "[0]"),
                 "/classes/0/program/0/peer", "exactly one of");
    expect_error(prog(R"([{"op": "send", "peer": {}, "size": "1MB"}])", "[0]"), "/classes/0/program/0/peer",
                 "exactly one of");
}
TEST(TraceErrors, PeerToWithoutGroup) {
    expect_error(prog(R"([{"op": "send", "peer": {"to": "next"}, "size": "1MB"}])", "[0]"),
                 "/classes/0/program/0/peer/group", "missing required key \"group\"");
}
TEST(TraceErrors, PeerUnknownKey) {
    expect_error(prog(R"([{"op": "send", "peer": {"rank": 1, "tag": 7}, "size": "1MB"}])", "[0]"),
                 "/classes/0/program/0/peer/tag", "unknown key \"tag\"");
}
TEST(TraceErrors, P2PZeroSize) {
    expect_error(prog(R"([{"op": "send", "peer": {"rank": 1}, "size": "0B"}])", "[0]"), "/classes/0/program/0/size",
                 "must be > 0");
}

// ---- ids and dependencies ----

TEST(TraceErrors, AfterUnknownId) {
    expect_error(prog("[" + kCompute + R"(, {"op": "compute", "flops": "1FLOP", "after": ["fwd"]}])"),
                 "/classes/0/program/1/after/0", "no earlier step of this body has id \"fwd\"");
}
TEST(TraceErrors, AfterForwardReference) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "after": ["b"]}, {"op": "compute", "flops": "1FLOP",
                     "id": "b"}])"),
                 "/classes/0/program/0/after/0", "may only name earlier steps of the same body; \"b\" is step 1");
}
TEST(TraceErrors, AfterSelf) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "id": "a", "after": ["a"]}])"),
                 "/classes/0/program/0/after/0", "may only name earlier steps");
}
TEST(TraceErrors, AfterIdInOtherBody) {
    // Ids are scoped to their body: an outer step cannot wait for a step inside a block.
    expect_error(prog(R"([{"body": [{"op": "compute", "flops": "1FLOP", "id": "in"}]},
                         {"op": "compute", "flops": "1FLOP", "after": ["in"]}])"),
                 "/classes/0/program/1/after/0", "no earlier step of this body has id \"in\"");
}
TEST(TraceErrors, AfterListedTwice) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "id": "a"},
                         {"op": "compute", "flops": "1FLOP", "after": ["a", "a"]}])"),
                 "/classes/0/program/1/after/1", "listed twice");
}
TEST(TraceErrors, AfterNotAnArray) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "id": "a"},
                         {"op": "compute", "flops": "1FLOP", "after": "a"}])"),
                 "/classes/0/program/1/after", "expected an array");
}
TEST(TraceErrors, DuplicateId) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "id": "a"},
                         {"repeat": 2, "id": "a", "body": [{"op": "compute", "flops": "1FLOP"}]}])"),
                 "/classes/0/program/1/id", "id \"a\" is already used by step 0");
}
TEST(TraceErrors, EmptyId) {
    expect_error(prog(R"([{"op": "compute", "flops": "1FLOP", "id": ""}])"), "/classes/0/program/0/id",
                 "must not be empty");
}

// ---- collective algorithm and protocol (issue #3) ----

TEST(TraceErrors, UnknownAlgorithm) {
    expect_error(prog(R"([{"op": "all_reduce", "group": "tp", "size": "1MB", "algorithm": "butterfly"}])"),
                 "/classes/0/program/0/algorithm", "expected one of auto, ring, tree, nvls, nvls_tree, hierarchical");
}
TEST(TraceErrors, UnknownProtocol) {
    expect_error(prog(R"([{"op": "all_gather", "group": "tp", "size": "1MB", "protocol": "ll64"}])"),
                 "/classes/0/program/0/protocol", "expected one of auto, simple, ll128, ll");
}
TEST(TraceErrors, AlgorithmOnComputeIsUnknownKey) {
    expect_error(prog(R"([{"op": "compute", "flops": "1GFLOP", "algorithm": "ring"}])"),
                 "/classes/0/program/0/algorithm", "unknown key");
}
// A collective needs communicators of at least 2 ranks: a stride equal to the rank count would
// make one-rank communicators.
TEST(TraceErrors, OneRankCommunicatorsRejected) {
    expect_error(doc("[]", R"({"solo": {"stride": 16}})"), "/groups/solo", "at least 2 ranks");
}
TEST(TraceErrors, AlgorithmAndProtocolParsed) {
    const auto d = twin::Document::parse(
        prog(R"([{"op": "all_reduce", "group": "tp", "size": "1MB", "algorithm": "nvls_tree", "protocol": "ll128"},
                 {"op": "all_to_all", "group": "tp", "size": "1MB"}])"),
        "test.json");
    const auto t = twin::models::load_trace(d.root().as_object());
    const auto& body = t.classes[0].program.body;
    const auto& ar = std::get<twin::models::Op>(body[0]).collective;
    EXPECT_EQ(ar.algorithm, twin::models::Algorithm::NvlsTree);
    EXPECT_EQ(ar.protocol, twin::models::Protocol::LL128);
    const auto& a2a = std::get<twin::models::Op>(body[1]).collective;
    EXPECT_EQ(a2a.algorithm, twin::models::Algorithm::Auto);
    EXPECT_EQ(a2a.protocol, twin::models::Protocol::Auto);
    EXPECT_EQ(twin::models::algorithm_name(twin::models::Algorithm::Pairwise), "pairwise");
    EXPECT_EQ(twin::models::protocol_name(twin::models::Protocol::LL128), "ll128");
}

} // namespace
