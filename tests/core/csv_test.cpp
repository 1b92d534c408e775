// The RFC 4180 CSV writer (twin/core/csv.hpp), read back by a strict RFC 4180 reader.
#include "twin/core/csv.hpp"
#include "twin_test/rfc4180.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using twin::csv_field;
using twin::CsvWriter;
using twin::test::parse_rfc4180;
using Rows = std::vector<std::vector<std::string>>;

TEST(CsvField, PlainTextStaysAsIs) {
    EXPECT_EQ(csv_field("leaf.g0.r3"), "leaf.g0.r3");
    EXPECT_EQ(csv_field("node0/nic3 <-> leaf"), "node0/nic3 <-> leaf");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("it's"), "it's"); // an apostrophe is no quote
}

TEST(CsvField, CommaQuoteCrAndLfAreQuoted) {
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("leaf,\"A\""), "\"leaf,\"\"A\"\"\"");
    EXPECT_EQ(csv_field("\""), "\"\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

// Numbers print as fmt's "{}" (the format links.csv and power.csv always had), rows end in LF.
TEST(CsvWriter, NumbersAndLineEndsAsBefore) {
    CsvWriter w({"name", "bytes", "utilization", "id"});
    w.row("up", 1.5e9, 0.1, std::int64_t{7});
    w.row(std::string("down"), 0.0, 1.0 / 3.0, 12U);
    EXPECT_EQ(w.str(), "name,bytes,utilization,id\nup,1500000000,0.1,7\ndown,0,0.3333333333333333,12\n");
}

TEST(CsvWriter, AStrictReaderGetsEveryFieldBack) {
    const std::vector<std::string> names = {"leaf,\"A\"", "plain", "\"quoted\"", "multi\r\nline", ",", ""};
    CsvWriter w({"name", "value"});
    for (const auto& n : names) {
        w.row(n, 2.5);
    }
    const Rows rows = parse_rfc4180(w.str());
    ASSERT_EQ(rows.size(), names.size() + 1);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "value"}));
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(rows[i + 1], (std::vector<std::string>{names[i], "2.5"})) << i;
    }
}

TEST(CsvWriter, HeaderNamesAreQuotedToo) {
    CsvWriter w({"a,b", "c"});
    EXPECT_EQ(w.str(), "\"a,b\",c\n");
}

// The test reader itself is strict: what a naive writer produces for a name with a comma or a
// quote is rejected or reads back wrong.
TEST(Rfc4180Reader, RejectsWhatANaiveWriterWrites) {
    EXPECT_EQ(parse_rfc4180("leaf,\"A\",1\n"), (Rows{{"leaf", "A", "1"}})); // one name read as two fields
    EXPECT_THROW((void)parse_rfc4180("a\"b,1\n"), std::runtime_error);      // quote in a bare field
    EXPECT_THROW((void)parse_rfc4180("\"open,1\n"), std::runtime_error);    // unterminated
    EXPECT_THROW((void)parse_rfc4180("a,1"), std::runtime_error);           // no final line break
    EXPECT_EQ(parse_rfc4180("a,\"b\"\"c\"\r\nd,e\n"), (Rows{{"a", "b\"c"}, {"d", "e"}}));
}

} // namespace
