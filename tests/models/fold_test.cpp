// Folding of data-parallel replicas (models/fold.hpp): which runs fold, into how many blocks,
// the image map, and every symmetry check that must leave a run unfolded.
#include "fold_test_util.hpp"
#include "twin/models/fold.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;
using twin::models::testing::four_nodes;

// 32 ranks: tp 4 (fastest), pp 2 (stride 4), dp 4 (stride 8). Rank r: replica r / 8.
json trace_json() {
    return json{
        {"schema_version", 1},
        {"name", "tp4-pp2-dp4"},
        {"ranks", 32},
        {"groups", {{"tp", {{"size", 4}}}, {"pp", {{"size", 2}, {"stride", 4}}}, {"dp", {{"size", 4}, {"stride", 8}}}}},
        {"classes",
         json::array({{{"name", "all"},
                       {"ranks", json::array({json::array({0, 31})})},
                       {"program",
                        json::array({{{"op", "all_reduce"}, {"name", "tp"}, {"group", "tp"}, {"size", "1MiB"}},
                                     {{"op", "all_reduce"}, {"name", "dp"}, {"group", "dp"}, {"size", "1MiB"}}})}}})}};
}

Trace load(const json& j) {
    const auto doc = Document::parse(j.dump(), "trace.json");
    return load_trace(doc.root().as_object());
}

TEST(Fold, DataParallelReplicasFoldIntoOneSimulatedReplica) {
    const auto cluster = four_nodes();
    const auto trace = load(trace_json());
    const auto fold = plan_fold(trace, cluster);
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(trace.groups[static_cast<std::size_t>(fold.family)].name, "dp");
    EXPECT_EQ(fold.replicas, 4);
    EXPECT_EQ(fold.block, 1);
    EXPECT_EQ(fold.blocks, 4);
    // Replica 0 = ranks 0..7 (both pipeline stages), each standing for itself + 8, 16, 24.
    for (int r = 0; r < 32; ++r) {
        EXPECT_EQ(fold.simulated[static_cast<std::size_t>(r)], r < 8 ? 1 : 0) << r;
    }
    EXPECT_EQ(fold.image(trace, 5, 0), 5);
    EXPECT_EQ(fold.image(trace, 5, 3), 29);
    // tp and pp stay inside a replica (internal); dp spans them, one member simulated per comm.
    for (std::size_t g = 0; g < trace.groups.size(); ++g) {
        EXPECT_EQ(fold.spanning[g], trace.groups[g].name == "dp" ? 1 : 0) << trace.groups[g].name;
        // dp: each of its 8 communicators waits for its one simulated member; tp/pp: the
        // communicators inside replica 0 wait for all their members, the others for none.
        int waited = 0;
        for (auto n : fold.simulated_members[g]) {
            waited += n;
        }
        EXPECT_EQ(waited, 8) << trace.groups[g].name;
    }
}

TEST(Fold, ImagesReplayEveryFlowInEachBlock) {
    const auto cluster = four_nodes();
    const auto trace = load(trace_json());
    const auto fold = plan_fold(trace, cluster);
    CollectivePlan plan;
    plan.phases.resize(1);
    plan.phases[0].flows = {Flow{0, 1, Bytes{100}}, Flow{1, 0, Bytes{50}}};
    const auto imaged = image_plan(plan, fold, trace);
    ASSERT_EQ(imaged.phases[0].flows.size(), 8U);
    // Block 0's flows first, then block 1's (ranks + 8), ...
    EXPECT_EQ(imaged.phases[0].flows[2].src_gpu, 8);
    EXPECT_EQ(imaged.phases[0].flows[2].dst_gpu, 9);
    EXPECT_EQ(imaged.phases[0].flows[7].src_gpu, 25);
    EXPECT_EQ(imaged.phases[0].flows[7].dst_gpu, 24);
    EXPECT_EQ(imaged.phases[0].flows[7].bytes.value(), 50);
}

TEST(Fold, ExpertGroupsAcrossReplicasMakeBlocks) {
    // An "ep" family over pairs of replicas (size 2, stride 8): blocks of 2 replicas.
    auto j = trace_json();
    j["groups"]["ep"] = {{"size", 2}, {"stride", 8}};
    j["classes"][0]["program"].push_back({{"op", "all_to_all"}, {"name", "ep"}, {"group", "ep"}, {"size", "1MiB"}});
    const auto trace = load(j);
    const auto fold = plan_fold(trace, four_nodes());
    ASSERT_TRUE(fold.active) << fold.reason;
    EXPECT_EQ(fold.block, 2);
    EXPECT_EQ(fold.blocks, 2);
    EXPECT_EQ(fold.image(trace, 3, 1), 19);
}

TEST(Fold, NoDataParallelFamilyMeansNoFold) {
    auto j = trace_json();
    j["groups"].erase("dp");
    j["classes"][0]["program"].erase(1);
    const auto fold = plan_fold(load(j), four_nodes());
    EXPECT_FALSE(fold.active);
    EXPECT_EQ(fold.reason, "no data-parallel group family");
}

TEST(Fold, TransferToAnotherReplicaPreventsFolding) {
    // Rank 0 sends to rank 8 (replica 1) by absolute rank: images cannot mirror it.
    auto j = trace_json();
    j["classes"] = json::array(
        {{{"name", "sender"},
          {"ranks", json::array({0})},
          {"program", json::array({{{"op", "send"}, {"name", "x"}, {"peer", {{"rank", 8}}}, {"size", "1MiB"}}})}},
         {{"name", "receiver"},
          {"ranks", json::array({8})},
          {"program", json::array({{{"op", "recv"}, {"name", "x"}, {"peer", {{"rank", 0}}}, {"size", "1MiB"}}})}}});
    const auto fold = plan_fold(load(j), four_nodes());
    EXPECT_FALSE(fold.active);
    EXPECT_NE(fold.reason.find("different programs"), std::string::npos) << fold.reason;
}

TEST(Fold, PeersByOffsetAreMirrored) {
    // Every rank of stage 0 sends to rank + 4 (its stage-1 partner): symmetric, folds.
    auto j = trace_json();
    j["classes"] = json::array(
        {{{"name", "s0"},
          {"ranks",
           json::array({json::array({0, 3}), json::array({8, 11}), json::array({16, 19}), json::array({24, 27})})},
          {"program", json::array({{{"op", "send"}, {"name", "x"}, {"peer", {{"offset", 4}}}, {"size", "1MiB"}}})}},
         {{"name", "s1"},
          {"ranks",
           json::array({json::array({4, 7}), json::array({12, 15}), json::array({20, 23}), json::array({28, 31})})},
          {"program", json::array({{{"op", "recv"}, {"name", "x"}, {"peer", {{"offset", -4}}}, {"size", "1MiB"}}})}}});
    const auto fold = plan_fold(load(j), four_nodes());
    EXPECT_TRUE(fold.active) << fold.reason;
}

TEST(Fold, PermutedReplicaDoesNotFold) {
    // Explicit dp communicators that swap ranks 17 and 18 in replica 2: rank 1's image there (18)
    // sits at another tensor-parallel position than rank 1.
    auto j = trace_json();
    json members = json::array();
    for (int c = 0; c < 8; ++c) {
        members.push_back(json::array({c, c + 8, c + 16, c + 24}));
    }
    members[1][2] = 18;
    members[2][2] = 17;
    j["groups"]["dp"] = {{"members", members}};
    const auto fold = plan_fold(load(j), four_nodes());
    EXPECT_FALSE(fold.active);
    EXPECT_NE(fold.reason.find("do not correspond"), std::string::npos) << fold.reason;
}

} // namespace
