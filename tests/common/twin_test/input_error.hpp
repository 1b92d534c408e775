// One helper per check, shared by every test folder (fmt's test/gtest-extra.h does this for fmt):
// bad input throws twin::InputError, and a test checks its file, JSON pointer and message.
//
//   EXPECT_INPUT_ERROR(load_text(text), "/topology/fabric/rails", "expected 8 rails");
//   EXPECT_INPUT_ERROR_IN(load(path), "rank0.json", "/1/attr", "not in rank 0's group");
//   const InputError e = input_error_of([&] { (void)load(text); });   // for checks of your own
//   const std::string msg = error_of([&] { (void)load(text); });      // what(), or "no error"
//
// EXPECT_INPUT_ERROR expects the file "test.json", the name the tests give their inline documents.
// Each also checks that what() is the one line the CLI prints: "<file>: <pointer or />: <message>".
#pragma once

#include "twin/core/error.hpp"

#include <gtest/gtest.h>
#include <string>
#include <utility>

namespace twin::test {

// The InputError that `f()` throws; fails the test and returns an empty error when it throws none.
template <typename F>
InputError input_error_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const InputError& e) {
        return e;
    }
    ADD_FAILURE() << "expected an InputError, got none";
    return InputError("", "", "no error");
}

// The message (what()) of the InputError that `f()` throws, or "no error".
template <typename F>
std::string error_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

// "<file>: <pointer>: " as InputError::what() starts ("/" for the whole document).
inline std::string error_prefix(const std::string& file, const std::string& pointer) {
    return file + ": " + (pointer.empty() ? std::string("/") : pointer) + ": ";
}

} // namespace twin::test

#define EXPECT_INPUT_ERROR_IN(statement_arg, file_arg, pointer_arg, substring_arg)                                     \
    do {                                                                                                               \
        const ::twin::InputError e_ = ::twin::test::input_error_of([&] { (void)(statement_arg); });                    \
        EXPECT_EQ(e_.file(), file_arg) << e_.what();                                                                   \
        EXPECT_EQ(e_.pointer(), pointer_arg) << e_.what();                                                             \
        EXPECT_EQ(std::string(e_.what()).rfind(::twin::test::error_prefix(file_arg, pointer_arg), 0), 0U)              \
            << e_.what();                                                                                              \
        EXPECT_NE(std::string(e_.what()).find(substring_arg), std::string::npos) << e_.what();                         \
    } while (false)

#define EXPECT_INPUT_ERROR(statement, pointer, substring)                                                              \
    EXPECT_INPUT_ERROR_IN(statement, "test.json", pointer, substring)
