// Catalog lookups for readers: a name given in JSON must name an entry.
#pragma once

#include "twin/core/json_reader.hpp"

#include <string>
#include <string_view>

namespace twin::topology::detail {

// Catalog lookup by a string value; throws at the value's pointer naming the known entries.
template <class Map>
const typename Map::mapped_type& find_entry(const Map& entries, const Value& v, std::string_view what) {
    const std::string name = v.as_string();
    auto it = entries.find(name);
    if (it == entries.end()) {
        std::string known;
        for (const auto& [k, e] : entries) {
            known += (known.empty() ? "" : ", ") + k;
        }
        v.fail("unknown " + std::string(what) + " \"" + name + "\" (catalog has: " + (known.empty() ? "none" : known) +
               ")");
    }
    return it->second;
}

} // namespace twin::topology::detail
