// Collective instances and send/recv matching for the coordinator (see rendezvous.hpp).
#include "rendezvous.hpp"

#include "twin/core/error.hpp"

#include <fmt/format.h>

namespace twin::sim {

using models::Op;

Rendezvous::Rendezvous(const models::Trace& trace, const models::Fold& fold)
    : trace_(trace), fold_(fold),
      collective_seq_(static_cast<std::size_t>(trace.ranks), std::vector<std::uint32_t>(trace.groups.size(), 0)) {}

std::optional<CollectiveInstance> Rendezvous::arrive(int rank, OpRef ref, const Op& op, double now) {
    const int family = op.collective.family;
    const auto& fam = trace_.groups[static_cast<std::size_t>(family)];
    const int comm = fam.comm_of_rank[static_cast<std::size_t>(rank)];
    const std::uint32_t seq = collective_seq_[static_cast<std::size_t>(rank)][static_cast<std::size_t>(family)]++;
    const std::uint64_t key = (static_cast<std::uint64_t>(family) << 56) ^ (static_cast<std::uint64_t>(comm) << 32) ^
                              static_cast<std::uint64_t>(seq);
    auto& inst = instances_[key];
    if (inst.op == nullptr) {
        inst.op = &op;
        inst.family = family;
        inst.comm = comm;
    } else if (inst.op->collective.kind != op.collective.kind || inst.op->collective.size != op.collective.size ||
               inst.op->collective.root != op.collective.root) {
        throw InputError(models::file_of(trace_, op), op.pointer,
                         fmt::format("rank {} calls {} of {} bytes as collective #{} on its \"{}\" communicator, "
                                     "but another member called {} of {} bytes (from {})",
                                     rank, models::collective_name(op.collective.kind), op.collective.size.value(), seq,
                                     fam.name, models::collective_name(inst.op->collective.kind),
                                     inst.op->collective.size.value(), inst.op->pointer));
    }
    inst.arrived.push_back(Pending{ref, rank, now});
    const std::size_t expected =
        fold_.active ? static_cast<std::size_t>(
                           fold_.simulated_members[static_cast<std::size_t>(family)][static_cast<std::size_t>(comm)])
                     : fam.communicators[static_cast<std::size_t>(comm)].size();
    if (inst.arrived.size() < expected) {
        return std::nullopt;
    }
    std::optional<CollectiveInstance> ready(std::move(inst));
    instances_.erase(key);
    return ready;
}

std::optional<Transfer> Rendezvous::post(int rank, OpRef ref, const Op& op, double now) {
    const int peer = models::peer_of(trace_, op.p2p.peer, rank);
    const bool is_send = op.kind == Op::Kind::Send;
    const int src = is_send ? rank : peer;
    const int dst = is_send ? peer : rank;
    auto& ch = channels_[(static_cast<std::uint64_t>(src) << 32) | static_cast<std::uint32_t>(dst)];
    auto& mine = is_send ? ch.first : ch.second;
    auto& theirs = is_send ? ch.second : ch.first;
    if (theirs.empty()) {
        mine.push_back(P2PPost{&op, Pending{ref, rank, now}});
        return std::nullopt;
    }
    const P2PPost other = theirs.front();
    theirs.pop_front();
    if (other.op->p2p.size != op.p2p.size) {
        throw InputError(models::file_of(trace_, op), op.pointer,
                         fmt::format("rank {} {} {} bytes but rank {} {} {} bytes (from {}); sizes of matching "
                                     "send and recv must be equal",
                                     rank, is_send ? "sends" : "receives", op.p2p.size.value(), peer,
                                     is_send ? "receives" : "sends", other.op->p2p.size.value(), other.op->pointer));
    }
    return Transfer{&op, src, dst, other.who, Pending{ref, rank, now}};
}

void Rendezvous::report_deadlock() const {
    // Name the first waiting rank and what it waits in.
    for (const auto& [key, inst] : instances_) {
        (void)key;
        const auto& fam = trace_.groups[static_cast<std::size_t>(inst.family)];
        throw InputError(models::file_of(trace_, *inst.op), inst.op->pointer,
                         fmt::format("deadlock: {} of {} members of a \"{}\" communicator wait in {} \"{}\"; the "
                                     "others never reach it",
                                     inst.arrived.size(), fam.communicators[static_cast<std::size_t>(inst.comm)].size(),
                                     fam.name, models::collective_name(inst.op->collective.kind), inst.op->name));
    }
    for (const auto& [key, ch] : channels_) {
        const auto& posts = ch.first.empty() ? ch.second : ch.first;
        if (!posts.empty()) {
            const auto& p = posts.front();
            throw InputError(models::file_of(trace_, *p.op), p.op->pointer,
                             fmt::format("deadlock: rank {} waits in {} \"{}\" with rank {}, which never posts the "
                                         "matching {}",
                                         p.who.rank, models::op_kind_name(*p.op), p.op->name,
                                         p.op->kind == Op::Kind::Send ? key & 0xffffffffU : key >> 32,
                                         p.op->kind == Op::Kind::Send ? "recv" : "send"));
        }
    }
    throw InputError(trace_.file, "", "deadlock: ranks wait for each other");
}

} // namespace twin::sim
