// Reads Chakra .et (and gzip-compressed .et.gz) rank files (chakra_protobuf.hpp) into the
// jsonizer's JSON form.
#include "chakra_protobuf.hpp"

#include "proto/chakra_et.pb.h"
#include "twin/core/error.hpp"
#include "twin/core/input_file.hpp"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>
#include <zlib.h>

namespace twin::models::chakra_detail {
namespace {

// A varint32 at bytes[pos...]: its value and the bytes it takes; 0 bytes when cut short or longer
// than 5 bytes / 32 bits (Chakra writes lengths as varint32).
struct Varint {
    std::uint64_t value = 0;
    std::size_t length = 0;
};

Varint read_varint32(const std::string& bytes, std::size_t pos) {
    Varint v;
    for (std::size_t i = 0; i < 5 && pos + i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[pos + i]);
        v.value |= static_cast<std::uint64_t>(b & 0x7FU) << (7U * i);
        if ((b & 0x80U) == 0) {
            v.length = i + 1;
            return v.value > 0xFFFFFFFFULL ? Varint{} : v;
        }
    }
    return Varint{};
}

std::string pointer_of(std::size_t record) {
    return "/" + std::to_string(record);
}

bool is_gzip(const std::string& bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1FU &&
           static_cast<unsigned char>(bytes[1]) == 0x8BU;
}

// One gzip member (RFC 1952) inflated by zlib, at most max_input_file_bytes() of output (a small
// file must not expand without bound); anything but one whole member is an error.
std::string gunzip(const std::string& bytes, const std::string& file) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        throw InputError(file, "", "the gzip decoder (zlib) cannot start");
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size()); // input files are at most 256 MiB
    const std::uint64_t limit = max_input_file_bytes();
    std::string out;
    std::string chunk(1 << 16, '\0');
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        z.next_out = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_out = static_cast<uInt>(chunk.size());
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            const std::string why = rc == Z_BUF_ERROR ? std::string("the stream is cut short")
                                                      : std::string(z.msg != nullptr ? z.msg : "corrupt data");
            inflateEnd(&z);
            throw InputError(file, "", fmt::format("the file starts as gzip but does not decompress: {}", why));
        }
        out.append(chunk.data(), chunk.size() - z.avail_out);
        if (out.size() > limit) {
            inflateEnd(&z);
            throw InputError(
                file, "",
                fmt::format("the gzip file decompresses to more than {} bytes (the input size limit)", limit));
        }
    }
    const uInt rest = z.avail_in;
    inflateEnd(&z);
    if (rest != 0) {
        throw InputError(file, "", fmt::format("{} bytes follow the gzip stream", rest));
    }
    return out;
}

} // namespace

bool is_protobuf_rank_file(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    return path.extension() == ".et" || (name.size() > 6 && name.ends_with(".et.gz"));
}

std::string protobuf_records_to_json(const std::string& raw, const std::string& file) {
    const std::string inflated = is_gzip(raw) ? gunzip(raw, file) : std::string();
    const std::string& bytes = is_gzip(raw) ? inflated : raw;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = false; // lowerCamelCase, as the jsonizer writes
    const std::uint64_t limit = max_input_file_bytes();
    std::string out = "[";
    std::size_t pos = 0;
    std::size_t record = 0;
    for (; pos < bytes.size(); ++record) {
        const Varint len = read_varint32(bytes, pos);
        if (len.length == 0) {
            throw InputError(
                file, pointer_of(record),
                fmt::format("record {} at byte {}: its length (a varint32) is cut short or too long", record, pos));
        }
        pos += len.length;
        if (len.value == 0) { // Chakra's reader stops at a zero length
            if (pos != bytes.size()) {
                throw InputError(file, pointer_of(record),
                                 fmt::format("record {} has length 0, which ends a Chakra file, but {} bytes follow",
                                             record, bytes.size() - pos));
            }
            break;
        }
        if (len.value > bytes.size() - pos) {
            throw InputError(file, pointer_of(record),
                             fmt::format("record {} at byte {} is {} bytes long but only {} bytes are left", record,
                                         pos - len.length, len.value, bytes.size() - pos));
        }
        const char* data = bytes.data() + pos;
        const int size = static_cast<int>(len.value);
        std::string text;
        const auto convert = [&](google::protobuf::Message& m, const char* what) {
            if (!m.ParseFromArray(data, size)) {
                throw InputError(file, pointer_of(record),
                                 fmt::format("record {} (bytes {}..{}) is not a valid Chakra {} message", record, pos,
                                             pos + len.value, what));
            }
            if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) {
                throw InputError(file, pointer_of(record),
                                 fmt::format("record {}: the {} message cannot be written as JSON", record, what));
            }
        };
        if (record == 0) {
            ChakraProtoMsg::GlobalMetadata meta;
            convert(meta, "GlobalMetadata");
            if (meta.version().empty()) {
                throw InputError(file, pointer_of(0),
                                 "record 0 must be the GlobalMetadata with a \"version\" (Chakra writes it first)");
            }
        } else {
            ChakraProtoMsg::Node node;
            convert(node, "Node");
        }
        pos += len.value;
        if (out.size() + text.size() + 3 > limit) {
            throw InputError(file, pointer_of(record),
                             fmt::format("the trace read as JSON exceeds {} bytes (the input size limit)", limit));
        }
        out += record == 0 ? "\n" : ",\n";
        out += text;
    }
    if (record == 0) {
        throw InputError(file, "", "the file holds no record (a Chakra .et file starts with its GlobalMetadata)");
    }
    out += "\n]";
    return out;
}

} // namespace twin::models::chakra_detail
