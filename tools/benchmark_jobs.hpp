// clustertwin-benchmark --jobs: two jobs sharing the 100k rung's fabric (see benchmark_jobs.cpp).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace twin::bench {

// Prints the table (markdown) on stdout; writes the scenario and report into `dir`. `rung`: the
// ladder's 100,000-GPU scenario, whose "workload" is replaced by two jobs. The child is stopped
// after `timeout_s` seconds. Returns 0 when it succeeded.
int jobs_table(const std::string& exe, const std::filesystem::path& dir, const nlohmann::json& rung, int timeout_s);

} // namespace twin::bench
