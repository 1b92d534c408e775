// Workload trace v1 loader. Format and rules: models/README.md.
//
// Group families: {"size": s, "stride": t} partitions the ranks into blocks of s*t consecutive
// ranks; inside the block starting at b, communicator j (0 <= j < t) is {b + j + k*t : k < s}.
// s*t must divide "ranks", so every rank is in exactly one communicator. "size" defaults to
// ranks / stride (one block). {"members": [[...], ...]} lists communicators explicitly (ranks
// ascending; a rank in at most one; ranks in none are allowed).
//
// Everything that can be checked per rank without the cluster is checked here, once per step
// of a class (repeats are not expanded), so the cost is O(steps x ranks of the class).
#include "twin/models/trace.hpp"

#include "twin/topology/bounds.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace twin::models {
namespace {

// Guards allocations against a typo ("ranks": 1e12); far above any planned cluster.
constexpr std::int64_t kMaxRanks = std::int64_t{1} << 24;
constexpr std::int64_t kMaxRepeat = std::int64_t{1} << 40;
// Largest transfer or collective: SimGrid counts bytes in an unsigned 64-bit integer, and a
// petabyte per step is far above any model's gradients.
constexpr double kMaxMessageBytes = 1125899906842624.0; // 1 PiB

Bytes message_size(const Value& v) {
    const Bytes b = v.as_bytes(Bound::Positive);
    if (b.value() > kMaxMessageBytes) {
        v.fail(fmt::format("a message of {:g} bytes is above the ceiling of 1 PiB ({:g} bytes)", b.value(),
                           kMaxMessageBytes));
    }
    return b;
}

struct OpSpec {
    std::string_view name;
    Op::Kind kind;
    CollectiveKind collective;
};

constexpr OpSpec kOps[] = {
    {"compute", Op::Kind::Compute, CollectiveKind::AllReduce},
    {"all_reduce", Op::Kind::Collective, CollectiveKind::AllReduce},
    {"all_gather", Op::Kind::Collective, CollectiveKind::AllGather},
    {"reduce_scatter", Op::Kind::Collective, CollectiveKind::ReduceScatter},
    {"all_to_all", Op::Kind::Collective, CollectiveKind::AllToAll},
    {"broadcast", Op::Kind::Collective, CollectiveKind::Broadcast},
    {"send", Op::Kind::Send, CollectiveKind::AllReduce},
    {"recv", Op::Kind::Recv, CollectiveKind::AllReduce},
};

std::vector<std::string_view> op_names() {
    std::vector<std::string_view> out;
    for (const auto& s : kOps) {
        out.push_back(s.name);
    }
    return out;
}

class Loader {
public:
    explicit Loader(Object& root) : root_(root) {}

    Trace load() {
        trace_.file = root_.self().file();
        const Value version = root_.at("schema_version");
        if (version.as_integer(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()) !=
            1) {
            version.fail("unsupported schema_version: this version of clustertwin reads workload traces of version 1");
        }
        trace_.name = root_.at("name").as_string();
        if (trace_.name.empty()) {
            root_.fail_at("name", "the trace name must not be empty");
        }
        trace_.ranks = static_cast<int>(root_.at("ranks").as_integer(1, kMaxRanks));
        if (auto g = root_.find("groups")) {
            load_groups(g->as_object());
        }
        load_classes(root_.at("classes").as_array());
        root_.finish();
        return std::move(trace_);
    }

private:
    // ---- group families ----

    void load_groups(Object groups) {
        for (const auto& name : groups.keys()) {
            Value v = *groups.find(name);
            if (name.empty()) {
                v.fail("a group family needs a non-empty name");
            }
            GroupFamily fam;
            fam.name = name;
            fam.comm_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
            fam.position_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
            Object o = v.as_object();
            if (o.has("members")) {
                for (const char* key : {"size", "stride"}) {
                    if (o.has(key)) {
                        o.fail_at(key, "a group family has either \"members\" or \"size\"/\"stride\", not both");
                    }
                }
                load_members(o.at("members").as_array(), fam);
            } else {
                load_strided(o, fam);
            }
            o.finish();
            family_index_[name] = static_cast<int>(trace_.groups.size());
            trace_.groups.push_back(std::move(fam));
        }
    }

    void load_strided(Object& o, GroupFamily& fam) {
        const std::int64_t ranks = trace_.ranks;
        const std::int64_t stride = o.find("stride") ? o.find("stride")->as_integer(1, kMaxRanks) : 1;
        std::int64_t size = 0;
        if (auto s = o.find("size")) {
            size = s->as_integer(2, kMaxRanks);
        } else {
            if (ranks % stride != 0 || ranks / stride < 2) {
                o.fail(fmt::format("without \"size\", the communicators span all ranks at stride {}: that needs "
                                   "ranks ({}) to be a multiple of the stride with at least 2 ranks per "
                                   "communicator; give \"size\"",
                                   stride, ranks));
            }
            size = ranks / stride;
        }
        const std::int64_t block = size * stride;
        if (ranks % block != 0) {
            o.fail(fmt::format("communicators of {} ranks at stride {} repeat every {} ranks, which does not divide "
                               "ranks = {}: every rank must be in a communicator",
                               size, stride, block, ranks));
        }
        for (std::int64_t base = 0; base < ranks; base += block) {
            for (std::int64_t j = 0; j < stride; ++j) {
                const auto c = static_cast<std::int32_t>(fam.communicators.size());
                std::vector<int> comm;
                comm.reserve(static_cast<std::size_t>(size));
                for (std::int64_t k = 0; k < size; ++k) {
                    const auto r = static_cast<int>(base + j + k * stride);
                    fam.comm_of_rank[static_cast<std::size_t>(r)] = c;
                    fam.position_of_rank[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(k);
                    comm.push_back(r);
                }
                fam.communicators.push_back(std::move(comm));
            }
        }
    }

    void load_members(const Array& members, GroupFamily& fam) {
        if (members.empty()) {
            members.self().fail("a group family needs at least one communicator");
        }
        for (std::size_t c = 0; c < members.size(); ++c) {
            const Array list = members.at(c).as_array();
            if (list.size() < 2) {
                list.self().fail("a communicator needs at least 2 ranks");
            }
            std::vector<int> comm;
            for (std::size_t k = 0; k < list.size(); ++k) {
                const Value rv = list.at(k);
                const auto r = static_cast<int>(rv.as_integer(0, trace_.ranks - 1));
                const auto ri = static_cast<std::size_t>(r);
                if (fam.comm_of_rank[ri] == static_cast<std::int32_t>(c)) {
                    rv.fail(fmt::format("rank {} appears twice in this communicator", r));
                }
                if (fam.comm_of_rank[ri] >= 0) {
                    rv.fail(fmt::format("rank {} is already in communicator {} of group family \"{}\"; a rank "
                                        "belongs to at most one communicator of a family",
                                        r, fam.comm_of_rank[ri], fam.name));
                }
                if (!comm.empty() && r < comm.back()) {
                    rv.fail(fmt::format("ranks of a communicator must be listed in ascending order (the "
                                        "communicator's order is rank order), got {} after {}",
                                        r, comm.back()));
                }
                fam.comm_of_rank[ri] = static_cast<std::int32_t>(c);
                fam.position_of_rank[ri] = static_cast<std::int32_t>(k);
                comm.push_back(r);
            }
            fam.communicators.push_back(std::move(comm));
        }
    }

    // ---- rank classes ----

    void load_classes(const Array& classes) {
        if (classes.empty()) {
            classes.self().fail("a trace needs at least one rank class");
        }
        trace_.class_of_rank.assign(static_cast<std::size_t>(trace_.ranks), -1);
        std::map<std::string, std::size_t> names;
        for (std::size_t i = 0; i < classes.size(); ++i) {
            Object o = classes.at(i).as_object();
            RankClass cls;
            const Value name = o.at("name");
            cls.name = name.as_string();
            if (cls.name.empty()) {
                name.fail("a rank class needs a non-empty name");
            }
            if (auto [it, fresh] = names.emplace(cls.name, i); !fresh) {
                name.fail(fmt::format("class name \"{}\" is already used by /classes/{}", cls.name, it->second));
            }
            cls.ranks = load_class_ranks(o.at("ranks"), cls.name, static_cast<std::int32_t>(i));
            cls.program.name = cls.name;
            const Value program = o.at("program");
            cls.program.body = load_body(program.as_array(), cls, cls.program.deps);
            o.finish();
            trace_.classes.push_back(std::move(cls));
        }
    }

    std::vector<int> load_class_ranks(const Value& v, const std::string& cls_name, std::int32_t cls_index) {
        std::vector<int> ranks;
        const auto take = [&](const Value& where, int r) {
            auto& owner = trace_.class_of_rank[static_cast<std::size_t>(r)];
            if (owner == cls_index) {
                where.fail(fmt::format("rank {} is listed twice in class \"{}\"", r, cls_name));
            }
            if (owner >= 0) {
                where.fail(fmt::format("rank {} is in both class \"{}\" and class \"{}\"; classes must not overlap", r,
                                       trace_.classes[static_cast<std::size_t>(owner)].name, cls_name));
            }
            owner = cls_index;
            ranks.push_back(r);
        };
        if (v.is_string()) {
            (void)v.as_choice({"all"});
            for (int r = 0; r < trace_.ranks; ++r) {
                take(v, r);
            }
            return ranks;
        }
        if (!v.is_array()) {
            v.fail("expected \"all\" or a list of ranks and inclusive [first, last] ranges");
        }
        const Array list = v.as_array();
        if (list.empty()) {
            v.fail("a rank class needs at least one rank");
        }
        const std::int64_t last_rank = trace_.ranks - 1;
        for (const Value& item : list.values()) {
            if (item.is_array()) {
                const Array range = item.as_array();
                if (range.size() != 2) {
                    item.fail("expected an inclusive range [first, last]");
                }
                const auto first = static_cast<int>(range.at(0).as_integer(0, last_rank));
                const auto last = static_cast<int>(range.at(1).as_integer(first, last_rank));
                for (int r = first; r <= last; ++r) {
                    take(item, r);
                }
            } else {
                take(item, static_cast<int>(item.as_integer(0, last_rank)));
            }
        }
        std::sort(ranks.begin(), ranks.end());
        return ranks;
    }

    // ---- programs ----

    std::vector<Step> load_body(const Array& steps, const RankClass& cls, std::vector<std::vector<int>>& deps) {
        if (steps.empty()) {
            steps.self().fail("a program or block body needs at least one step");
        }
        std::vector<Step> body;
        std::map<std::string, int> ids;
        std::map<std::string, int> all_ids; // to tell forward references from unknown ids
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const Value sv = steps.at(i);
            if (sv.is_object() && sv.json().contains("id") && sv.json()["id"].is_string()) {
                all_ids.emplace(sv.json()["id"].get<std::string>(), static_cast<int>(i));
            }
        }
        for (std::size_t i = 0; i < steps.size(); ++i) {
            Object o = steps.at(i).as_object();
            std::vector<int> step_deps;
            if (auto after = o.find("after")) {
                std::set<int> seen;
                for (const Value& ref : after->as_array().values()) {
                    const std::string id = ref.as_string();
                    auto it = ids.find(id);
                    if (it == ids.end()) {
                        auto later = all_ids.find(id);
                        if (later != all_ids.end() && later->second >= static_cast<int>(i)) {
                            ref.fail(fmt::format("\"after\" may only name earlier steps of the same body; \"{}\" is "
                                                 "step {}",
                                                 id, later->second));
                        }
                        ref.fail(fmt::format("no earlier step of this body has id \"{}\"", id));
                    }
                    if (!seen.insert(it->second).second) {
                        ref.fail(fmt::format("id \"{}\" is listed twice", id));
                    }
                    step_deps.push_back(it->second);
                }
                std::sort(step_deps.begin(), step_deps.end());
            } else if (i > 0) {
                step_deps.push_back(static_cast<int>(i) - 1);
            }
            if (auto id = o.find("id")) {
                const std::string s = id->as_string();
                if (s.empty()) {
                    id->fail("an id must not be empty");
                }
                if (!ids.emplace(s, static_cast<int>(i)).second) {
                    id->fail(fmt::format("id \"{}\" is already used by step {} of this body", s, ids[s]));
                }
            }
            if (o.has("body")) {
                if (o.has("op")) {
                    o.fail_at("op", "a step is either an operation (\"op\") or a block (\"body\"), not both");
                }
                body.emplace_back(load_block(o, cls));
            } else if (o.has("op")) {
                body.emplace_back(load_op(o, cls));
            } else {
                o.fail("a step needs \"op\" (an operation) or \"body\" (a block)");
            }
            o.finish();
            deps.push_back(std::move(step_deps));
        }
        return body;
    }

    Block load_block(Object& o, const RankClass& cls) {
        Block b;
        b.name = o.find("name") ? o.find("name")->as_string() : "block";
        if (auto r = o.find("repeat")) {
            b.repeat = r->as_integer(1, kMaxRepeat);
        }
        b.body = load_body(o.at("body").as_array(), cls, b.deps);
        return b;
    }

    Op load_op(Object& o, const RankClass& cls) {
        const std::string kind = o.at("op").as_choice(op_names());
        const auto spec =
            *std::find_if(std::begin(kOps), std::end(kOps), [&](const OpSpec& s) { return s.name == kind; });
        Op op;
        op.kind = spec.kind;
        op.pointer = o.self().pointer();
        op.name = o.find("name") ? o.find("name")->as_string() : std::string(spec.name);
        switch (op.kind) {
        case Op::Kind::Compute:
            load_compute(o, op.compute);
            break;
        case Op::Kind::Collective:
            op.collective.kind = spec.collective;
            load_collective(o, cls, op.collective);
            break;
        case Op::Kind::Send:
        case Op::Kind::Recv:
            op.p2p.size = message_size(o.at("size"));
            op.p2p.peer = load_peer(o.at("peer"), cls);
            break;
        }
        return op;
    }

    static void load_compute(Object& o, ComputeOp& c) {
        if (auto f = o.find("flops")) {
            c.flops = f->as_flops(Bound::NonNegative);
        }
        if (auto b = o.find("bytes")) {
            c.bytes = b->as_bytes(Bound::NonNegative);
        }
        if (auto d = o.find("duration")) {
            c.duration = d->as_seconds(Bound::NonNegative);
        }
        if (!(c.flops.value() > 0) && !(c.bytes.value() > 0) && !(c.duration.value() > 0)) {
            o.fail_at("flops", "a compute step needs \"flops\" > 0, \"bytes\" > 0 or \"duration\" > 0");
        }
        if (auto k = o.find("kernels")) {
            c.kernels = k->as_integer(0, 1000000);
        }
        if (auto e = o.find("efficiency")) {
            c.efficiency = topology::read_efficiency(*e);
        }
        if (auto p = o.find("precision")) {
            const std::string s = p->as_string();
            auto parsed = topology::parse_precision(s);
            if (!parsed) {
                p->fail(
                    fmt::format("unknown precision \"{}\": expected one of {}", s, topology::kPrecisionNames.list()));
            }
            c.precision = *parsed;
        }
    }

    int find_family(const Value& v) const {
        const std::string name = v.as_string();
        auto it = family_index_.find(name);
        if (it == family_index_.end()) {
            std::string known;
            for (const auto& [k, i] : family_index_) {
                known += (known.empty() ? "" : ", ") + k;
            }
            v.fail(fmt::format("unknown group family \"{}\" (defined under /groups: {})", name,
                               known.empty() ? "none" : known));
        }
        return it->second;
    }

    void load_collective(Object& o, const RankClass& cls, CollectiveOp& c) {
        const Value group = o.at("group");
        c.family = find_family(group);
        const GroupFamily& fam = trace_.groups[static_cast<std::size_t>(c.family)];
        for (int r : cls.ranks) {
            if (fam.comm_of_rank[static_cast<std::size_t>(r)] < 0) {
                group.fail(fmt::format("rank {} of class \"{}\" is in no communicator of group family \"{}\"", r,
                                       cls.name, fam.name));
            }
        }
        c.size = message_size(o.at("size"));
        // Whether the algorithm suits the communicators' placement is checked by the simulator,
        // which knows the cluster (collective_plan.hpp: UnsupportedAlgorithm).
        if (auto a = o.find("algorithm")) {
            c.algorithm = read_enum(*a, kAlgorithmNames);
        }
        if (auto p = o.find("protocol")) {
            c.protocol = read_enum(*p, kProtocolNames);
        }
        if (c.kind == CollectiveKind::Broadcast) {
            if (auto root = o.find("root")) {
                c.root = static_cast<int>(root->as_integer(0, kMaxRanks));
                for (int r : cls.ranks) {
                    const auto& comm =
                        fam.communicators[static_cast<std::size_t>(fam.comm_of_rank[static_cast<std::size_t>(r)])];
                    if (static_cast<std::size_t>(c.root) >= comm.size()) {
                        root->fail(fmt::format("root is a position inside the communicator, but rank {}'s "
                                               "communicator in \"{}\" has {} ranks",
                                               r, fam.name, comm.size()));
                    }
                }
            }
        }
    }

    Peer load_peer(const Value& v, const RankClass& cls) {
        Object o = v.as_object();
        const int forms = int{o.has("rank")} + int{o.has("offset")} + int{o.has("group") || o.has("to")};
        if (forms != 1) {
            o.fail("a peer is exactly one of {\"rank\": r}, {\"offset\": k} or {\"group\": family, \"to\": "
                   "\"next\"|\"prev\"}");
        }
        Peer p;
        std::optional<Value> where;
        if (auto rank = o.find("rank")) {
            p.kind = Peer::Kind::Rank;
            p.value = static_cast<int>(rank->as_integer(0, trace_.ranks - 1));
            where = rank;
        } else if (auto off = o.find("offset")) {
            p.kind = Peer::Kind::Offset;
            p.value = static_cast<int>(off->as_integer(-kMaxRanks, kMaxRanks));
            if (p.value == 0) {
                off->fail("an offset of 0 would make every rank its own peer");
            }
            where = off;
        } else {
            const Value group = o.at("group");
            p.family = find_family(group);
            p.kind = o.at("to").as_choice({"next", "prev"}) == "next" ? Peer::Kind::GroupNext : Peer::Kind::GroupPrev;
            const GroupFamily& fam = trace_.groups[static_cast<std::size_t>(p.family)];
            for (int r : cls.ranks) {
                if (fam.comm_of_rank[static_cast<std::size_t>(r)] < 0) {
                    group.fail(fmt::format("rank {} of class \"{}\" is in no communicator of group family \"{}\"", r,
                                           cls.name, fam.name));
                }
            }
            where = o.find("to");
        }
        o.finish();
        for (int r : cls.ranks) {
            const int q = peer_of(trace_, p, r);
            if (q == r) {
                where->fail(fmt::format("rank {} of class \"{}\" would be its own peer", r, cls.name));
            }
            if (q < 0) {
                if (p.kind == Peer::Kind::Offset) {
                    where->fail(fmt::format("rank {} of class \"{}\" has no peer at offset {}: {} is outside [0, {})",
                                            r, cls.name, p.value, std::int64_t{r} + p.value, trace_.ranks));
                }
                where->fail(fmt::format("rank {} of class \"{}\" is at the {} of its communicator in \"{}\" and has "
                                        "no {} (communicators do not wrap around)",
                                        r, cls.name, p.kind == Peer::Kind::GroupNext ? "end" : "start",
                                        trace_.groups[static_cast<std::size_t>(p.family)].name,
                                        p.kind == Peer::Kind::GroupNext ? "next" : "prev"));
            }
        }
        return p;
    }

    Object& root_;
    Trace trace_;
    std::map<std::string, int> family_index_;
};

} // namespace

std::string_view algorithm_name(Algorithm a) {
    return kAlgorithmNames.name_of(a, "auto");
}

std::string_view protocol_name(Protocol p) {
    return kProtocolNames.name_of(p, "auto");
}

std::string_view collective_name(CollectiveKind k) {
    return kCollectiveNames.name_of(k, "collective");
}

std::string_view op_kind_name(const Op& op) {
    switch (op.kind) {
    case Op::Kind::Compute:
        return "compute";
    case Op::Kind::Collective:
        return collective_name(op.collective.kind);
    case Op::Kind::Send:
        return "send";
    case Op::Kind::Recv:
        return "recv";
    }
    return "op";
}

int peer_of(const Trace& trace, const Peer& peer, int rank) {
    if (rank < 0 || rank >= trace.ranks) {
        return -1;
    }
    switch (peer.kind) {
    case Peer::Kind::Rank:
        return peer.value >= 0 && peer.value < trace.ranks ? peer.value : -1;
    case Peer::Kind::Offset: {
        const std::int64_t q = std::int64_t{rank} + peer.value;
        return q >= 0 && q < trace.ranks ? static_cast<int>(q) : -1;
    }
    case Peer::Kind::GroupNext:
    case Peer::Kind::GroupPrev: {
        if (peer.family < 0 || static_cast<std::size_t>(peer.family) >= trace.groups.size()) {
            return -1;
        }
        const GroupFamily& fam = trace.groups[static_cast<std::size_t>(peer.family)];
        const std::int32_t c = fam.comm_of_rank[static_cast<std::size_t>(rank)];
        if (c < 0) {
            return -1;
        }
        const auto& comm = fam.communicators[static_cast<std::size_t>(c)];
        const std::int64_t pos =
            fam.position_of_rank[static_cast<std::size_t>(rank)] + (peer.kind == Peer::Kind::GroupNext ? 1 : -1);
        return pos >= 0 && pos < static_cast<std::int64_t>(comm.size()) ? comm[static_cast<std::size_t>(pos)] : -1;
    }
    }
    return -1;
}

std::int64_t count_ops(const Block& block) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t once = 0;
    for (const Step& s : block.body) {
        const std::int64_t n = std::holds_alternative<Op>(s) ? 1 : count_ops(std::get<Block>(s));
        once = n > kMax - once ? kMax : once + n;
    }
    std::int64_t total = 0;
    if (__builtin_mul_overflow(once, block.repeat, &total)) {
        return kMax;
    }
    return total;
}

Trace load_trace(Object trace) {
    return Loader(trace).load();
}

Trace load_trace_file(const std::filesystem::path& path) {
    const Document doc = Document::load(path);
    return load_trace(doc.root().as_object());
}

} // namespace twin::models
