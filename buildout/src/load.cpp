// Reading a scenario's catalog, topology and floorplan for the build-out (load.hpp).
#include "twin/buildout/load.hpp"

#include "twin/topology/load.hpp"

#include <fmt/format.h>

namespace twin::buildout {
namespace {

// Without a floor-plan "cooling", the scenario's facility.cooling.type decides: "liquid" racks get
// manifolds and CDUs in the BOM (air and rear-door racks are air-cooled racks for the build-out).
// The facility section itself is checked by the scenario loader, not here.
FloorPlan with_facility_cooling(FloorPlan plan, Object& root) {
    if (plan.cooling) {
        return plan;
    }
    const auto facility = root.find("facility");
    if (!facility || !facility->is_object()) {
        return plan;
    }
    Object f = facility->as_object();
    const auto cooling = f.find("cooling");
    if (!cooling || !cooling->is_object()) {
        return plan;
    }
    Object c = cooling->as_object();
    const auto type = c.find("type");
    if (type && type->is_string() && type->as_string() == "liquid") {
        plan.cooling = Cooling::Liquid;
    }
    return plan;
}

BuildoutInput from_document(const Document& doc, const topology::Limits& limits, const std::filesystem::path& base) {
    Object root = doc.root().as_object();
    const auto catalog_value = root.find("catalog");
    const Value topology_value = root.at("topology");
    const auto floorplan = root.find("floorplan");
    topology::Catalog catalog = topology::Catalog::builtin();
    if (catalog_value) {
        catalog.merge(catalog_value->as_object());
    }
    BuildoutInput in{topology::load_topology(topology_value.as_object(), std::move(catalog), limits),
                     with_facility_cooling(read_floorplan(floorplan, doc.file(), base), root)};
    return in;
}

} // namespace

BuildoutInput load_buildout(const std::filesystem::path& scenario, const topology::Limits& limits) {
    return from_document(Document::load(scenario), limits, scenario.parent_path());
}

BuildoutInput parse_buildout(std::string_view text, const std::string& file_name, const topology::Limits& limits,
                             const std::filesystem::path& base_dir) {
    return from_document(Document::parse(text, file_name), limits, base_dir);
}

FloorPlan load_floorplan(const std::filesystem::path& scenario) {
    const Document doc = Document::load(scenario);
    Object root = doc.root().as_object();
    return with_facility_cooling(read_floorplan(root.find("floorplan"), doc.file(), scenario.parent_path()), root);
}

NamedInputs load_named_inputs(const FloorPlan& plan) {
    const auto readable = [&](const NamedInput& in, const char* what) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(in.path, ec)) {
            throw InputError(plan.file, in.pointer, fmt::format("cannot read the {} {}", what, in.path.string()));
        }
        return in.path;
    };
    NamedInputs out;
    if (plan.prices) {
        out.prices = load_prices(readable(*plan.prices, "price table"));
    }
    if (plan.schedule) {
        out.schedule = load_schedule_input(readable(*plan.schedule, "schedule input"));
    }
    return out;
}

} // namespace twin::buildout
