// Floors and ceilings of rates, efficiencies and latencies: see bounds.hpp for the values and why.
#include "twin/topology/bounds.hpp"

#include <fmt/format.h>

namespace twin::topology {

double read_efficiency(const Value& v) {
    const double e = v.as_number(Bound::Positive, 1.0);
    if (e < kMinEfficiency) {
        v.fail(fmt::format("{:g} is below the floor of {:g}: expected a number in [{:g}, 1]", e, kMinEfficiency,
                           kMinEfficiency));
    }
    return e;
}

BytesPerSecond read_bandwidth(const Value& v) {
    const BytesPerSecond b = v.as_bandwidth(Bound::Positive);
    if (b.value() < kMinBandwidthBytesPerS) {
        v.fail(fmt::format("bandwidth of {:g} B/s is below the floor of 1 Mbps ({:g} B/s)", b.value(),
                           kMinBandwidthBytesPerS));
    }
    return b;
}

FlopsPerSecond read_flop_rate(const Value& v) {
    const FlopsPerSecond f = v.as_flop_rate(Bound::Positive);
    if (f.value() < kMinFlopRate) {
        v.fail(fmt::format("FLOP rate of {:g} FLOP/s is below the floor of 1 GFLOPS ({:g} FLOP/s)", f.value(),
                           kMinFlopRate));
    }
    return f;
}

Seconds read_latency(const Value& v) {
    const Seconds s = v.as_seconds(Bound::NonNegative);
    if (s.value() > kMaxLatencyS) {
        v.fail(fmt::format("latency of {:g} s is above the ceiling of {:g} s", s.value(), kMaxLatencyS));
    }
    return s;
}

} // namespace twin::topology
