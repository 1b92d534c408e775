// Reach rules (equations and sources: include/twin/buildout/cable_rules.hpp).
#include "twin/buildout/cable_rules.hpp"

#include "twin/core/enum_names.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace twin::buildout {
namespace {

constexpr auto kKindNames = enum_names<CableKind>({{CableKind::Dac, "DAC"},
                                                   {CableKind::Acc, "ACC"},
                                                   {CableKind::Aec, "AEC"},
                                                   {CableKind::Aoc, "AOC"},
                                                   {CableKind::Fibre, "fibre"}});

} // namespace

std::string_view cable_kind_name(CableKind k) {
    return kKindNames.name_of(k);
}

int CableRules::choose(double gbps, double length_m) const {
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (gbps <= rules[i].max_gbps + 1e-9 && length_m <= rules[i].max_length_m + 1e-9) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

double CableRules::longest_m(double gbps) const {
    double longest = 0.0;
    for (const auto& r : rules) {
        if (gbps <= r.max_gbps + 1e-9) {
            longest = std::max(longest, r.max_length_m);
        }
    }
    return longest;
}

double length_class_m(double length_m) {
    for (double stock : kStockLengths_m) {
        if (length_m <= stock + 1e-9) {
            return stock;
        }
    }
    return length_m;
}

CableRules default_cable_rules() {
    CableRules r;
    const std::string dac = "NVIDIA LinkX MCP4Y10-Nxxx (2x400G OSFP passive DAC, 0.5-2 m) and MCP7Y00-Nxxx "
                            "(800G to 2x400G splitter DAC, 1-3 m), docs.nvidia.com product specifications";
    r.rules.push_back({"DAC-800G", CableKind::Dac, 2.0, 800.0, "", 0.0, 0.0, dac});
    r.rules.push_back({"DAC", CableKind::Dac, 3.0, 400.0, "", 0.0, 0.0, dac});
    r.rules.push_back({"ACC", CableKind::Acc, 5.0, 800.0, "", 0.0, 0.0,
                       "NVIDIA MCP7Y10-Nxxx specification: active copper cables (ACC) for 4 and 5 m"});
    r.rules.push_back({"AEC", CableKind::Aec, 7.0, 800.0, "", 0.0, 0.0,
                       "Credo HiWire active electrical cables, up to 7 m (vendor product page; assumption)"});
    r.rules.push_back({"AOC", CableKind::Aoc, 100.0, 200.0, "", 0.0, 4.5,
                       "NVIDIA MFS1S00-Hxxx HDR 200G AOC, lengths to 100 m; 4.5 W per end (assumption)"});
    const std::string optics = "net.cx7: a 400G OSFP transceiver draws 9 W max (MMS4X00-NS400); 9 W per 400G "
                               "of module capacity for twin-port modules (assumption)";
    r.rules.push_back({"SR", CableKind::Fibre, 50.0, 1e9, "SR", 9.0, 0.0,
                       "multimode SR4/SR8 to 50 m: NVIDIA MMA1Z00-NS400, MMA4Z00-NS; " + optics});
    r.rules.push_back(
        {"DR", CableKind::Fibre, 500.0, 1e9, "DR", 9.0, 0.0, "single-mode DR4 to 500 m: NVIDIA MMS4X00-NM; " + optics});
    r.rules.push_back(
        {"FR", CableKind::Fibre, 2000.0, 1e9, "FR", 9.0, 0.0, "single-mode FR4 to 2 km: NVIDIA MMS4X50-NM; " + optics});
    return r;
}

CableRules read_cable_rules(const Value& v) {
    CableRules r;
    r.pointer = v.pointer();
    const Array a = v.as_array();
    if (a.empty()) {
        v.fail("at least one cable rule is needed");
    }
    std::set<std::string> names;
    for (const Value& e : a.values()) {
        Object o = e.as_object();
        CableRule rule;
        const Value name = o.at("name");
        rule.name = name.as_string();
        if (rule.name.empty() || !names.insert(rule.name).second) {
            name.fail("rule names must be non-empty and unique");
        }
        rule.kind = read_enum(o.at("type"), kKindNames);
        rule.max_length_m = o.at("max_length_m").as_number(Bound::Positive, 1e5);
        if (auto g = o.find("max_gbps")) {
            rule.max_gbps = g->as_number(Bound::Positive);
        }
        if (rule.kind == CableKind::Fibre) {
            rule.transceiver = rule.name;
            if (auto t = o.find("transceiver_w_per_400g")) {
                rule.transceiver_w_per_400g = t->as_number(Bound::NonNegative, 1000.0);
            }
        } else if (rule.kind == CableKind::Aoc) {
            if (auto t = o.find("end_w")) {
                rule.aoc_end_w = t->as_number(Bound::NonNegative, 1000.0);
            }
        }
        rule.source = o.at("source").as_string();
        o.finish();
        r.rules.push_back(std::move(rule));
    }
    return r;
}

} // namespace twin::buildout
