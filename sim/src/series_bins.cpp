#include "series_bins.hpp"

#include <algorithm>
#include <cmath>

namespace twin::sim {

SeriesBins::SeriesBins(std::vector<Kind> channels, double first_bin_s, std::size_t max_bins)
    : kinds_(std::move(channels)), bin_s_(first_bin_s), max_bins_(std::max<std::size_t>(2, max_bins & ~std::size_t{1})),
      v_(max_bins_ * kinds_.size(), 0.0) {}

void SeriesBins::grow(double t) {
    const std::size_t c = kinds_.size();
    while (t > bin_s_ * static_cast<double>(max_bins_)) {
        for (std::size_t i = 0; i < max_bins_ / 2; ++i) {
            for (std::size_t k = 0; k < c; ++k) {
                const double x = v_[2 * i * c + k];
                const double y = v_[(2 * i + 1) * c + k];
                v_[i * c + k] = kinds_[k] == Kind::Sum ? x + y : std::max(x, y);
            }
        }
        std::fill(v_.begin() + static_cast<std::ptrdiff_t>(max_bins_ / 2 * c), v_.end(), 0.0);
        bin_s_ *= 2;
    }
}

std::size_t SeriesBins::bins_for(double t) const {
    if (!(t > 0)) {
        return 0;
    }
    const auto n = static_cast<std::size_t>(std::ceil(t / bin_s_));
    return std::clamp<std::size_t>(n, 1, max_bins_);
}

template <class F>
void SeriesBins::each_bin(double a, double b, F f) {
    if (!(b > a)) {
        return;
    }
    grow(b);
    const auto first = static_cast<std::size_t>(a / bin_s_);
    for (std::size_t i = first; i < max_bins_ && static_cast<double>(i) * bin_s_ < b; ++i) {
        const double lo = std::max(a, static_cast<double>(i) * bin_s_);
        const double hi = std::min(b, static_cast<double>(i + 1) * bin_s_);
        if (hi > lo) {
            f(i, hi - lo);
        }
    }
}

void SeriesBins::add(double a, double b, std::size_t channel, double value) {
    const std::size_t c = kinds_.size();
    each_bin(a, b, [&](std::size_t i, double overlap) { v_[i * c + channel] += value * overlap; });
}

void SeriesBins::raise(double a, double b, std::size_t channel, double value) {
    const std::size_t c = kinds_.size();
    each_bin(a, b, [&](std::size_t i, double) { v_[i * c + channel] = std::max(v_[i * c + channel], value); });
}

} // namespace twin::sim
