// Chakra .et export (twin/models/chakra_writer.hpp has the mapping).
#include "twin/models/chakra_writer.hpp"

#include "proto/chakra_et.pb.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <set>
#include <stdexcept>

namespace twin::models {
namespace {

namespace pb = ChakraProtoMsg;
using Ids = std::vector<std::uint64_t>;

// Chakra's CollectiveCommType values.
pb::CollectiveCommType comm_type(CollectiveKind k) {
    switch (k) {
    case CollectiveKind::AllReduce:
        return pb::ALL_REDUCE;
    case CollectiveKind::AllGather:
        return pb::ALL_GATHER;
    case CollectiveKind::ReduceScatter:
        return pb::REDUCE_SCATTER;
    case CollectiveKind::AllToAll:
        return pb::ALL_TO_ALL;
    case CollectiveKind::Broadcast:
        return pb::BROADCAST;
    }
    throw std::invalid_argument("chakra export: unknown collective kind");
}

std::int64_t rounded(double x) {
    return static_cast<std::int64_t>(std::llround(x));
}

class RankWriter {
public:
    RankWriter(const Trace& trace, int rank) : trace_(trace), rank_(rank) {}

    std::string bytes() {
        pb::GlobalMetadata meta;
        meta.set_version("0.0.4");
        write(meta);
        const std::int32_t cls = trace_.class_of_rank.at(static_cast<std::size_t>(rank_));
        if (cls >= 0) {
            const Block& program = trace_.classes.at(static_cast<std::size_t>(cls)).program;
            const std::int64_t ops = count_ops(program);
            if (ops > kMaxChakraNodesPerRank) {
                throw std::invalid_argument(
                    fmt::format("rank {} unrolls to {} operations; a Chakra export holds at most "
                                "{} per rank",
                                rank_, ops, kMaxChakraNodesPerRank));
            }
            (void)emit(program, {});
        }
        return std::move(out_);
    }

private:
    // Emits every iteration of `block`, the first starting after `start`; returns the ids that end it.
    Ids emit(const Block& block, Ids start) {
        for (std::int64_t it = 0; it < block.repeat; ++it) {
            std::vector<Ids> ends(block.body.size());
            std::vector<bool> waited_for(block.body.size(), false);
            for (std::size_t i = 0; i < block.body.size(); ++i) {
                Ids deps;
                if (block.deps[i].empty()) {
                    deps = start;
                }
                for (int j : block.deps[i]) {
                    const Ids& e = ends[static_cast<std::size_t>(j)];
                    deps.insert(deps.end(), e.begin(), e.end());
                    waited_for[static_cast<std::size_t>(j)] = true;
                }
                std::sort(deps.begin(), deps.end());
                deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
                if (const auto* op = std::get_if<Op>(&block.body[i])) {
                    ends[i] = {node(*op, deps)};
                } else {
                    ends[i] = emit(std::get<Block>(block.body[i]), deps);
                }
            }
            Ids end;
            for (std::size_t i = 0; i < ends.size(); ++i) {
                if (!waited_for[i]) {
                    end.insert(end.end(), ends[i].begin(), ends[i].end());
                }
            }
            std::sort(end.begin(), end.end());
            start = std::move(end);
        }
        return start;
    }

    static void attr(pb::Node& n, const std::string& name, std::int64_t v) {
        auto* a = n.add_attr();
        a->set_name(name);
        a->set_int64_val(v);
    }

    std::uint64_t node(const Op& op, const Ids& deps) {
        pb::Node n;
        const std::uint64_t id = next_id_++;
        n.set_id(id);
        n.set_name(op.name);
        for (auto d : deps) {
            n.add_data_deps(d);
        }
        switch (op.kind) {
        case Op::Kind::Compute: {
            const ComputeOp& c = op.compute;
            n.set_type(pb::COMP_NODE);
            attr(n, "num_ops", rounded(c.flops.value()));
            attr(n, "tensor_size", rounded(c.bytes.value()));
            if (c.duration.value() > 0) {
                n.set_duration_micros(
                    static_cast<std::uint64_t>(std::max<std::int64_t>(1, rounded(c.duration.value() * 1e6))));
            }
            auto* p = n.add_attr();
            p->set_name("twin_precision");
            p->set_string_val(std::string(topology::precision_name(c.precision)));
            if (c.efficiency != 1.0) {
                auto* e = n.add_attr();
                e->set_name("twin_efficiency");
                e->set_double_val(c.efficiency);
            }
            if (c.kernels != 0) {
                attr(n, "twin_kernels", c.kernels);
            }
            break;
        }
        case Op::Kind::Collective: {
            const CollectiveOp& c = op.collective;
            const GroupFamily& f = trace_.groups.at(static_cast<std::size_t>(c.family));
            const std::int32_t comm = f.comm_of_rank.at(static_cast<std::size_t>(rank_));
            n.set_type(pb::COMM_COLL_NODE);
            attr(n, "comm_type", comm_type(c.kind));
            attr(n, "comm_size", rounded(c.size.value()));
            auto* pg = n.add_attr();
            pg->set_name("pg_name");
            pg->set_string_val(fmt::format("{}#{}", f.name, comm));
            if (c.kind == CollectiveKind::Broadcast) {
                attr(n, "comm_src",
                     f.communicators.at(static_cast<std::size_t>(comm)).at(static_cast<std::size_t>(c.root)));
            }
            break;
        }
        case Op::Kind::Send:
        case Op::Kind::Recv: {
            const bool send = op.kind == Op::Kind::Send;
            n.set_type(send ? pb::COMM_SEND_NODE : pb::COMM_RECV_NODE);
            attr(n, send ? "comm_dst" : "comm_src", peer_of(trace_, op.p2p.peer, rank_));
            attr(n, "comm_size", rounded(op.p2p.size.value()));
            break;
        }
        }
        write(n);
        return id;
    }

    void write(const google::protobuf::Message& m) {
        google::protobuf::io::StringOutputStream stream(&out_);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        coded.WriteVarint32(static_cast<std::uint32_t>(m.ByteSizeLong()));
        m.SerializeWithCachedSizes(&coded);
    }

    const Trace& trace_;
    int rank_;
    std::string out_;
    std::uint64_t next_id_ = 0;
};

} // namespace

std::string chakra_rank_bytes(const Trace& trace, int rank) {
    if (rank < 0 || rank >= trace.ranks) {
        throw std::invalid_argument(fmt::format("chakra export: rank {} is out of range 0..{}", rank, trace.ranks - 1));
    }
    return RankWriter(trace, rank).bytes();
}

std::vector<std::filesystem::path> write_chakra(const Trace& trace, const std::filesystem::path& dir,
                                                const std::string& stem) {
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> out;
    for (int r = 0; r < trace.ranks; ++r) {
        const std::filesystem::path p = dir / fmt::format("{}{}.et", stem, r);
        const std::string bytes = chakra_rank_bytes(trace, r);
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        f << bytes;
        if (!f.flush()) {
            throw std::runtime_error(fmt::format("cannot write {}", p.string()));
        }
        out.push_back(p);
    }
    return out;
}

} // namespace twin::models
