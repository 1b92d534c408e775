// Strong types for physical quantities and the parser for quantity strings ("400Gbps", "1.5us").
//
// Every quantity is held in its SI base unit as a double: seconds, bytes, bytes per second,
// floating-point operations (FLOP) and FLOP per second, watts, joules. Bits never appear inside
// the model: "400Gbps" becomes 5e10 bytes/s here, at the edge.
//
// A quantity is a plain decimal number (optional '-', digits, optional fraction and exponent: no
// hex floats, no "inf" or "nan", no leading '+', no padding), then at most one blank, then a unit.
// Numbers whose SI value overflows to infinity or underflows below the smallest normal double
// (~2.2e-308, e.g. "1e-999W") are rejected rather than silently becoming inf or 0.
//
// Accepted unit suffixes (case-sensitive):
//   time       s ms us µs ns ps min h
//   data       B kB KB MB GB TB PB (powers of 1000), KiB MiB GiB TiB PiB (powers of 1024)
//   bandwidth  bps Kbps kbps Mbps Gbps Tbps, Kb/s ... Tb/s (bits, powers of 1000);
//              B/s kB/s KB/s MB/s GB/s TB/s, KiB/s ... TiB/s (bytes)
//   flop count FLOP kFLOP MFLOP GFLOP TFLOP PFLOP EFLOP
//   flop rate  FLOPS kFLOPS ... EFLOPS, also FLOP/s TFLOP/s ...
//   power      W kW MW GW
//   energy     J kJ MJ GJ Wh kWh MWh GWh
#pragma once

#include <compare>
#include <stdexcept>
#include <string>
#include <string_view>

namespace twin {

template <class Tag>
class Quantity {
public:
    constexpr Quantity() = default;
    constexpr explicit Quantity(double v) : v_(v) {}
    [[nodiscard]] constexpr double value() const { return v_; }

    constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
    constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
    constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
    constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
    constexpr double operator/(Quantity o) const { return v_ / o.v_; }
    constexpr Quantity& operator+=(Quantity o) {
        v_ += o.v_;
        return *this;
    }
    constexpr Quantity& operator-=(Quantity o) {
        v_ -= o.v_;
        return *this;
    }
    constexpr auto operator<=>(const Quantity&) const = default;

private:
    double v_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double k, Quantity<Tag> q) {
    return q * k;
}

using Seconds = Quantity<struct SecondsTag>;
using Bytes = Quantity<struct BytesTag>;
using BytesPerSecond = Quantity<struct BytesPerSecondTag>;
using Flops = Quantity<struct FlopsTag>;
using FlopsPerSecond = Quantity<struct FlopsPerSecondTag>;
using Watts = Quantity<struct WattsTag>;
using Joules = Quantity<struct JoulesTag>;

constexpr Seconds operator/(Bytes b, BytesPerSecond r) {
    return Seconds(b.value() / r.value());
}
constexpr Seconds operator/(Flops f, FlopsPerSecond r) {
    return Seconds(f.value() / r.value());
}
constexpr Bytes operator*(BytesPerSecond r, Seconds t) {
    return Bytes(r.value() * t.value());
}
constexpr Joules operator*(Watts p, Seconds t) {
    return Joules(p.value() * t.value());
}

enum class Dimension { Time, Data, Bandwidth, FlopCount, FlopRate, Power, Energy };

// Thrown by parse_quantity; the JSON reader turns it into an InputError with file and pointer.
class UnitError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses "<number><unit>" into the SI base value of `dim`. Throws UnitError naming what was
// expected. Non-finite and underflowing numbers are rejected; the sign is left to the caller's
// range check.
[[nodiscard]] double parse_quantity(std::string_view text, Dimension dim);

// Reads `text` whole as a plain decimal number (the grammar above, without a unit). Returns false
// when it is not one, or when it overflows or underflows a double (a non-zero value below the
// smallest normal double).
[[nodiscard]] bool parse_plain_number(std::string_view text, double& out);

// True when `v` is zero or a finite double no smaller in magnitude than the smallest normal one:
// denormals (1e-320) are where "too small to mean anything" turns into inf and nan downstream.
[[nodiscard]] bool is_normal_or_zero(double v);

// "time", "data size", ... for messages.
[[nodiscard]] std::string_view dimension_name(Dimension dim);
// The accepted units of a dimension, for messages: "s, ms, us, ns, min, h".
[[nodiscard]] std::string_view dimension_units(Dimension dim);

} // namespace twin
