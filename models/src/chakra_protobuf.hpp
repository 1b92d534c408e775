// Chakra rank files in Chakra's binary form (".et"): length-delimited protobuf records per
// models/proto/chakra_et.proto (Chakra's schema/protobuf/et_def.proto), read into the JSON form
// the jsonizer writes, so one reader (chakra_rank_file.cpp) gives both forms the same meaning.
//
// Wire format (Chakra src/third_party/utils/protolib.py, encodeMessage / decodeMessage): each
// record is a base-128 varint byte count (at most 32 bits) followed by that many bytes of one
// message; record 0 is a GlobalMetadata, every later record a Node. A record of length 0 ends the
// file, as in Chakra's reader (anything after it is an error here). A gzip-compressed file (it
// starts with 1f 8b; Chakra's protolib.py openFileRd/openFileWr, from gem5's util/protolib.py,
// read and write gzip when the name ends in ".gz") is inflated by zlib first, at most
// max_input_file_bytes() of output.
#pragma once

#include "twin/models/trace.hpp"

#include <filesystem>
#include <string>

namespace twin::models::chakra_detail {

// True for a path Chakra's tools would write in binary form: name ending in ".et" or ".et.gz".
[[nodiscard]] bool is_protobuf_rank_file(const std::filesystem::path& path);

// The records of `bytes` (a whole .et file) as a JSON array, one record per line, each written by
// protobuf's MessageToJson (lowerCamelCase names, enums by name, 64-bit integers as strings,
// defaults left out): array item k is record k. Throws InputError(file, "/k", ...) for a record
// that is cut short, has a length past the file's end, or does not parse as its message; the
// JSON text is bounded by max_input_file_bytes().
[[nodiscard]] std::string protobuf_records_to_json(const std::string& bytes, const std::string& file);

} // namespace twin::models::chakra_detail
