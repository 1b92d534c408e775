// Physical parts of catalog entries that the hardware catalog does not carry: how many servers
// (compute trays) and NVSwitch trays a node type is, how many of its NIC ports share one cage
// (a twin-port OSFP takes two 400G ports), and the same for switches. Sources:
//   DGX H100 / HGX H200 / DGX B200: 8 ConnectX-7 behind 4 twin-port OSFP cages (NVIDIA DGX H100/B200
//     user guides, "network ports"); one server.
//   GB200 / GB300 NVL72: 18 compute trays (4 GPUs each) and 9 NVSwitch trays (2 chips each)
//     (NVIDIA GB200 NVL72 product page); GH200 NVL32: 16 compute trays, 9 NVSwitch trays
//     (AWS/NVIDIA GH200 NVL32 announcement).
//   QM9700, SN5600-400G and the mixed-speed 400G variants: 32/64 twin-port OSFP cages carrying two
//     400G ports each (NVIDIA QM9700 and SN5600 datasheets); Q3400 / Quantum-X800: 144 800G ports in
//     72 twin-port OSFP cages (1.6T modules; Quantum-X800 datasheet); every other switch (SN5600 at
//     800G: 64 single-port OSFP cages) one port per cage.
// Unknown node types: one server, one port per cage; rack-scale nodes (>= 32 GPUs) gpus/4 trays
// and chips/2 NVSwitch trays.
#pragma once

#include "twin/topology/catalog.hpp"

#include <string>

namespace twin::buildout::detail {

struct NodeParts {
    int servers = 1;        // servers or compute trays
    int nvswitch_trays = 0; // 0: the NVSwitch chips sit on the node's baseboard
    int nic_ports_per_cage = 1;
};

[[nodiscard]] NodeParts node_parts(const topology::NodeType& node);
[[nodiscard]] int switch_ports_per_cage(const std::string& switch_type);

} // namespace twin::buildout::detail
