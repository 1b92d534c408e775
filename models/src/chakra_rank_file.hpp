// One Chakra rank file (jsonizer output) read into raw nodes: records parsed, node types, attributes,
// dependencies and the op each node stands for, every value checked with its JSON pointer. The
// mapping and the file format are described at the top of chakra.cpp, which turns the rank files
// into a trace (process groups, families, classes).
#pragma once

#include "twin/core/json_reader.hpp"
#include "twin/models/chakra.hpp"
#include "twin/models/trace.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace twin::models::chakra_detail {

inline constexpr std::int64_t kMaxRanks = std::int64_t{1} << 24;
// FLOP per Chakra num_ops unit: 2 for a multiply-add; the ceiling keeps num_ops x flops_per_op finite.
inline constexpr double kMaxFlopsPerOp = 1e6;
inline constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

struct RawNode {
    std::uint64_t id = 0;
    std::string pointer; // "/k"
    Value where;         // the node object
    std::vector<Value> deps;
    bool dropped = false;
    Op op;
    // collectives
    std::string pg;            // process group key; "" = the whole trace
    std::optional<Value> root; // BROADCAST: comm_src (a rank), to be made a position
    int root_rank = -1;
    int peer = -1; // send/recv: absolute peer
};

struct RankFile {
    std::string file;
    std::shared_ptr<Document> doc;
    std::vector<RawNode> nodes;
    std::unordered_map<std::uint64_t, std::size_t> index_of_id;
};

// Reads rank `rank`'s file (of `ranks`).
[[nodiscard]] RankFile read_rank_file(const std::filesystem::path& path, int rank, int ranks,
                                      const ChakraOptions& options);

// A protobuf JSON integer: a number, or a decimal string (how 64-bit integers are written).
[[nodiscard]] std::int64_t read_int(const Value& v, std::int64_t min, std::int64_t max);

} // namespace twin::models::chakra_detail
