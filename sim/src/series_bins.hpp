// Adaptive time bins for piecewise-constant signals (README, "Time series").
//
// Bins of equal width b = b0 x 2^k cover [0, t): k is the smallest that keeps at most N bins for
// the latest time seen, so bins merge pairwise as a run grows (the rule the power series follows,
// sim/src/power_accounting.hpp). Each bin holds C channels, each either
//   a sum   (integral of the signal over the bin: add(a, b, c, v) adds v x |[a, b) ∩ bin|), or
//   a max   (highest signal value held in the bin: raise(a, b, c, v)).
// Merging two bins adds sums and takes the max of maxes. Memory: N x C doubles.
#pragma once

#include <cstddef>
#include <vector>

namespace twin::sim {

class SeriesBins {
public:
    enum class Kind { Sum, Max };

    // `first_bin_s` > 0, `max_bins` >= 2 (even).
    SeriesBins(std::vector<Kind> channels, double first_bin_s, std::size_t max_bins);

    // Widens the bins until [0, t) fits.
    void grow(double t);
    void add(double a, double b, std::size_t channel, double value);
    void raise(double a, double b, std::size_t channel, double value);

    [[nodiscard]] double bin_s() const { return bin_s_; }
    // Bins that cover [0, t) (the last one partly): ceil(t / bin_s), at least 1 when t > 0.
    [[nodiscard]] std::size_t bins_for(double t) const;
    [[nodiscard]] double at(std::size_t bin, std::size_t channel) const { return v_[bin * kinds_.size() + channel]; }

private:
    template <class F>
    void each_bin(double a, double b, F f);

    std::vector<Kind> kinds_;
    double bin_s_;
    std::size_t max_bins_;
    std::vector<double> v_; // max_bins_ x channels, bin-major
};

} // namespace twin::sim
