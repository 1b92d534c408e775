// Checkpoint and data-loading traffic (models/storage_traffic.hpp): transfer times derived by hand
// on a storage network, blocking and async checkpoint cost per step, contention on converged NICs,
// the training generator's checkpoint bytes (14 B per parameter, written once over the data-parallel
// ranks) and bad input naming its pointer.
#include "twin/models/llm_model.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/storage_traffic.hpp"
#include "twin/models/workload.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace twin;
using namespace twin::models;
using nlohmann::json;

// M = 4 servers of 50 GB/s write, 100 GB/s read; N nodes of B_node each, no oversubscription.
topology::StorageFabric fabric(topology::StorageNetwork network, int nodes, double node_bandwidth) {
    topology::StorageFabric s;
    s.present = true;
    s.network = network;
    s.servers.count = 4;
    s.servers.write_bandwidth = BytesPerSecond(50e9);
    s.servers.read_bandwidth = BytesPerSecond(100e9);
    s.nodes = nodes;
    s.node_bandwidth = BytesPerSecond(node_bandwidth);
    return s;
}

StorageTraffic checkpoint(double bytes, double per_node, std::int64_t interval, CheckpointMode mode) {
    StorageTraffic t;
    t.checkpoint_bytes = bytes;
    t.checkpoint_bytes_per_node = per_node;
    t.checkpoint_interval_steps = interval;
    t.checkpoint_mode = mode;
    return t;
}

TEST(StorageCost, CheckpointOverServersTakesBytesOverAggregateBandwidth) {
    // 1 TB over 4 servers x 50 GB/s = 5 s (1000 nodes of 100 GB/s: 1 GB each takes 10 ms).
    const auto s = fabric(topology::StorageNetwork::Separate, 1000, 100e9);
    const StorageCost c = storage_cost(s, checkpoint(1e12, 1e9, 100, CheckpointMode::Blocking), 2.0);
    EXPECT_DOUBLE_EQ(c.checkpoint_time_s, 5.0);
    EXPECT_EQ(c.checkpoint_bound, "servers");
    // Blocking: 5 s every 100 steps = 50 ms per step.
    EXPECT_DOUBLE_EQ(c.checkpoint_cost_per_step_s, 0.05);
    EXPECT_DOUBLE_EQ(c.contention_per_step_s, 0.0);
    EXPECT_DOUBLE_EQ(c.step_time_s, 2.0);
    EXPECT_DOUBLE_EQ(c.step_time_with_storage_s, 2.05);
}

TEST(StorageCost, FewNodesAreBoundByTheirLinks) {
    // 2 nodes of 10 GB/s writing 500 GB each: 50 s (servers: 5 s; network 1 TB / 20 GB/s = 50 s, a tie
    // keeps the node links).
    const auto s = fabric(topology::StorageNetwork::Separate, 2, 10e9);
    const StorageCost c = storage_cost(s, checkpoint(1e12, 5e11, 10, CheckpointMode::Blocking), 1.0);
    EXPECT_DOUBLE_EQ(c.checkpoint_time_s, 50.0);
    EXPECT_EQ(c.checkpoint_bound, "node links");
    // Oversubscription 4 of the storage network: 1 TB / (20 GB/s / 4) = 200 s.
    auto over = s;
    over.oversubscription = 4.0;
    const StorageCost o = storage_cost(over, checkpoint(1e12, 5e11, 10, CheckpointMode::Blocking), 1.0);
    EXPECT_DOUBLE_EQ(o.checkpoint_time_s, 200.0);
    EXPECT_EQ(o.checkpoint_bound, "network");
}

TEST(StorageCost, AsyncCheckpointOnConvergedNicsSlowsTheStep) {
    // S_node = 10 GB written over K = 10 steps on 100 GB/s of shared NICs: 10 GB / (10 x 100 GB/s)
    // = 10 ms more per step. The write (5 s) ends within 10 x 1.01 s, so nothing else waits.
    const auto traffic = checkpoint(1e12, 1e10, 10, CheckpointMode::Async);
    const StorageCost conv = storage_cost(fabric(topology::StorageNetwork::Converged, 1000, 100e9), traffic, 1.0);
    EXPECT_DOUBLE_EQ(conv.contention_per_step_s, 0.01);
    EXPECT_DOUBLE_EQ(conv.checkpoint_cost_per_step_s, 0.0);
    EXPECT_DOUBLE_EQ(conv.step_time_with_storage_s, 1.01);
    // On a separate network the same write costs the step nothing.
    const StorageCost sep = storage_cost(fabric(topology::StorageNetwork::Separate, 1000, 100e9), traffic, 1.0);
    EXPECT_DOUBLE_EQ(sep.contention_per_step_s, 0.0);
    EXPECT_DOUBLE_EQ(sep.step_time_with_storage_s, 1.0);
    // A write longer than the interval: 5 s against 10 x 0.1 s, the next save waits 4 s: 0.4 s per step.
    const StorageCost late = storage_cost(fabric(topology::StorageNetwork::Separate, 1000, 100e9), traffic, 0.1);
    EXPECT_DOUBLE_EQ(late.checkpoint_cost_per_step_s, 0.4);
}

TEST(StorageCost, DataLoadingIsPrefetchedAndSharesConvergedNics) {
    StorageTraffic t;
    t.data_bytes_per_step = 4e9;
    t.data_bytes_per_node_per_step = 4e6;
    // 4 GB over 4 x 100 GB/s read = 10 ms, hidden behind a 1 s step.
    const auto sep = storage_cost(fabric(topology::StorageNetwork::Separate, 1000, 100e9), t, 1.0);
    EXPECT_DOUBLE_EQ(sep.data_read_time_s, 0.01);
    EXPECT_DOUBLE_EQ(sep.data_exposed_per_step_s, 0.0);
    EXPECT_DOUBLE_EQ(sep.step_time_with_storage_s, 1.0);
    // Behind a 4 ms step, 6 ms show.
    EXPECT_DOUBLE_EQ(
        storage_cost(fabric(topology::StorageNetwork::Separate, 1000, 100e9), t, 0.004).data_exposed_per_step_s, 0.006);
    // Converged: 4 MB per node on 100 GB/s of NICs = 40 us per step.
    const auto conv = storage_cost(fabric(topology::StorageNetwork::Converged, 1000, 100e9), t, 1.0);
    EXPECT_DOUBLE_EQ(conv.contention_per_step_s, 4e-5);
    EXPECT_DOUBLE_EQ(conv.step_time_with_storage_s, 1.0 + 4e-5);
}

// DGX H100 nodes on an NDR fat-tree (when several) with a separate storage network.
topology::Cluster h100(int nodes, bool storage) {
    json t = {{"nodes", {{{"type", "DGX-H100"}, {"count", nodes}}}}};
    if (nodes > 1) {
        t["fabric"] = {{"type", "rail-optimized-fat-tree"},
                       {"access_cable", "NDR-DAC"},
                       {"tiers", {{{"switch", "QM9700"}, {"uplink_cable", "NDR-optical"}}, {{"switch", "QM9700"}}}}};
    }
    if (storage) {
        t["storage"] = {
            {"network", "separate"},
            {"nic", "ConnectX-7"},
            {"servers",
             {{"count", 2}, {"read_bandwidth", "10GB/s"}, {"write_bandwidth", "5GB/s"}, {"source", "test"}}}};
    }
    const auto doc = Document::parse(t.dump(), "cluster.json");
    return topology::load_topology(doc.root().as_object(), topology::Catalog::builtin());
}

Trace load_on(const json& w, const topology::Cluster& cluster) {
    const auto doc = Document::parse(json{{"workload", w}}.dump(), "s.json");
    Object root = doc.root().as_object();
    return load_workload(root.at("workload").as_object(), WorkloadContext{cluster, "."});
}

// A dense model, tp 1, one stage: every rank holds all N parameters.
json dense(int dp, int zero) {
    return json{{"type", "llm-training"},
                {"model", {{"layers", 4}, {"hidden", 1024}, {"heads", 16}, {"vocab", 32000}, {"seq_length", 2048}}},
                {"parallelism", {{"dp", dp}, {"zero", zero}}},
                {"batch", {{"global_batch", 64}, {"micro_batch", 1}}},
                {"checkpoint", {{"interval_steps", 50}}}};
}

double parameters(const json& w) {
    const auto doc = Document::parse(w.dump(), "s.json");
    return total_parameters(read_training_config(doc.root().as_object()).model);
}

TEST(TrainingStorage, CheckpointIsFourteenBytesPerParameterWrittenOnce) {
    const double n = parameters(dense(8, 0));
    for (int zero : {0, 1, 3}) {
        const Trace t = load_on(dense(8, zero), h100(1, true));
        ASSERT_TRUE(t.info.storage.has_value());
        const auto& s = *t.info.storage;
        // bf16 weights 2 B + fp32 main weights, Adam m, v 12 B, split over the 8 data-parallel ranks
        // (whatever the ZeRO stage in memory): the whole state once, all of it on the one node.
        EXPECT_NEAR(s.checkpoint_bytes, 14.0 * n, 1e-6 * n) << "zero " << zero;
        EXPECT_NEAR(s.checkpoint_bytes_per_node, 14.0 * n, 1e-6 * n);
        EXPECT_EQ(s.checkpoint_interval_steps, 50);
        EXPECT_EQ(s.checkpoint_mode, CheckpointMode::Blocking);
        // 64 sequences x 2048 tokens x 2 B (vocabulary 32,000 < 65,500: uint16 token ids).
        EXPECT_DOUBLE_EQ(s.data_bytes_per_step, 64.0 * 2048 * 2);
    }
    // Two nodes, dp 16: each node writes half and reads half.
    const Trace two = load_on(dense(16, 1), h100(2, true));
    EXPECT_NEAR(two.info.storage->checkpoint_bytes_per_node, 7.0 * n, 1e-6 * n);
    EXPECT_DOUBLE_EQ(two.info.storage->data_bytes_per_node_per_step, 64.0 * 2048);
    // "bytes_per_token" and "mode" as given; "data_loading": false leaves data out.
    json w = dense(8, 1);
    w["data_loading"] = {{"bytes_per_token", 1000}};
    w["checkpoint"]["mode"] = "async";
    const Trace given = load_on(w, h100(1, true));
    EXPECT_DOUBLE_EQ(given.info.storage->data_bytes_per_step, 64.0 * 2048 * 1000);
    EXPECT_EQ(given.info.storage->checkpoint_mode, CheckpointMode::Async);
    w["data_loading"] = false;
    EXPECT_DOUBLE_EQ(load_on(w, h100(1, true)).info.storage->data_bytes_per_step, 0.0);
    // Without a storage network there is no storage traffic (and no checkpoint key allowed).
    json plain = dense(8, 1);
    plain.erase("checkpoint");
    EXPECT_FALSE(load_on(plain, h100(1, false)).info.storage.has_value());
}

TEST(TrainingStorage, BadInputNamesThePointer) {
    EXPECT_INPUT_ERROR_IN(load_on(dense(8, 1), h100(1, false)), "s.json", "/workload/checkpoint",
                          "needs a storage network");
    json w = dense(8, 1);
    w["checkpoint"]["interval_steps"] = 0;
    EXPECT_INPUT_ERROR_IN(load_on(w, h100(1, true)), "s.json", "/workload/checkpoint/interval_steps", "");
    w = dense(8, 1);
    w["checkpoint"]["mode"] = "lazy";
    EXPECT_INPUT_ERROR_IN(load_on(w, h100(1, true)), "s.json", "/workload/checkpoint/mode", "expected one of");
    w = dense(8, 1);
    w["checkpoint"]["every"] = 3;
    EXPECT_INPUT_ERROR_IN(load_on(w, h100(1, true)), "s.json", "/workload/checkpoint/every", "");
    w = dense(8, 1);
    w["data_loading"] = true;
    EXPECT_INPUT_ERROR_IN(load_on(w, h100(1, true)), "s.json", "/workload/data_loading", "expected false");
    w["data_loading"] = {{"bytes_per_token", -1}};
    EXPECT_INPUT_ERROR_IN(load_on(w, h100(1, true)), "s.json", "/workload/data_loading/bytes_per_token", "");
}

} // namespace
