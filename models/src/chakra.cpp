// Chakra execution-trace import: one jsonizer file per rank -> workload trace v1.
//
// Input: Chakra's binary rank files (".et", length-delimited protobuf records, read into the JSON
// form by chakra_protobuf.cpp) or the JSON form. (MLCommons Chakra, schema/protobuf/et_def.proto,
// GlobalMetadata version "0.0.4"; the
// jsonizer src/jsonizer/jsonizer.py writes MessageToJson(GlobalMetadata) and then
// MessageToJson(Node) for every node, concatenated without separators): protobuf's JSON mapping,
// so field names are lowerCamelCase (the proto names are accepted too), enums are their names
// (numbers accepted), 64-bit integers are decimal strings (numbers accepted), and fields at their
// default value (id 0, no deps, ...) are absent. The file is read as a sequence of records (or a
// JSON array of them); pointers count records: /0 is GlobalMetadata, /1 the first node.
//
// Mapping (models/README.md, "Chakra import"), with ASTRA-sim's feeder as the reference for
// attribute meanings (src/feeder/et_feeder_node.cpp):
//   COMP_NODE              compute: flops = num_ops x flops_per_op, bytes = tensor_size; a node
//                          with only durationMicros takes that time (scaled by "measured_on",
//                          "durations" says when a duration is used); nothing to time: dropped
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

#include "chakra_rank_file.hpp"
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

using chakra_detail::kInt64Max;
using chakra_detail::kMaxFlopsPerOp;
using chakra_detail::kMaxRanks;
using chakra_detail::RankFile;
using chakra_detail::RawNode;
using chakra_detail::read_int;

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
            files_.push_back(chakra_detail::read_rank_file(paths_[r], static_cast<int>(r), trace_.ranks, options_));
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
                             "no node of any rank is an operation to simulate (only metadata, compute nodes "
                             "with nothing to time, or collectives among one rank)");
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

// Measured durations scale from the GPU they were measured on (a catalog GPU type) to the GPU each
// rank runs on by the ratio of dense peak FLOP/s at the trace's precision, P_measured / P_target:
// the trace's kernels are taken as compute-bound (GEMMs dominate a training step; a memory-bound
// kernel would scale by HBM bandwidth instead, which a duration alone cannot tell).
std::vector<double> duration_scales(const Value& measured_on, topology::Precision precision, std::size_t ranks,
                                    int first_gpu, const topology::Cluster& cluster) {
    const std::string name = measured_on.as_string();
    const auto& gpus = cluster.catalog().gpus;
    const auto it = gpus.find(name);
    if (it == gpus.end()) {
        std::vector<std::string> names;
        for (const auto& [n, g] : gpus) {
            names.push_back(n);
        }
        measured_on.fail(fmt::format("unknown GPU type \"{}\" (the catalog has {})", name, fmt::join(names, ", ")));
    }
    const auto peak = [&](const topology::GpuType& g) {
        const auto p = g.peak_flops.find(precision);
        return p == g.peak_flops.end() ? 0.0 : p->second.value();
    };
    const double measured = peak(it->second);
    if (!(measured > 0)) {
        measured_on.fail(fmt::format("GPU type \"{}\" has no {} peak to scale durations by", name,
                                     topology::precision_name(precision)));
    }
    std::vector<double> out(ranks, 1.0);
    for (std::size_t r = 0;
         r < ranks && r + static_cast<std::size_t>(first_gpu) < static_cast<std::size_t>(cluster.gpu_count()); ++r) {
        const topology::GpuType& target = cluster.gpu_type(first_gpu + static_cast<int>(r));
        if (!(peak(target) > 0)) {
            measured_on.fail(fmt::format("rank {} runs on \"{}\", which has no {} peak to scale durations to", r,
                                         target.name, topology::precision_name(precision)));
        }
        out[r] = measured / peak(target);
    }
    return out;
}

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
        if (auto d = co.find("durations")) {
            options.durations = read_enum(*d, kChakraDurationNames);
        }
        if (auto m = co.find("measured_on")) {
            options.duration_scale_of_rank =
                duration_scales(*m, options.precision, paths.size(), context.first_gpu, context.cluster);
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
