// Helpers for topology tests: scenarios are raw JSON strings parsed as "test.json".
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/topology/load.hpp"

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

// The InputError that loading `text` throws (fails the test if none).
inline InputError load_error(std::string_view text) {
    try {
        (void)load_text(text);
    } catch (const InputError& e) {
        return e;
    }
    ADD_FAILURE() << "expected an InputError";
    return InputError("", "", "");
}

#define EXPECT_INPUT_ERROR(text, ptr, substring)                                                                       \
    do {                                                                                                               \
        const ::twin::InputError e_ = ::twin::topology::testing::load_error(text);                                     \
        EXPECT_EQ(e_.file(), "test.json");                                                                             \
        EXPECT_EQ(e_.pointer(), ptr) << e_.what();                                                                     \
        EXPECT_NE(std::string(e_.what()).find(substring), std::string::npos) << e_.what();                             \
    } while (false)

} // namespace twin::topology::testing
