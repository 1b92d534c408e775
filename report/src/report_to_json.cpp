// to_json(): report.json from the RunReport. Keys are the member names (run_report.hpp); objects
// are written with sorted keys and numbers shortest round-trip, so the same run gives the same bytes.
#include "bom_parts.hpp"
#include "report_parts.hpp"
#include "serving_parts.hpp"

namespace twin::report {
namespace detail {

using nlohmann::json;

namespace {

json spread_json(const Spread& s) {
    return {{"min", s.min}, {"mean", s.mean}, {"max", s.max}};
}

json engine_json(const EngineReport& e) {
    json shortcuts = json::array();
    if (e.analytic) {
        shortcuts.push_back({{"name", "analytic scale-up collectives"},
                             {"flow_groups", e.analytic->flow_groups},
                             {"meaning", e.analytic->meaning}});
    }
    if (e.fluid) {
        shortcuts.push_back({{"name", "fluid-timed collectives"},
                             {"flow_groups", e.fluid->flow_groups},
                             {"meaning", e.fluid->meaning}});
    }
    if (e.fold) {
        const auto& f = *e.fold;
        shortcuts.push_back({{"name", "folded data-parallel replicas"},
                             {"family", f.family},
                             {"replicas", f.replicas},
                             {"simulated_replicas", f.simulated_replicas},
                             {"gpus_per_simulated_rank", f.gpus_per_simulated_rank},
                             {"simulated_ranks", f.simulated_ranks},
                             {"image_flows", f.image_flows},
                             {"meaning", f.meaning}});
        if (!f.groups.empty()) {
            shortcuts.back()["groups"] = fold_groups_to_json(f.groups);
            shortcuts.back()["grouping"] = f.grouping;
        }
    }
    json j = {{"flows", e.flows}, {"flow_groups", e.flow_groups}, {"shortcuts", shortcuts}};
    if (e.not_folded_because) {
        j["not_folded_because"] = *e.not_folded_because;
    }
    return j;
}

} // namespace

json link_to_json(const LinkReport& l) {
    return {{"link", l.link},
            {"id", l.id},
            {"direction", l.up ? "up" : "down"},
            {"tier", l.tier},
            {"bandwidth_bytes_per_s", l.bandwidth_bytes_per_s},
            {"bytes", l.bytes},
            {"utilization", l.utilization}};
}

json workload_to_json(const WorkloadReport& w) {
    json j;
    j["kind"] = w.kind;
    j["model"] = w.model;
    j["parameters"] = w.parameters;
    j["gpus"] = w.gpus;
    j["step_time_s"] = w.step_time_s;
    j["tokens_per_step"] = w.tokens_per_step;
    j["tokens_per_s"] = w.tokens_per_s;
    j["tokens_per_s_per_gpu"] = w.tokens_per_s_per_gpu;
    j["model_tflops_per_gpu"] = w.model_tflops_per_gpu;
    j["hardware_tflops_per_gpu"] = w.hardware_tflops_per_gpu;
    j["mfu"] = w.mfu;
    j["hfu"] = w.hfu;
    j["precision"] = w.precision;
    j["exposed_communication_per_gpu_s"] = w.exposed_communication_per_gpu_s;
    j["compute_per_gpu_s"] = w.compute_per_gpu_s;
    j["idle_per_gpu_s"] = w.idle_per_gpu_s;
    j["stage_compute_s"] = {{"min", w.stage_compute_s.min},
                            {"max", w.stage_compute_s.max},
                            {"max_over_min", w.stage_compute_s.max_over_min}};
    j["figures"] = w.figures;
    if (w.kind == "llm-inference") {
        j["serving"] = json::object();
        if (w.serving) {
            const auto& m = w.serving->metrics;
            j["serving"] = {{"prefill_s", w.serving->prefill_s},
                            {"decode_s", w.serving->decode_s},
                            {"ttft_s", m.ttft_s},
                            {"tpot_s", m.tpot_s},
                            {"e2e_latency_s", m.e2e_latency_s},
                            {"batch_wait_s", m.batch_wait_s},
                            {"queue_wait_s", m.queue_wait_s},
                            {"capacity_requests_per_s", m.capacity_requests_per_s},
                            {"requests_per_s", m.requests_per_s},
                            {"output_tokens_per_s", m.tokens_per_s},
                            {"output_tokens_per_s_per_gpu", m.tokens_per_s_per_gpu},
                            {"utilisation", m.utilisation},
                            {"mean_batch", m.mean_batch},
                            {"saturated", m.saturated}};
        }
    }
    if (w.storage) {
        j["storage"] = storage_to_json(*w.storage);
    }
    return j;
}

json series_to_json(const SeriesReport& s) {
    json tiers = json::array();
    for (const auto& t : s.tiers) {
        json tier = {{"tier", t.tier},
                     {"capacity_bytes_per_s", t.capacity_bytes_per_s},
                     {"util_mean", t.util_mean},
                     {"util_max", t.util_max}};
        if (t.pod >= 0) {
            tier["pod"] = t.pod;
        }
        tiers.push_back(std::move(tier));
    }
    json classes = json::array();
    for (const auto& c : s.classes) {
        classes.push_back({{"name", c.name},
                           {"ranks", c.ranks},
                           {"compute", c.compute},
                           {"communication", c.communication},
                           {"idle", c.idle}});
    }
    json j = {{"bin_s", s.bin_s}, {"time_s", s.time_s}, {"tiers", tiers}, {"classes", classes}};
    if (!s.pod_kind.empty()) {
        j["pod_kind"] = s.pod_kind;
    }
    return j;
}

} // namespace detail

nlohmann::json to_json(const RunReport& r) {
    using nlohmann::json;
    json j;
    j["format_version"] = kReportFormatVersion;
    j["scenario"] = {{"name", r.scenario.name}, {"file", r.scenario.file}, {"seed", r.scenario.seed}};
    j["simulated_time_s"] = r.simulated_time_s;
    j["gpus"] = r.gpus;
    j["ranks"] = r.ranks;
    j["gpu_time_fraction"] = {{"compute", detail::spread_json(r.compute_fraction)},
                              {"communication", detail::spread_json(r.communication_fraction)},
                              {"idle", detail::spread_json(r.idle_fraction)}};
    j["bound_by"] = r.bound_by;
    j["time_per_gpu_by_bound_s"] = r.time_per_gpu_by_bound_s;
    json phases = json::array();
    for (const auto& p : r.phases) {
        phases.push_back({{"name", p.name},
                          {"kind", p.kind},
                          {"ranks", p.ranks},
                          {"count", p.count},
                          {"time_per_rank_s", p.time_per_rank_s},
                          {"bytes_per_rank", p.bytes_per_rank},
                          {"time_per_rank_by_bound_s", p.time_per_rank_by_bound_s}});
    }
    j["phases"] = phases;
    json collectives = json::array();
    for (const auto& c : r.collectives) {
        collectives.push_back({{"name", c.name},
                               {"kind", c.kind},
                               {"algorithm", c.algorithm},
                               {"members", c.members},
                               {"size_bytes", c.size_bytes},
                               {"instances", c.instances},
                               {"mean_time_s", c.mean_time_s},
                               {"algbw_bytes_per_s", c.algbw_bytes_per_s},
                               {"busbw_bytes_per_s", c.busbw_bytes_per_s}});
    }
    j["collectives"] = collectives;
    json busiest = json::array();
    for (const auto& l : r.busiest_links) {
        busiest.push_back(detail::link_to_json(l));
    }
    j["busiest_links"] = busiest;
    json tiers = json::array();
    for (const auto& t : r.link_tiers) {
        json links = json::array();
        for (const auto& l : t.busiest) {
            links.push_back(detail::link_to_json(l));
        }
        tiers.push_back({{"tier", t.tier},
                         {"directed_links", t.directed_links},
                         {"bytes", t.bytes},
                         {"mean_utilization", t.mean_utilization},
                         {"max_utilization", t.max_utilization},
                         {"busiest", links}});
    }
    j["link_tiers"] = tiers;
    if (!r.pods.empty()) {
        json pods = json::array();
        for (const auto& p : r.pods) {
            pods.push_back({{"pod", p.pod},
                            {"kind", p.kind},
                            {"directed_links", p.directed_links},
                            {"bytes", p.bytes},
                            {"mean_utilization", p.mean_utilization},
                            {"max_utilization", p.max_utilization},
                            {"busiest_link", detail::link_to_json(p.busiest_link)}});
        }
        j["pods"] = pods;
    }
    j["engine"] = detail::engine_json(r.engine);
    if (r.workload) {
        j["workload"] = detail::workload_to_json(*r.workload);
    }
    if (!r.jobs.empty()) {
        j["jobs"] = jobs_to_json(r.jobs);
    }
    if (r.serving) {
        j["serving"] = detail::request_serving_to_json(*r.serving);
    }
    j["power"] = detail::power_to_json(r.power);
    j["series"] = detail::series_to_json(r.series);
    if (r.campaign) {
        j["campaign"] = detail::campaign_to_json(*r.campaign);
    }
    if (r.bom) {
        j["bom"] = detail::bom_to_json(*r.bom);
    }
    return j;
}

} // namespace twin::report
