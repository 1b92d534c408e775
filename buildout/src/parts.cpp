// Physical parts per catalog entry (sources: parts.hpp).
#include "parts.hpp"

namespace twin::buildout::detail {

NodeParts node_parts(const topology::NodeType& node) {
    const std::string& n = node.name;
    if (n == "DGX-H100" || n == "HGX-H200" || n == "DGX-B200") {
        return {1, 0, 2};
    }
    if (n == "GB200-NVL72" || n == "GB300-NVL72") {
        return {18, 9, 1};
    }
    if (n == "GH200-NVL32") {
        return {16, 9, 1};
    }
    if (node.gpus >= 32) {
        return {node.gpus / 4, node.scaleup_switches / 2, 1};
    }
    return {1, 0, 1};
}

int switch_ports_per_cage(const std::string& t) {
    if (t == "QM9700" || t == "QM9700-200G-400G" || t == "SN5600-400G" || t == "SN5600-400G-800G" || t == "Q3400" ||
        t == "Quantum-X800") {
        return 2;
    }
    return 1;
}

} // namespace twin::buildout::detail
