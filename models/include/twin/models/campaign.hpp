// A training campaign over days to months: component failures, checkpoints, restarts, spares and
// slow GPUs around the simulated step (README.md, "Training campaigns"). SimGrid-free: the report
// library runs it after the step simulation, the GUI and sweeps read its result.
//
// Failure model (campaign_failures.cpp): class c has n_c components (GPUs, nodes, NICs, links,
// switches: from the topology summary) failing at λ_c per component-hour; each failure is an
// interruption of the synchronous job, a degradation (the job runs on, slower, until repaired) or
// nothing (redundant). Interruptions arrive as one Poisson process of rate Λ = Σ n_c λ_c
// (interruption classes), the cause drawn in proportion to n_c λ_c; MTBI M = 1 / Λ.
//
// Checkpoint cost C: the model state (storage_traffic.hpp: 14 B per parameter, bf16 weights + fp32
// main weights + Adam m, v) over the storage network (storage_transfer, when the topology has one)
// or over the campaign's "checkpoint.write_bandwidth"; async writes cost what the storage model's
// checkpoint_cost_per_step_s says per interval.
// Intervals (τ: compute time between checkpoints):
//   Young (1974)  τ_Y = sqrt(2 C M)
//   Daly (2006)   τ_D = sqrt(2 C M) [1 + sqrt(C / 2M) / 3 + (C / 2M) / 9] − C   (C < 2M), else M
// Closed form (exponential failures while the job runs, none during the restart, restart R =
// detection + restart, every failure loses the segment in progress):
//   E[wall time per segment of τ + C] = (e^{Λ(τ+C)} − 1) (1/Λ + R);  goodput G = τ / that.
// The Monte Carlo (campaign_mc.cpp) plays the same process over the campaign with spares, repair
// times, elastic restarts and degradations, trial by trial; estimates are the mean over trials with
// a 95 % interval mean ± 1.96 s / sqrt(trials) (normal approximation).
// Slow GPUs: per-GPU speed s ~ Normal(1, σ) clipped to [0.05, 1]; throttled GPUs (fraction q) run at
// s_t; a synchronous step waits for the slowest rank, so its compute part stretches:
//   T_step' = T_step + T_compute (1 / s_min − 1),   s_min = min over the job's GPUs (sampled per
//   trial from the distribution of the minimum: F_min^{-1}(u) = F^{-1}(1 − (1 − u)^{1/N})).
// Failed fabric link (degradation): δ_link = T_step(one cable failed) / T_step − 1 when the step
// on the degraded fabric was simulated (CampaignInputs::failed_link_step_s; the CLI's run does it
// in a child process, tools/campaign_link.cpp); otherwise estimated: the switch that lost it
// keeps u − 1 of its u uplinks, so the step's fabric-bound time (its "leaf-spine" and
// "spine-core" time per GPU) grows by 1 / (u − 1); u = fabric links / switches.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twin::topology {
struct Summary;
}

namespace twin::models {

enum class FailureClass : std::uint8_t { Gpu, Hbm, Nvlink, Nic, Optic, Switch, Host, Power, Cooling, Software };
inline constexpr std::size_t kFailureClasses = 10;
inline constexpr auto kFailureClassNames = enum_names<FailureClass>({{FailureClass::Gpu, "gpu"},
                                                                     {FailureClass::Hbm, "hbm"},
                                                                     {FailureClass::Nvlink, "nvlink"},
                                                                     {FailureClass::Nic, "nic"},
                                                                     {FailureClass::Optic, "optic"},
                                                                     {FailureClass::Switch, "switch"},
                                                                     {FailureClass::Host, "host"},
                                                                     {FailureClass::Power, "psu"},
                                                                     {FailureClass::Cooling, "cooling"},
                                                                     {FailureClass::Software, "software"}});

enum class FailureEffect : std::uint8_t { Interruption, Degradation, None };
inline constexpr auto kFailureEffectNames = enum_names<FailureEffect>({{FailureEffect::Interruption, "interruption"},
                                                                       {FailureEffect::Degradation, "degradation"},
                                                                       {FailureEffect::None, "none"}});

// One component class: its rate, what a failure does, and how long a repair takes.
struct FailureRate {
    FailureClass cls = FailureClass::Gpu;
    std::string component;      // what n_c counts: "GPU", "node", "NIC", "link", "switch"
    double rate_per_hour = 0.0; // λ_c per component-hour
    FailureEffect effect = FailureEffect::Interruption;
    double repair_s = 0.0;     // mean time to repair (exponential)
    bool removes_node = false; // the job must leave the node (a spare or elastic restart)
    std::string source;        // where the default comes from
};

// The built-in defaults (campaign_failures.cpp states each source).
[[nodiscard]] std::array<FailureRate, kFailureClasses> default_failure_rates();

// The scenario's "campaign" section (models/README.md, "campaign").
struct CampaignConfig {
    double duration_s = 0.0;
    int trials = 200;
    std::optional<double> checkpoint_interval_s;      // none: Daly's optimum ("auto")
    std::optional<double> checkpoint_write_bandwidth; // bytes/s, without a storage network
    double restore_s = 0.0;                           // reading the checkpoint back, in the restart
    // Defaults: detection 5 min, the health-check period of Meta's RSC clusters (Kokolis et al. 2024,
    // shared reference rel.rsc.rates); restart 10 min, an assumption (Llama 3 reports shortening job
    // start-up and checkpointing without a figure).
    double detection_s = 300.0;
    double restart_s = 600.0;
    int spare_nodes = 0;
    bool elastic = false;
    double slow_gpu_sigma = 0.0;             // σ of the per-GPU speed
    double throttled_fraction = 0.0;         // q
    double throttled_speed = 1.0;            // s_t
    std::optional<double> tokens;            // token budget (else facility.training_tokens)
    std::vector<double> what_if_intervals_s; // what-if checkpoint intervals (default: τ_D x {1/4 .. 4})
    std::vector<int> what_if_spares;         // what-if spare counts (default: 0, S/2, S, 2S, 4S)
    std::array<FailureRate, kFailureClasses> classes = default_failure_rates();
    std::string file;    // for errors found after the simulation
    std::string pointer; // "/campaign"
};

// Reads the "campaign" object. Throws InputError at the pointer of a bad key (negative rate, zero
// interval, unknown failure class, ...). `storage_network`: the topology has one (else the
// checkpoint needs "checkpoint.write_bandwidth").
[[nodiscard]] CampaignConfig load_campaign(const Value& v, bool storage_network);

// n_c for every class (topology summary counts).
struct ComponentCounts {
    double gpus = 0, nodes = 0, nics = 0, links = 0, fabric_switches = 0, scaleup_switches = 0;
    double uplinks_per_switch = 0; // leaf-spine links / leaf switches (0 with one tier or none)
};
[[nodiscard]] ComponentCounts count_components(const topology::Summary& s);
[[nodiscard]] double component_count(const ComponentCounts& n, FailureClass c);

// What the campaign needs from the simulated step, the storage model and the power report.
struct CampaignInputs {
    double step_time_s = 0.0;
    double compute_per_step_s = 0.0;      // compute time per GPU in a step (what slow GPUs stretch)
    double fabric_bound_per_step_s = 0.0; // leaf-spine + spine-core time per GPU (failed-link estimate)
    double uplinks_per_switch = 0.0;      // u of the failed-link estimate (0: no fabric)
    // The step simulated with one fabric cable failed (0: not simulated, the estimate is used) and
    // that cable's name ("a - b"); the CLI's run simulates it in a child run (tools/campaign_link.cpp).
    double failed_link_step_s = 0.0;
    std::string failed_link;
    double tokens_per_step = 0.0;
    double gpus = 0.0;
    double nodes = 0.0;
    int dp_replicas = 1; // elastic restarts drop whole replicas
    double checkpoint_bytes = 0.0;
    double checkpoint_time_s = 0.0;  // C
    std::string checkpoint_source;   // "storage network", "write_bandwidth"
    double facility_running_w = 0.0; // facility power while training
    double facility_idle_w = 0.0;    // while detecting, restarting, waiting
    std::optional<double> tokens;    // budget
    ComponentCounts counts;
};

struct Estimate {
    double mean = 0.0;
    double ci_low = 0.0;
    double ci_high = 0.0;
};

struct CauseResult {
    std::string cls;
    std::string component;
    std::string effect;
    double components = 0.0;
    double rate_per_hour = 0.0;    // per component
    double expected_per_day = 0.0; // n_c λ_c x 24 h
    Estimate events;               // over the campaign (Monte Carlo)
};

struct WhatIfPoint {
    double checkpoint_interval_s = 0.0;
    int spare_nodes = 0;
    double goodput_closed_form = 0.0; // the closed form (no spares, no degradation)
    Estimate goodput;                 // Monte Carlo (fewer trials)
};

struct CampaignResult {
    double duration_s = 0.0;
    int trials = 0;
    double step_time_s = 0.0;
    double degraded_step_time_s = 0.0;       // mean over trials (slow and throttled GPUs)
    double failed_link_slowdown = 0.0;       // fractional step growth while a fabric link is down
    double interruption_rate_per_hour = 0.0; // Λ
    double mtbi_s = 0.0;                     // 1 / Λ
    double checkpoint_bytes = 0.0;
    double checkpoint_time_s = 0.0;
    std::string checkpoint_source;
    double checkpoint_interval_s = 0.0; // chosen
    double young_interval_s = 0.0;
    double daly_interval_s = 0.0;
    double goodput_closed_form = 0.0;      // at the chosen interval
    double goodput_closed_form_daly = 0.0; // at Daly's
    double restart_s = 0.0;                // R = detection + restart + restore
    int spare_nodes = 0;
    bool elastic = false;
    std::vector<CauseResult> causes; // kFailureClassNames order
    Estimate interruptions;
    Estimate mtbi_observed_s; // campaign time / interruptions (trials with at least one)
    Estimate goodput;         // useful step time / wall time
    Estimate lost_recompute_s, lost_restart_s, lost_waiting_s, checkpoint_overhead_s, degraded_loss_s;
    Estimate energy_j; // facility energy over the campaign
    std::optional<double> tokens;
    std::optional<Estimate> days_for_tokens;
    std::vector<WhatIfPoint> what_if;
    std::string link_model; // how the failed-link slowdown was obtained
};

[[nodiscard]] double young_interval(double checkpoint_s, double mtbi_s);
[[nodiscard]] double daly_interval(double checkpoint_s, double mtbi_s);
[[nodiscard]] double closed_form_goodput(double interval_s, double checkpoint_s, double rate_per_s, double restart_s);

// Runs the campaign. Throws InputError (config.file, config.pointer + "/duration_days") when the
// campaign is shorter than a step.
[[nodiscard]] CampaignResult run_campaign(const CampaignConfig& config, const CampaignInputs& in, std::uint64_t seed);

} // namespace twin::models
