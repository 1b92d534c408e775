// Budgets checked before a run (sim/budget.hpp) and the sweep's size ladder bound.
#include "twin/core/error.hpp"
#include "twin/models/scenario.hpp"
#include "twin/sim/budget.hpp"
#include "twin/sim/sweep.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;

// A max near DBL_MAX made the ladder reach inf; inf <= inf never ended the loop.
TEST(SizeLadder, RefusesSizesAboveOnePebibyte) {
    EXPECT_THROW((void)twin::sim::size_ladder(1, std::numeric_limits<double>::max(), 2), std::invalid_argument);
    EXPECT_THROW((void)twin::sim::size_ladder(1, twin::sim::kMaxSweepBytes * 2, 2), std::invalid_argument);
    EXPECT_THROW((void)twin::sim::size_ladder(1, 1024, 1.0), std::invalid_argument);
    // The longest ladder the CLI allows (factor >= 1.01): ln(2^50) / ln(1.01) + 1 = 3484 sizes.
    const auto sizes = twin::sim::size_ladder(1, twin::sim::kMaxSweepBytes, 1.01);
    EXPECT_EQ(sizes.size(), 3484U);
    EXPECT_LE(sizes.back(), twin::sim::kMaxSweepBytes);
}

// dgx-h100-1node: 8 ranks of one class, each 24 forward + 24 x 2 backward steps + the optimizer
// = 73 operations; 584 unfolded. Folding runs fewer ranks.
TEST(Budget, EstimateCountsRepeatsAndFolding) {
    const auto s = twin::models::load_scenario(fs::path(TWIN_SOURCE_DIR) / "scenarios/dgx-h100-1node.json");
    twin::sim::RunOptions options;
    EXPECT_EQ(twin::sim::estimate_ops(s.cluster, s.trace, options), 584); // within the budget: not folded
    options.max_ops = 100;
    const auto folded = twin::sim::estimate_ops(s.cluster, s.trace, options);
    EXPECT_LT(folded, 584);
    EXPECT_EQ(folded % 73, 0);
    options.no_fold = true;
    EXPECT_EQ(twin::sim::estimate_ops(s.cluster, s.trace, options), 584);
}

TEST(Budget, CheckNamesTheLargestClassAndTheLimit) {
    const auto s = twin::models::load_scenario(fs::path(TWIN_SOURCE_DIR) / "scenarios/dgx-h100-1node.json");
    twin::sim::RunOptions options;
    options.no_fold = true;
    options.max_ops = 583;
    try {
        twin::sim::check_budget(s.cluster, s.trace, options);
        ADD_FAILURE() << "expected an InputError";
    } catch (const twin::InputError& e) {
        EXPECT_EQ(e.pointer(), "/classes/0/program");
        EXPECT_NE(std::string(e.what()).find("the run would execute 584 operations"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("above the limit of 583; raise it with --max-ops N"), std::string::npos)
            << e.what();
    }
    options.max_ops = 584;
    EXPECT_NO_THROW(twin::sim::check_budget(s.cluster, s.trace, options));
}

} // namespace
