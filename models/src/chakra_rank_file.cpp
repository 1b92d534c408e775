// Reads one Chakra rank file (chakra_rank_file.hpp); the format is described in chakra.cpp.
#include "chakra_rank_file.hpp"

#include "chakra_protobuf.hpp"
#include "twin/core/input_file.hpp"
#include "twin/models/trace_writer.hpp"
#include "twin/models/workload.hpp"
#include "workload_types.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>
#include <unordered_map>

namespace twin::models::chakra_detail {
namespace {

namespace fs = std::filesystem;

// Chakra's NodeType enum, in value order.
constexpr std::string_view kNodeTypes[] = {"INVALID_NODE", "METADATA_NODE",  "MEM_LOAD_NODE",  "MEM_STORE_NODE",
                                           "COMP_NODE",    "COMM_SEND_NODE", "COMM_RECV_NODE", "COMM_COLL_NODE",
                                           "STORAGE_NODE", "BATCH_NODE",     "CHECKPOINT_NODE"};
enum NodeType : int { kInvalid, kMetadata, kMemLoad, kMemStore, kComp, kSend, kRecv, kColl };

// Chakra's CollectiveCommType enum, in value order.
constexpr std::string_view kCollTypes[] = {
    "ALL_REDUCE", "REDUCE",         "ALL_GATHER",           "GATHER", "SCATTER", "BROADCAST",
    "ALL_TO_ALL", "REDUCE_SCATTER", "REDUCE_SCATTER_BLOCK", "BARRIER"};
// torch.distributed.barrier on NCCL is an all-reduce of one 4-byte element.
constexpr double kBarrierBytes = 4.0;

// AttributeProto's oneof "value", proto names; the JSON names are their lowerCamelCase forms.
constexpr std::string_view kIntKinds[] = {"int32",  "int64",   "uint32",  "uint64",   "sint32",
                                          "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"};
constexpr std::string_view kOtherKinds[] = {"double", "float", "bool", "string", "bytes"};

std::string camel(std::string_view snake) {
    std::string out;
    bool up = false;
    for (char c : snake) {
        if (c == '_') {
            up = true;
        } else {
            out += up ? static_cast<char>(c - 'a' + 'A') : c;
            up = false;
        }
    }
    return out;
}

std::string shown(const Value& v) {
    return json_excerpt(v.json());
}

// "A" or "B" spellings of one field (protobuf's JSON parser accepts both); not both.
std::optional<Value> find_field(Object& o, std::string_view snake) {
    const std::string c = camel(snake);
    const std::string s(snake);
    if (c != s && o.has(c) && o.has(s)) {
        o.fail_at(s, fmt::format("\"{}\" and \"{}\" are the same field; give one", c, s));
    }
    if (auto v = o.find(c)) {
        return v;
    }
    return c == s ? std::nullopt : o.find(s);
}

struct Attr {
    Value attr;                 // the AttributeProto object
    std::optional<Value> value; // its oneof value, absent when unset
    std::string kind;           // "int64", "string", ... (proto name without _val/_list)
    bool list = false;
};

struct Attrs {
    std::map<std::string, Attr> by_name;

    const Attr* find(const std::string& name) const {
        auto it = by_name.find(name);
        return it == by_name.end() ? nullptr : &it->second;
    }
};

Attrs read_attrs(Object& node) {
    Attrs out;
    const auto list = node.find("attr");
    if (!list) {
        return out;
    }
    for (const Value& item : list->as_array().values()) {
        Object a = item.as_object();
        const Value name_v = a.at("name");
        const std::string name = name_v.as_string();
        if (auto d = find_field(a, "doc_string")) {
            (void)d->as_string();
        }
        Attr attr{item, std::nullopt, "", false};
        const auto take = [&](std::string_view kind) {
            for (bool is_list : {false, true}) {
                const std::string field = std::string(kind) + (is_list ? "_list" : "_val");
                if (auto v = find_field(a, field)) {
                    if (attr.value) {
                        a.fail(fmt::format("an attribute holds one value, got \"{}\" and \"{}\"",
                                           camel(attr.kind + (attr.list ? "_list" : "_val")), camel(field)));
                    }
                    attr.value = v;
                    attr.kind = std::string(kind);
                    attr.list = is_list;
                }
            }
        };
        for (auto k : kIntKinds) {
            take(k);
        }
        for (auto k : kOtherKinds) {
            take(k);
        }
        a.finish();
        if (!out.by_name.emplace(name, attr).second) {
            name_v.fail(fmt::format("attribute \"{}\" is given twice", name));
        }
    }
    return out;
}

std::string int_fields() {
    std::string s;
    for (auto k : kIntKinds) {
        s += (s.empty() ? "" : ", ") + camel(std::string(k) + "_val");
    }
    return s;
}

// An integer attribute; nullopt when absent and not required.
std::optional<std::int64_t> int_attr(const Object& node, const Attrs& attrs, const std::string& name, std::int64_t min,
                                     std::int64_t max, const char* required_because) {
    const Attr* a = attrs.find(name);
    if (a == nullptr) {
        if (required_because != nullptr) {
            node.fail_at("attr", fmt::format("missing attribute \"{}\" ({})", name, required_because));
        }
        return std::nullopt;
    }
    const bool is_int = std::find(std::begin(kIntKinds), std::end(kIntKinds), a->kind) != std::end(kIntKinds);
    if (!a->value || !is_int || a->list) {
        a->attr.fail(fmt::format("attribute \"{}\" must hold one integer ({})", name, int_fields()));
    }
    return read_int(*a->value, min, max);
}

std::optional<std::string> string_attr(const Attrs& attrs, const std::string& name) {
    const Attr* a = attrs.find(name);
    if (a == nullptr) {
        return std::nullopt;
    }
    if (!a->value || a->kind != "string" || a->list) {
        a->attr.fail(fmt::format("attribute \"{}\" must hold a string (stringVal)", name));
    }
    return a->value->as_string();
}

// A number attribute (doubleVal or floatVal; an integer field is accepted too), in [min, max];
// nullopt when absent.
std::optional<double> number_attr(const Attrs& attrs, const std::string& name, double min, double max) {
    const Attr* a = attrs.find(name);
    if (a == nullptr) {
        return std::nullopt;
    }
    const bool is_int = std::find(std::begin(kIntKinds), std::end(kIntKinds), a->kind) != std::end(kIntKinds);
    if (!a->value || a->list || !(is_int || a->kind == "double" || a->kind == "float")) {
        a->attr.fail(fmt::format("attribute \"{}\" must hold one number (doubleVal)", name));
    }
    const double x = is_int
                         ? static_cast<double>(read_int(*a->value, std::numeric_limits<std::int64_t>::min(), kInt64Max))
                         : a->value->as_number();
    if (!(x >= min && x <= max)) {
        a->value->fail(fmt::format("attribute \"{}\" must be in [{}, {}], got {}", name, min, max, x));
    }
    return x;
}

// The jsonizer concatenates records ("{...}{...}"); make that a JSON array without moving any
// line, so parse errors keep their line numbers.
std::string as_array_text(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '[') {
        return text;
    }
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 2);
    out += '[';
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    bool closed = false;
    for (char c : text) {
        if (in_string) {
            out += c;
            if (escape) {
                escape = false;
            } else if (c == '\\') {
                escape = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            out += c;
            continue;
        }
        if (depth == 0 && closed) {
            out += ',';
            closed = false;
        }
        out += c;
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                closed = true;
            }
        }
    }
    out += ']';
    return out;
}

class RankReader {
public:
    RankReader(int rank, int ranks, const ChakraOptions& options) : rank_(rank), ranks_(ranks), options_(options) {}

    RankFile read(const fs::path& path) {
        RankFile rf;
        rf.file = path.string();
        const std::string raw = read_input_file(path);
        rf.doc = std::make_shared<Document>(Document::parse(
            is_protobuf_rank_file(path) ? protobuf_records_to_json(raw, rf.file) : as_array_text(raw), rf.file));
        const Array records = rf.doc->root().as_array();
        for (std::size_t k = 0; k < records.size(); ++k) {
            Object o = records.at(k).as_object();
            if (k == 0 && o.has("version")) {
                read_metadata(o);
                continue;
            }
            RawNode n = read_node_naming_id(o);
            if (auto [it, fresh] = rf.index_of_id.emplace(n.id, rf.nodes.size()); !fresh) {
                o.fail_at("id", fmt::format("node id {} is already used by the node at {}", n.id,
                                            rf.nodes[it->second].pointer));
            }
            rf.nodes.push_back(std::move(n));
        }
        return rf;
    }

private:
    static void read_metadata(Object& o) {
        (void)o.at("version").as_string();
        (void)read_attrs(o);
        o.finish();
    }

    // read_node, with "node <id>: " before the message of an error inside a node that has an id.
    RawNode read_node_naming_id(Object& o) {
        std::optional<std::int64_t> id;
        if (auto v = o.find("id")) {
            id = read_int(*v, 0, kInt64Max);
        }
        try {
            return read_node(o);
        } catch (const InputError& e) {
            if (!id || e.message().rfind("node ", 0) == 0) {
                throw;
            }
            throw InputError(e.file(), e.pointer(), fmt::format("node {}: {}", *id, e.message()));
        }
    }

    RawNode read_node(Object& o) {
        RawNode n{0, o.self().pointer(), o.self(), {}, false, Op{}, "", std::nullopt, -1, -1};
        if (auto id = o.find("id")) {
            n.id = static_cast<std::uint64_t>(read_int(*id, 0, kInt64Max));
        }
        const std::string name = o.find("name") ? o.find("name")->as_string() : "";
        int type = kInvalid;
        if (auto t = o.find("type")) {
            if (t->is_string()) {
                std::vector<std::string_view> names(std::begin(kNodeTypes), std::end(kNodeTypes));
                const std::string s = t->as_choice(names);
                type = static_cast<int>(std::find(names.begin(), names.end(), s) - names.begin());
            } else {
                type = static_cast<int>(t->as_integer(0, std::size(kNodeTypes) - 1));
            }
        }
        for (const char* field : {"ctrl_deps", "data_deps"}) {
            if (auto deps = find_field(o, field)) {
                for (const Value& d : deps->as_array().values()) {
                    (void)read_int(d, 0, kInt64Max);
                    n.deps.push_back(d);
                }
            }
        }
        std::int64_t duration_us = 0;
        if (auto t = find_field(o, "start_time_micros")) {
            (void)read_int(*t, 0, kInt64Max);
        }
        if (auto t = find_field(o, "duration_micros")) {
            duration_us = read_int(*t, 0, kInt64Max);
        }
        for (const char* field : {"inputs", "outputs"}) {
            if (auto io = o.find(field)) {
                Object io_o = io->as_object();
                for (const char* key : {"values", "shapes", "types"}) {
                    if (auto s = io_o.find(key)) {
                        (void)s->as_string();
                    }
                }
                io_o.finish();
            }
        }
        const Attrs attrs = read_attrs(o);
        n.op.pointer = n.pointer;
        switch (type) {
        case kMetadata:
            n.dropped = true;
            break;
        case kComp: {
            const auto ops = int_attr(o, attrs, "num_ops", 0, kInt64Max, nullptr).value_or(0);
            const auto bytes = int_attr(o, attrs, "tensor_size", 0, kInt64Max, nullptr).value_or(0);
            n.op.kind = Op::Kind::Compute;
            n.op.compute.flops = Flops(static_cast<double>(ops) * options_.flops_per_op);
            n.op.compute.bytes = Bytes(static_cast<double>(bytes));
            n.op.compute.precision = options_.precision;
            read_twin_attrs(attrs, n.op.compute);
            n.op.compute.kernels = int_attr(o, attrs, "twin_kernels", 0, 1000000, nullptr).value_or(0);
            const bool modelled = ops > 0 || bytes > 0;
            if (duration_us > 0 && options_.durations != ChakraDurations::Ignore &&
                (!modelled || options_.durations == ChakraDurations::Prefer)) {
                if (options_.durations == ChakraDurations::Prefer) {
                    n.op.compute.flops = Flops(0.0);
                    n.op.compute.bytes = Bytes(0.0);
                }
                n.op.compute.duration = Seconds(static_cast<double>(duration_us) * 1e-6 * duration_scale());
            }
            // Nothing to time: no FLOPs, no bytes, no duration used.
            n.dropped = !(n.op.compute.flops.value() > 0) && !(n.op.compute.bytes.value() > 0) &&
                        !(n.op.compute.duration.value() > 0);
            break;
        }
        case kMemLoad:
        case kMemStore: {
            const auto bytes =
                *int_attr(o, attrs, "tensor_size", 1, kInt64Max, "a memory node moves tensor_size bytes");
            n.op.kind = Op::Kind::Compute;
            n.op.compute.bytes = Bytes(static_cast<double>(bytes));
            n.op.compute.precision = options_.precision;
            break;
        }
        case kColl:
            read_collective(o, attrs, n);
            break;
        case kSend:
        case kRecv: {
            const bool send = type == kSend;
            const char* peer_attr = send ? "comm_dst" : "comm_src";
            const auto peer =
                *int_attr(o, attrs, peer_attr, std::numeric_limits<std::int64_t>::min(), kInt64Max,
                          send ? "the rank a COMM_SEND_NODE sends to" : "the rank a COMM_RECV_NODE receives from");
            const Attr* a = attrs.find(peer_attr);
            if (peer < 0 || peer >= ranks_) {
                a->value->fail(
                    fmt::format("peer rank {} is out of range: the trace has ranks 0..{}", peer, ranks_ - 1));
            }
            if (peer == rank_) {
                a->value->fail(fmt::format("rank {} would {} itself", rank_, send ? "send to" : "receive from"));
            }
            n.peer = static_cast<int>(peer);
            n.op.kind = send ? Op::Kind::Send : Op::Kind::Recv;
            n.op.p2p.peer = Peer{Peer::Kind::Offset, n.peer - rank_, -1};
            n.op.p2p.size = Bytes(static_cast<double>(
                *int_attr(o, attrs, "comm_size", 1, kInt64Max, "the bytes a point-to-point node carries")));
            break;
        }
        default:
            if (o.has("type")) {
                o.fail_at("type", fmt::format("node type {} is not supported (supported: METADATA_NODE, "
                                              "MEM_LOAD_NODE, MEM_STORE_NODE, COMP_NODE, COMM_SEND_NODE, "
                                              "COMM_RECV_NODE, COMM_COLL_NODE)",
                                              kNodeTypes[type]));
            }
            o.fail_at("type", "missing node type (protobuf leaves out INVALID_NODE, the default)");
        }
        n.op.name = name.empty() ? std::string(op_kind_name(n.op)) : name;
        o.finish();
        return n;
    }

    void read_collective(Object& o, const Attrs& attrs, RawNode& n) {
        const auto type = *int_attr(o, attrs, "comm_type", 0, kInt64Max, "the collective a COMM_COLL_NODE runs");
        const Attr* ta = attrs.find("comm_type");
        static constexpr std::optional<CollectiveKind> kMap[] = {CollectiveKind::AllReduce,
                                                                 std::nullopt,
                                                                 CollectiveKind::AllGather,
                                                                 std::nullopt,
                                                                 std::nullopt,
                                                                 CollectiveKind::Broadcast,
                                                                 CollectiveKind::AllToAll,
                                                                 CollectiveKind::ReduceScatter,
                                                                 CollectiveKind::ReduceScatter,
                                                                 CollectiveKind::AllReduce};
        if (type >= static_cast<std::int64_t>(std::size(kMap))) {
            ta->value->fail(
                fmt::format("unknown comm_type {}: CollectiveCommType has values 0..{}", type, std::size(kMap) - 1));
        }
        const auto kind = kMap[type];
        if (!kind) {
            ta->value->fail(fmt::format("comm_type {} ({}) is not supported by the collective model (supported: "
                                        "ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, REDUCE_SCATTER_BLOCK, ALL_TO_ALL, "
                                        "BROADCAST, BARRIER)",
                                        type, kCollTypes[type]));
        }
        const bool barrier = type == 9;
        n.op.kind = Op::Kind::Collective;
        n.op.collective.kind = *kind;
        const auto size = int_attr(o, attrs, "comm_size", barrier ? 0 : 1, kInt64Max,
                                   barrier ? nullptr : "the bytes of the collective");
        n.op.collective.size = Bytes(barrier && size.value_or(0) == 0 ? kBarrierBytes : static_cast<double>(*size));
        if (auto pg = string_attr(attrs, "pg_name")) {
            n.pg = "pg:" + *pg;
        }
        if (*kind == CollectiveKind::Broadcast) {
            if (auto root = int_attr(o, attrs, "comm_src", 0, ranks_ - 1, nullptr)) {
                n.root = attrs.find("comm_src")->value;
                n.root_rank = static_cast<int>(*root);
            }
        }
    }

    // What clustertwin's own export (chakra_writer.hpp) keeps beside Chakra's fields.
    static void read_twin_attrs(const Attrs& attrs, ComputeOp& c) {
        if (auto p = string_attr(attrs, "twin_precision")) {
            const auto parsed = topology::parse_precision(*p);
            if (!parsed) {
                attrs.find("twin_precision")
                    ->value->fail(fmt::format("unknown precision \"{}\": expected one of {}", *p,
                                              topology::kPrecisionNames.list()));
            }
            c.precision = *parsed;
        }
        if (auto e = number_attr(attrs, "twin_efficiency", 0.01, 1.0)) {
            c.efficiency = *e;
        }
    }

    double duration_scale() const {
        const auto& s = options_.duration_scale_of_rank;
        return s.empty() ? 1.0 : s.at(static_cast<std::size_t>(rank_));
    }

    int rank_;
    int ranks_;
    const ChakraOptions& options_;
};

} // namespace

std::int64_t read_int(const Value& v, std::int64_t min, std::int64_t max) {
    if (v.is_string()) {
        const std::string s = v.as_string();
        std::int64_t x = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
        if (ec == std::errc::result_out_of_range) {
            v.fail(fmt::format("expected an integer in [{}, {}], got {}", min, max, shown(v)));
        }
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
            v.fail(fmt::format("expected an integer (a number or a decimal string), got {}", shown(v)));
        }
        if (x < min || x > max) {
            v.fail(fmt::format("expected an integer in [{}, {}], got {}", min, max, shown(v)));
        }
        return x;
    }
    if (!v.json().is_number_integer()) {
        v.fail(fmt::format("expected an integer (a number or a decimal string), got {}", shown(v)));
    }
    return v.as_integer(min, max);
}

RankFile read_rank_file(const fs::path& path, int rank, int ranks, const ChakraOptions& options) {
    return RankReader(rank, ranks, options).read(path);
}

} // namespace twin::models::chakra_detail
