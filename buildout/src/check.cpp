// Checking a scenario's build-out inputs (include/twin/buildout/check.hpp).
#include "twin/buildout/check.hpp"

#include "twin/buildout/bom.hpp"
#include "twin/buildout/cost.hpp"
#include "twin/buildout/load.hpp"
#include "twin/buildout/schedule.hpp"

namespace twin::buildout {

BuildoutCheck check_buildout(const topology::Cluster& cluster, FloorPlan floorplan) {
    const NamedInputs named = load_named_inputs(floorplan);
    const Layout layout = make_layout(cluster, std::move(floorplan));
    const Bom bom = build_bom(cluster, layout); // walks every link through the reach rules
    if (named.prices) {
        (void)compute_cost(bom, *named.prices, bom.it_power_typical_w, std::nullopt);
    }
    if (named.schedule) {
        (void)make_schedule(bom, layout, *named.schedule);
    }
    return {layout.racks.size(), layout.halls, named.prices.has_value(), named.schedule.has_value(), bom.check.ok};
}

} // namespace twin::buildout
