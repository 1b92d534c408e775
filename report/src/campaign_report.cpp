// The report's "campaign" section: the scenario's campaign (models/campaign.hpp) run on the
// simulated step, its JSON both ways and its text lines.
//
// Inputs taken from the report built so far:
//   T_step, T_compute      workload.step_time_s and compute_per_gpu_s (else simulated_time_s and
//                          the mean compute fraction x simulated time)
//   fabric-bound time      time_per_gpu_by_bound_s "leaf-spine" + "spine-core"
//   checkpoint bytes S     the storage model's checkpoint_bytes when the workload checkpoints, else
//                          14 B x parameters (the same state: bf16 weights + fp32 main weights, Adam m, v)
//   checkpoint time C      the storage report's checkpoint_time_s (async: checkpoint_cost_per_step_s x K,
//                          the part that holds training up); else T(S) on the storage network
//                          (models::storage_transfer, S_node = S / nodes); else S / write_bandwidth
//   power                  facility mean power while training; IT idle power x mean PUE while down
//   replicas               the size of the data-parallel communicators' family count (role "dp")
#include "json_read.hpp"
#include "report_parts.hpp"
#include "twin/models/storage_traffic.hpp"
#include "twin/topology/load.hpp"

#include <fmt/format.h>

namespace twin::report::detail {

using json = nlohmann::json;

namespace {

constexpr double kCheckpointBytesPerParameter = 14.0;

int dp_replicas(const models::Scenario& s) {
    for (const auto& [family, role] : s.trace.info.family_roles) {
        if (role != "dp") {
            continue;
        }
        for (const auto& g : s.trace.groups) {
            if (g.name == family && !g.communicators.empty()) {
                return static_cast<int>(g.communicators.front().size());
            }
        }
    }
    return 1;
}

void checkpoint_inputs(const models::Scenario& s, const RunReport& r, const models::CampaignConfig& cfg,
                       models::CampaignInputs& in) {
    const auto* storage = r.workload && r.workload->storage ? &*r.workload->storage : nullptr;
    if (storage && storage->checkpoint_bytes > 0) {
        in.checkpoint_bytes = storage->checkpoint_bytes;
        in.checkpoint_source = "storage network (workload checkpoint)";
        in.checkpoint_time_s =
            storage->checkpoint_mode == "async"
                ? storage->cost.checkpoint_cost_per_step_s * static_cast<double>(storage->checkpoint_interval_steps)
                : storage->cost.checkpoint_time_s;
        return;
    }
    in.checkpoint_bytes = kCheckpointBytesPerParameter * s.trace.info.parameters;
    if (cfg.checkpoint_write_bandwidth) {
        in.checkpoint_time_s = in.checkpoint_bytes / *cfg.checkpoint_write_bandwidth;
        in.checkpoint_source = "checkpoint.write_bandwidth";
    } else {
        const auto& fabric = s.cluster.storage();
        in.checkpoint_time_s =
            models::storage_transfer(fabric, in.checkpoint_bytes, in.checkpoint_bytes / std::max(1.0, in.nodes),
                                     fabric.servers.write_bandwidth)
                .time_s;
        in.checkpoint_source = "storage network";
    }
}

json estimate_json(const models::Estimate& e) {
    return {{"mean", e.mean}, {"ci95_low", e.ci_low}, {"ci95_high", e.ci_high}};
}

models::Estimate estimate_from(const Value& v) {
    Object o(v);
    models::Estimate e{num(o, "mean"), num(o, "ci95_low"), num(o, "ci95_high")};
    o.finish();
    return e;
}

} // namespace

std::optional<models::CampaignResult> build_campaign(const models::Scenario& s, const RunReport& r,
                                                     const FailedLinkStep* failed) {
    if (!s.campaign) {
        return std::nullopt;
    }
    const auto& cfg = *s.campaign;
    models::CampaignInputs in;
    in.counts = models::count_components(topology::summarize(s.cluster));
    in.gpus = in.counts.gpus;
    in.nodes = in.counts.nodes;
    in.uplinks_per_switch = in.counts.uplinks_per_switch;
    if (r.workload) {
        in.step_time_s = r.workload->step_time_s;
        in.compute_per_step_s = r.workload->compute_per_gpu_s;
        in.tokens_per_step = r.workload->tokens_per_step;
    } else {
        in.step_time_s = r.simulated_time_s;
        in.compute_per_step_s = r.compute_fraction.mean * r.simulated_time_s;
    }
    for (const char* k : {"leaf-spine", "spine-core"}) {
        if (auto it = r.time_per_gpu_by_bound_s.find(k); it != r.time_per_gpu_by_bound_s.end()) {
            in.fabric_bound_per_step_s += it->second;
        }
    }
    if (failed) {
        in.failed_link_step_s = failed->step_time_s;
        in.failed_link = failed->link;
    }
    in.dp_replicas = dp_replicas(s);
    checkpoint_inputs(s, r, cfg, in);
    in.facility_running_w = r.power.facility.mean_w;
    in.facility_idle_w = r.power.it_idle_w * r.power.pue_mean;
    in.tokens = cfg.tokens ? cfg.tokens : s.facility.energy.training_tokens;
    return models::run_campaign(cfg, in, s.seed);
}

nlohmann::json campaign_to_json(const models::CampaignResult& c) {
    json causes = json::array();
    for (const auto& k : c.causes) {
        causes.push_back({{"class", k.cls},
                          {"component", k.component},
                          {"effect", k.effect},
                          {"components", k.components},
                          {"rate_per_component_hour", k.rate_per_hour},
                          {"expected_per_day", k.expected_per_day},
                          {"events", estimate_json(k.events)}});
    }
    json what_if = json::array();
    for (const auto& w : c.what_if) {
        what_if.push_back({{"checkpoint_interval_s", w.checkpoint_interval_s},
                           {"spare_nodes", w.spare_nodes},
                           {"goodput_closed_form", w.goodput_closed_form},
                           {"goodput", estimate_json(w.goodput)}});
    }
    return {{"duration_s", c.duration_s},
            {"trials", c.trials},
            {"step_time_s", c.step_time_s},
            {"degraded_step_time_s", c.degraded_step_time_s},
            {"failed_link_slowdown", c.failed_link_slowdown},
            {"failed_link_model", c.link_model},
            {"interruption_rate_per_hour", c.interruption_rate_per_hour},
            {"mtbi_s", c.mtbi_s},
            {"checkpoint_bytes", c.checkpoint_bytes},
            {"checkpoint_time_s", c.checkpoint_time_s},
            {"checkpoint_source", c.checkpoint_source},
            {"checkpoint_interval_s", c.checkpoint_interval_s},
            {"young_interval_s", c.young_interval_s},
            {"daly_interval_s", c.daly_interval_s},
            {"goodput_closed_form", c.goodput_closed_form},
            {"goodput_closed_form_daly", c.goodput_closed_form_daly},
            {"restart_s", c.restart_s},
            {"spare_nodes", c.spare_nodes},
            {"elastic", c.elastic},
            {"causes", causes},
            {"interruptions", estimate_json(c.interruptions)},
            {"mtbi_observed_s", estimate_json(c.mtbi_observed_s)},
            {"goodput", estimate_json(c.goodput)},
            {"lost_recompute_s", estimate_json(c.lost_recompute_s)},
            {"lost_restart_s", estimate_json(c.lost_restart_s)},
            {"lost_waiting_s", estimate_json(c.lost_waiting_s)},
            {"checkpoint_overhead_s", estimate_json(c.checkpoint_overhead_s)},
            {"degraded_loss_s", estimate_json(c.degraded_loss_s)},
            {"energy_j", estimate_json(c.energy_j)},
            {"tokens", c.tokens ? json(*c.tokens) : json(nullptr)},
            {"days_for_tokens", c.days_for_tokens ? estimate_json(*c.days_for_tokens) : json(nullptr)},
            {"what_if", what_if}};
}

models::CampaignResult campaign_from_json(const Value& v) {
    Object o(v);
    models::CampaignResult c;
    c.duration_s = num(o, "duration_s");
    c.trials = int32(o, "trials");
    c.step_time_s = num(o, "step_time_s");
    c.degraded_step_time_s = num(o, "degraded_step_time_s");
    c.failed_link_slowdown = num(o, "failed_link_slowdown");
    c.link_model = str(o, "failed_link_model");
    c.interruption_rate_per_hour = num(o, "interruption_rate_per_hour");
    c.mtbi_s = num(o, "mtbi_s");
    c.checkpoint_bytes = num(o, "checkpoint_bytes");
    c.checkpoint_time_s = num(o, "checkpoint_time_s");
    c.checkpoint_source = str(o, "checkpoint_source");
    c.checkpoint_interval_s = num(o, "checkpoint_interval_s");
    c.young_interval_s = num(o, "young_interval_s");
    c.daly_interval_s = num(o, "daly_interval_s");
    c.goodput_closed_form = num(o, "goodput_closed_form");
    c.goodput_closed_form_daly = num(o, "goodput_closed_form_daly");
    c.restart_s = num(o, "restart_s");
    c.spare_nodes = int32(o, "spare_nodes");
    c.elastic = boolean(o, "elastic");
    for (const auto& x : Array(o.at("causes")).values()) {
        Object k(x);
        c.causes.push_back(models::CauseResult{str(k, "class"), str(k, "component"), str(k, "effect"),
                                               num(k, "components"), num(k, "rate_per_component_hour"),
                                               num(k, "expected_per_day"), estimate_from(k.at("events"))});
        k.finish();
    }
    c.interruptions = estimate_from(o.at("interruptions"));
    c.mtbi_observed_s = estimate_from(o.at("mtbi_observed_s"));
    c.goodput = estimate_from(o.at("goodput"));
    c.lost_recompute_s = estimate_from(o.at("lost_recompute_s"));
    c.lost_restart_s = estimate_from(o.at("lost_restart_s"));
    c.lost_waiting_s = estimate_from(o.at("lost_waiting_s"));
    c.checkpoint_overhead_s = estimate_from(o.at("checkpoint_overhead_s"));
    c.degraded_loss_s = estimate_from(o.at("degraded_loss_s"));
    c.energy_j = estimate_from(o.at("energy_j"));
    c.tokens = optional_num(o, "tokens");
    if (const Value d = o.at("days_for_tokens"); !d.json().is_null()) {
        c.days_for_tokens = estimate_from(d);
    }
    for (const auto& x : Array(o.at("what_if")).values()) {
        Object w(x);
        c.what_if.push_back(models::WhatIfPoint{num(w, "checkpoint_interval_s"), int32(w, "spare_nodes"),
                                                num(w, "goodput_closed_form"), estimate_from(w.at("goodput"))});
        w.finish();
    }
    o.finish();
    return c;
}

std::string campaign_text(const models::CampaignResult& c) {
    const auto ci = [](const models::Estimate& e, double scale) {
        return fmt::format("{:.4g} [{:.4g}, {:.4g}]", e.mean * scale, e.ci_low * scale, e.ci_high * scale);
    };
    std::string out = fmt::format("campaign          {:.4g} days, {} trials (mean [95 % interval])\n",
                                  c.duration_s / 86'400.0, c.trials);
    out += fmt::format("  interruptions   {}  (MTBI {:.3g} h; {:.3g} per hour expected)\n", ci(c.interruptions, 1.0),
                       c.mtbi_s / 3600.0, c.interruption_rate_per_hour);
    for (const auto& k : c.causes) {
        if (k.events.mean > 0) {
            out += fmt::format("    {:<9} {:>9.4g}  ({:.0f} {} x {:.3g}/h, {})\n", k.cls, k.events.mean, k.components,
                               k.component, k.rate_per_hour, k.effect);
        }
    }
    out += fmt::format("  goodput         {}  (closed form {:.4g}; at Daly's interval {:.4g})\n", ci(c.goodput, 1.0),
                       c.goodput_closed_form, c.goodput_closed_form_daly);
    out +=
        fmt::format("  checkpoint      {} in {} every {}  (Young {}, Daly {}; {})\n", human_bytes(c.checkpoint_bytes),
                    human_time(c.checkpoint_time_s), human_time(c.checkpoint_interval_s),
                    human_time(c.young_interval_s), human_time(c.daly_interval_s), c.checkpoint_source);
    out += fmt::format("  step            {} simulated, {} with slow GPUs; a failed fabric link +{:.3g} %\n",
                       human_time(c.step_time_s), human_time(c.degraded_step_time_s), 100.0 * c.failed_link_slowdown);
    out += fmt::format("  energy          {} facility\n", human_energy(c.energy_j.mean));
    if (c.days_for_tokens) {
        out += fmt::format("  days for {:.3g} tokens  {}\n", *c.tokens, ci(*c.days_for_tokens, 1.0));
    }
    return out;
}

} // namespace twin::report::detail

namespace twin::report {

void rebuild_campaign(const models::Scenario& scenario, const FailedLinkStep& failed, RunReport& report) {
    if (scenario.campaign) {
        report.campaign = detail::build_campaign(scenario, report, &failed);
    }
}

} // namespace twin::report
