// Reading a scenario's catalog, topology and floorplan for the build-out (load.hpp).
#include "twin/buildout/load.hpp"

#include "twin/topology/load.hpp"

namespace twin::buildout {
namespace {

BuildoutInput from_document(const Document& doc, const topology::Limits& limits) {
    Object root = doc.root().as_object();
    const auto catalog_value = root.find("catalog");
    const Value topology_value = root.at("topology");
    const auto floorplan = root.find("floorplan");
    topology::Catalog catalog = topology::Catalog::builtin();
    if (catalog_value) {
        catalog.merge(catalog_value->as_object());
    }
    BuildoutInput in{topology::load_topology(topology_value.as_object(), std::move(catalog), limits),
                     read_floorplan(floorplan, doc.file())};
    return in;
}

} // namespace

BuildoutInput load_buildout(const std::filesystem::path& scenario, const topology::Limits& limits) {
    return from_document(Document::load(scenario), limits);
}

BuildoutInput parse_buildout(std::string_view text, const std::string& file_name, const topology::Limits& limits) {
    return from_document(Document::parse(text, file_name), limits);
}

} // namespace twin::buildout
