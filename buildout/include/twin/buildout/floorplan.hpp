// The floor plan of a build-out: where every rack stands and how far apart two racks are for a
// cable. From the scenario's optional "floorplan" section (buildout/README.md) or a derived default
// layout, stated in every output (Layout::description).
//
// Geometry (metres). A rack stands at (hall, row, position); its floor point is
//   x = position * rack_pitch_m,   y = y0(hall) + row * row_pitch_m,
//   y0(hall) = sum over earlier halls of (their rows * row_pitch_m + hall_gap_m).
// Cable route between two racks (Manhattan along the overhead trays, plus slack):
//   same rack:  L = in_rack_m
//   otherwise:  L = (|dx| + |dy| + 2 * vertical_m) * (1 + slack_fraction) + slack_m
// vertical_m is the run from a device up to the tray at each end. Defaults: rack pitch 0.6 m (a
// 600 mm wide rack), row pitch 2.4 m (1.2 m deep rack + 1.2 m aisle), vertical 2.0 m, slack 10 %
// + 1 m of service loops, in-rack 1.5 m, hall gap 30 m: typical data-hall dimensions (assumptions,
// ASHRAE TC 9.9 hot/cold aisle layouts use 1.2 m aisles), not measurements.
//
// Derived placement: compute racks (topology racks.nodes_per_rack) fill rows of racks_per_row in
// rack order, rows_per_hall compute rows per hall; the leaf switches of every leaf group (scalable
// unit) stand in network racks at the end of the row of the group's first rack; spines and cores
// stand in network rows in the middle of a hall (2-tier spines and all cores spread evenly over the
// halls, 3-tier spines in the hall of their pod), switches_per_rack switches per network rack.
#pragma once

#include "twin/buildout/cable_rules.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/topology/cluster.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace twin::buildout {

enum class Cooling { Air, Liquid };

struct RackPlacement { // a "racks" entry of the floorplan: put rack `rack` at a fixed position
    std::string rack;
    int hall = 0, row = 0, position = 0;
    std::string pointer; // JSON pointer of the entry, for errors
};

// A build-out input file the scenario names ("prices", "schedule"), relative to the scenario's folder.
struct NamedInput {
    std::filesystem::path path; // resolved
    std::string pointer;        // "/floorplan/prices"
};

struct FloorPlan {
    bool given = false; // the scenario has a "floorplan" section
    int racks_per_row = 16;
    int rows_per_hall = 32;
    int switches_per_rack = 16;
    double rack_pitch_m = 0.6, row_pitch_m = 2.4, hall_gap_m = 30.0;
    double vertical_m = 2.0, slack_fraction = 0.1, slack_m = 1.0, in_rack_m = 1.5;
    std::optional<Cooling>
        cooling; // absent: liquid when a GPU is liquid-only or facility.cooling.type is "liquid", else air
    double pdu_capacity_w = 17300.0;    // one rack PDU: 3-phase 208 V 60 A at 80 %: sqrt(3)*208*48
    int pdu_redundancy = 2;             // A and B feeds (2N): PDUs = 2 * ceil(P_rack / capacity)
    double cdu_capacity_w = 1.5e6;      // one coolant distribution unit (assumption: 1.5 MW row CDU)
    std::vector<RackPlacement> racks;   // explicit placements
    CableRules rules;                   // reach rules (cable_rules.hpp), default table unless given
    std::optional<NamedInput> prices;   // price table (cost.hpp) for the run report and `bom`
    std::optional<NamedInput> schedule; // lead times and install rates (schedule.hpp) for `bom`
    std::string file;                   // scenario file, for errors
    std::string pointer = "/floorplan";
};

// Reads the "floorplan" object (absent: defaults, given = false). Throws InputError at the key.
// Named input files resolve against `base_dir` (the scenario's folder); they are read by
// load_named_inputs() (load.hpp).
[[nodiscard]] FloorPlan read_floorplan(const std::optional<Value>& floorplan, const std::string& file,
                                       const std::filesystem::path& base_dir = {});

enum class RackKind { Compute, Network };

struct Rack {
    std::string name; // "compute.<r>", "leaf.g<g>.<k>", "spine.h<h>.<k>", "core.h<h>.<k>"
    RackKind kind = RackKind::Compute;
    int hall = 0, row = 0, position = 0;
    double x_m = 0.0, y_m = 0.0;
};

struct Layout {
    std::vector<Rack> racks;
    std::vector<int> node_rack;   // rack index of every node
    std::vector<int> switch_rack; // rack index of every fabric switch (Cluster::switch_vertex order)
    int halls = 0;
    std::string description; // one line: derived or from the scenario, with the rules used
    FloorPlan plan;

    [[nodiscard]] double cable_length_m(int rack_a, int rack_b) const;
    [[nodiscard]] std::string row_name(int rack) const;  // "h0.r3"
    [[nodiscard]] std::string hall_name(int rack) const; // "h0"
};

// Places every rack (derived rule above, then the explicit placements) and computes coordinates.
// Throws InputError at /floorplan/racks/<i> for an unknown rack name or a position taken twice.
[[nodiscard]] Layout make_layout(const topology::Cluster& cluster, FloorPlan plan);

} // namespace twin::buildout
