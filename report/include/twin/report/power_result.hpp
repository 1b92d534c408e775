// What the power and cooling accounting of a run produces, as plain data (README.md, "Power and
// cooling"). All powers in W, energies in J, times in s. IT power is what the racks and the
// network draw; facility power adds distribution losses and cooling (models/power.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twin::report {

// A power level over the run: held levels only (a level that lasts no time, e.g. between two
// state changes at the same instant, counts for nothing).
struct PowerStats {
    double peak_w = 0.0;
    double mean_w = 0.0; // energy / simulated time
    double min_w = 0.0;
};

// One rack, row, hall or CDU.
struct DomainPower {
    int id = 0;
    PowerStats it;
    double capacity_w = -1.0; // cooling capacity (racks, CDUs, plant); < 0 when unlimited
};

// One point of the power time series: a bin [time_s, time_s + bin_s) (the last one ends with the
// run) with the mean, lowest and highest IT power in it.
struct PowerPoint {
    double time_s = 0.0;
    double it_mean_w = 0.0;
    double it_min_w = 0.0;
    double it_max_w = 0.0;
};

// The first time a cooling domain throttled its GPUs (it stays throttled for the rest of the run).
struct ThrottleEvent {
    std::string domain; // "rack", "cdu", "plant"
    int id = 0;
    double time_s = 0.0;     // start of the first compute op that ran throttled
    double heat_w = 0.0;     // the domain's heat just before (above capacity_w)
    double capacity_w = 0.0; // after supply-temperature derating
    double clock = 1.0;      // relative clock its GPUs run at from then on
};

// A facility limit exceeded during the run.
struct Violation {
    std::string kind; // "feed", "rack_power", "rack_cooling", "cdu_cooling", "plant_cooling"
    int id = 0;       // rack or CDU; 0 for feed and plant
    double limit_w = 0.0;
    double peak_w = 0.0;
    double excess_w = 0.0; // peak - limit
    double first_s = 0.0;  // when the limit was first exceeded
};

// Nameplate sizing (models/nameplate.hpp): the cluster at every node's maximum and typical power,
// and the headroom of the feed, the rack power limit and the rack cooling on the maximum.
struct NameplateResult {
    double it_max_w = 0.0, it_typical_w = 0.0;
    double facility_max_w = 0.0, facility_typical_w = 0.0;
    double rack_max_w = 0.0, rack_typical_w = 0.0; // the largest rack by maximum
    std::int64_t rack = 0;
    std::optional<double> feed_headroom_w, rack_power_headroom_w, rack_cooling_headroom_w;
};

struct PowerResult {
    PowerStats it;
    PowerStats facility;
    double it_energy_j = 0.0;
    double facility_energy_j = 0.0;
    double largest_swing_w = 0.0;      // IT peak - IT min over held levels
    double fastest_ramp_w_per_s = 0.0; // max over t of |P(t) - P(t - window)| / window, IT power
    double ramp_window_s = 0.0;
    double it_idle_w = 0.0; // every GPU idle, everything else on
    double it_max_w = 0.0;  // everything at full power
    double network_w = 0.0; // fabric switches and optics
    NameplateResult nameplate;
    // Facility power is linear in IT power (models/power.hpp): P_fac = slope x P_IT + fixed, of
    // which cooling takes cooling_per_it x P_IT.
    double facility_slope = 1.0;
    double facility_fixed_w = 0.0;
    double cooling_per_it = 0.0;
    std::vector<DomainPower> racks, rows, halls, cdus;
    DomainPower plant;
    std::vector<ThrottleEvent> throttles; // by time, then domain, then id
    std::int64_t throttled_ops = 0;       // compute ops started below the power-cap clock
    std::int64_t compute_ops = 0;
    std::vector<Violation> violations; // by kind, then excess (largest first), then id
    double bin_s = 0.0;
    std::vector<PowerPoint> series;
};

} // namespace twin::report
