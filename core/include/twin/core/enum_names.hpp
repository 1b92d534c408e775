// One table of names per enum: a constexpr list of {value, "name"} pairs gives both directions
// (name_of, parse) and the list of choices for error messages, so a name is written once. The
// table sits next to its enum; SimGrid's XBT_DECLARE_ENUM_CLASS is the same idea.
//
//   inline constexpr auto kColourNames = twin::enum_names<Colour>({{Colour::Red, "red"}, ...});
//   kColourNames.name_of(Colour::Red)   // "red"
//   kColourNames.parse("red")           // std::optional<Colour>{Colour::Red}
//   kColourNames.list()                 // "red, green, blue"; list(" or ") -> "red, green or blue"
//   read_enum(value, kColourNames)      // checked JSON reading (json_reader.hpp's as_choice)
#pragma once

#include "twin/core/json_reader.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin {

template <typename E>
struct EnumName {
    E value;
    std::string_view name;
};

template <typename E, std::size_t N>
class EnumNames {
public:
    constexpr explicit EnumNames(const std::array<EnumName<E>, N>& entries) : entries_(entries) {}

    // The name of `v`; `fallback` for a value the table lacks (a programmer error: every
    // enumerator belongs in the table, which the enum's unit test checks).
    [[nodiscard]] constexpr std::string_view name_of(E v, std::string_view fallback = "?") const {
        for (const auto& e : entries_) {
            if (e.value == v) {
                return e.name;
            }
        }
        return fallback;
    }

    [[nodiscard]] constexpr std::optional<E> parse(std::string_view name) const {
        for (const auto& e : entries_) {
            if (e.name == name) {
                return e.value;
            }
        }
        return std::nullopt;
    }

    // The names in table order, as Value::as_choice takes them.
    [[nodiscard]] std::vector<std::string_view> names() const {
        std::vector<std::string_view> out;
        for (const auto& e : entries_) {
            out.push_back(e.name);
        }
        return out;
    }

    // "a, b, c"; with last = " or ": "a, b or c".
    [[nodiscard]] std::string list(std::string_view last = ", ") const {
        std::string out;
        for (std::size_t i = 0; i < N; ++i) {
            if (i > 0) {
                out += i + 1 == N ? last : std::string_view(", ");
            }
            out += entries_[i].name;
        }
        return out;
    }

    [[nodiscard]] constexpr const std::array<EnumName<E>, N>& entries() const { return entries_; }
    [[nodiscard]] static constexpr std::size_t size() { return N; }

private:
    std::array<EnumName<E>, N> entries_;
};

// Builds a table from a braced list; N is deduced: enum_names<Colour>({{Colour::Red, "red"}}).
template <typename E, std::size_t N>
[[nodiscard]] constexpr EnumNames<E, N> enum_names(const EnumName<E> (&entries)[N]) {
    std::array<EnumName<E>, N> a{};
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = entries[i];
    }
    return EnumNames<E, N>(a);
}

// The value whose name the JSON string `v` holds; InputError "unknown value ...: expected one of
// a, b, c" (Value::as_choice) otherwise.
template <typename E, std::size_t N>
[[nodiscard]] E read_enum(const Value& v, const EnumNames<E, N>& table) {
    return *table.parse(v.as_choice(table.names()));
}

} // namespace twin
