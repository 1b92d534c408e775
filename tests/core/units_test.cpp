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

TEST(Units, StrongTypeArithmetic) {
    const twin::Bytes b(1e9);
    const twin::BytesPerSecond r(5e8);
    EXPECT_DOUBLE_EQ((b / r).value(), 2.0);
    EXPECT_DOUBLE_EQ((twin::Watts(700) * twin::Seconds(2)).value(), 1400.0);
}
