// Switch distances by classes of twins (switch_distances.hpp).
#include "switch_distances.hpp"

#include <algorithm>
#include <numeric>

namespace twin::topology::detail {

SwitchDistances::SwitchDistances(const std::vector<std::uint32_t>& adj_begin, const std::vector<std::uint32_t>& other,
                                 const std::vector<std::uint8_t>& up) {
    const auto n = static_cast<std::uint32_t>(adj_begin.empty() ? 0 : adj_begin.size() - 1);
    // Each switch's neighbour set, sorted, and a hash of it.
    std::vector<std::uint32_t> set_begin(n + 1, 0);
    std::vector<std::uint32_t> sets;
    sets.reserve(other.size());
    std::vector<std::uint64_t> hash(n, 0);
    for (std::uint32_t s = 0; s < n; ++s) {
        set_begin[s] = static_cast<std::uint32_t>(sets.size());
        const auto first = sets.size();
        bool self = false;
        for (auto e = adj_begin[s]; e < adj_begin[s + 1]; ++e) {
            sets.push_back(other[e]);
            self = self || other[e] == s;
        }
        std::sort(sets.begin() + static_cast<std::ptrdiff_t>(first), sets.end());
        sets.erase(std::unique(sets.begin() + static_cast<std::ptrdiff_t>(first), sets.end()), sets.end());
        std::uint64_t h = self ? 0x9e3779b97f4a7c15ULL * (s + 1) : 0xcbf29ce484222325ULL; // self-linked: alone
        for (auto k = first; k < sets.size(); ++k) {
            h = (h ^ sets[k]) * 0x100000001b3ULL;
            h ^= h >> 29;
        }
        hash[s] = h;
    }
    set_begin[n] = static_cast<std::uint32_t>(sets.size());
    const auto same = [&](std::uint32_t a, std::uint32_t b) {
        const bool self_a = std::binary_search(sets.begin() + set_begin[a], sets.begin() + set_begin[a + 1], a);
        const bool self_b = std::binary_search(sets.begin() + set_begin[b], sets.begin() + set_begin[b + 1], b);
        return !self_a && !self_b &&
               std::equal(sets.begin() + set_begin[a], sets.begin() + set_begin[a + 1], sets.begin() + set_begin[b],
                          sets.begin() + set_begin[b + 1]);
    };
    // Group by hash (then by switch number), confirm equal sets; classes numbered in order of
    // their first switch, so the numbering is deterministic.
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return hash[a] != hash[b] ? hash[a] < hash[b] : a < b; });
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> rep(n, kNone); // per switch: the first switch of its class
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && hash[order[j]] == hash[order[i]]) {
            ++j;
        }
        for (std::size_t a = i; a < j; ++a) { // a run of equal hashes: compare with earlier firsts
            if (rep[order[a]] != kNone) {
                continue;
            }
            rep[order[a]] = order[a];
            for (std::size_t b = a + 1; b < j; ++b) {
                if (rep[order[b]] == kNone && same(order[a], order[b])) {
                    rep[order[b]] = order[a];
                }
            }
        }
        i = j;
    }
    class_of_.assign(n, kNone);
    std::vector<std::uint32_t> first_of_class;
    for (std::uint32_t s = 0; s < n; ++s) {
        if (rep[s] == s) {
            class_of_[s] = static_cast<std::uint32_t>(first_of_class.size());
            first_of_class.push_back(s);
        }
    }
    for (std::uint32_t s = 0; s < n; ++s) {
        class_of_[s] = class_of_[rep[s]];
    }
    // The class graph: the classes of a member's neighbours (the same for every member).
    class_adj_begin_.push_back(0);
    for (const auto s : first_of_class) {
        const auto first = class_adj_.size();
        for (auto k = set_begin[s]; k < set_begin[s + 1]; ++k) {
            class_adj_.push_back(class_of_[sets[k]]);
        }
        std::sort(class_adj_.begin() + static_cast<std::ptrdiff_t>(first), class_adj_.end());
        class_adj_.erase(std::unique(class_adj_.begin() + static_cast<std::ptrdiff_t>(first), class_adj_.end()),
                         class_adj_.end());
        class_adj_begin_.push_back(static_cast<std::uint32_t>(class_adj_.size()));
    }
    table_.resize(first_of_class.size());
    run_begin_.assign(n + 1, 0);
    for (std::uint32_t s = 0; s < n; ++s) {
        run_begin_[s] = static_cast<std::uint32_t>(runs_.size());
        for (auto e = adj_begin[s]; e < adj_begin[s + 1]; ++e) {
            const auto c = class_of_[other[e]];
            const std::uint8_t direction = up.empty() ? kMixed : (up[e] != 0 ? kUp : kDown);
            if (e > adj_begin[s] && runs_.back().cls == c) {
                runs_.back().last = e + 1;
                runs_.back().direction = runs_.back().direction == direction ? direction : kMixed;
            } else {
                runs_.push_back(Run{c, e, e + 1, direction});
            }
        }
    }
    run_begin_[n] = static_cast<std::uint32_t>(runs_.size());
    up_ = up;
}

SwitchDistances::To SwitchDistances::to(std::uint32_t target) {
    const auto c = class_of_[target];
    auto& d = table_[c];
    if (d.empty()) {
        d.assign(classes(), kUnreachable);
        std::vector<std::uint32_t> queue;
        for (auto k = class_adj_begin_[c]; k < class_adj_begin_[c + 1]; ++k) {
            d[class_adj_[k]] = 1;
            queue.push_back(class_adj_[k]);
        }
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const auto x = queue[head];
            for (auto k = class_adj_begin_[x]; k < class_adj_begin_[x + 1]; ++k) {
                const auto y = class_adj_[k];
                if (d[y] == kUnreachable) {
                    d[y] = static_cast<std::uint16_t>(d[x] + 1);
                    queue.push_back(y);
                }
            }
        }
    }
    return To(d.data(), class_of_.data(), target);
}

} // namespace twin::topology::detail
