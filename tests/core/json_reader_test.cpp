#include "twin/core/json_reader.hpp"
#include "twin_test/input_error.hpp"

#include <gtest/gtest.h>

namespace {

using twin::test::error_of;

} // namespace

TEST(JsonReader, ReadsQuantitiesAndRejectsUnknownKeys) {
    auto doc = twin::Document::parse(R"({"bw": "400Gbps", "lat": "1us", "n": 3, "extra": 1})", "t.json");
    twin::Object o = doc.root().as_object();
    EXPECT_DOUBLE_EQ(o.at("bw").as_bandwidth().value(), 50e9);
    EXPECT_DOUBLE_EQ(o.at("lat").as_seconds().value(), 1e-6);
    EXPECT_EQ(o.at("n").as_integer(1, 10), 3);
    EXPECT_EQ(error_of([&] { o.finish(); }), "t.json: /extra: unknown key \"extra\"");
}

TEST(JsonReader, MissingKeyNamesItsPointer) {
    auto doc = twin::Document::parse(R"({"a": {"b": {}}})", "t.json");
    twin::Object b = doc.root().as_object().at("a").as_object().at("b").as_object();
    EXPECT_EQ(error_of([&] { (void)b.at("size"); }), "t.json: /a/b/size: missing required key \"size\"");
}

TEST(JsonReader, BadUnitNamesValueAndExpectation) {
    auto doc = twin::Document::parse(R"({"links": [{"bw": "400Gbs"}]})", "t.json");
    auto v = doc.root().as_object().at("links").as_array().at(0).as_object().at("bw");
    const std::string msg = error_of([&] { (void)v.as_bandwidth(); });
    EXPECT_NE(msg.find("t.json: /links/0/bw: \"400Gbs\" is not a valid bandwidth"), std::string::npos) << msg;
}

TEST(JsonReader, QuantityBoundsAndBareNumbers) {
    auto doc = twin::Document::parse(R"({"zero": "0B", "neg": "-5W", "bare": 5})", "t.json");
    twin::Object o = doc.root().as_object();
    EXPECT_NE(error_of([&] { (void)o.at("zero").as_bytes(); }).find("/zero: data size must be > 0"), std::string::npos);
    EXPECT_NE(error_of([&] { (void)o.at("neg").as_power(); }).find("/neg: power must be > 0"), std::string::npos);
    EXPECT_NE(error_of([&] { (void)o.at("bare").as_seconds(); }).find("/bare: expected a time as a string"),
              std::string::npos);
}

TEST(JsonReader, Ratios) {
    auto doc = twin::Document::parse(R"({"a": "2:1", "b": 1.5, "c": "1:2", "d": "x"})", "t.json");
    twin::Object o = doc.root().as_object();
    EXPECT_DOUBLE_EQ(o.at("a").as_ratio(), 2.0);
    EXPECT_DOUBLE_EQ(o.at("b").as_ratio(), 1.5);
    EXPECT_NE(error_of([&] { (void)o.at("c").as_ratio(); }).find("/c: expected a ratio >= 1"), std::string::npos);
    EXPECT_NE(error_of([&] { (void)o.at("d").as_ratio(); }).find("/d: expected a ratio"), std::string::npos);
}

TEST(JsonReader, MalformedJsonGivesLineAndColumn) {
    const std::string msg = error_of([] { (void)twin::Document::parse("{\n  \"a\": 1,\n  \"b\": }", "bad.json"); });
    EXPECT_NE(msg.find("bad.json: /: malformed JSON at line 3"), std::string::npos) << msg;
}

TEST(JsonReader, MissingFile) {
    EXPECT_EQ(error_of([] { (void)twin::Document::load("/nonexistent/x.json"); }),
              "/nonexistent/x.json: /: cannot open file: No such file or directory");
}

TEST(JsonReader, PointerEscaping) {
    auto doc = twin::Document::parse(R"({"a/b": {"c~d": "x"}})", "t.json");
    twin::Object o = doc.root().as_object().at("a/b").as_object();
    EXPECT_EQ(error_of([&] { (void)o.at("c~d").as_integer(0, 1); }),
              "t.json: /a~1b/c~0d: expected an integer, got \"x\"");
}
