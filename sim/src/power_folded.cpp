// Power accounting of folded ranks (power_accounting.hpp): the GPUs a rank stands for, grouped by
// rack, and the equivalent domains that spare a change from visiting every image
// (power_classes.hpp).
#include "power_accounting.hpp"
#include "power_classes.hpp"

#include <algorithm>
#include <stdexcept>

namespace twin::sim {

void PowerAccounting::stands_for(int rank, const std::vector<int>& gpus) {
    if (compiled_) {
        throw std::logic_error("PowerAccounting::stands_for after the run began");
    }
    // Groups in the order their racks first appear in `gpus`.
    group_of_rack_.resize(racks_.size(), -1);
    std::vector<Group> groups;
    for (int g : gpus) {
        covered_[static_cast<std::size_t>(g)] = 1;
        const int rack = plan_.rack_of_gpu[static_cast<std::size_t>(g)];
        auto& slot = group_of_rack_[static_cast<std::size_t>(rack)];
        if (slot < 0) {
            slot = static_cast<std::int32_t>(groups.size());
            groups.push_back(Group{rack, 1});
        } else {
            ++groups[static_cast<std::size_t>(slot)].count;
        }
    }
    for (const auto& g : groups) {
        group_of_rack_[static_cast<std::size_t>(g.rack)] = -1;
    }
    custom_[static_cast<std::size_t>(rank)] = static_cast<std::int32_t>(custom_groups_.size());
    custom_groups_.push_back(std::move(groups));
}

std::vector<PowerAccounting::Level>& PowerAccounting::family(std::size_t f) {
    switch (f) {
    case 0:
        return racks_;
    case 1:
        return rows_;
    case 2:
        return halls_;
    default:
        return cdus_;
    }
}

int PowerAccounting::domain_of_rack(std::size_t f, int rack) const {
    const auto r = static_cast<std::size_t>(rack);
    switch (f) {
    case 0:
        return rack;
    case 1:
        return plan_.row_of_rack[r];
    case 2:
        return plan_.hall_of_rack[r];
    default:
        return plan_.cdu_of_rack[r];
    }
}

void PowerAccounting::compile() {
    compiled_ = true;
    if (custom_groups_.empty()) {
        return; // nothing folded: every domain alone
    }
    const std::size_t folded = custom_groups_.size();
    for (std::size_t f = 0; f < rep_.size(); ++f) {
        const auto& levels = family(f);
        std::vector<DomainStart> starts(levels.size());
        for (std::size_t d = 0; d < levels.size(); ++d) {
            auto& s = starts[d];
            s.w = levels[d].w;
            s.before = levels[d].before;
            s.limit = levels[d].limit;
            const models::CoolingDomain* spec = f == 0   ? &plan_.rack_cooling[d]
                                                : f == 3 ? &plan_.cdu_cooling[d]
                                                         : nullptr;
            if (spec != nullptr) {
                s.capacity = spec->capacity ? spec->capacity->value() : -1.0;
                s.throttled_clock = spec->throttled_clock;
            }
        }
        std::vector<std::uint8_t> alone(levels.size(), 0);
        for (std::size_t g = 0; g < covered_.size(); ++g) {
            if (covered_[g] == 0) {
                alone[static_cast<std::size_t>(domain_of_rack(f, plan_.rack_of_gpu[g]))] = 1;
            }
        }
        std::vector<std::vector<DomainShare>> shares(folded);
        for (std::size_t c = 0; c < folded; ++c) {
            for (const auto& g : custom_groups_[c]) {
                shares[c].push_back(DomainShare{domain_of_rack(f, g.rack), g.count});
            }
        }
        rep_[f] = classify_domains(starts, shares, alone);
    }
    entries_.assign(folded, {});
    total_counts_.assign(folded, {});
    rack_reps_.assign(folded, {});
    cdu_reps_.assign(folded, {});
    for (std::size_t c = 0; c < folded; ++c) {
        for (const auto& g : custom_groups_[c]) {
            for (std::size_t f = 0; f < rep_.size(); ++f) {
                const auto d = static_cast<std::size_t>(domain_of_rack(f, g.rack));
                if (rep(f, d) == d) {
                    entries_[c].push_back(Entry{static_cast<std::uint8_t>(f), static_cast<std::int32_t>(d), g.count});
                }
            }
            total_counts_[c].push_back(g.count);
            rack_reps_[c].push_back(static_cast<std::int32_t>(rep(0, static_cast<std::size_t>(g.rack))));
            cdu_reps_[c].push_back(
                static_cast<std::int32_t>(rep(3, static_cast<std::size_t>(domain_of_rack(3, g.rack)))));
        }
        // Grouped by domain, each domain's entries in group order (change() relies on it).
        std::stable_sort(entries_[c].begin(), entries_[c].end(), [](const Entry& a, const Entry& b) {
            return a.family != b.family ? a.family < b.family : a.index < b.index;
        });
        for (auto* v : {&rack_reps_[c], &cdu_reps_[c]}) {
            std::sort(v->begin(), v->end());
            v->erase(std::unique(v->begin(), v->end()), v->end());
        }
    }
}

// The clock of a folded rank's next compute op from its representative domains alone, when no
// domain starts throttling now (its members would flip together and each log an event, so that
// case takes the domain-by-domain path). Returns false for that case.
bool PowerAccounting::quick_clock(std::size_t c, double t, double& clock) {
    const auto clock_of = [t](const Thermal& d, const Level& heat, double& out) {
        if (!d.spec->capacity) {
            return true;
        }
        if (d.throttled) {
            out = std::min(out, d.spec->throttled_clock);
            return true;
        }
        return !(heat.level_before(t) > d.spec->capacity->value());
    };
    double out = clock;
    for (const auto k : rack_reps_[c]) {
        if (!clock_of(rack_thermal_[static_cast<std::size_t>(k)], racks_[static_cast<std::size_t>(k)], out)) {
            return false;
        }
    }
    for (const auto k : cdu_reps_[c]) {
        if (!clock_of(cdu_thermal_[static_cast<std::size_t>(k)], cdus_[static_cast<std::size_t>(k)], out)) {
            return false;
        }
    }
    if (!clock_of(plant_thermal_, total_, out)) {
        return false;
    }
    clock = out;
    return true;
}

} // namespace twin::sim
