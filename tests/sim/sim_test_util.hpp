// Tiny scenarios for engine tests: a test catalog with round numbers so expected times can be
// derived by hand.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/run.hpp"

#include <string>

namespace twin::test {

// GPU "T": 100 TFLOPS bf16, 1 TB/s HBM, NVLink 100 GB/s per direction, 2 us GPU->GPU hop,
// efficiencies 1. NIC "TN": 10 GB/s, 1 us. Switch "TS": 8 ports of 10 GB/s, 1 us. Cable "TC":
// 10 GB/s, 100 ns. Host link "TP": 20 GB/s, 500 ns. Nodes "T8" (8 GPUs, 8 NICs) and "T1" (1 GPU,
// 1 NIC).
inline const char* kTestCatalog = R"(
  "catalog": {
    "gpus": {"T": {"peak_flops": {"bf16": "100TFLOPS"}, "hbm_capacity": "80GB", "hbm_bandwidth": "1TB/s",
                   "scaleup_bandwidth": "100GB/s", "scaleup_latency": "2us", "idle_power": "50W",
                   "max_power": "500W"}},
    "nics": {"TN": {"port_bandwidth": "10GB/s", "latency": "1us", "power": "10W"}},
    "switches": {"TS": {"radix": 8, "port_bandwidth": "10GB/s", "latency": "1us", "power": "100W"},
                 "TNV": {"radix": 64, "port_bandwidth": "100GB/s", "latency": "0us", "power": "0W"}},
    "cables": {"TC": {"bandwidth": "10GB/s", "latency": "100ns"},
               "TP": {"bandwidth": "20GB/s", "latency": "500ns"}},
    "nodes": {"T8": {"gpu": "T", "gpus": 8, "nic": "TN", "nics": 8, "host_link": "TP",
                     "scaleup_switch": "TNV", "scaleup_switches": 1, "other_power": "1kW"},
              "T1": {"gpu": "T", "gpus": 1, "nic": "TN", "nics": 1, "host_link": "TP", "other_power": "100W"}}
  })";

// One T8 node.
inline std::string one_node_scenario(const std::string& trace) {
    return std::string(R"({"schema_version": 1, "name": "t", "seed": 1,)") + kTestCatalog + R"(,
      "topology": {"nodes": [{"type": "T8", "count": 1}]},
      "workload": {"type": "trace", "trace": )" +
           trace + "}}";
}

// `n` T1 nodes, each NIC on one port of a single TS switch (explicit fabric).
inline std::string star_scenario(int n, const std::string& trace) {
    std::string links;
    for (int i = 0; i < n; ++i) {
        links += (i ? "," : "") + std::string(R"({"from": "node)") + std::to_string(i) +
                 R"(/nic0", "to": "s", "cable": "TC"})";
    }
    return std::string(R"({"schema_version": 1, "name": "t", "seed": 1,)") + kTestCatalog + R"(,
      "topology": {"nodes": [{"type": "T1", "count": )" +
           std::to_string(n) + R"(}],
                   "fabric": {"type": "explicit", "switches": [{"name": "s", "switch": "TS", "tier": 1}],
                              "links": [)" +
           links + "]}},\n" + R"("workload": {"type": "trace", "trace": )" + trace + "}}";
}

inline sim::RunResult run_text(const std::string& text) {
    const auto scenario = models::parse_scenario(text, "test.json", ".");
    return sim::run_scenario(scenario);
}

} // namespace twin::test
