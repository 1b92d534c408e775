// Equivalent power domains; the rule and why it is exact: power_classes.hpp.
#include "power_classes.hpp"

#include <cstring>
#include <map>
#include <utility>

namespace twin::sim {
namespace {

// The start of a domain as bit patterns, so that the comparison is exact equality (and total even
// for values a comparison of doubles would not order).
std::array<std::uint64_t, 6> start_bits(const DomainStart& s) {
    const std::array<double, 6> v{s.w, s.before, s.limit[0], s.limit[1], s.capacity, s.throttled_clock};
    std::array<std::uint64_t, 6> out{};
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::memcpy(&out[i], &v[i], sizeof(double));
    }
    return out;
}

} // namespace

std::vector<std::int32_t> classify_domains(const std::vector<DomainStart>& starts,
                                           const std::vector<std::vector<DomainShare>>& shares,
                                           const std::vector<std::uint8_t>& alone) {
    const std::size_t n = starts.size();
    // Signature: (folded rank, count) pairs, ranks in order and each rank's groups in order.
    std::vector<std::vector<std::int32_t>> signature(n);
    for (std::size_t c = 0; c < shares.size(); ++c) {
        for (const auto& s : shares[c]) {
            auto& sig = signature[static_cast<std::size_t>(s.domain)];
            sig.push_back(static_cast<std::int32_t>(c));
            sig.push_back(s.count);
        }
    }
    std::vector<std::int32_t> rep(n);
    std::map<std::pair<std::array<std::uint64_t, 6>, std::vector<std::int32_t>>, std::int32_t> first;
    for (std::size_t d = 0; d < n; ++d) {
        rep[d] = static_cast<std::int32_t>(d);
        if (alone[d] != 0) {
            continue;
        }
        const auto [it, inserted] =
            first.try_emplace(std::make_pair(start_bits(starts[d]), std::move(signature[d])), rep[d]);
        rep[d] = it->second;
    }
    return rep;
}

} // namespace twin::sim
