// Helpers for topology tests: scenarios are raw JSON strings parsed as "test.json" (the file
// EXPECT_INPUT_ERROR expects).
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/load.hpp"
#include "twin_test/input_error.hpp" // EXPECT_INPUT_ERROR(load_text(text), pointer, substring)

#include <gtest/gtest.h>
#include <string>
#include <string_view>

namespace twin::topology::testing {

// Loads {"catalog"?: {...}, "topology": {...}} the way the scenario reader does.
inline Cluster load_text(std::string_view text) {
    const Document doc = Document::parse(text, "test.json");
    Object root = doc.root().as_object();
    Catalog catalog = Catalog::builtin();
    if (auto c = root.find("catalog")) {
        catalog.merge(c->as_object());
    }
    Cluster cluster = load_topology(root.at("topology").as_object(), std::move(catalog));
    root.finish();
    return cluster;
}

} // namespace twin::topology::testing
