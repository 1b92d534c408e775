// clustertwin-benchmark --contention: the all-GPU all-reduce on the bundled 1:7 oversubscribed
// 16k fabric (see benchmark_contention.cpp).
#pragma once

#include <filesystem>
#include <string>

namespace twin::bench {

// Prints the table (markdown) on stdout; writes scenarios and reports into `dir`. `base_scenario`:
// scenarios/llama3-405b-16k-h100.json. `with_simgrid`: add `run --no-fold` rows up to 2,048 GPUs
// (minutes). Returns 0 when every child succeeded.
int contention_table(const std::string& exe, const std::filesystem::path& dir,
                     const std::filesystem::path& base_scenario, bool with_simgrid);

} // namespace twin::bench
