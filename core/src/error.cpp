#include "twin/core/error.hpp"

#include <fmt/format.h>

namespace twin {
namespace {
std::string compose(const std::string& file, const std::string& pointer, const std::string& message) {
    return file + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + message;
}

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}
} // namespace

InputError::InputError(std::string file, std::string pointer, std::string message)
    : std::runtime_error(compose(printable(file, kMaxNameChars), printable(pointer, kMaxNameChars),
                                 printable(message, kMaxMessageChars))),
      file_(printable(file, kMaxNameChars)), pointer_(printable(pointer, kMaxNameChars)),
      message_(printable(message, kMaxMessageChars)) {}

std::string printable(std::string_view text, std::size_t max_chars) {
    std::string out;
    out.reserve(std::min(text.size(), max_chars) + 4);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (out.size() >= max_chars) {
            // Cut at a character boundary: never leave half of a UTF-8 sequence.
            while (!out.empty() && is_continuation(out.back())) {
                out.pop_back();
            }
            if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0U) == 0xC0U) {
                out.pop_back();
            }
            out += "...";
            break;
        }
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\x{:02x}", u);
        } else if (u == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F: C1 control characters (0x9B is a terminal's CSI).
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[i + 1]));
            ++i;
        } else {
            out += c;
        }
    }
    return out;
}

std::string json_pointer_escape(const std::string& key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace twin
