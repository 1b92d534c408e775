// Reading an input file the way every loader must: only a regular file (never a FIFO, a device such
// as /dev/zero, or a directory, which would hang or read without end), at most a stated size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace twin {

// The largest input file read by default: 256 MiB. A JSON document takes ~10x its size in memory
// once parsed, so this bounds one input at a few GB (the machines we target have 16-32 GB).
inline constexpr std::uint64_t kDefaultMaxInputFileBytes = 256ULL << 20U;

// The limit in force (process-wide; front ends may raise it from a command-line flag).
[[nodiscard]] std::uint64_t max_input_file_bytes();
void set_max_input_file_bytes(std::uint64_t bytes);

// Empty when something exists at `path`; otherwise why not, as a phrase for a message: "does not
// exist", or "cannot be read: File name too long" (never throws, unlike std::filesystem::exists).
[[nodiscard]] std::string missing_reason(const std::filesystem::path& path);

// The whole content of `path`. Throws InputError (file = path, pointer "") when it cannot be
// opened, is not a regular file, or is larger than max_input_file_bytes().
[[nodiscard]] std::string read_input_file(const std::filesystem::path& path);

} // namespace twin
