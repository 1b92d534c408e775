// Fabric generators: each reads its "fabric" object (type-specific keys) and adds switches and
// links to the Builder. load.cpp picks one by the object's "type".
#pragma once

#include "builder.hpp"
#include "lookup.hpp"
#include "twin/core/json_reader.hpp"

namespace twin::topology::detail {

void build_rail_fat_tree(Object fabric, Builder& b);   // "rail-optimized-fat-tree" (fat_tree.cpp)
void build_explicit_fabric(Object fabric, Builder& b); // "explicit" (explicit_fabric.cpp)

} // namespace twin::topology::detail
