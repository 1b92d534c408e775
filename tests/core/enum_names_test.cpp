// One name table per enum (twin/core/enum_names.hpp): both directions, the list of choices, the
// checked JSON reading, and that a table is usable at compile time.
#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"

#include <gtest/gtest.h>
#include <string>

namespace {

enum class Colour { Red, Green, Blue, Unlisted };

constexpr auto kColourNames =
    twin::enum_names<Colour>({{Colour::Red, "red"}, {Colour::Green, "green"}, {Colour::Blue, "light-blue"}});

static_assert(kColourNames.size() == 3);
static_assert(kColourNames.name_of(Colour::Green) == "green");
static_assert(kColourNames.parse("light-blue") == Colour::Blue);
static_assert(!kColourNames.parse("Blue").has_value());

TEST(EnumNames, BothDirections) {
    for (const auto& e : kColourNames.entries()) {
        EXPECT_EQ(kColourNames.name_of(e.value), e.name);
        EXPECT_EQ(kColourNames.parse(e.name), e.value);
    }
    EXPECT_EQ(kColourNames.parse(""), std::nullopt);
    EXPECT_EQ(kColourNames.parse("red "), std::nullopt); // exact match only
}

TEST(EnumNames, AValueNotInTheTableGivesTheFallback) {
    EXPECT_EQ(kColourNames.name_of(Colour::Unlisted), "?");
    EXPECT_EQ(kColourNames.name_of(Colour::Unlisted, "colour"), "colour");
}

TEST(EnumNames, ListsTheChoicesInTableOrder) {
    EXPECT_EQ(kColourNames.list(), "red, green, light-blue");
    EXPECT_EQ(kColourNames.list(" or "), "red, green or light-blue");
    EXPECT_EQ(kColourNames.names(), (std::vector<std::string_view>{"red", "green", "light-blue"}));
    constexpr auto one = twin::enum_names<Colour>({{Colour::Red, "red"}});
    EXPECT_EQ(one.list(" or "), "red");
}

TEST(EnumNames, ReadEnumFromJson) {
    const auto doc = twin::Document::parse(R"({"c": "green", "bad": "purple"})", "test.json");
    twin::Object root = doc.root().as_object();
    EXPECT_EQ(twin::read_enum(root.at("c"), kColourNames), Colour::Green);
    try {
        (void)twin::read_enum(root.at("bad"), kColourNames);
        ADD_FAILURE() << "no error";
    } catch (const twin::InputError& e) {
        EXPECT_EQ(e.pointer(), "/bad");
        EXPECT_NE(std::string(e.what()).find("expected one of red, green, light-blue"), std::string::npos) << e.what();
    }
}

} // namespace
