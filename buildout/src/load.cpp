// Reading a scenario's catalog, topology and floorplan for the build-out (load.hpp).
#include "twin/buildout/load.hpp"

#include "twin/topology/load.hpp"

#include <fmt/format.h>

namespace twin::buildout {
namespace {

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
                     read_floorplan(floorplan, doc.file(), base)};
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
    return read_floorplan(root.find("floorplan"), doc.file(), scenario.parent_path());
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
