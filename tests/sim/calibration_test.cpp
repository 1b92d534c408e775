// Calibration: every measured NCCL bus bandwidth in tests/calibration/nccl_busbw.json must be
// reproduced by the full simulator (planner + SimGrid flows) within the file's tolerance. Each
// case runs in its own process (one SimGrid engine per process).
#include "calibration_clusters.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/sim/sweep.hpp"
#include "twin/topology/load.hpp"

#include <cctype>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct Case {
    nlohmann::json json;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.json.at("id").get<std::string>();
}

nlohmann::json calibration_file() {
    std::ifstream in(std::string(TWIN_SOURCE_DIR) + "/tests/calibration/nccl_busbw.json");
    return nlohmann::json::parse(in);
}

std::vector<Case> cases() {
    std::vector<Case> out;
    const nlohmann::json file = calibration_file(); // keep it alive for the loop
    for (const auto& c : file.at("cases")) {
        out.push_back(Case{c});
    }
    return out;
}

// The fabric a multi-node case runs on: rail-optimized leaf/spine of the technology's switches.

twin::models::Algorithm algorithm_of(const std::string& name) {
    using twin::models::Algorithm;
    for (auto a : {Algorithm::Auto, Algorithm::Ring, Algorithm::Tree, Algorithm::Nvls, Algorithm::NvlsTree,
                   Algorithm::Hierarchical}) {
        if (twin::models::algorithm_name(a) == name) {
            return a;
        }
    }
    throw std::invalid_argument("unknown algorithm " + name);
}

class Calibration : public ::testing::TestWithParam<Case> {};

TEST_P(Calibration, BusBandwidthWithinTolerance) {
    const auto& c = GetParam().json;
    const double tolerance = calibration_file().at("tolerance").get<double>();
    const auto cluster = twin::test::calibration_cluster(c, "calibration.json");
    twin::sim::SweepSpec spec;
    spec.members = twin::sim::parse_group(cluster, c.at("group").get<std::string>());
    spec.sizes_bytes = {twin::parse_quantity(c.at("size").get<std::string>(), twin::Dimension::Data)};
    spec.all_algorithms = false;
    spec.algorithm = algorithm_of(c.at("algorithm").get<std::string>());
    spec.no_fold = true; // SimGrid flows: the full simulator, not the sweep's fluid shortcut
    const auto rows = twin::sim::run_sweep(cluster, spec);
    ASSERT_EQ(rows.size(), 1u);
    const double measured = c.at("busbw_GBps").get<double>();
    const double simulated = rows[0].busbw_bytes_per_s / 1e9;
    // One line per case, the source of the README's calibration table.
    std::printf("calibration %-32s measured %7.1f GB/s  simulated %7.1f GB/s  (%+.1f %%)  %s\n",
                c.at("id").get<std::string>().c_str(), measured, simulated, 100 * (simulated / measured - 1),
                rows[0].chosen.c_str());
    EXPECT_NEAR(simulated / measured, 1.0, tolerance) << c.at("source").get<std::string>();
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    std::string name = info.param.json.at("id").get<std::string>();
    for (auto& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) {
            ch = '_';
        }
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Nccl, Calibration, ::testing::ValuesIn(cases()), case_name);

} // namespace
