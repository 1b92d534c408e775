// Where ranks meet: the members of a collective instance and the two ends of a transfer. Plain C++
// state, no SimGrid: the coordinator says who arrived when, and gets back what can start.
//
// - The k-th collective a rank issues on a group family matches the k-th of every other member of
//   its communicator; the instance is ready when every member arrived (in a folded run, every
//   member of the simulated block). Members must agree on kind, size and root.
// - A send and a recv match in order per (sender, receiver) pair; sizes must be equal.
// - When nothing is in flight and ranks still wait, report_deadlock names one of them.
#pragma once

#include "engine_types.hpp"
#include "twin/models/fold.hpp"
#include "twin/models/trace.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace twin::sim {

struct CollectiveInstance {
    const models::Op* op = nullptr; // the first member's
    int family = 0;
    int comm = 0;
    std::vector<Pending> arrived;
};

// A matched send and recv: `first` posted first, `second` (whose op is `op`) matched it.
struct Transfer {
    const models::Op* op = nullptr;
    int src = 0;
    int dst = 0;
    Pending first;
    Pending second;
};

class Rendezvous {
public:
    Rendezvous(const models::Trace& trace, const models::Fold& fold);

    // `rank` reaches collective `op` (its step `ref`) at `now`: the instance when it is complete.
    std::optional<CollectiveInstance> arrive(int rank, OpRef ref, const models::Op& op, double now);
    // `rank` posts send or recv `op` at `now`: the transfer when the other end was posted.
    std::optional<Transfer> post(int rank, OpRef ref, const models::Op& op, double now);
    // Throws the InputError naming the first rank still waiting.
    [[noreturn]] void report_deadlock() const;

private:
    struct P2PPost {
        const models::Op* op = nullptr;
        Pending who;
    };

    const models::Trace& trace_;
    const models::Fold& fold_;
    std::vector<std::vector<std::uint32_t>> collective_seq_; // per rank, per group family
    std::map<std::uint64_t, CollectiveInstance> instances_;  // by (family, communicator, sequence)
    // By (src, dst): posted sends (first) and recvs (second) not yet matched.
    std::map<std::uint64_t, std::pair<std::deque<P2PPost>, std::deque<P2PPost>>> channels_;
};

} // namespace twin::sim
