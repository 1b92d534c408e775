// The one error type for bad input. Every user-facing failure (unreadable file, malformed JSON,
// unknown key, bad unit, impossible topology, model that does not fit) is an InputError that
// names the file and the JSON pointer; front ends print what() as one line and exit 2.
//
// Files, pointers and messages can carry text from an untrusted input (a key of 10,000 characters,
// a newline or a terminal escape sequence inside a key): the error keeps them printable, on one
// line and bounded (see printable()).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twin {

class InputError : public std::runtime_error {
public:
    // what() is "<file>: <pointer>: <message>" (the pointer is "/" for the whole document). Each
    // part is passed through printable() (file and pointer at most kMaxNameChars, the message at
    // most kMaxMessageChars), so what() is always one bounded line.
    InputError(std::string file, std::string pointer, std::string message);

    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] const std::string& pointer() const { return pointer_; }
    [[nodiscard]] const std::string& message() const { return message_; }

    static constexpr std::size_t kMaxNameChars = 240;
    static constexpr std::size_t kMaxMessageChars = 1000;

private:
    std::string file_;
    std::string pointer_;
    std::string message_;
};

// `text` made safe to print on one line: control characters (newline, tab, ESC, DEL, ...) become
// escapes ("\n", "\t", "\x1b"), and text longer than `max_chars` bytes is cut at a UTF-8 character
// boundary and ends in "...". Printable text comes back unchanged.
[[nodiscard]] std::string printable(std::string_view text, std::size_t max_chars);

// Escapes a key for use inside a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
[[nodiscard]] std::string json_pointer_escape(const std::string& key);

} // namespace twin
