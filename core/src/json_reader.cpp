#include "twin/core/json_reader.hpp"

#include "json_guard.hpp"
#include "twin/core/input_file.hpp"

#include <cmath>
#include <fmt/format.h>

namespace twin {

Value::Value(const nlohmann::json& node, std::shared_ptr<const std::string> file, std::string pointer)
    : node_(&node), file_(std::move(file)), pointer_(std::move(pointer)) {}

void Value::fail(const std::string& message) const {
    throw InputError(*file_, pointer_, message);
}

std::string Value::describe() const {
    return json_excerpt(*node_);
}

std::string Value::as_string() const {
    if (!node_->is_string()) {
        fail(fmt::format("expected a string, got {}", describe()));
    }
    return node_->get<std::string>();
}

std::string Value::as_choice(const std::vector<std::string_view>& choices) const {
    std::string s = as_string();
    std::string list;
    for (auto c : choices) {
        if (c == s) {
            return s;
        }
        list += (list.empty() ? "" : ", ") + std::string(c);
    }
    fail(fmt::format("unknown value {}: expected one of {}", describe(), list));
}

double Value::as_number(Bound bound, double max) const {
    if (!node_->is_number()) {
        fail(fmt::format("expected a number, got {}", describe()));
    }
    const double v = node_->get<double>();
    if (!std::isfinite(v)) {
        fail(fmt::format("expected a finite number, got {}", describe()));
    }
    if (!is_normal_or_zero(v)) {
        fail(fmt::format("expected a number that is 0 or at least 2.2e-308 in magnitude, got {}", describe()));
    }
    if (bound == Bound::Positive && !(v > 0)) {
        fail(fmt::format("expected a number > 0, got {}", describe()));
    }
    if (bound == Bound::NonNegative && v < 0) {
        fail(fmt::format("expected a number >= 0, got {}", describe()));
    }
    if (v > max) {
        fail(fmt::format("expected a number <= {}, got {}", max, describe()));
    }
    return v;
}

std::int64_t Value::as_integer(std::int64_t min, std::int64_t max) const {
    if (!node_->is_number_integer()) {
        fail(fmt::format("expected an integer, got {}", describe()));
    }
    // Unsigned values above int64 range are out of range anyway.
    if (node_->is_number_unsigned() && node_->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        fail(fmt::format("expected an integer in [{}, {}], got {}", min, max, describe()));
    }
    const auto v = node_->get<std::int64_t>();
    if (v < min || v > max) {
        fail(fmt::format("expected an integer in [{}, {}], got {}", min, max, describe()));
    }
    return v;
}

bool Value::as_bool() const {
    if (!node_->is_boolean()) {
        fail(fmt::format("expected true or false, got {}", describe()));
    }
    return node_->get<bool>();
}

double Value::as_ratio(double min) const {
    double r = 0.0;
    if (node_->is_number()) {
        r = as_number();
    } else if (node_->is_string()) {
        const std::string s = node_->get<std::string>();
        const auto colon = s.find(':');
        const std::string_view text(s);
        double a = 0.0;
        double b = 1.0;
        const bool a_ok = parse_plain_number(text.substr(0, colon), a);
        const bool b_ok = colon == std::string::npos || (parse_plain_number(text.substr(colon + 1), b) && b > 0);
        if (!a_ok || !b_ok) {
            fail(fmt::format("expected a ratio such as 2 or \"2:1\", got {}", describe()));
        }
        r = a / b;
    } else {
        fail(fmt::format("expected a ratio such as 2 or \"2:1\", got {}", describe()));
    }
    if (!(r >= min) || !std::isfinite(r)) {
        fail(fmt::format("expected a ratio >= {}, got {}", min, describe()));
    }
    return r;
}

double Value::quantity(Dimension dim, Bound bound) const {
    if (!node_->is_string()) {
        fail(fmt::format("expected a {} as a string with a unit (one of {}), got {}", dimension_name(dim),
                         dimension_units(dim), describe()));
    }
    double v = 0.0;
    try {
        v = parse_quantity(node_->get<std::string>(), dim);
    } catch (const UnitError& e) {
        fail(fmt::format("{} is not a valid {}: {}", describe(), dimension_name(dim), e.what()));
    }
    if (bound == Bound::Positive && !(v > 0)) {
        fail(fmt::format("{} must be > 0, got {}", dimension_name(dim), describe()));
    }
    if (bound == Bound::NonNegative && v < 0) {
        fail(fmt::format("{} must be >= 0, got {}", dimension_name(dim), describe()));
    }
    return v;
}

Seconds Value::as_seconds(Bound bound) const {
    return Seconds(quantity(Dimension::Time, bound));
}
Bytes Value::as_bytes(Bound bound) const {
    return Bytes(quantity(Dimension::Data, bound));
}
BytesPerSecond Value::as_bandwidth(Bound bound) const {
    return BytesPerSecond(quantity(Dimension::Bandwidth, bound));
}
Flops Value::as_flops(Bound bound) const {
    return Flops(quantity(Dimension::FlopCount, bound));
}
FlopsPerSecond Value::as_flop_rate(Bound bound) const {
    return FlopsPerSecond(quantity(Dimension::FlopRate, bound));
}
Watts Value::as_power(Bound bound) const {
    return Watts(quantity(Dimension::Power, bound));
}
Joules Value::as_energy(Bound bound) const {
    return Joules(quantity(Dimension::Energy, bound));
}

Object Value::as_object() const {
    return Object(*this);
}
Array Value::as_array() const {
    return Array(*this);
}

Object::Object(const Value& v) : self_(v) {
    if (!v.is_object()) {
        v.fail("expected an object, got " + json_excerpt(v.json()));
    }
}

bool Object::has(const std::string& key) const {
    return self_.json().contains(key);
}

void Object::fail_at(const std::string& key, const std::string& message) const {
    throw InputError(self_.file(), self_.pointer() + "/" + json_pointer_escape(key), message);
}

Value Object::at(const std::string& key) {
    auto v = find(key);
    if (!v) {
        fail_at(key, "missing required key \"" + key + "\"");
    }
    return *v;
}

std::optional<Value> Object::find(const std::string& key) {
    const auto& j = self_.json();
    auto it = j.find(key);
    if (it == j.end()) {
        return std::nullopt;
    }
    used_.insert(key);
    return Value(*it, self_.file_, self_.pointer() + "/" + json_pointer_escape(key));
}

std::vector<std::string> Object::keys() {
    std::vector<std::string> out;
    for (const auto& [k, v] : self_.json().items()) {
        out.push_back(k);
        used_.insert(k);
    }
    return out; // nlohmann::json objects iterate in sorted key order
}

void Object::finish() const {
    for (const auto& [k, v] : self_.json().items()) {
        if (!used_.contains(k)) {
            fail_at(k, "unknown key " + json_excerpt(nlohmann::json(k)));
        }
    }
}

Array::Array(const Value& v) : self_(v) {
    if (!v.is_array()) {
        v.fail("expected an array, got " + json_excerpt(v.json()));
    }
}

Value Array::at(std::size_t i) const {
    return Value(self_.json().at(i), self_.file_, self_.pointer() + "/" + std::to_string(i));
}

std::vector<Value> Array::values() const {
    std::vector<Value> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
        out.push_back(at(i));
    }
    return out;
}

Document Document::parse(std::string_view text, const std::string& file_name) {
    auto file = std::make_shared<const std::string>(file_name);
    ParseGuard guard;
    try {
        auto j = std::make_shared<const nlohmann::json>(
            nlohmann::json::parse(text, [&guard](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
                return guard.on_event(event, parsed);
            }));
        return Document(std::move(j), std::move(file));
    } catch (const ParseGuard::Refused& e) {
        throw InputError(file_name, e.pointer, e.message);
    } catch (const nlohmann::json::parse_error& e) {
        // Turn the byte offset into line:column, which is what an editor shows.
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string what = e.what();
        const auto pos = what.find("syntax error");
        throw InputError(file_name, "",
                         fmt::format("malformed JSON at line {}, column {}: {}", line, col,
                                     pos == std::string::npos ? what : what.substr(pos)));
    } catch (const nlohmann::json::exception& e) {
        // Number overflow (1e400) and the like: the value being read is where the guard stands.
        std::string what = e.what();
        const auto pos = what.find("] ");
        throw InputError(file_name, guard.pointer(),
                         "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
    }
}

Document Document::load(const std::filesystem::path& path) {
    return parse(read_input_file(path), path.string());
}

} // namespace twin
