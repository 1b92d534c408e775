// The report's "storage" section of an llm-training workload: the traffic the generator computed
// (WorkloadInfo::storage) priced on the cluster's storage network at the simulated step time
// (models::storage_cost; equations in twin/models/storage_traffic.hpp), its JSON both ways and
// its text lines.
#include "json_read.hpp"
#include "report_parts.hpp"

#include <fmt/format.h>

namespace twin::report::detail {

std::optional<StorageReport> build_storage(const models::Scenario& s, double step_time_s) {
    const auto& fabric = s.cluster.storage();
    const auto& traffic = s.trace.info.storage;
    if (!fabric.present || !traffic) {
        return std::nullopt;
    }
    StorageReport r;
    r.network = std::string(topology::kStorageNetworkNames.name_of(fabric.network));
    r.servers = fabric.servers.count;
    r.system = fabric.servers.system;
    r.server_read_bandwidth_bytes_per_s = fabric.servers.read_bandwidth.value();
    r.server_write_bandwidth_bytes_per_s = fabric.servers.write_bandwidth.value();
    r.node_bandwidth_bytes_per_s = fabric.node_bandwidth.value();
    r.checkpoint_bytes = traffic->checkpoint_bytes;
    r.checkpoint_bytes_per_node = traffic->checkpoint_bytes_per_node;
    r.checkpoint_interval_steps = traffic->checkpoint_interval_steps;
    r.checkpoint_mode = std::string(models::kCheckpointModeNames.name_of(traffic->checkpoint_mode));
    r.data_bytes_per_step = traffic->data_bytes_per_step;
    r.cost = models::storage_cost(fabric, *traffic, step_time_s);
    return r;
}

nlohmann::json storage_to_json(const StorageReport& s) {
    const auto& c = s.cost;
    return {{"network", s.network},
            {"servers", s.servers},
            {"system", s.system},
            {"server_read_bandwidth_bytes_per_s", s.server_read_bandwidth_bytes_per_s},
            {"server_write_bandwidth_bytes_per_s", s.server_write_bandwidth_bytes_per_s},
            {"node_bandwidth_bytes_per_s", s.node_bandwidth_bytes_per_s},
            {"checkpoint_bytes", s.checkpoint_bytes},
            {"checkpoint_bytes_per_node", s.checkpoint_bytes_per_node},
            {"checkpoint_interval_steps", s.checkpoint_interval_steps},
            {"checkpoint_mode", s.checkpoint_mode},
            {"checkpoint_time_s", c.checkpoint_time_s},
            {"checkpoint_bound", c.checkpoint_bound},
            {"checkpoint_cost_per_step_s", c.checkpoint_cost_per_step_s},
            {"data_bytes_per_step", s.data_bytes_per_step},
            {"data_read_time_s", c.data_read_time_s},
            {"data_exposed_per_step_s", c.data_exposed_per_step_s},
            {"contention_per_step_s", c.contention_per_step_s},
            {"step_time_s", c.step_time_s},
            {"step_time_with_storage_s", c.step_time_with_storage_s}};
}

StorageReport storage_from_json(const Value& v) {
    Object o(v);
    StorageReport s;
    auto& c = s.cost;
    s.network = str(o, "network");
    s.servers = int32(o, "servers");
    s.system = str(o, "system");
    s.server_read_bandwidth_bytes_per_s = num(o, "server_read_bandwidth_bytes_per_s");
    s.server_write_bandwidth_bytes_per_s = num(o, "server_write_bandwidth_bytes_per_s");
    s.node_bandwidth_bytes_per_s = num(o, "node_bandwidth_bytes_per_s");
    s.checkpoint_bytes = num(o, "checkpoint_bytes");
    s.checkpoint_bytes_per_node = num(o, "checkpoint_bytes_per_node");
    s.checkpoint_interval_steps = integer(o, "checkpoint_interval_steps");
    s.checkpoint_mode = str(o, "checkpoint_mode");
    c.checkpoint_time_s = num(o, "checkpoint_time_s");
    c.checkpoint_bound = str(o, "checkpoint_bound");
    c.checkpoint_cost_per_step_s = num(o, "checkpoint_cost_per_step_s");
    s.data_bytes_per_step = num(o, "data_bytes_per_step");
    c.data_read_time_s = num(o, "data_read_time_s");
    c.data_exposed_per_step_s = num(o, "data_exposed_per_step_s");
    c.contention_per_step_s = num(o, "contention_per_step_s");
    c.step_time_s = num(o, "step_time_s");
    c.step_time_with_storage_s = num(o, "step_time_with_storage_s");
    o.finish();
    return s;
}

std::string storage_text(const StorageReport& s) {
    const auto& c = s.cost;
    std::string out =
        fmt::format("    storage               {} network, {} server{}{}   step with storage {}\n", s.network,
                    s.servers, s.servers == 1 ? "" : "s", s.system.empty() ? "" : " (" + s.system + ")",
                    human_time(c.step_time_with_storage_s));
    if (s.checkpoint_interval_steps > 0) {
        out +=
            fmt::format("                          checkpoint {} every {} steps ({}): {} ({}-bound), {} per step\n",
                        human_bytes(s.checkpoint_bytes), s.checkpoint_interval_steps, s.checkpoint_mode,
                        human_time(c.checkpoint_time_s), c.checkpoint_bound, human_time(c.checkpoint_cost_per_step_s));
    }
    out += fmt::format("                          data {} per step, read in {} (exposed {})   shared-NIC "
                       "contention {} per step\n",
                       human_bytes(s.data_bytes_per_step), human_time(c.data_read_time_s),
                       human_time(c.data_exposed_per_step_s), human_time(c.contention_per_step_s));
    return out;
}

} // namespace twin::report::detail
