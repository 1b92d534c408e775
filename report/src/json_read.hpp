// Small checked readers for from_json (twin/core/json_reader.hpp underneath): each reads one
// required key of an object and throws InputError at its JSON pointer when it is missing or of the
// wrong type; Object::finish() then rejects keys the report does not have.
#pragma once

#include "twin/core/json_reader.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twin::report::detail {

inline double num(Object& o, const std::string& key) {
    return o.at(key).as_number();
}
inline std::int64_t integer(Object& o, const std::string& key) {
    return o.at(key).as_integer(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
}
inline int int32(Object& o, const std::string& key) {
    return static_cast<int>(o.at(key).as_integer(std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}
inline std::string str(Object& o, const std::string& key) {
    return o.at(key).as_string();
}
inline bool boolean(Object& o, const std::string& key) {
    return o.at(key).as_bool();
}
// A number or null.
inline std::optional<double> optional_num(Object& o, const std::string& key) {
    const Value v = o.at(key);
    return v.json().is_null() ? std::nullopt : std::optional<double>(v.as_number());
}
inline std::vector<double> numbers(const Value& v) {
    std::vector<double> out;
    for (const auto& x : Array(v).values()) {
        out.push_back(x.as_number());
    }
    return out;
}
// An object of numbers, such as {"compute": 1.5, "bubble": 0.2}.
inline std::map<std::string, double> number_map(const Value& v) {
    Object o(v);
    std::map<std::string, double> out;
    for (const auto& k : o.keys()) {
        out[k] = o.at(k).as_number();
    }
    return out;
}

} // namespace twin::report::detail
