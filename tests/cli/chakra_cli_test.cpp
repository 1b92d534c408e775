// Chakra export and import end to end (issue 20): `clustertwin workload --chakra` writes the
// bundled .et files byte for byte, and running them gives the source scenario's step time.
#include "cli_util.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace twin::test {
namespace {

using json = nlohmann::json;

class ChakraCli : public CliTest {
protected:
    double step_time(const std::string& scenario) {
        const fs::path out = dir_ / scenario;
        const auto r = run("run -q -o " + sh_quote(out.string()) + " scenarios/" + scenario + ".json");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(read_text(out / "report.json"))["simulated_time_s"].get<double>();
    }
};

TEST_F(ChakraCli, ExportWritesTheBundledFiles) {
    const fs::path et = dir_ / "et";
    const auto r = run("workload scenarios/dgx-h100-1node.json --chakra " + sh_quote(et.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("wrote 8 Chakra rank files"), std::string::npos) << r.out;
    for (int rank = 0; rank < 8; ++rank) {
        const std::string name = "rank" + std::to_string(rank) + ".et";
        EXPECT_TRUE(read_text(et / name) ==
                    read_text(fs::path(TWIN_SOURCE_DIR) / "scenarios/traces/chakra-et-gpt" / name))
            << name;
    }
}

TEST_F(ChakraCli, ImportedExportRunsLikeItsSource) {
    const double source = step_time("dgx-h100-1node");
    const double et = step_time("chakra-et-gpt-dgx-h100");
    EXPECT_GT(source, 0.0);
    EXPECT_NEAR(et, source, 1e-9 * source);
}

TEST_F(ChakraCli, ExportErrorsAreOneLine) {
    write_text(dir_ / "file", "x");
    const auto r = run("workload scenarios/dgx-h100-1node.json --chakra " + sh_quote((dir_ / "file").string()));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("--chakra"), std::string::npos) << r.err;
}

} // namespace
} // namespace twin::test
