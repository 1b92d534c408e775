// Seeded, named random streams. Each component draws from its own stream, derived from
// (scenario seed, component name), so adding a component never shifts another's numbers, and
// results are identical across standard libraries (we never use std:: distributions).
//
// Generator: xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64; the name is
// hashed with 64-bit FNV-1a.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace twin {

class Rng {
public:
    Rng(std::uint64_t seed, std::string_view stream_name);

    std::uint64_t next_u64();
    // Uniform in [0, 1) with 53 random bits.
    double uniform();
    // Uniform integer in [0, n); n must be > 0. Unbiased (rejection sampling).
    std::uint64_t below(std::uint64_t n);

private:
    std::array<std::uint64_t, 4> s_{};
};

// 64-bit FNV-1a of a byte string (stable across platforms; used for stream names and hashing).
[[nodiscard]] std::uint64_t fnv1a64(std::string_view bytes);
// A fast stateless 64-bit mixer (SplitMix64 finaliser), for deterministic hashing of integers.
[[nodiscard]] std::uint64_t mix64(std::uint64_t x);

} // namespace twin
