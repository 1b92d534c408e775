// The serving capacity search of `clustertwin tune` (tools/cmd_tune_serving.cpp, issue 20).
#pragma once

#include <optional>
#include <string>

namespace twin::cli {

struct ServingTuneArgs {
    std::string scenario;
    std::string out_dir;
    std::optional<int> k; // simulate only the k layouts with the fewest GPUs per replica
    int jobs = 0;
    bool quiet = false;
};

[[nodiscard]] int tune_serving_command(const ServingTuneArgs& a);

} // namespace twin::cli
