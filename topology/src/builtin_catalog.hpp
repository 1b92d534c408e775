// The text of catalog/builtin.json, embedded at build time by cmake/embed_text.cmake.
#pragma once

#include <string_view>

namespace twin::topology {

[[nodiscard]] std::string_view builtin_catalog_json();

} // namespace twin::topology
