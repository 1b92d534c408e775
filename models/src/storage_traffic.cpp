// Storage traffic keys and costs; the equations are at the top of twin/models/storage_traffic.hpp
// (transfer time T(X) = max(X / (M·B_srv), X_node / B_node, X / B_net); blocking and async
// checkpoint; prefetched data loading; contention on converged NICs). Units: bytes, bytes/s, s.
#include "twin/models/storage_traffic.hpp"

#include <algorithm>

namespace twin::models {

StorageTrafficConfig read_storage_traffic(Object& w) {
    StorageTrafficConfig c;
    c.pointer = w.self().pointer();
    if (auto v = w.find("checkpoint")) {
        Object o = v->as_object();
        c.pointer = o.self().pointer();
        c.checkpoint_interval_steps = o.at("interval_steps").as_integer(1, 1'000'000'000);
        if (auto m = o.find("mode")) {
            c.checkpoint_mode = read_enum(*m, kCheckpointModeNames);
        }
        o.finish();
    }
    if (auto v = w.find("data_loading")) {
        if (v->json().is_boolean()) {
            if (v->as_bool()) {
                v->fail("expected false (no data loading) or an object such as {\"bytes_per_token\": 4}");
            }
            c.data_loading = false;
        } else {
            Object o = v->as_object();
            if (auto b = o.find("bytes_per_token")) {
                c.bytes_per_token = b->as_number(Bound::Positive, 1e9);
            }
            o.finish();
        }
    }
    return c;
}

StorageTransfer storage_transfer(const topology::StorageFabric& s, double bytes, double bytes_per_node,
                                 BytesPerSecond server_bandwidth) {
    const double servers = bytes / (static_cast<double>(s.servers.count) * server_bandwidth.value());
    const double node = bytes_per_node / s.node_bandwidth.value();
    const double network = bytes / s.network_bandwidth().value();
    StorageTransfer t{servers, "servers"};
    if (node > t.time_s) {
        t = {node, "node links"};
    }
    if (network > t.time_s) {
        t = {network, "network"};
    }
    return t;
}

StorageCost storage_cost(const topology::StorageFabric& s, const StorageTraffic& traffic, double step_time_s) {
    StorageCost c;
    c.step_time_s = step_time_s;
    const bool converged = s.network == topology::StorageNetwork::Converged;
    if (traffic.data_bytes_per_step > 0) {
        c.data_read_time_s = storage_transfer(s, traffic.data_bytes_per_step, traffic.data_bytes_per_node_per_step,
                                              s.servers.read_bandwidth)
                                 .time_s;
        c.data_exposed_per_step_s = std::max(0.0, c.data_read_time_s - step_time_s);
        if (converged) {
            c.contention_per_step_s += traffic.data_bytes_per_node_per_step / s.node_bandwidth.value();
        }
    }
    const auto k = static_cast<double>(traffic.checkpoint_interval_steps);
    if (traffic.checkpoint_interval_steps > 0 && traffic.checkpoint_bytes > 0) {
        const StorageTransfer t =
            storage_transfer(s, traffic.checkpoint_bytes, traffic.checkpoint_bytes_per_node, s.servers.write_bandwidth);
        c.checkpoint_time_s = t.time_s;
        c.checkpoint_bound = t.bound;
        if (traffic.checkpoint_mode == CheckpointMode::Blocking) {
            c.checkpoint_cost_per_step_s = t.time_s / k;
        } else {
            double step = step_time_s;
            if (converged) {
                const double shared = traffic.checkpoint_bytes_per_node / (k * s.node_bandwidth.value());
                c.contention_per_step_s += shared;
                step += shared;
            }
            c.checkpoint_cost_per_step_s = std::max(0.0, t.time_s - k * step) / k;
        }
    }
    c.step_time_with_storage_s =
        step_time_s + c.contention_per_step_s + c.data_exposed_per_step_s + c.checkpoint_cost_per_step_s;
    return c;
}

} // namespace twin::models
