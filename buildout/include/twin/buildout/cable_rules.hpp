// Reach rules: which cable a link gets from its port speed and its routed length.
//
// The rules are tried in order; a link of port speed S (Gb/s) and length L (m) takes the first rule
// with S <= max_gbps and L <= max_length_m, and the stock length class = the smallest of
// kStockLengths_m >= L. No rule: InputError ("longer than any cable type allows").
// Default table (cable_rules.cpp, each with its source):
//   DAC  passive copper   <= 2 m at 800G, <= 3 m at <= 400G   NVIDIA MCP4Y10 (0.5-2 m, 2x400G),
//                                                            MCP7Y00 splitter (1-3 m, 400G ends)
//   ACC  active copper    <= 5 m                              NVIDIA MCP7Y10 note: ACC 4 and 5 m
//   AEC  active electrical<= 7 m                              Credo HiWire AEC (up to 7 m; assumption)
//   AOC  active optical   <= 100 m at <= 200G                 NVIDIA MFS1S00-H HDR AOC (to 100 m)
//   fibre + transceivers: SR multimode <= 50 m (MMA4Z00-NS, MMA1Z00-NS400), DR single-mode
//        <= 500 m (MMS4X00-NM), FR single-mode <= 2 km (MMS4X50-NM).
// Transceiver power: 9 W per 400G of module capacity (net.cx7: a 400G OSFP draws 9 W max,
// MMS4X00-NS400); an 800G twin-port module counts 18 W (assumption: the same per 400G).
#pragma once

#include "twin/core/json_reader.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twin::buildout {

enum class CableKind { Dac, Acc, Aec, Aoc, Fibre };
[[nodiscard]] std::string_view cable_kind_name(CableKind k); // "DAC", "ACC", "AEC", "AOC", "fibre"

struct CableRule {
    std::string name; // "DAC", "SR", ... (unique)
    CableKind kind = CableKind::Dac;
    double max_length_m = 0.0;
    double max_gbps = 1e9;               // port speed limit of the rule
    std::string transceiver;             // fibre only: reach class of the modules ("SR", "DR", "FR")
    double transceiver_w_per_400g = 0.0; // fibre: module power per 400 Gb/s of its capacity
    double aoc_end_w = 0.0;              // AOC: power of each end
    std::string source;
};

inline constexpr double kStockLengths_m[] = {0.5, 1,  1.5, 2,  2.5, 3,   4,   5,   7,   10,   15,
                                             20,  30, 50,  70, 100, 150, 200, 300, 500, 1000, 2000};

struct CableRules {
    std::vector<CableRule> rules;
    std::string pointer = "/floorplan"; // where a length no rule covers is reported
    // Index of the rule for a link, or -1 when none covers it.
    [[nodiscard]] int choose(double gbps, double length_m) const;
    [[nodiscard]] double longest_m(double gbps) const; // longest reach at that speed (0: none)
};

[[nodiscard]] CableRules default_cable_rules();
// Reads a "cable_rules" array (replaces the defaults).
[[nodiscard]] CableRules read_cable_rules(const Value& v);
// Smallest stock length >= length_m (the length itself when longer than the longest stock length).
[[nodiscard]] double length_class_m(double length_m);

} // namespace twin::buildout
