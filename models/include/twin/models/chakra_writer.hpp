// Export of a trace (any workload: generated, trace v1 or imported) as MLCommons Chakra execution
// traces in Chakra's binary form: one ".et" file per rank, length-delimited protobuf records per
// Chakra's schema/protobuf/et_def.proto (models/proto/chakra_et.proto), GlobalMetadata first.
// Reading the files back with load_chakra gives the same program on every rank (tested).
//
// Mapping (the inverse of chakra.cpp's import):
//   compute     COMP_NODE: num_ops = FLOPs (flops_per_op 1), tensor_size = bytes, durationMicros =
//               duration (rounded to 1 us); precision, efficiency and kernel launches, which Chakra
//               has no field for, as attributes twin_precision / twin_efficiency / twin_kernels
//               (the importer reads them; other Chakra tools ignore unknown attributes)
//   collective  COMM_COLL_NODE: comm_type, comm_size, pg_name "<family>#<communicator index>",
//               broadcast root as comm_src (a rank)
//   send/recv   COMM_SEND_NODE / COMM_RECV_NODE: comm_dst / comm_src (the absolute peer), comm_size
// Blocks are unrolled (repeats expanded): a step's data_deps are the nodes that end what it waits
// for (the steps named by "after", or the step before it); a block's iteration ends when all its
// steps have, so the next iteration's first steps depend on the previous iteration's sinks.
#pragma once

#include "twin/models/trace.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace twin::models {

// Operations per rank an export may unroll to (a bound on file size and memory).
inline constexpr std::int64_t kMaxChakraNodesPerRank = std::int64_t{1} << 22U;

// Rank `rank`'s file content. Throws std::invalid_argument when the rank's program unrolls to more
// than kMaxChakraNodesPerRank operations, or the rank is out of range.
[[nodiscard]] std::string chakra_rank_bytes(const Trace& trace, int rank);

// Writes dir/<stem><r>.et for every rank r (idle ranks get a file with the metadata only) and
// returns the paths in rank order. Throws as chakra_rank_bytes, or std::runtime_error when a file
// cannot be written.
std::vector<std::filesystem::path> write_chakra(const Trace& trace, const std::filesystem::path& dir,
                                                const std::string& stem = "rank");

} // namespace twin::models
