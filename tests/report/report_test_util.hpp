// Hand-built run results for report tests: a tiny scenario (one node of 8 GPUs with NVLink, a
// fabric-free cluster with round numbers) and an empty RunResult sized to it, to which a test adds
// the figures it checks. No SimGrid: the report library alone.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_result.hpp"

#include <string>

namespace twin::test {

// GPU "T": 100 TFLOPS bf16, NVLink 100 GB/s per direction; node "T8": 8 GPUs on one NVSwitch.
// Two rank classes (pipeline stages "s0" on ranks 0-3, "s1" on 4-7), no generated workload.
inline models::Scenario report_scenario() {
    return models::parse_scenario(R"({"schema_version": 1, "name": "hand", "seed": 7,
  "catalog": {
    "gpus": {"T": {"peak_flops": {"bf16": "100TFLOPS"}, "hbm_capacity": "80GB", "hbm_bandwidth": "1TB/s",
                   "scaleup_bandwidth": "100GB/s", "scaleup_latency": "2us", "idle_power": "50W",
                   "max_power": "500W"}},
    "nics": {"TN": {"port_bandwidth": "10GB/s", "latency": "1us", "power": "10W"}},
    "switches": {"TNV": {"radix": 64, "port_bandwidth": "100GB/s", "latency": "0us", "power": "0W"}},
    "cables": {"TP": {"bandwidth": "20GB/s", "latency": "500ns"}},
    "nodes": {"T8": {"gpu": "T", "gpus": 8, "nic": "TN", "nics": 8, "host_link": "TP",
                     "scaleup_switch": "TNV", "scaleup_switches": 1, "other_power": "1kW"}}},
  "topology": {"nodes": [{"type": "T8", "count": 1}]},
  "workload": {"type": "trace", "trace": {"schema_version": 1, "name": "pp", "ranks": 8,
    "classes": [{"name": "s0", "ranks": [0, 1, 2, 3], "program": [{"op": "compute", "name": "fwd", "flops": "1TFLOP"}]},
                {"name": "s1", "ranks": [4, 5, 6, 7], "program": [{"op": "compute", "name": "fwd", "flops": "1TFLOP"}]}]}}})",
                                  "hand.json", ".");
}

// A result of `simulated_s` seconds for `s`: every rank idle, no link carried anything.
inline report::RunResult blank_result(const models::Scenario& s, double simulated_s) {
    report::RunResult r;
    r.simulated_time_s = simulated_s;
    r.ranks = s.cluster.gpu_count();
    r.gpus.assign(static_cast<std::size_t>(r.ranks), report::GpuActivity{0.0, 0.0, simulated_s, simulated_s});
    r.link_bytes_up.assign(s.cluster.links().size(), 0.0);
    r.link_bytes_down.assign(s.cluster.links().size(), 0.0);
    return r;
}

} // namespace twin::test
