#include "twin/core/error.hpp"

namespace twin {
namespace {
std::string compose(const std::string& file, const std::string& pointer, const std::string& message) {
    return file + ": " + (pointer.empty() ? std::string("/") : pointer) + ": " + message;
}
} // namespace

InputError::InputError(std::string file, std::string pointer, std::string message)
    : std::runtime_error(compose(file, pointer, message)), file_(std::move(file)), pointer_(std::move(pointer)),
      message_(std::move(message)) {}

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
