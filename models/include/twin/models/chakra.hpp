// Import of MLCommons Chakra execution traces (ET): the binary ".et" files Chakra's tools write
// (length-delimited protobuf, models/src/chakra_protobuf.hpp), or the JSON form written by Chakra's jsonizer
// (chakra_jsonizer: protobuf's MessageToJson of the GlobalMetadata record, then of every Node,
// one file per rank). Schema: Chakra schema/protobuf/et_def.proto, GlobalMetadata version 0.0.4.
// What is accepted and how each node type maps onto trace v1: models/README.md, "Chakra import".
#pragma once

#include "twin/models/trace.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace twin::models {

// What a COMP_NODE's durationMicros (a measured time) is used for:
//   Fallback: the node's time when it has neither num_ops nor tensor_size (else the roofline);
//   Prefer:   the node's time whenever it has one (its num_ops and tensor_size then unused);
//   Ignore:   never (a node without num_ops and tensor_size is dropped, as before).
enum class ChakraDurations : std::uint8_t { Fallback, Prefer, Ignore };
inline constexpr auto kChakraDurationNames = enum_names<ChakraDurations>({{ChakraDurations::Fallback, "fallback"},
                                                                          {ChakraDurations::Prefer, "prefer"},
                                                                          {ChakraDurations::Ignore, "ignore"}});

struct ChakraOptions {
    std::string name = "chakra";                               // Trace::name
    double flops_per_op = 1.0;                                 // FLOP per unit of the num_ops attribute, > 0
    topology::Precision precision = topology::Precision::BF16; // of every compute node
    ChakraDurations durations = ChakraDurations::Fallback;
    // Measured durations are multiplied by duration_scale_of_rank[r] on rank r (empty: by 1), the
    // ratio of the measuring GPU's speed to the target's (chakra.cpp, "measured_on").
    std::vector<double> duration_scale_of_rank;
};

// Reads one jsonizer file per rank (rank_files[r] is rank r) and returns a validated trace:
// one step per node in dependency order, ctrl_deps and data_deps as "after", ranks with equal
// programs sharing a class, one group family per set of disjoint process groups. Throws InputError
// naming the rank file and the JSON pointer of the node (the file read as an array of records:
// /0 is the GlobalMetadata record, /1 the first node).
[[nodiscard]] Trace load_chakra(const std::vector<std::filesystem::path>& rank_files,
                                const ChakraOptions& options = {});

} // namespace twin::models
