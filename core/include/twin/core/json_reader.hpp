// The one checked reader for every JSON input (scenario, catalog, trace).
//
// A Value is a node of a parsed document together with its file name and JSON pointer, so every
// check can throw an InputError that says exactly where the problem is. An Object records which
// keys were read; finish() rejects the rest ("unknown key"), which is how every input format
// refuses keys it does not know. Validation happens while reading: a reader either returns a
// checked value or throws.
#pragma once

#include "twin/core/error.hpp"
#include "twin/core/units.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace twin {

class Object;
class Array;

// The deepest nesting of objects and arrays a document may have. Our formats nest a few levels
// (trace programs with nested repeat blocks perhaps a dozen); the limit keeps every recursive walk
// of a document far from the stack's end.
inline constexpr std::size_t kMaxJsonDepth = 128;

// At most `max_chars` characters of `j` as JSON text, for error messages: written without
// recursion (a value nested 100,000 deep is fine), strings escaped so the excerpt stays one
// printable line, cut with "..." when longer.
[[nodiscard]] std::string json_excerpt(const nlohmann::json& j, std::size_t max_chars = 60);

// Lower bound applied to quantities and numbers.
enum class Bound {
    Any,         // any finite value
    NonNegative, // >= 0
    Positive,    // > 0
};

class Value {
public:
    Value(const nlohmann::json& node, std::shared_ptr<const std::string> file, std::string pointer);

    [[nodiscard]] const std::string& file() const { return *file_; }
    [[nodiscard]] const std::string& pointer() const { return pointer_; }
    [[nodiscard]] const nlohmann::json& json() const { return *node_; }

    [[nodiscard]] bool is_object() const { return node_->is_object(); }
    [[nodiscard]] bool is_array() const { return node_->is_array(); }
    [[nodiscard]] bool is_string() const { return node_->is_string(); }
    [[nodiscard]] bool is_number() const { return node_->is_number(); }

    [[nodiscard]] std::string as_string() const;
    // A string that must be one of `choices`.
    [[nodiscard]] std::string as_choice(const std::vector<std::string_view>& choices) const;
    [[nodiscard]] double as_number(Bound bound = Bound::Any, double max = std::numeric_limits<double>::max()) const;
    [[nodiscard]] std::int64_t as_integer(std::int64_t min, std::int64_t max) const;
    [[nodiscard]] bool as_bool() const;
    // A ratio given as a number (2, 1.5) or as "a:b" ("2:1"); must be >= 1 unless `min` says otherwise.
    [[nodiscard]] double as_ratio(double min = 1.0) const;

    // Quantities: strings with units (see units.hpp). A bare number is rejected: units are explicit.
    [[nodiscard]] Seconds as_seconds(Bound bound = Bound::NonNegative) const;
    [[nodiscard]] Bytes as_bytes(Bound bound = Bound::Positive) const;
    [[nodiscard]] BytesPerSecond as_bandwidth(Bound bound = Bound::Positive) const;
    [[nodiscard]] Flops as_flops(Bound bound = Bound::NonNegative) const;
    [[nodiscard]] FlopsPerSecond as_flop_rate(Bound bound = Bound::Positive) const;
    [[nodiscard]] Watts as_power(Bound bound = Bound::Positive) const;
    [[nodiscard]] Joules as_energy(Bound bound = Bound::NonNegative) const;

    [[nodiscard]] Object as_object() const;
    [[nodiscard]] Array as_array() const;

    // Throws InputError at this value's pointer.
    [[noreturn]] void fail(const std::string& message) const;

private:
    friend class Object;
    friend class Array;
    [[nodiscard]] double quantity(Dimension dim, Bound bound) const;
    [[nodiscard]] std::string describe() const; // the value as it appears in the file, shortened

    const nlohmann::json* node_;
    std::shared_ptr<const std::string> file_;
    std::string pointer_;
};

class Object {
public:
    explicit Object(const Value& v); // throws unless v is an object

    [[nodiscard]] const Value& self() const { return self_; }
    [[nodiscard]] bool has(const std::string& key) const;
    // Required member: throws "missing required key" naming the pointer of the missing key.
    [[nodiscard]] Value at(const std::string& key);
    // Optional member.
    [[nodiscard]] std::optional<Value> find(const std::string& key);
    // All keys in sorted order (for map-like objects such as catalogs); marks them read.
    [[nodiscard]] std::vector<std::string> keys();
    // Throws on the first key (in sorted order) that was never read.
    void finish() const;

    [[noreturn]] void fail(const std::string& message) const { self_.fail(message); }
    // Throws at the pointer of `key` (which need not exist: for "missing" and "conflicting" errors).
    [[noreturn]] void fail_at(const std::string& key, const std::string& message) const;

private:
    Value self_;
    std::set<std::string> used_;
};

class Array {
public:
    explicit Array(const Value& v); // throws unless v is an array

    [[nodiscard]] const Value& self() const { return self_; }
    [[nodiscard]] std::size_t size() const { return self_.json().size(); }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] Value at(std::size_t i) const;
    [[nodiscard]] std::vector<Value> values() const;

private:
    Value self_;
};

// A parsed JSON document that owns its tree; root() is a Value at pointer "".
class Document {
public:
    // Reads and parses a file (read_input_file(): a regular file within the size limit). Throws
    // InputError for an unreadable file, malformed JSON (with line and column), nesting deeper than
    // kMaxJsonDepth, a duplicate key or a number that overflows a double (with the pointer).
    static Document load(const std::filesystem::path& path);
    // Parses text that stands for `file_name` (for embedded catalogs and tests).
    static Document parse(std::string_view text, const std::string& file_name);

    [[nodiscard]] Value root() const { return Value(*json_, file_, ""); }
    [[nodiscard]] const std::string& file() const { return *file_; }

private:
    Document(std::shared_ptr<const nlohmann::json> json, std::shared_ptr<const std::string> file)
        : json_(std::move(json)), file_(std::move(file)) {}
    std::shared_ptr<const nlohmann::json> json_;
    std::shared_ptr<const std::string> file_;
};

} // namespace twin
