#include "twin/core/units.hpp"

#include <gtest/gtest.h>

using twin::Dimension;
using twin::parse_quantity;

TEST(Units, BandwidthBitsBecomeBytes) {
    EXPECT_DOUBLE_EQ(parse_quantity("400Gbps", Dimension::Bandwidth), 50e9);
    EXPECT_DOUBLE_EQ(parse_quantity("800 Gb/s", Dimension::Bandwidth), 100e9);
    EXPECT_DOUBLE_EQ(parse_quantity("450GB/s", Dimension::Bandwidth), 450e9);
    EXPECT_DOUBLE_EQ(parse_quantity("1GiB/s", Dimension::Bandwidth), 1073741824.0);
}

TEST(Units, TimeDataPowerFlops) {
    EXPECT_DOUBLE_EQ(parse_quantity("1.5us", Dimension::Time), 1.5e-6);
    EXPECT_DOUBLE_EQ(parse_quantity("2min", Dimension::Time), 120.0);
    EXPECT_DOUBLE_EQ(parse_quantity("80GiB", Dimension::Data), 80.0 * 1073741824.0);
    EXPECT_DOUBLE_EQ(parse_quantity("80GB", Dimension::Data), 80e9);
    EXPECT_DOUBLE_EQ(parse_quantity("700W", Dimension::Power), 700.0);
    EXPECT_DOUBLE_EQ(parse_quantity("1.2MW", Dimension::Power), 1.2e6);
    EXPECT_DOUBLE_EQ(parse_quantity("989.4TFLOPS", Dimension::FlopRate), 989.4e12);
    EXPECT_DOUBLE_EQ(parse_quantity("2PFLOP", Dimension::FlopCount), 2e15);
    EXPECT_DOUBLE_EQ(parse_quantity("1kWh", Dimension::Energy), 3.6e6);
}

TEST(Units, RejectsBadSuffixesAndNumbers) {
    EXPECT_THROW((void)parse_quantity("400Gbs", Dimension::Bandwidth), twin::UnitError);
    EXPECT_THROW((void)parse_quantity("400", Dimension::Bandwidth), twin::UnitError);
    EXPECT_THROW((void)parse_quantity("Gbps", Dimension::Bandwidth), twin::UnitError);
    EXPECT_THROW((void)parse_quantity("1e999GB", Dimension::Data), twin::UnitError);
    // A unit of another dimension is not accepted.
    EXPECT_THROW((void)parse_quantity("5W", Dimension::Time), twin::UnitError);
}

// Issue 11: numbers that are not plain decimals, padding, and values that underflow to zero or to a
// denormal are rejected instead of reaching the engine as 0, inf or nan.
TEST(Units, RejectsHexPaddingAndUnderflow) {
    for (const char* text : {"0x1p3MB", "  7MB", "7MB ", "7  MB", "+7MB", "infMB", "nanMB", "1e-999MB", "1e-320MB",
                             ".MB", "-MB", "1e400MB", "7\nMB"}) {
        EXPECT_THROW((void)parse_quantity(text, Dimension::Data), twin::UnitError) << text;
    }
    // 1e-300 B/s is a normal double but 1e-300 b/s (/8) is still normal; 1e-310 B/s is not.
    EXPECT_THROW((void)parse_quantity("1e-310B/s", Dimension::Bandwidth), twin::UnitError);
    EXPECT_THROW((void)parse_quantity("1e-999W", Dimension::Power), twin::UnitError);
    // What stays accepted: signs for the caller's range check, exponents, a fraction without a
    // leading digit, one blank, and an exponent letter that is really the unit ("2EFLOP").
    EXPECT_DOUBLE_EQ(parse_quantity("-5W", Dimension::Power), -5.0);
    EXPECT_DOUBLE_EQ(parse_quantity("1e3W", Dimension::Power), 1000.0);
    EXPECT_DOUBLE_EQ(parse_quantity(".5s", Dimension::Time), 0.5);
    EXPECT_DOUBLE_EQ(parse_quantity("7 TFLOP", Dimension::FlopCount), 7e12);
    EXPECT_DOUBLE_EQ(parse_quantity("2EFLOP", Dimension::FlopCount), 2e18);
    EXPECT_DOUBLE_EQ(parse_quantity("0B", Dimension::Data), 0.0);
}

TEST(Units, PlainNumbers) {
    double v = 0;
    EXPECT_TRUE(twin::parse_plain_number("2.5e3", v));
    EXPECT_DOUBLE_EQ(v, 2500.0);
    for (const char* text : {"", "0x10", " 1", "1 ", "1e400", "1e-320", "inf", "1:2", "+1"}) {
        EXPECT_FALSE(twin::parse_plain_number(text, v)) << text;
    }
}

TEST(Units, StrongTypeArithmetic) {
    const twin::Bytes b(1e9);
    const twin::BytesPerSecond r(5e8);
    EXPECT_DOUBLE_EQ((b / r).value(), 2.0);
    EXPECT_DOUBLE_EQ((twin::Watts(700) * twin::Seconds(2)).value(), 1400.0);
}
