// Reading a node type's extra NICs and its maximum and typical power (catalog.cpp calls it once the
// node's GPU, NICs, switches and other_power are read).
#pragma once

#include "twin/topology/catalog.hpp"

namespace twin::topology::detail {

// Reads "extra_nics", "max_power" and "typical_power" of node `o` into `n`, checking them against
// the node's full-load power (node_power in catalog.hpp).
void read_node_power(const Catalog& cat, NodeType& n, Object& o);

} // namespace twin::topology::detail
