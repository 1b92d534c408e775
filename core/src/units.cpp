#include "twin/core/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace twin {
namespace {

struct UnitFactor {
    std::string_view suffix;
    double factor; // multiply the number by this to get the SI base value
};

constexpr std::array kTime{UnitFactor{"s", 1.0},    UnitFactor{"ms", 1e-3}, UnitFactor{"us", 1e-6},
                           UnitFactor{"µs", 1e-6},  UnitFactor{"ns", 1e-9}, UnitFactor{"ps", 1e-12},
                           UnitFactor{"min", 60.0}, UnitFactor{"h", 3600.0}};

constexpr double kKi = 1024.0;
constexpr std::array kData{UnitFactor{"B", 1.0},
                           UnitFactor{"kB", 1e3},
                           UnitFactor{"KB", 1e3},
                           UnitFactor{"MB", 1e6},
                           UnitFactor{"GB", 1e9},
                           UnitFactor{"TB", 1e12},
                           UnitFactor{"PB", 1e15},
                           UnitFactor{"KiB", kKi},
                           UnitFactor{"MiB", kKi* kKi},
                           UnitFactor{"GiB", kKi* kKi* kKi},
                           UnitFactor{"TiB", kKi* kKi* kKi* kKi},
                           UnitFactor{"PiB", kKi* kKi* kKi* kKi* kKi}};

constexpr std::array kBandwidth{UnitFactor{"bps", 1.0 / 8},
                                UnitFactor{"Kbps", 1e3 / 8},
                                UnitFactor{"kbps", 1e3 / 8},
                                UnitFactor{"Mbps", 1e6 / 8},
                                UnitFactor{"Gbps", 1e9 / 8},
                                UnitFactor{"Tbps", 1e12 / 8},
                                UnitFactor{"b/s", 1.0 / 8},
                                UnitFactor{"Kb/s", 1e3 / 8},
                                UnitFactor{"kb/s", 1e3 / 8},
                                UnitFactor{"Mb/s", 1e6 / 8},
                                UnitFactor{"Gb/s", 1e9 / 8},
                                UnitFactor{"Tb/s", 1e12 / 8},
                                UnitFactor{"B/s", 1.0},
                                UnitFactor{"kB/s", 1e3},
                                UnitFactor{"KB/s", 1e3},
                                UnitFactor{"MB/s", 1e6},
                                UnitFactor{"GB/s", 1e9},
                                UnitFactor{"TB/s", 1e12},
                                UnitFactor{"KiB/s", kKi},
                                UnitFactor{"MiB/s", kKi* kKi},
                                UnitFactor{"GiB/s", kKi* kKi* kKi},
                                UnitFactor{"TiB/s", kKi* kKi* kKi* kKi}};

constexpr std::array kFlopCount{UnitFactor{"FLOP", 1.0},  UnitFactor{"kFLOP", 1e3},  UnitFactor{"MFLOP", 1e6},
                                UnitFactor{"GFLOP", 1e9}, UnitFactor{"TFLOP", 1e12}, UnitFactor{"PFLOP", 1e15},
                                UnitFactor{"EFLOP", 1e18}};

constexpr std::array kFlopRate{UnitFactor{"FLOPS", 1.0},    UnitFactor{"kFLOPS", 1e3},  UnitFactor{"MFLOPS", 1e6},
                               UnitFactor{"GFLOPS", 1e9},   UnitFactor{"TFLOPS", 1e12}, UnitFactor{"PFLOPS", 1e15},
                               UnitFactor{"EFLOPS", 1e18},  UnitFactor{"FLOP/s", 1.0},  UnitFactor{"kFLOP/s", 1e3},
                               UnitFactor{"MFLOP/s", 1e6},  UnitFactor{"GFLOP/s", 1e9}, UnitFactor{"TFLOP/s", 1e12},
                               UnitFactor{"PFLOP/s", 1e15}, UnitFactor{"EFLOP/s", 1e18}};

constexpr std::array kPower{UnitFactor{"W", 1.0}, UnitFactor{"kW", 1e3}, UnitFactor{"MW", 1e6}, UnitFactor{"GW", 1e9}};

constexpr std::array kEnergy{UnitFactor{"J", 1.0},     UnitFactor{"kJ", 1e3},    UnitFactor{"MJ", 1e6},
                             UnitFactor{"GJ", 1e9},    UnitFactor{"Wh", 3600.0}, UnitFactor{"kWh", 3.6e6},
                             UnitFactor{"MWh", 3.6e9}, UnitFactor{"GWh", 3.6e12}};

template <std::size_t N>
bool lookup(const std::array<UnitFactor, N>& table, std::string_view suffix, double& factor) {
    for (const auto& u : table) {
        if (u.suffix == suffix) {
            factor = u.factor;
            return true;
        }
    }
    return false;
}

bool factor_for(Dimension dim, std::string_view suffix, double& factor) {
    switch (dim) {
    case Dimension::Time:
        return lookup(kTime, suffix, factor);
    case Dimension::Data:
        return lookup(kData, suffix, factor);
    case Dimension::Bandwidth:
        return lookup(kBandwidth, suffix, factor);
    case Dimension::FlopCount:
        return lookup(kFlopCount, suffix, factor);
    case Dimension::FlopRate:
        return lookup(kFlopRate, suffix, factor);
    case Dimension::Power:
        return lookup(kPower, suffix, factor);
    case Dimension::Energy:
        return lookup(kEnergy, suffix, factor);
    }
    return false;
}

// Length of the plain decimal number at the start of `s`: -?(digits[.digits*]|.digits)([eE][+-]?digits)?
// (0 when there is none). Hex floats, "inf", "nan", '+' and blanks are not part of the grammar.
std::size_t scan_decimal(std::string_view s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            ++i;
        }
        return i - start;
    };
    if (i < s.size() && s[i] == '-') {
        ++i;
    }
    std::size_t mantissa = digits();
    if (i < s.size() && s[i] == '.') {
        ++i;
        mantissa += digits();
    }
    if (mantissa == 0) {
        return 0;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        const std::size_t before = i;
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        if (digits() == 0) {
            i = before; // "5E" or "5EFLOP": the 'E' starts the unit
        }
    }
    return i;
}

std::string expected_text(Dimension dim) {
    return "expected a " + std::string(dimension_name(dim)) + ": a number followed by one of " +
           std::string(dimension_units(dim));
}

} // namespace

std::string_view dimension_name(Dimension dim) {
    switch (dim) {
    case Dimension::Time:
        return "time";
    case Dimension::Data:
        return "data size";
    case Dimension::Bandwidth:
        return "bandwidth";
    case Dimension::FlopCount:
        return "FLOP count";
    case Dimension::FlopRate:
        return "FLOP rate";
    case Dimension::Power:
        return "power";
    case Dimension::Energy:
        return "energy";
    }
    return "quantity";
}

std::string_view dimension_units(Dimension dim) {
    switch (dim) {
    case Dimension::Time:
        return "s, ms, us, ns, min, h";
    case Dimension::Data:
        return "B, kB, MB, GB, TB, KiB, MiB, GiB, TiB";
    case Dimension::Bandwidth:
        return "bps, Gbps, Tbps, B/s, MB/s, GB/s, TB/s, GiB/s";
    case Dimension::FlopCount:
        return "FLOP, GFLOP, TFLOP, PFLOP";
    case Dimension::FlopRate:
        return "FLOPS, GFLOPS, TFLOPS, PFLOPS (or TFLOP/s)";
    case Dimension::Power:
        return "W, kW, MW";
    case Dimension::Energy:
        return "J, kJ, MJ, Wh, kWh, MWh";
    }
    return "";
}

bool is_normal_or_zero(double v) {
    return v == 0.0 || std::isnormal(v);
}

bool parse_plain_number(std::string_view text, double& out) {
    const std::size_t n = scan_decimal(text);
    if (n == 0 || n != text.size()) {
        return false;
    }
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, v, std::chars_format::general);
    if (ec != std::errc() || ptr != text.data() + n || !std::isfinite(v) || !is_normal_or_zero(v)) {
        return false;
    }
    out = v;
    return true;
}

double parse_quantity(std::string_view text, Dimension dim) {
    const std::size_t n = scan_decimal(text);
    if (n == 0) {
        throw UnitError(expected_text(dim));
    }
    double number = 0.0;
    if (!parse_plain_number(text.substr(0, n), number)) {
        throw UnitError("the number is out of range (overflows or underflows a double)");
    }
    std::string_view rest = text.substr(n);
    if (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1); // one blank between number and unit
    }
    double factor = 0.0;
    if (rest.empty() || !factor_for(dim, rest, factor)) {
        throw UnitError(expected_text(dim));
    }
    const double value = number * factor;
    if (!std::isfinite(value)) {
        throw UnitError("expected a finite " + std::string(dimension_name(dim)));
    }
    if (!is_normal_or_zero(value) || (number != 0.0 && value == 0.0)) {
        throw UnitError("the value underflows: too small to represent");
    }
    return value;
}

} // namespace twin
