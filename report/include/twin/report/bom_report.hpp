// The "bom" section of report.json: the build-out's bill of materials (buildout/bom.hpp) summed for a
// planner, written by `clustertwin run` from the same layout and BOM as `clustertwin bom` (the
// scenario's "floorplan" section, or the derived default layout, named in `layout`).
//
//   gpus, servers (servers or compute trays), nvswitch_trays, pdus: BOM category totals
//   racks: compute and network racks; halls: of the layout
//   switches: by BOM item "<tier> <model>"; nics: by item "<model> (<role>)"; transceivers: by item
//     "OSFP <capacity> <reach>"; cooling: by item (liquid builds)
//   cables: per type (DAC, ACC, AEC, AOC, fibre multimode, fibre single-mode) the count, the routed
//     length summed (length_m) and the stock length classes summed (stock_length_m, what is ordered)
//   optics_power_w: the plan's transceivers and AOC ends; catalog_cable_power_w: what the power
//     model charges for the same links; it_power_max_w: nameplate IT power with the plan's optics
//   capex (only with a price table, the floor plan's "prices"): total, per GPU, energy per year and,
//     for a training workload, per million tokens at the run's tokens/s (buildout/cost.hpp)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace twin::buildout {
struct Bom;
struct Layout;
struct PriceTable;
struct FloorPlan;
} // namespace twin::buildout
namespace twin::topology {
class Cluster;
}

namespace twin::report {

struct BomCableReport {
    std::int64_t count = 0;
    double length_m = 0.0;
    double stock_length_m = 0.0;
};

struct BomCapexReport {
    std::string currency;
    bool illustrative = false;
    std::string prices; // the price file's name alone
    double total = 0.0;
    double per_gpu = 0.0;
    double energy_per_year = 0.0;
    std::optional<double> per_million_tokens;
};

using ItemCounts = std::map<std::string, std::int64_t>;

struct BomReport {
    std::string layout; // Layout::description
    int halls = 0;
    std::int64_t gpus = 0;
    std::int64_t servers = 0;
    std::int64_t nvswitch_trays = 0;
    std::int64_t compute_racks = 0;
    std::int64_t network_racks = 0;
    std::int64_t pdus = 0;
    ItemCounts switches;
    ItemCounts nics;
    ItemCounts transceivers;
    ItemCounts cooling;
    std::map<std::string, BomCableReport> cables; // by type
    double optics_power_w = 0.0;
    double catalog_cable_power_w = 0.0;
    double it_power_max_w = 0.0;
    std::string port_check; // "passed" or the first problem
    std::optional<BomCapexReport> capex;
};

// The build-out counted before a run (so a bad floor plan fails before a long simulation) and
// summarized after it (the cost per million tokens needs the run's throughput).
class BomPlan {
public:
    // Reads the scenario's floor plan and the price table it names; lays out `cluster` and counts
    // its BOM. Throws InputError (the floor plan's pointers, or the price file's).
    BomPlan(const topology::Cluster& cluster, buildout::FloorPlan floorplan);
    BomPlan(const BomPlan&) = delete;
    BomPlan& operator=(const BomPlan&) = delete;
    ~BomPlan();

    // `tokens_per_s`: a training run's throughput (per-million-token cost), absent otherwise.
    [[nodiscard]] BomReport report(std::optional<double> tokens_per_s) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The summary of a counted BOM (no capex).
[[nodiscard]] BomReport summarize_bom(const buildout::Bom& bom, const buildout::Layout& layout);

} // namespace twin::report
