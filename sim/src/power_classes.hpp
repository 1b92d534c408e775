// Equivalent power domains of a folded run (power_accounting.hpp).
//
// A folded rank stands for its GPUs in every replica (stands_for), which at 1M GPUs puts each
// simulated rank's images in 6,250 racks: moving its power rack by rack, row by row and CDU by CDU
// costs O(images) per state change. Yet the domains whose GPUs are images of the same simulated
// ranks in the same numbers, and that start from the same level with the same limits, receive the
// same sequence of changes: their levels are equal at every instant. Such domains form a class; the
// accounting updates only the class's representative (its lowest index) and copies it to the other
// members when the run ends.
//
// Signature of a domain (racks, rows, halls, CDUs: one family at a time):
//   (initial level, level before it, the two limits, cooling capacity, throttled clock,
//    for each folded rank c in order: the GPU counts its groups put in the domain, in group order)
// Two domains with equal signatures are in one class. Exact, not approximate: the representative
// receives, change by change, the same additions (the same operands in the same order) as each
// member would, so every member's statistics are bit for bit those of the domain-by-domain
// accounting. A domain holding a GPU that no folded rank stands for (a rank simulated on its own,
// or an idle GPU) is kept alone: its changes come one GPU at a time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace twin::sim {

// What a domain's level starts from and is checked against (see the signature above).
struct DomainStart {
    double w = 0.0, before = 0.0;
    std::array<double, 2> limit{-1.0, -1.0};
    double capacity = -1.0, throttled_clock = 1.0;
};

// One folded rank's GPUs in one domain of a family.
struct DomainShare {
    std::int32_t domain = 0;
    std::int32_t count = 0;
};

// rep[d]: the representative of domain d's class (d itself when alone). `shares[c]`: folded rank
// c's shares in this family, in its group order; `alone[d]`: domain d must stay alone.
[[nodiscard]] std::vector<std::int32_t> classify_domains(const std::vector<DomainStart>& starts,
                                                         const std::vector<std::vector<DomainShare>>& shares,
                                                         const std::vector<std::uint8_t>& alone);

} // namespace twin::sim
