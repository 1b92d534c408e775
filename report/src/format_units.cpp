// Human-readable quantities for the text report: four significant digits (bytes three), the
// unit chosen by magnitude.
#include "report_parts.hpp"

#include <cmath>
#include <fmt/format.h>

namespace twin::report::detail {

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (b >= 1024.0 && u < 5) {
        b /= 1024.0;
        ++u;
    }
    return fmt::format("{:.3g} {}", b, units[u]);
}

std::string human_time(double s) {
    if (s >= 1.0) {
        return fmt::format("{:.4g} s", s);
    }
    if (s >= 1e-3) {
        return fmt::format("{:.4g} ms", s * 1e3);
    }
    return fmt::format("{:.4g} us", s * 1e6);
}

std::string human_power(double w) {
    const double a = std::abs(w);
    if (a >= 1e6) {
        return fmt::format("{:.4g} MW", w / 1e6);
    }
    if (a >= 1e3) {
        return fmt::format("{:.4g} kW", w / 1e3);
    }
    return fmt::format("{:.4g} W", w);
}

std::string human_energy(double j) {
    const double kwh = j / 3.6e6;
    if (kwh >= 1e6) {
        return fmt::format("{:.4g} GWh", kwh / 1e6);
    }
    if (kwh >= 1e3) {
        return fmt::format("{:.4g} MWh", kwh / 1e3);
    }
    if (kwh >= 1.0) {
        return fmt::format("{:.4g} kWh", kwh);
    }
    return fmt::format("{:.4g} kJ", j / 1e3);
}

} // namespace twin::report::detail
