// Chakra execution-trace import: one jsonizer file per rank -> workload trace v1.
//
// Input (MLCommons Chakra, schema/protobuf/et_def.proto, GlobalMetadata version "0.0.4"; the
// jsonizer src/jsonizer/jsonizer.py writes MessageToJson(GlobalMetadata) and then
// MessageToJson(Node) for every node, concatenated without separators): protobuf's JSON mapping,
// so field names are lowerCamelCase (the proto names are accepted too), enums are their names
// (numbers accepted), 64-bit integers are decimal strings (numbers accepted), and fields at their
// default value (id 0, no deps, ...) are absent. The file is read as a sequence of records (or a
// JSON array of them); pointers count records: /0 is GlobalMetadata, /1 the first node.
//
// Mapping (models/README.md, "Chakra import"), with ASTRA-sim's feeder as the reference for
// attribute meanings (src/feeder/et_feeder_node.cpp):
//   COMP_NODE              compute: flops = num_ops x flops_per_op, bytes = tensor_size
//                          (both 0: the node has only a duration; dropped, see below)
//   MEM_LOAD/MEM_STORE     compute with bytes = tensor_size (memory-bound)
//   COMM_COLL_NODE         collective comm_type of comm_size bytes over process group pg_name
//                          (no pg_name: all ranks of the trace)
//   COMM_SEND/RECV_NODE    send to comm_dst / recv from comm_src, comm_size bytes
//   METADATA_NODE          dropped
// A dropped node (and a collective in a group of one rank) passes its dependencies on: whoever
// waited for it waits for what it waited for. ctrl_deps and data_deps both become "after".
//
// Process groups -> group families: a group's members are the ranks whose trace uses it. Groups
// used at the same collective position (k-th collective of a rank) on different ranks are put in
// one family when they are disjoint (so TP groups {0,1} and {2,3} form one family and equal rank
// programs can share a class); otherwise every group is a family of one communicator.
#include "twin/models/chakra.hpp"

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

namespace twin::models {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxRanks = std::int64_t{1} << 24;
// FLOP per Chakra num_ops unit: 2 for a multiply-add; the ceiling keeps num_ops x flops_per_op finite.
constexpr double kMaxFlopsPerOp = 1e6;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

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

// A protobuf JSON integer: a number, or a decimal string (how 64-bit integers are written).
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

// ---- one rank file ----

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
        rf.doc = std::make_shared<Document>(Document::parse(as_array_text(read_input_file(path)), rf.file));
        const Array records = rf.doc->root().as_array();
        for (std::size_t k = 0; k < records.size(); ++k) {
            Object o = records.at(k).as_object();
            if (k == 0 && o.has("version")) {
                read_metadata(o);
                continue;
            }
            RawNode n = read_node(o);
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
        for (const char* field : {"start_time_micros", "duration_micros"}) {
            if (auto t = find_field(o, field)) {
                (void)read_int(*t, 0, kInt64Max);
            }
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
            n.dropped = ops == 0 && bytes == 0; // a duration-only node: no FLOPs, no bytes to time
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

    int rank_;
    int ranks_;
    const ChakraOptions& options_;
};

// ---- process groups -> group families ----

struct Family {
    std::string name;
    std::vector<std::string> pgs;
};

int find_root(std::vector<int>& parent, int x) {
    while (parent[static_cast<std::size_t>(x)] != x) {
        x = parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
    }
    return x;
}

std::string family_name(const std::vector<std::string>& pgs) {
    if (pgs.size() == 1) {
        return pgs[0].empty() ? "world" : pgs[0];
    }
    std::vector<std::string> names;
    for (const auto& p : pgs) {
        names.push_back(p.substr(3)); // "pg:"
    }
    if (names.size() <= 4) {
        return "pg:" + fmt::format("{}", fmt::join(names, ","));
    }
    return fmt::format("pg:{},...,{} ({} groups)", names.front(), names.back(), names.size());
}

class Importer {
public:
    Importer(const std::vector<fs::path>& files, const ChakraOptions& options) : paths_(files), options_(options) {}

    Trace run() {
        if (paths_.empty()) {
            throw std::invalid_argument("load_chakra: no rank files");
        }
        if (static_cast<std::int64_t>(paths_.size()) > kMaxRanks) {
            throw InputError(paths_[0].string(), "",
                             fmt::format("{} rank files: at most {}", paths_.size(), kMaxRanks));
        }
        trace_.name = options_.name;
        trace_.ranks = static_cast<int>(paths_.size());
        trace_.file = paths_[0].string();
        for (std::size_t r = 0; r < paths_.size(); ++r) {
            files_.push_back(RankReader(static_cast<int>(r), trace_.ranks, options_).read(paths_[r]));
        }
        build_families();
        std::vector<Block> programs;
        for (std::size_t r = 0; r < files_.size(); ++r) {
            programs.push_back(build_program(static_cast<int>(r)));
        }
        build_classes(programs);
        return std::move(trace_);
    }

private:
    void build_families() {
        std::map<std::string, std::set<int>> members;
        for (std::size_t r = 0; r < files_.size(); ++r) {
            for (const RawNode& n : files_[r].nodes) {
                if (!n.dropped && n.op.kind == Op::Kind::Collective) {
                    members[n.pg].insert(static_cast<int>(r));
                }
            }
        }
        if (members.count("")) {
            for (int r = 0; r < trace_.ranks; ++r) {
                members[""].insert(r);
            }
        }
        // A collective among one rank moves nothing: drop it.
        for (auto& f : files_) {
            for (RawNode& n : f.nodes) {
                if (!n.dropped && n.op.kind == Op::Kind::Collective && members.at(n.pg).size() < 2) {
                    n.dropped = true;
                }
            }
        }
        std::vector<std::string> pgs;
        std::map<std::string, int> pg_index;
        for (const auto& [pg, m] : members) {
            if (m.size() >= 2) {
                pg_index[pg] = static_cast<int>(pgs.size());
                pgs.push_back(pg);
            }
        }
        // Groups at the same collective position on different ranks: candidates for one family.
        std::vector<int> parent(pgs.size());
        std::iota(parent.begin(), parent.end(), 0);
        std::vector<int> first_at_slot;
        for (const auto& f : files_) {
            std::size_t slot = 0;
            for (const RawNode& n : f.nodes) {
                if (n.dropped || n.op.kind != Op::Kind::Collective) {
                    continue;
                }
                const int p = pg_index.at(n.pg);
                if (slot == first_at_slot.size()) {
                    first_at_slot.push_back(p);
                } else {
                    parent[static_cast<std::size_t>(find_root(parent, p))] = find_root(parent, first_at_slot[slot]);
                }
                ++slot;
            }
        }
        std::map<int, std::vector<std::string>> components;
        for (std::size_t i = 0; i < pgs.size(); ++i) {
            components[find_root(parent, static_cast<int>(i))].push_back(pgs[i]);
        }
        std::vector<Family> families;
        for (auto& [root, list] : components) {
            std::set<int> seen;
            bool disjoint = true;
            for (const auto& pg : list) {
                for (int r : members.at(pg)) {
                    disjoint = disjoint && seen.insert(r).second;
                }
            }
            if (disjoint) {
                families.push_back(Family{family_name(list), list});
            } else {
                for (const auto& pg : list) {
                    families.push_back(Family{family_name({pg}), {pg}});
                }
            }
        }
        std::set<std::string> used;
        for (auto& fam : families) {
            std::string name = fam.name;
            for (int k = 2; !used.insert(name).second; ++k) {
                name = fmt::format("{} #{}", fam.name, k);
            }
            fam.name = name;
        }
        std::sort(families.begin(), families.end(), [](const Family& a, const Family& b) { return a.name < b.name; });
        for (const auto& fam : families) {
            GroupFamily g;
            g.name = fam.name;
            g.comm_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
            g.position_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
            std::vector<std::vector<int>> comms;
            for (const auto& pg : fam.pgs) {
                const auto& m = members.at(pg);
                comms.emplace_back(m.begin(), m.end());
            }
            std::sort(comms.begin(), comms.end());
            for (std::size_t c = 0; c < comms.size(); ++c) {
                for (std::size_t k = 0; k < comms[c].size(); ++k) {
                    const auto r = static_cast<std::size_t>(comms[c][k]);
                    g.comm_of_rank[r] = static_cast<std::int32_t>(c);
                    g.position_of_rank[r] = static_cast<std::int32_t>(k);
                }
            }
            g.communicators = std::move(comms);
            for (const auto& pg : fam.pgs) {
                family_of_pg_[pg] = static_cast<int>(trace_.groups.size());
            }
            trace_.groups.push_back(std::move(g));
        }
    }

    // The rank's nodes in dependency order (ties: file order); dropped nodes pass their deps on.
    Block build_program(int rank) {
        RankFile& f = files_[static_cast<std::size_t>(rank)];
        const std::size_t n = f.nodes.size();
        std::vector<std::vector<std::size_t>> deps(n);
        std::vector<std::vector<std::size_t>> users(n);
        std::vector<std::size_t> waiting(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            std::set<std::size_t> unique;
            for (const Value& d : f.nodes[i].deps) {
                const auto id = static_cast<std::uint64_t>(read_int(d, 0, kInt64Max));
                auto it = f.index_of_id.find(id);
                if (it == f.index_of_id.end()) {
                    d.fail(fmt::format("no node of this rank has id {}", id));
                }
                unique.insert(it->second);
            }
            deps[i].assign(unique.begin(), unique.end());
            waiting[i] = deps[i].size();
            for (std::size_t d : deps[i]) {
                users[d].push_back(i);
            }
        }
        std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
        for (std::size_t i = 0; i < n; ++i) {
            if (waiting[i] == 0) {
                ready.push(i);
            }
        }
        std::vector<std::size_t> order;
        while (!ready.empty()) {
            const std::size_t i = ready.top();
            ready.pop();
            order.push_back(i);
            for (std::size_t u : users[i]) {
                if (--waiting[u] == 0) {
                    ready.push(u);
                }
            }
        }
        if (order.size() < n) {
            report_cycle(f, deps, waiting);
        }
        Block program;
        program.name = "";
        std::vector<int> step_of(n, -1);
        std::vector<std::vector<int>> resolved(n); // a dropped node's deps, as steps
        for (std::size_t i : order) {
            std::set<int> after;
            for (std::size_t d : deps[i]) {
                if (step_of[d] >= 0) {
                    after.insert(step_of[d]);
                } else {
                    after.insert(resolved[d].begin(), resolved[d].end());
                }
            }
            RawNode& node = f.nodes[i];
            if (node.dropped) {
                resolved[i].assign(after.begin(), after.end());
                ++dropped_;
                continue;
            }
            if (node.op.kind == Op::Kind::Collective) {
                finish_collective(node, rank);
            }
            step_of[i] = static_cast<int>(program.body.size());
            program.body.emplace_back(node.op);
            program.deps.emplace_back(after.begin(), after.end());
            if (node.op.kind == Op::Kind::Compute) {
                total_flops_ += node.op.compute.flops.value();
            }
        }
        return program;
    }

    void finish_collective(RawNode& node, int rank) {
        const int family = family_of_pg_.at(node.pg);
        node.op.collective.family = family;
        if (node.root) {
            const GroupFamily& fam = trace_.groups[static_cast<std::size_t>(family)];
            const auto root = static_cast<std::size_t>(node.root_rank);
            const std::int32_t c = fam.comm_of_rank[static_cast<std::size_t>(rank)];
            if (fam.comm_of_rank[root] != c) {
                node.root->fail(fmt::format("broadcast root rank {} is not in rank {}'s process group (ranks {})",
                                            node.root_rank, rank,
                                            fmt::join(fam.communicators[static_cast<std::size_t>(c)], ", ")));
            }
            node.op.collective.root = fam.position_of_rank[root];
        }
    }

    [[noreturn]] static void report_cycle(const RankFile& f, const std::vector<std::vector<std::size_t>>& deps,
                                          const std::vector<std::size_t>& waiting) {
        // Walk unfinished deps from the first unfinished node until a node repeats.
        std::size_t start = 0;
        while (waiting[start] == 0) {
            ++start;
        }
        std::vector<std::size_t> path;
        std::vector<int> seen_at(deps.size(), -1);
        std::size_t i = start;
        while (seen_at[i] < 0) {
            seen_at[i] = static_cast<int>(path.size());
            path.push_back(i);
            for (std::size_t d : deps[i]) {
                if (waiting[d] > 0) {
                    i = d;
                    break;
                }
            }
        }
        std::vector<std::string> ids;
        for (std::size_t k = static_cast<std::size_t>(seen_at[i]); k < path.size(); ++k) {
            ids.push_back(std::to_string(f.nodes[path[k]].id));
        }
        ids.push_back(std::to_string(f.nodes[i].id));
        f.nodes[i].where.fail(fmt::format("node {} is on a dependency cycle: {} (each waits for the next)",
                                          f.nodes[i].id, fmt::join(ids, " -> ")));
    }

    void build_classes(std::vector<Block>& programs) {
        trace_.class_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
        std::map<std::string, std::size_t> class_of_key;
        for (std::size_t r = 0; r < programs.size(); ++r) {
            if (programs[r].body.empty()) {
                continue; // nothing to do: the rank is idle
            }
            const std::string key = steps_to_json(trace_, programs[r]).dump();
            auto [it, fresh] = class_of_key.emplace(key, trace_.classes.size());
            if (fresh) {
                RankClass cls;
                cls.program = std::move(programs[r]);
                trace_.classes.push_back(std::move(cls));
            }
            trace_.classes[it->second].ranks.push_back(static_cast<int>(r));
            trace_.class_of_rank[r] = static_cast<std::int32_t>(it->second);
        }
        if (trace_.classes.empty()) {
            throw InputError(trace_.file, "",
                             "no node of any rank is an operation to simulate (only metadata, duration-only "
                             "compute nodes or collectives among one rank)");
        }
        for (auto& cls : trace_.classes) {
            const auto& r = cls.ranks;
            if (r.size() == 1) {
                cls.name = fmt::format("rank{}", r[0]);
            } else if (r.back() - r.front() + 1 == static_cast<int>(r.size())) {
                cls.name = fmt::format("ranks{}-{}", r.front(), r.back());
            } else {
                cls.name = fmt::format("rank{}+{}more", r.front(), r.size() - 1);
            }
            cls.program.name = cls.name;
        }
        WorkloadInfo& info = trace_.info;
        info.present = true;
        info.kind = "chakra";
        info.model = fmt::format("Chakra trace ({} ranks)", trace_.ranks);
        info.precision = options_.precision;
        info.model_flops_per_step = total_flops_;
        info.hardware_flops_per_step = total_flops_;
        info.figures["dropped_nodes_count"] = static_cast<double>(dropped_);
    }

    const std::vector<fs::path>& paths_;
    const ChakraOptions& options_;
    std::vector<RankFile> files_;
    std::map<std::string, int> family_of_pg_;
    Trace trace_;
    double total_flops_ = 0.0;
    std::int64_t dropped_ = 0;
};

// ---- the "chakra" workload type ----

Trace load_chakra_workload(Object w, const WorkloadContext& context) {
    ChakraOptions options;
    if (auto n = w.find("name")) {
        options.name = n->as_string();
        if (options.name.empty()) {
            n->fail("the trace name must not be empty");
        }
    }
    const std::optional<Value> ranks_v = w.find("ranks");
    const std::int64_t ranks = ranks_v ? ranks_v->as_integer(1, kMaxRanks) : 0;
    const Value files = w.at("files");
    std::vector<fs::path> paths;
    if (files.is_string()) {
        const std::string pattern = files.as_string();
        constexpr std::string_view kSlot = "{rank}";
        if (pattern.find(kSlot) == std::string::npos) {
            files.fail("a file pattern needs \"{rank}\" where the rank number goes (\"traces/x/rank{rank}.json\"); "
                       "or give a list of files, one per rank");
        }
        const auto path_of = [&](std::int64_t r) {
            std::string s = pattern;
            for (auto p = s.find(kSlot); p != std::string::npos; p = s.find(kSlot, p)) {
                s.replace(p, kSlot.size(), std::to_string(r));
            }
            return context.base_dir / s;
        };
        for (std::int64_t r = 0; ranks_v ? r < ranks : r < kMaxRanks; ++r) {
            const fs::path p = path_of(r);
            if (const std::string why = missing_reason(p); !why.empty()) {
                if (ranks_v || r == 0) {
                    files.fail(fmt::format("no file for rank {}: \"{}\" {}", r, p.string(), why));
                }
                break;
            }
            paths.push_back(p);
        }
    } else if (files.is_array()) {
        const Array list = files.as_array();
        if (list.empty()) {
            files.fail("give at least one file (one per rank)");
        }
        for (const Value& f : list.values()) {
            const fs::path p = context.base_dir / f.as_string();
            if (const std::string why = missing_reason(p); !why.empty()) {
                f.fail(fmt::format("file \"{}\" {}", p.string(), why));
            }
            paths.push_back(p);
        }
        if (ranks_v && ranks != static_cast<std::int64_t>(paths.size())) {
            ranks_v->fail(
                fmt::format("\"ranks\" is {} but \"files\" lists {} files (one per rank)", ranks, paths.size()));
        }
    } else {
        files.fail("expected a file pattern with \"{rank}\" or a list of files, one per rank");
    }
    if (auto c = w.find("compute")) {
        Object co = c->as_object();
        if (auto f = co.find("flops_per_op")) {
            options.flops_per_op = f->as_number(Bound::Positive, kMaxFlopsPerOp);
        }
        if (auto p = co.find("precision")) {
            const std::string s = p->as_string();
            const auto parsed = topology::parse_precision(s);
            if (!parsed) {
                p->fail(fmt::format("unknown precision \"{}\": expected one of fp64, tf32, bf16, fp16, fp8, fp4", s));
            }
            options.precision = *parsed;
        }
        co.finish();
    }
    w.finish();
    return load_chakra(paths, options);
}

} // namespace

Trace load_chakra(const std::vector<fs::path>& rank_files, const ChakraOptions& options) {
    if (!(options.flops_per_op > 0)) {
        throw std::invalid_argument("load_chakra: flops_per_op must be > 0");
    }
    return Importer(rank_files, options).run();
}

namespace detail {
void register_chakra_workload() {
    register_workload_type("chakra", load_chakra_workload);
}
} // namespace detail

} // namespace twin::models
