#include "twin/core/json_reader.hpp"

#include <fmt/format.h>
#include <vector>

namespace twin {
namespace {

// Appends `s` as a JSON string literal, escaping quotes, backslashes and control characters;
// stops early once `out` is longer than `limit` (the caller cuts it).
void append_quoted(std::string& out, const std::string& s, std::size_t limit) {
    out += '"';
    for (char c : s) {
        if (out.size() > limit) {
            return;
        }
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\u{:04x}", u);
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_scalar(std::string& out, const nlohmann::json& v, std::size_t limit) {
    if (v.is_string()) {
        append_quoted(out, v.get_ref<const std::string&>(), limit);
    } else if (v.is_binary()) {
        out += "<binary>";
    } else {
        out += v.dump(); // numbers, booleans, null: short, no recursion
    }
}

} // namespace

std::string json_excerpt(const nlohmann::json& j, std::size_t max_chars) {
    struct Frame {
        const nlohmann::json* node;
        nlohmann::json::const_iterator it;
        bool first;
    };
    std::string out;
    std::vector<Frame> stack;
    const auto visit = [&](const nlohmann::json& v) {
        if (v.is_object() || v.is_array()) {
            out += v.is_object() ? '{' : '[';
            stack.push_back(Frame{&v, v.cbegin(), true});
        } else {
            append_scalar(out, v, max_chars);
        }
    };
    visit(j);
    while (!stack.empty() && out.size() <= max_chars) {
        Frame& f = stack.back();
        if (f.it == f.node->cend()) {
            out += f.node->is_object() ? '}' : ']';
            stack.pop_back();
            continue;
        }
        if (!f.first) {
            out += ',';
        }
        f.first = false;
        if (f.node->is_object()) {
            append_quoted(out, f.it.key(), max_chars);
            out += ':';
        }
        const nlohmann::json& child = *f.it;
        ++f.it;
        visit(child); // may grow the stack: `f` is not used after this
    }
    if (out.size() > max_chars) {
        out = printable(out, max_chars); // cuts at a character boundary and adds "..."
    }
    return out;
}

} // namespace twin
