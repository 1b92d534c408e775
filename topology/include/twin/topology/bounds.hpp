// Physical floors and ceilings of the quantities every model divides by.
//
// A time is always some amount divided by a rate: flops / (peak x efficiency), bytes /
// (bandwidth x efficiency). The JSON reader accepts any finite number > 0, so a denormal
// efficiency (1e-320) or a bandwidth of "1e-300B/s" made times infinite (SimGrid aborted:
// "timeout is not finite!") or so large that the run never ended. Every reader of a rate, an
// efficiency or a latency in topology/ and models/ goes through these helpers, so the worst
// case stays finite and meaningful:
//
//   efficiency (compute, memory, scale-up, NIC, link, trace op,   [0.01, 1]      (1 %: anything
//   power conversion) and fractions (inference memory_fraction)                  lower is a broken
//                                                                                measurement)
//   bandwidth (HBM, scale-up, NIC and switch ports, cables)       >= 1 Mbps = 125,000 B/s
//   FLOP rate (GPU peak per precision)                            >= 1 GFLOPS = 1e9 FLOP/s
//   latency (scale-up, NIC, switch, cable)                        [0, 1 s]
//
// With the ceilings on amounts (trace sizes <= 1 PiB, see models/src/trace.cpp) the longest
// single activity is 2^50 B / (125,000 B/s x 0.01 x 0.01) ~ 9e13 s: finite, and the engine
// (sim/src/finite_checks.cpp, check_duration) rejects any duration above kMaxDurationS with an
// InputError naming the op.
#pragma once

#include "twin/core/json_reader.hpp"

namespace twin::topology {

inline constexpr double kMinEfficiency = 0.01;
inline constexpr double kMinBandwidthBytesPerS = 125'000.0; // 1 Mbps
inline constexpr double kMinFlopRate = 1e9;                 // 1 GFLOPS
inline constexpr double kMaxLatencyS = 1.0;

// A number in [kMinEfficiency, 1].
[[nodiscard]] double read_efficiency(const Value& v);
// A bandwidth of at least 1 Mbps.
[[nodiscard]] BytesPerSecond read_bandwidth(const Value& v);
// A FLOP rate of at least 1 GFLOPS.
[[nodiscard]] FlopsPerSecond read_flop_rate(const Value& v);
// A latency in [0, 1 s].
[[nodiscard]] Seconds read_latency(const Value& v);

} // namespace twin::topology
