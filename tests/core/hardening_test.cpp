// Issue 11: inputs that crashed, hung or were silently misread. Each test fails on the code before
// the fix (a segfault from recursion, a hang on a FIFO, a duplicate key that was accepted, ...).
#include "twin/core/input_file.hpp"
#include "twin/core/json_reader.hpp"
#include "twin_test/input_error.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using twin::test::error_of;

std::string nested(std::size_t depth, char open = '[', char close = ']') {
    return std::string(depth, open) + std::string(depth, close);
}

std::filesystem::path temp_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "twin_core_test_XXXXXX").string();
    return mkdtemp(templ.data());
}

} // namespace

TEST(Hardening, DeepNestingIsRefusedWithPointerNotACrash) {
    // ~100 KB of brackets used to overflow the stack in dump() on the error path.
    const std::string text = R"({"a": )" + nested(50000) + "}";
    const std::string msg = error_of([&] { (void)twin::Document::parse(text, "deep.json"); });
    EXPECT_NE(msg.find("deep.json: /a/0/0/0/"), std::string::npos) << msg;
    EXPECT_NE(msg.find(": nesting deeper than 128 levels"), std::string::npos) << msg;
    // Objects too, and at the root.
    std::string objects;
    for (int i = 0; i < 20000; ++i) {
        objects += R"({"k":)";
    }
    EXPECT_NE(error_of([&] { (void)twin::Document::parse(objects, "o.json"); }).find("nesting deeper than 128"),
              std::string::npos);
}

TEST(Hardening, NestingUpToTheLimitIsRead) {
    const auto doc = twin::Document::parse(nested(twin::kMaxJsonDepth), "ok.json");
    EXPECT_TRUE(doc.root().is_array());
    EXPECT_NE(error_of([&] {
                  (void)twin::Document::parse(nested(twin::kMaxJsonDepth + 1), "x.json");
              }).find("nesting deeper than 128 levels"),
              std::string::npos);
}

TEST(Hardening, ExcerptOfADeepValueDoesNotRecurse) {
    // A value nested deeper than the parser allows can still be built in code: the excerpt is
    // written without recursion and cut at 60 characters.
    nlohmann::json j = nlohmann::json::array();
    for (int i = 0; i < 200000; ++i) {
        j = nlohmann::json::array({std::move(j)});
    }
    const std::string e = twin::json_excerpt(j);
    EXPECT_EQ(e, std::string(60, '[') + "...");
    EXPECT_EQ(twin::json_excerpt(nlohmann::json::parse(R"({"a":[1,"x\u001b"],"b":null})")),
              R"({"a":[1,"x\u001b"],"b":null})");
}

TEST(Hardening, DuplicateKeysAreRefusedAtTheirPointer) {
    EXPECT_EQ(error_of([] { (void)twin::Document::parse(R"({"a": {"b": 1, "b": 2}})", "d.json"); }),
              "d.json: /a/b: duplicate key \"b\"");
    EXPECT_EQ(error_of([] { (void)twin::Document::parse(R"({"x": [{}, {"k": 1, "k": 1}]})", "d.json"); }),
              "d.json: /x/1/k: duplicate key \"k\"");
    // The same key in sibling objects is fine.
    EXPECT_NO_THROW((void)twin::Document::parse(R"([{"k": 1}, {"k": 2}])", "ok.json"));
}

TEST(Hardening, NumberOverflowIsABadInputWithPointer) {
    const std::string msg = error_of([] { (void)twin::Document::parse(R"({"a": [1, {"b": 1e400}]})", "n.json"); });
    EXPECT_NE(msg.find("n.json: /a/1/b: malformed JSON: number overflow"), std::string::npos) << msg;
    EXPECT_NE(error_of([] { (void)twin::Document::parse("-1e400", "n.json"); }).find("n.json: /: malformed JSON"),
              std::string::npos);
}

TEST(Hardening, DenormalNumbersAreRefused) {
    auto doc = twin::Document::parse(R"({"e": 1e-320, "z": 0, "n": -1e-310})", "t.json");
    twin::Object o = doc.root().as_object();
    EXPECT_NE(error_of([&] { (void)o.at("e").as_number(twin::Bound::Positive); }).find("t.json: /e: expected a number"),
              std::string::npos);
    EXPECT_EQ(o.at("z").as_number(), 0.0);
    EXPECT_NE(error_of([&] { (void)o.at("n").as_number(); }).find("/n:"), std::string::npos);
}

TEST(Hardening, RatiosRefuseHexAndPadding) {
    auto doc = twin::Document::parse(R"({"a": "0x2:1", "b": " 2:1", "c": "2:0x1", "d": "2:1"})", "t.json");
    twin::Object o = doc.root().as_object();
    for (const char* k : {"a", "b", "c"}) {
        EXPECT_NE(error_of([&] { (void)o.at(k).as_ratio(); }).find("expected a ratio such as 2"), std::string::npos)
            << k;
    }
    EXPECT_DOUBLE_EQ(o.at("d").as_ratio(), 2.0);
}

TEST(Hardening, MessagesStayOneBoundedLine) {
    // An unknown key of 10,000 characters with a newline and a terminal escape in it.
    const std::string key = "x\n\x1b[31m" + std::string(10000, 'k');
    const std::string text = nlohmann::json{{key, 1}}.dump();
    auto doc = twin::Document::parse(text, "k.json");
    twin::Object o = doc.root().as_object();
    const std::string msg = error_of([&] { o.finish(); });
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\x1b'), std::string::npos) << msg;
    EXPECT_LT(msg.size(), 700U) << msg;
    EXPECT_EQ(msg.rfind("k.json: /x\\n\\x1b[31mkkk", 0), 0U) << msg;
    EXPECT_NE(msg.find(": unknown key \"x\\u000a\\u001b[31mkkk"), std::string::npos) << msg;
    // printable() keeps ordinary text and UTF-8, and cuts at a character boundary.
    EXPECT_EQ(twin::printable("µs ok", 100), "µs ok");
    EXPECT_EQ(twin::printable("aµ", 2), "a...");
    EXPECT_EQ(twin::printable("a\xc2\x9b"
                              "b",
                              100),
              "a\\u009bb");
}

TEST(Hardening, OnlyRegularFilesWithinTheLimitAreRead) {
    const auto dir = temp_dir();
    // A FIFO without a writer used to block the reader forever.
    const auto fifo = dir / "pipe.json";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(error_of([&] { (void)twin::Document::load(fifo); }),
              fifo.string() + ": /: is not a regular file (a device, FIFO or socket)");
    EXPECT_EQ(error_of([] { (void)twin::Document::load("/dev/zero"); }),
              "/dev/zero: /: is not a regular file (a device, FIFO or socket)");
    EXPECT_EQ(error_of([&] { (void)twin::Document::load(dir); }),
              dir.string() + ": /: is a directory, expected a file");
    const auto big = dir / "big.json";
    std::ofstream(big) << "[" << std::string(2000, ' ') << "]";
    const auto saved = twin::max_input_file_bytes();
    twin::set_max_input_file_bytes(1000);
    EXPECT_EQ(error_of([&] { (void)twin::Document::load(big); }),
              big.string() + ": /: file is 2002 bytes, larger than the input limit of 1000 bytes");
    twin::set_max_input_file_bytes(saved);
    EXPECT_TRUE(twin::Document::load(big).root().is_array());
    std::filesystem::remove_all(dir);
}
