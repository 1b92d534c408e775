// The one error type for bad input. Every user-facing failure (unreadable file, malformed JSON,
// unknown key, bad unit, impossible topology, model that does not fit) is an InputError that
// names the file and the JSON pointer; front ends print what() as one line and exit 2.
#pragma once

#include <stdexcept>
#include <string>

namespace twin {

class InputError : public std::runtime_error {
public:
    // what() is "<file>: <pointer>: <message>" (the pointer is "/" for the whole document).
    InputError(std::string file, std::string pointer, std::string message);

    [[nodiscard]] const std::string& file() const { return file_; }
    [[nodiscard]] const std::string& pointer() const { return pointer_; }
    [[nodiscard]] const std::string& message() const { return message_; }

private:
    std::string file_;
    std::string pointer_;
    std::string message_;
};

// Escapes a key for use inside a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
[[nodiscard]] std::string json_pointer_escape(const std::string& key);

} // namespace twin
