// Checking a scenario's build-out inputs as `clustertwin bom` uses them (for `clustertwin validate`):
// the floor plan (explicit rack positions, a reach rule for every fabric link), the price table it
// names (a price for every BOM item: cost.hpp) and the schedule input it names (a lead time for
// every BOM category: schedule.hpp). Each problem is the InputError the `bom` command would throw,
// at the same file and JSON pointer.
#pragma once

#include "twin/buildout/floorplan.hpp"
#include "twin/topology/cluster.hpp"

#include <cstddef>

namespace twin::buildout {

struct BuildoutCheck {
    std::size_t racks = 0;
    int halls = 0;
    bool priced = false;    // the floor plan names a price table
    bool scheduled = false; // ... and a schedule input
    bool ports_ok = true;   // the cabling plan's own port checks (false: a bug, never expected)
};

[[nodiscard]] BuildoutCheck check_buildout(const topology::Cluster& cluster, FloorPlan floorplan);

} // namespace twin::buildout
