// Internal to the campaign model: one Monte Carlo trial of the campaign's wall clock
// (campaign_trial.cpp; the trial's rules are stated in campaign_mc.cpp's header).
#pragma once

#include "twin/core/rng.hpp"
#include "twin/models/campaign.hpp"

#include <array>

namespace twin::models::detail {

struct Setup {
    double horizon = 0.0;
    double interval = 0.0;   // τ
    double checkpoint = 0.0; // C
    double down = 0.0;       // R
    int spares = 0;
    bool elastic = false;
    std::array<double, kFailureClasses> interrupt_rate{}; // n_c λ_c per second (interruptions)
    std::array<double, kFailureClasses> degrade_rate{};   // the same, degradations
    std::array<double, kFailureClasses> delta{};          // δ_c of a degradation
    std::array<double, kFailureClasses> repair{};         // mean repair time
    std::array<bool, kFailureClasses> removes_node{};
    double total_rate = 0.0;
};

struct Trial {
    std::array<double, kFailureClasses> events{};
    double interruptions = 0, useful = 0, recompute = 0, restart = 0, waiting = 0, checkpoint = 0, degraded = 0;
    double running = 0, speed = 1;
};

// Exp(rate) by inversion, −ln(1 − u) / rate (infinite for a zero rate).
[[nodiscard]] double exponential(Rng& rng, double rate);
// The trial's speed T_step / T_step' from the slowest GPU (slow-GPU spread, throttled GPUs).
[[nodiscard]] double trial_speed(const CampaignConfig& cfg, const CampaignInputs& in, Rng& rng);
// One trial over [0, H]: interruptions, restarts, spares, elastic restarts and degradations.
[[nodiscard]] Trial play(const Setup& s, const CampaignInputs& in, double speed, Rng& rng);

} // namespace twin::models::detail
