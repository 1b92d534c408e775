// Reading the scenario's "floorplan" section (keys and defaults: include/twin/buildout/floorplan.hpp,
// buildout/README.md).
#include "twin/buildout/floorplan.hpp"
#include "twin/core/enum_names.hpp"

namespace twin::buildout {
namespace {

constexpr auto kCoolingNames = enum_names<Cooling>({{Cooling::Air, "air"}, {Cooling::Liquid, "liquid"}});

void read_number(Object& o, const char* key, double& out, Bound bound, double max) {
    if (auto v = o.find(key)) {
        out = v->as_number(bound, max);
    }
}

void read_int(Object& o, const char* key, int& out, int min, int max) {
    if (auto v = o.find(key)) {
        out = static_cast<int>(v->as_integer(min, max));
    }
}

void read_input(Object& o, const char* key, const std::filesystem::path& base_dir, std::optional<NamedInput>& out) {
    if (auto v = o.find(key)) {
        const std::string name = v->as_string();
        if (name.empty()) {
            v->fail("the file name must not be empty");
        }
        out = NamedInput{(base_dir / name).lexically_normal(), v->pointer()};
    }
}

} // namespace

FloorPlan read_floorplan(const std::optional<Value>& floorplan, const std::string& file,
                         const std::filesystem::path& base_dir) {
    FloorPlan p;
    p.file = file;
    p.rules = default_cable_rules();
    if (!floorplan) {
        return p;
    }
    p.given = true;
    Object o = floorplan->as_object();
    p.pointer = floorplan->pointer();
    p.rules.pointer = p.pointer;
    read_int(o, "racks_per_row", p.racks_per_row, 1, 10000);
    read_int(o, "rows_per_hall", p.rows_per_hall, 1, 10000);
    read_int(o, "switches_per_rack", p.switches_per_rack, 1, 64);
    read_number(o, "rack_pitch_m", p.rack_pitch_m, Bound::Positive, 100.0);
    read_number(o, "row_pitch_m", p.row_pitch_m, Bound::Positive, 100.0);
    read_number(o, "hall_gap_m", p.hall_gap_m, Bound::NonNegative, 1e5);
    read_number(o, "vertical_m", p.vertical_m, Bound::NonNegative, 100.0);
    read_number(o, "slack_fraction", p.slack_fraction, Bound::NonNegative, 10.0);
    read_number(o, "slack_m", p.slack_m, Bound::NonNegative, 100.0);
    read_number(o, "in_rack_m", p.in_rack_m, Bound::Positive, 100.0);
    if (auto c = o.find("cooling")) {
        p.cooling = read_enum(*c, kCoolingNames);
    }
    if (auto v = o.find("pdu_capacity")) {
        p.pdu_capacity_w = v->as_power().value();
    }
    read_int(o, "pdu_redundancy", p.pdu_redundancy, 1, 4);
    if (auto v = o.find("cdu_capacity")) {
        p.cdu_capacity_w = v->as_power().value();
    }
    if (auto r = o.find("cable_rules")) {
        p.rules = read_cable_rules(*r);
    }
    read_input(o, "prices", base_dir, p.prices);
    read_input(o, "schedule", base_dir, p.schedule);
    if (auto r = o.find("racks")) {
        for (const Value& e : r->as_array().values()) {
            Object ro = e.as_object();
            RackPlacement rp;
            rp.rack = ro.at("rack").as_string();
            rp.hall = static_cast<int>(ro.at("hall").as_integer(0, 1000));
            rp.row = static_cast<int>(ro.at("row").as_integer(0, 100000));
            rp.position = static_cast<int>(ro.at("position").as_integer(0, 100000));
            rp.pointer = e.pointer();
            ro.finish();
            p.racks.push_back(std::move(rp));
        }
    }
    o.finish();
    return p;
}

} // namespace twin::buildout
