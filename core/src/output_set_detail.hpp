// What output_set.cpp and output_set_stream.cpp share (not part of core's interface).
#pragma once

#include <filesystem>
#include <string>

namespace twin::detail {

// A path as it appears in a message: quoted, control characters escaped (it may come from a file).
[[nodiscard]] std::string shown(const std::filesystem::path& p);

} // namespace twin::detail
