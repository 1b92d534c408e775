// Scenario texts shared by the topology tests.
#pragma once

#include <string>

namespace twin::topology::testing {

// One DGX SuperPOD-like scalable unit: 32 DGX-H100 (256 GPUs), 2 tiers of QM9700, non-blocking.
inline const char* const kSu32 = R"({"topology": {"name": "su", "nodes": [{"type": "DGX-H100", "count": 32}],
  "racks": {"nodes_per_rack": 4},
  "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
             "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"}, {"switch": "QM9700"}]}}})";

// The same at 2:1 at the leaves.
inline const char* const kSu32Oversubscribed = R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 32}],
  "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC", "nodes_per_leaf_group": 32,
             "tiers": [{"switch": "QM9700", "oversubscription": "2:1", "uplink_cable": "NDR-optical"},
                       {"switch": "QM9700"}]}}})";

// 3 tiers, small: 8 DGX-H100 in leaf groups of 2 nodes, 2 groups per pod, so 2 pods.
inline const char* const kThreeTier = R"({"topology": {"nodes": [{"type": "DGX-H100", "count": 8}],
  "fabric": {"type": "rail-optimized-fat-tree", "access_cable": "NDR-DAC",
             "nodes_per_leaf_group": 2, "leaf_groups_per_pod": 2,
             "tiers": [{"switch": "QM9700", "uplink_cable": "NDR-optical"},
                       {"switch": "QM9700", "uplink_cable": "NDR-optical"},
                       {"switch": "QM9700"}]}}})";

// A 2-GPU, 1-NIC node type for explicit fabrics.
inline const char* const kMiniCatalog = R"("catalog": {"nodes": {"Mini": {"gpu": "H100-SXM", "gpus": 2,
  "nic": "ConnectX-7", "nics": 1, "scaleup_switch": "NVSwitch-gen3", "scaleup_switches": 1,
  "host_link": "PCIe5-x16", "other_power": "1kW"}}})";

// Mini nodes with an explicit fabric given as the text of the "fabric" object.
inline std::string mini_explicit(int nodes, const std::string& fabric) {
    return std::string("{") + kMiniCatalog + R"(, "topology": {"nodes": [{"type": "Mini", "count": )" +
           std::to_string(nodes) + R"(}], "fabric": {"type": "explicit", )" + fabric + "}}}";
}

// `text` (one rail-optimized or explicit fabric) with "pxn": false (NCCL_PXN_DISABLE=1).
inline std::string without_pxn(const std::string& text) {
    const std::string key = "\"fabric\": {";
    std::string out = text;
    out.insert(out.find(key) + key.size(), "\"pxn\": false, ");
    return out;
}

// Explicit-fabric links from every NIC of `nodes` nodes with `nics` NICs each to the switch `to`.
inline std::string all_nics_to(const std::string& to, int nodes, int nics) {
    std::string out;
    for (int n = 0; n < nodes; ++n) {
        for (int k = 0; k < nics; ++k) {
            out += std::string(out.empty() ? "" : ", ") + R"({"from": "node)" + std::to_string(n) + "/nic" +
                   std::to_string(k) + R"(", "to": ")" + to + R"(", "cable": "NDR-DAC"})";
        }
    }
    return out;
}

} // namespace twin::topology::testing
