// `run --bin`: the time series' narrowest bin, read as a time with a unit (README, "Time series").
#include "cli_util.hpp"

#include <nlohmann/json.hpp>

namespace twin::test {
namespace {

class SeriesCli : public CliTest {};

TEST_F(SeriesCli, BinWithoutAUnitIsACommandLineError) {
    const auto r = run("run scenarios/dgx-h100-1node.json -q --bin 5 -o " + sh_quote((dir_ / "out").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind("error: command line: --bin: expected a time", 0), 0U) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "report.json"));
}

TEST_F(SeriesCli, BinOutOfRangeIsACommandLineError) {
    const auto r = run("run scenarios/dgx-h100-1node.json -q --bin 0.1ns -o " + sh_quote((dir_ / "out").string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--bin: 0.1ns is out of range"), std::string::npos) << r.err;
}

} // namespace
} // namespace twin::test
