#include "fluid.hpp"

#include "link_accounting.hpp"

#include <algorithm>
#include <limits>

namespace twin::sim {
namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// `out` = `in` stably sorted by key(item), keys below `keys`.
template <class Key>
void counting_sort(const std::vector<std::uint32_t>& in, std::vector<std::uint32_t>& out, std::size_t keys, Key&& key) {
    std::vector<std::uint32_t> next(keys + 1, 0);
    for (const auto x : in) {
        ++next[key(x) + 1];
    }
    for (std::size_t k = 1; k <= keys; ++k) {
        next[k] += next[k - 1];
    }
    out.resize(in.size());
    for (const auto x : in) {
        out[next[key(x)]++] = x;
    }
}

} // namespace

FluidSolver::FluidSolver(const topology::Cluster& cluster, double weight_s)
    : cluster_(cluster), weight_s_(weight_s), slot_index_(2 * cluster.links().size(), kNone) {}

void FluidSolver::solve(const FluidPhase& phase, std::vector<double>& times) {
    const auto& links = cluster_.links();
    const std::size_t n = phase.bytes.size();
    times.assign(n, 0.0);
    weight_.assign(n, 0.0);
    remaining_.assign(n, 0.0);
    rate_.assign(n, 0.0);
    fixed_.assign(n, kDone);
    active_.clear();
    touched_.clear();
    bandwidth_.clear();
    local_.resize(phase.slots.size());
    // Touched slots get dense local indices (the arrays below stay small and cache-friendly);
    // the flows on each (CSR), penalties, active flows.
    on_begin_.clear();
    for (std::size_t f = 0; f < n; ++f) {
        double penalty = 0.0;
        for (auto k = phase.begin[f]; k < phase.begin[f + 1]; ++k) {
            const auto s = phase.slots[k];
            const auto& link = links[s / 2];
            penalty += link.latency.value() + weight_s_ / cluster_.slot_bandwidth(s);
            if (slot_index_[s] == kNone) {
                slot_index_[s] = static_cast<std::uint32_t>(touched_.size());
                touched_.push_back(s);
                bandwidth_.push_back(cluster_.slot_bandwidth(s));
                on_begin_.push_back(0);
            }
            local_[k] = slot_index_[s];
            ++on_begin_[local_[k]];
        }
        if (phase.begin[f + 1] > phase.begin[f] && phase.bytes[f] > 0) {
            weight_[f] = 1.0 / penalty;
            remaining_[f] = phase.bytes[f];
            fixed_[f] = kFree;
            active_.push_back(static_cast<std::uint32_t>(f));
        }
    }
    for (auto s : touched_) {
        slot_index_[s] = kNone;
    }
    std::uint32_t sum = 0;
    for (auto& c : on_begin_) {
        const auto count = c;
        c = sum;
        sum += count;
    }
    on_begin_.push_back(sum);
    on_flows_.assign(sum, 0);
    {
        std::vector<std::uint32_t> fill(on_begin_.begin(), on_begin_.end() - 1);
        for (std::size_t f = 0; f < n; ++f) {
            for (auto k = phase.begin[f]; k < phase.begin[f + 1]; ++k) {
                on_flows_[fill[local_[k]]++] = static_cast<std::uint32_t>(f);
            }
        }
    }
    const std::size_t t = touched_.size();
    capacity_.assign(t, 0.0);
    weight_sum_.assign(t, 0.0);
    unfixed_.assign(t, 0);

    // Flows that share no link, directly or through others, never affect each other: solve each
    // connected set on its own, so a set's events do not re-share the whole phase.
    parent_.resize(t);
    for (std::uint32_t i = 0; i < t; ++i) {
        parent_[i] = i;
    }
    for (auto f : active_) {
        const auto first = find(local_[phase.begin[f]]);
        for (auto k = phase.begin[f] + 1; k < phase.begin[f + 1]; ++k) {
            parent_[find(local_[k])] = first;
        }
    }
    for (std::uint32_t i = 0; i < t; ++i) {
        parent_[i] = find(i); // flat from here on: parent_ is each slot's set
    }
    // Active flows and local slots grouped by set, each in its own order within a set: a stable
    // counting sort by set (sets are numbered by local slot, below t), O(n + t).
    std::vector<std::uint32_t> all(active_.size());
    counting_sort(active_, all, t, [&](std::uint32_t f) { return parent_[local_[phase.begin[f]]]; });
    active_.clear();
    std::vector<std::uint32_t> slots(t);
    for (std::uint32_t i = 0; i < t; ++i) {
        slots[i] = i;
    }
    std::vector<std::uint32_t> slots_by_set(t);
    counting_sort(slots, slots_by_set, t, [&](std::uint32_t i) { return parent_[i]; });
    phase_ = &phase;
    ended_ = n - all.size(); // empty flows end at once
    std::size_t slot_pos = 0;
    set_pos_.resize(t);
    for (std::size_t b = 0; b < all.size();) {
        const auto set = parent_[local_[phase.begin[all[b]]]];
        std::size_t e = b;
        while (e < all.size() && parent_[local_[phase.begin[all[e]]]] == set) {
            ++e;
        }
        while (parent_[slots_by_set[slot_pos]] != set) {
            ++slot_pos;
        }
        std::size_t slot_end = slot_pos;
        while (slot_end < t && parent_[slots_by_set[slot_end]] == set) {
            ++slot_end;
        }
        set_slots_.assign(slots_by_set.begin() + static_cast<std::ptrdiff_t>(slot_pos),
                          slots_by_set.begin() + static_cast<std::ptrdiff_t>(slot_end));
        active_.assign(all.begin() + static_cast<std::ptrdiff_t>(b), all.begin() + static_cast<std::ptrdiff_t>(e));
        if (!recall(times)) {
            run_set(times);
            remember(times);
        }
        b = e;
    }
    phase_ = nullptr;
}

std::uint32_t FluidSolver::find(std::uint32_t i) {
    while (parent_[i] != i) {
        parent_[i] = parent_[parent_[i]];
        i = parent_[i];
    }
    return i;
}

void FluidSolver::run_set(std::vector<double>& times) {
    const auto& phase = *phase_;
    double now = 0.0;
    // With a tolerance, flows that would end within `batch` seconds of the next end end with it.
    double batch = 0.0;
    while (!active_.empty()) {
        if (tolerance_ > 0.0) {
            share_indexed();
        } else {
            share();
        }
        double dt = std::numeric_limits<double>::infinity();
        for (auto f : active_) {
            dt = std::min(dt, remaining_[f] / rate_[f]);
        }
        now += dt;
        if (batch == 0.0 && tolerance_ > 0.0) { // window: the tolerance of the set's first end estimate
            for (auto f : active_) {
                batch = std::max(batch, remaining_[f] / rate_[f]);
            }
            batch *= tolerance_;
        }
        std::size_t kept = 0;
        for (auto f : active_) {
            const double left = remaining_[f] - rate_[f] * dt;
            // Ends now when what is left would take a negligible time at its rate.
            if (left <= rate_[f] * dt * 1e-9 || left <= phase.bytes[f] * 1e-12 || left < rate_[f] * batch) {
                times[f] = now;
                fixed_[f] = kDone;
            } else {
                remaining_[f] = left;
                fixed_[f] = kFree;
                active_[kept++] = f;
            }
        }
        ended_ += active_.size() - kept;
        active_.resize(kept);
        if (progress_) {
            progress_(ended_, phase.bytes.size());
        }
    }
}

void FluidSolver::share() {
    const auto& phase = *phase_;
    for (auto i : set_slots_) {
        capacity_[i] = bandwidth_[i];
        weight_sum_[i] = 0.0;
        unfixed_[i] = 0;
    }
    for (auto f : active_) {
        for (auto k = phase.begin[f]; k < phase.begin[f + 1]; ++k) {
            weight_sum_[local_[k]] += weight_[f];
            ++unfixed_[local_[k]];
        }
    }
    // Levels (capacity left per unit of weight) only rise as flows are fixed: fixing flow f at
    // the current minimum level m on link j leaves (C_j - m w_f) / (W_j - w_f) >= C_j / W_j since
    // C_j / W_j >= m. So a heap entry is a lower bound: when popped, a link whose level has risen
    // is pushed back with its level; no entry needs updating when a flow is fixed.
    heap_.clear();
    for (auto i : set_slots_) {
        if (unfixed_[i] > 0) {
            heap_.push_back(Entry{capacity_[i] / weight_sum_[i], i});
        }
    }
    const auto later = [](const Entry& a, const Entry& b) {
        return a.level > b.level || (a.level == b.level && a.slot > b.slot);
    };
    std::make_heap(heap_.begin(), heap_.end(), later);
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        const Entry e = heap_.back();
        heap_.pop_back();
        const auto i = e.slot;
        if (unfixed_[i] == 0) {
            continue;
        }
        const double level = std::max(0.0, capacity_[i]) / weight_sum_[i];
        if (level > e.level * (1 + 1e-12)) {
            heap_.push_back(Entry{level, i});
            std::push_heap(heap_.begin(), heap_.end(), later);
            continue;
        }
        for (auto k = on_begin_[i]; k < on_begin_[i + 1]; ++k) {
            const auto f = on_flows_[k];
            if (fixed_[f] != kFree) {
                continue;
            }
            fixed_[f] = kFixed;
            rate_[f] = level * weight_[f];
            for (auto h = phase.begin[f]; h < phase.begin[f + 1]; ++h) {
                const auto j = local_[h];
                capacity_[j] -= rate_[f];
                weight_sum_[j] -= weight_[f];
                --unfixed_[j];
            }
        }
    }
}

// The same allocation as share() with an indexed heap whose keys are kept exact: a link's level is
// updated when a flow on it is fixed (O(hops log links) per flow), where share() re-pushes stale
// entries, which on a set of 100,000 flows of many different weights costs far more. Used only
// with a tolerance, so that runs without one keep share()'s arithmetic bit for bit.
void FluidSolver::share_indexed() {
    const auto& phase = *phase_;
    for (auto i : set_slots_) {
        capacity_[i] = bandwidth_[i];
        weight_sum_[i] = 0.0;
        unfixed_[i] = 0;
    }
    for (auto f : active_) {
        for (auto k = phase.begin[f]; k < phase.begin[f + 1]; ++k) {
            weight_sum_[local_[k]] += weight_[f];
            ++unfixed_[local_[k]];
        }
    }
    if (pos_.size() < capacity_.size()) {
        pos_.resize(capacity_.size(), kNone);
        level_.resize(capacity_.size(), 0.0);
    }
    heap_slots_.clear();
    for (auto i : set_slots_) {
        if (unfixed_[i] > 0) {
            level_[i] = capacity_[i] / weight_sum_[i];
            pos_[i] = static_cast<std::uint32_t>(heap_slots_.size());
            heap_slots_.push_back(i);
        }
    }
    for (auto k = heap_slots_.size() / 2; k-- > 0;) {
        sift_down(k);
    }
    while (!heap_slots_.empty()) {
        const auto i = heap_slots_.front();
        const double level = level_[i];
        remove_at(0);
        for (auto k = on_begin_[i]; k < on_begin_[i + 1]; ++k) {
            const auto f = on_flows_[k];
            if (fixed_[f] != kFree) {
                continue;
            }
            fixed_[f] = kFixed;
            rate_[f] = level * weight_[f];
            for (auto h = phase.begin[f]; h < phase.begin[f + 1]; ++h) {
                const auto j = local_[h];
                capacity_[j] -= rate_[f];
                weight_sum_[j] -= weight_[f];
                --unfixed_[j];
                if (pos_[j] == kNone) {
                    continue;
                }
                if (unfixed_[j] == 0) {
                    remove_at(pos_[j]);
                } else {
                    // Levels only rise as flows are fixed (see share()): down is the only way.
                    level_[j] = std::max(level_[j], std::max(0.0, capacity_[j]) / weight_sum_[j]);
                    sift_down(pos_[j]);
                }
            }
        }
    }
}

bool FluidSolver::before(std::uint32_t a, std::uint32_t b) const {
    return level_[a] < level_[b] || (level_[a] == level_[b] && a < b);
}

void FluidSolver::sift_up(std::size_t k) {
    const auto x = heap_slots_[k];
    while (k > 0) {
        const std::size_t parent = (k - 1) / 2;
        if (!before(x, heap_slots_[parent])) {
            break;
        }
        heap_slots_[k] = heap_slots_[parent];
        pos_[heap_slots_[k]] = static_cast<std::uint32_t>(k);
        k = parent;
    }
    heap_slots_[k] = x;
    pos_[x] = static_cast<std::uint32_t>(k);
}

void FluidSolver::sift_down(std::size_t k) {
    const auto x = heap_slots_[k];
    const std::size_t n = heap_slots_.size();
    for (;;) {
        std::size_t child = 2 * k + 1;
        if (child >= n) {
            break;
        }
        if (child + 1 < n && before(heap_slots_[child + 1], heap_slots_[child])) {
            ++child;
        }
        if (!before(heap_slots_[child], x)) {
            break;
        }
        heap_slots_[k] = heap_slots_[child];
        pos_[heap_slots_[k]] = static_cast<std::uint32_t>(k);
        k = child;
    }
    heap_slots_[k] = x;
    pos_[x] = static_cast<std::uint32_t>(k);
}

void FluidSolver::remove_at(std::size_t k) {
    const auto gone = heap_slots_[k];
    pos_[gone] = kNone;
    const auto last = heap_slots_.back();
    heap_slots_.pop_back();
    if (k == heap_slots_.size()) {
        return;
    }
    heap_slots_[k] = last;
    pos_[last] = static_cast<std::uint32_t>(k);
    sift_down(k);
    sift_up(pos_[last]);
}

} // namespace twin::sim
