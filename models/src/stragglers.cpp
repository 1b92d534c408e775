// Straggling GPUs from the scenario (see twin/models/stragglers.hpp for the format and model).
#include "twin/models/stragglers.hpp"

#include "twin/core/rng.hpp"

#include <cmath>
#include <numeric>
#include <vector>

namespace twin::models {

void apply_stragglers(const Value& value, std::uint64_t seed, topology::Cluster& cluster) {
    const int gpus = cluster.gpu_count();
    Rng rng(seed, "stragglers");
    std::vector<int> order; // the shuffle's deck, made on the first "fraction" entry
    const auto entries = value.as_array().values();
    // A "fraction" entry costs O(GPUs): the bound keeps hostile input from costing entries x GPUs.
    constexpr std::size_t kMaxEntries = 64;
    if (entries.size() > kMaxEntries) {
        value.fail("at most 64 stragglers entries");
    }
    for (const Value& entry : entries) {
        Object o(entry);
        const double speed = o.at("speed").as_number(Bound::Positive, 1.0);
        const auto list = o.find("gpus");
        const auto fraction = o.find("fraction");
        if (list.has_value() == fraction.has_value()) {
            o.fail("a stragglers entry names its GPUs by \"gpus\" or by \"fraction\" (one of them)");
        }
        if (list) {
            for (const Value& g : list->as_array().values()) {
                cluster.set_gpu_speed(static_cast<int>(g.as_integer(0, gpus - 1)), speed);
            }
        } else {
            const double f = fraction->as_number(Bound::NonNegative, 1.0);
            const auto n = static_cast<int>(std::lround(f * gpus));
            if (order.empty()) {
                order.resize(static_cast<std::size_t>(gpus));
            }
            std::iota(order.begin(), order.end(), 0);
            for (int i = 0; i < n; ++i) { // the first n of a Fisher-Yates shuffle
                const auto j = static_cast<std::size_t>(i) + rng.below(static_cast<std::uint64_t>(gpus - i));
                std::swap(order[static_cast<std::size_t>(i)], order[j]);
                cluster.set_gpu_speed(order[static_cast<std::size_t>(i)], speed);
            }
        }
        o.finish();
    }
}

} // namespace twin::models
