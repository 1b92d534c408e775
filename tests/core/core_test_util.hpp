// Shared by the core tests: the message of the InputError that `f` throws, or "no error".
#pragma once

#include "twin/core/error.hpp"

#include <functional>
#include <string>

namespace twin::test {

inline std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const twin::InputError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace twin::test
