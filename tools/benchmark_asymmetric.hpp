// clustertwin-benchmark --asymmetric: the 100k rung with its symmetry broken (see
// benchmark_asymmetric.cpp).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace twin::bench {

// Prints the table (markdown) on stdout; writes scenarios and reports into `dir`. `rung`: the
// ladder's 100,000-GPU scenario. Each child is stopped after `timeout_s` seconds. Returns 0 when
// every child succeeded.
int asymmetric_table(const std::string& exe, const std::filesystem::path& dir, const nlohmann::json& rung,
                     int timeout_s);

} // namespace twin::bench
