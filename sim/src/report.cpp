#include "twin/sim/report.hpp"

#include "power_report.hpp"
#include "report_fabric.hpp"
#include "twin/core/csv.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/models/llm_inference.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <map>

namespace twin::sim {
namespace {

struct Spread {
    double min = 0.0, mean = 0.0, max = 0.0;
};

template <class F>
Spread spread_of(const RunResult& r, F value) {
    Spread s;
    if (r.gpus.empty()) {
        return s;
    }
    s.min = value(r.gpus.front());
    s.max = s.min;
    double sum = 0.0;
    for (const auto& g : r.gpus) {
        const double v = value(g);
        s.min = std::min(s.min, v);
        s.max = std::max(s.max, v);
        sum += v;
    }
    s.mean = sum / static_cast<double>(r.gpus.size());
    return s;
}

nlohmann::json spread_json(const Spread& s) {
    return {{"min", s.min}, {"mean", s.mean}, {"max", s.max}};
}

std::string bound_by(const RunResult& r) {
    std::string best = "idle";
    double best_v = 0.0;
    for (const auto& [k, v] : r.bound_gpu_s) {
        if (v > best_v) {
            best_v = v;
            best = k;
        }
    }
    return best;
}

std::string human_time(double s) {
    if (s >= 1.0) {
        return fmt::format("{:.4g} s", s);
    }
    if (s >= 1e-3) {
        return fmt::format("{:.4g} ms", s * 1e3);
    }
    return fmt::format("{:.4g} us", s * 1e6);
}

// Mean duration of a named block per execution (0 when it never ran).
double block_mean_s(const RunResult& r, const std::string& name) {
    for (const auto& b : r.blocks) {
        if (b.name == name && b.count > 0) {
            return b.total_s / static_cast<double>(b.count);
        }
    }
    return 0.0;
}

// Serving numbers of an inference workload from its simulated "prefill" and "decode" blocks
// (queueing model in models/llm_inference.hpp).
nlohmann::json serving_json(const models::WorkloadInfo& info, const RunResult& r) {
    // Prefill: the mean "prefill" block; decode: the rest of the cycle (with pipeline stages, stage
    // 0 starts decoding while later stages still prefill, so the decode block alone undercounts).
    const double prefill = block_mean_s(r, "prefill");
    const double decode = r.simulated_time_s - prefill;
    if (!(prefill > 0) || !(decode > 0)) {
        return nlohmann::json::object();
    }
    const auto m = models::serving_metrics(info, prefill, decode);
    return {{"prefill_s", prefill},
            {"decode_s", decode},
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

// Step-level numbers of a generated workload: throughput, MFU/HFU, exposed communication by role,
// pipeline imbalance. MFU = model FLOPs per step / (step time x GPUs x dense peak at the
// workload's precision); HFU counts the FLOPs executed (recompute included) instead.
nlohmann::json workload_json(const models::Scenario& s, const RunResult& r) {
    const auto& info = s.trace.info;
    const double t = r.simulated_time_s;
    int gpus = 0;
    for (const auto& cls : s.trace.classes) {
        gpus += static_cast<int>(cls.ranks.size());
    }
    const auto& gpu = s.cluster.gpu_type(s.trace.classes.empty() ? 0 : s.trace.classes.front().ranks.front());
    const auto peak_it = gpu.peak_flops.find(info.precision);
    const double peak = peak_it == gpu.peak_flops.end() ? 0.0 : peak_it->second.value();
    const auto per_s = [t](double v) { return t > 0 ? v / t : 0.0; };
    nlohmann::json w;
    w["kind"] = info.kind;
    w["model"] = info.model;
    w["parameters"] = info.parameters;
    w["gpus"] = gpus;
    w["step_time_s"] = t;
    w["tokens_per_step"] = info.tokens_per_step;
    w["tokens_per_s"] = per_s(info.tokens_per_step);
    w["tokens_per_s_per_gpu"] = gpus > 0 ? per_s(info.tokens_per_step) / gpus : 0.0;
    w["model_tflops_per_gpu"] = gpus > 0 ? per_s(info.model_flops_per_step) / gpus / 1e12 : 0.0;
    w["hardware_tflops_per_gpu"] = gpus > 0 ? per_s(info.hardware_flops_per_step) / gpus / 1e12 : 0.0;
    w["mfu"] = gpus > 0 && peak > 0 ? per_s(info.model_flops_per_step) / (gpus * peak) : 0.0;
    w["hfu"] = gpus > 0 && peak > 0 ? per_s(info.hardware_flops_per_step) / (gpus * peak) : 0.0;
    w["precision"] = std::string(topology::precision_name(info.precision));
    // Exposed communication per GPU, by the role the generator gave each group family.
    nlohmann::json exposed = nlohmann::json::object();
    for (const auto& [family, gpu_s] : r.exposed_by_family_gpu_s) {
        const auto role = info.family_roles.find(family);
        const std::string key = role == info.family_roles.end() ? family : role->second;
        exposed[key] = exposed.value(key, 0.0) + (gpus > 0 ? gpu_s / gpus : 0.0);
    }
    w["exposed_communication_per_gpu_s"] = exposed;
    double idle = 0.0, compute = 0.0;
    for (const auto& cls : s.trace.classes) {
        for (int rank : cls.ranks) {
            idle += r.gpus[static_cast<std::size_t>(rank)].idle_s;
            compute += r.gpus[static_cast<std::size_t>(rank)].compute_s;
        }
    }
    w["compute_per_gpu_s"] = gpus > 0 ? compute / gpus : 0.0;
    w["idle_per_gpu_s"] = gpus > 0 ? idle / gpus : 0.0; // pipeline bubble and waiting for peers
    // Imbalance between rank classes (pipeline stages): mean compute time of each class.
    double lo = 0.0, hi = 0.0;
    bool first = true;
    for (const auto& cls : s.trace.classes) {
        double sum = 0.0;
        for (int rank : cls.ranks) {
            sum += r.gpus[static_cast<std::size_t>(rank)].compute_s;
        }
        const double mean = cls.ranks.empty() ? 0.0 : sum / static_cast<double>(cls.ranks.size());
        lo = first ? mean : std::min(lo, mean);
        hi = first ? mean : std::max(hi, mean);
        first = false;
    }
    w["stage_compute_s"] = {{"min", lo}, {"max", hi}, {"max_over_min", lo > 0 ? hi / lo : 0.0}};
    w["figures"] = info.figures;
    if (info.kind == "llm-inference") {
        w["serving"] = serving_json(info, r);
    }
    return w;
}

} // namespace

std::string report_file_name(const models::Scenario& s) {
    return std::filesystem::path(s.file).filename().string();
}

nlohmann::json report_json(const models::Scenario& s, const RunResult& r) {
    using nlohmann::json;
    const double t = r.simulated_time_s;
    const auto frac = [t](double v) { return t > 0 ? v / t : 0.0; };
    json j;
    j["format_version"] = kReportFormatVersion;
    j["scenario"] = {{"name", s.name}, {"file", report_file_name(s)}, {"seed", s.seed}};
    j["simulated_time_s"] = t;
    j["gpus"] = s.cluster.gpu_count();
    j["ranks"] = r.ranks;
    j["gpu_time_fraction"] = {
        {"compute", spread_json(spread_of(r, [&](const GpuActivity& g) { return frac(g.compute_s); }))},
        {"communication", spread_json(spread_of(r, [&](const GpuActivity& g) { return frac(g.communication_s); }))},
        {"idle", spread_json(spread_of(r, [&](const GpuActivity& g) { return frac(g.idle_s); }))}};
    j["bound_by"] = bound_by(r);
    // A fixed key set, so reports of different scenarios compare key by key.
    json bounds = json::object();
    const double gpus = std::max(1, r.ranks);
    std::vector<std::string> keys{"compute", "latency"};
    for (auto tier : {topology::LinkTier::ScaleUp, topology::LinkTier::Host, topology::LinkTier::Access,
                      topology::LinkTier::Aggregation, topology::LinkTier::Core}) {
        keys.emplace_back(topology::link_tier_name(tier));
    }
    for (const auto& k : keys) {
        const auto it = r.bound_gpu_s.find(k);
        bounds[k] = it == r.bound_gpu_s.end() ? 0.0 : it->second / gpus;
    }
    j["time_per_gpu_by_bound_s"] = bounds;

    auto phases = r.phases;
    std::sort(phases.begin(), phases.end(), [](const auto& a, const auto& b) {
        return a.total_time_s != b.total_time_s ? a.total_time_s > b.total_time_s : a.name < b.name;
    });
    json pj = json::array();
    for (const auto& p : phases) {
        pj.push_back({{"name", p.name},
                      {"kind", p.kind},
                      {"ranks", p.ranks},
                      {"count", p.count},
                      {"time_per_rank_s", p.ranks > 0 ? p.total_time_s / p.ranks : 0.0},
                      {"bytes_per_rank", p.ranks > 0 ? p.bytes / p.ranks : 0.0}});
    }
    j["phases"] = pj;

    json cj = json::array();
    for (const auto& c : r.collectives) {
        const double mean = c.instances > 0 ? c.total_duration_s / static_cast<double>(c.instances) : 0.0;
        const double algbw = mean > 0 ? c.size_bytes / mean : 0.0;
        models::CollectiveKind kind = models::CollectiveKind::AllReduce;
        for (auto k : {models::CollectiveKind::AllReduce, models::CollectiveKind::AllGather,
                       models::CollectiveKind::ReduceScatter, models::CollectiveKind::AllToAll,
                       models::CollectiveKind::Broadcast}) {
            if (models::collective_name(k) == c.kind) {
                kind = k;
            }
        }
        cj.push_back({{"name", c.name},
                      {"kind", c.kind},
                      {"algorithm", c.algorithm},
                      {"members", c.members},
                      {"size_bytes", c.size_bytes},
                      {"instances", c.instances},
                      {"mean_time_s", mean},
                      {"algbw_bytes_per_s", algbw},
                      {"busbw_bytes_per_s", algbw * models::busbw_factor(kind, c.members)}});
    }
    j["collectives"] = cj;

    add_fabric_json(s, r, j);
    json shortcuts = json::array();
    if (r.analytic_groups > 0) {
        shortcuts.push_back({{"name", "analytic scale-up collectives"},
                             {"flow_groups", r.analytic_groups},
                             {"meaning", "collectives inside one NVLink domain whose GPUs had no other communication "
                                         "running were timed by the planner's estimate instead of SimGrid flows"}});
    }
    if (r.fold.active) {
        shortcuts.push_back(
            {{"name", "folded data-parallel replicas"},
             {"family", r.fold.family},
             {"replicas", r.fold.replicas},
             {"simulated_replicas", r.fold.simulated_replicas},
             {"gpus_per_simulated_rank", r.fold.copies},
             {"simulated_ranks", r.fold.simulated_ranks},
             {"image_flows", r.image_flows},
             {"meaning", "replicas that run the same program on equivalent hardware were simulated once; the "
                         "flows of the others (images) were solved analytically with the simulated flows that "
                         "start at the same instant, which then ran at the rates they got there"}});
    }
    j["engine"] = {{"flows", r.flows}, {"flow_groups", r.collective_instances}, {"shortcuts", shortcuts}};
    if (!r.fold.active) {
        j["engine"]["not_folded_because"] = r.fold.reason;
    }
    if (s.trace.info.present) {
        j["workload"] = workload_json(s, r);
    }
    j["power"] = power_json(s, r);
    return j;
}

std::string report_text(const models::Scenario& s, const RunResult& r) {
    const auto j = report_json(s, r);
    std::string out;
    out += fmt::format("clustertwin run: {}  ({} GPUs, {} ranks, seed {})\n", s.name, s.cluster.gpu_count(), r.ranks,
                       s.seed);
    out += fmt::format("  simulated time         {}\n", human_time(r.simulated_time_s));
    out += fmt::format("  bound by               {}\n", j["bound_by"].get<std::string>());
    if (r.fold.active) {
        out += fmt::format("  folded                 {} of {} \"{}\" replicas simulated ({} ranks, each for {} GPUs)\n",
                           r.fold.simulated_replicas, r.fold.replicas, r.fold.family, r.fold.simulated_ranks,
                           r.fold.copies);
    }
    const auto& f = j["gpu_time_fraction"];
    for (const char* k : {"compute", "communication", "idle"}) {
        out += fmt::format("  {:<22} mean {:5.1f} %   min {:5.1f} %   max {:5.1f} %\n", std::string(k) + " fraction",
                           100 * f[k]["mean"].get<double>(), 100 * f[k]["min"].get<double>(),
                           100 * f[k]["max"].get<double>());
    }
    out += "  time per GPU by bound:";
    for (const auto& [k, v] : j["time_per_gpu_by_bound_s"].items()) {
        if (v.get<double>() > 0) {
            out += fmt::format("  {} {}", k, human_time(v.get<double>()));
        }
    }
    out += "\n";
    if (j.contains("workload")) {
        const auto& w = j["workload"];
        out += w["parameters"].get<double>() > 0
                   ? fmt::format("\n  {} ({}, {:.3g} parameters)\n", w["model"].get<std::string>(),
                                 w["kind"].get<std::string>(), w["parameters"].get<double>())
                   : fmt::format("\n  {} ({})\n", w["model"].get<std::string>(), w["kind"].get<std::string>());
        if (w["kind"] != "llm-inference" && w["tokens_per_step"].get<double>() > 0) {
            out += fmt::format("    tokens/s              {:.4g}  ({:.4g} per GPU)\n", w["tokens_per_s"].get<double>(),
                               w["tokens_per_s_per_gpu"].get<double>());
            out +=
                fmt::format("    TFLOP/s per GPU       {:.1f} model, {:.1f} hardware   MFU {:.1f} %   HFU {:.1f} %\n",
                            w["model_tflops_per_gpu"].get<double>(), w["hardware_tflops_per_gpu"].get<double>(),
                            100 * w["mfu"].get<double>(), 100 * w["hfu"].get<double>());
        }
        out += fmt::format("    per GPU               compute {}   idle (bubble, waiting) {}",
                           human_time(w["compute_per_gpu_s"].get<double>()),
                           human_time(w["idle_per_gpu_s"].get<double>()));
        for (const auto& [k, v] : w["exposed_communication_per_gpu_s"].items()) {
            out += fmt::format("   exposed {} {}", k, human_time(v.get<double>()));
        }
        out += "\n";
        if (w.contains("serving") && !w["serving"].empty()) {
            const auto& sv = w["serving"];
            out +=
                fmt::format("    serving               TTFT {}   TPOT {}   {:.4g} output tokens/s ({:.4g} per GPU)\n",
                            human_time(sv["ttft_s"].get<double>()), human_time(sv["tpot_s"].get<double>()),
                            sv["output_tokens_per_s"].get<double>(), sv["output_tokens_per_s_per_gpu"].get<double>());
            out += fmt::format("                          utilisation {:.1f} %{}   prefill {}   decode {}\n",
                               100 * sv["utilisation"].get<double>(),
                               sv["saturated"].get<bool>() ? " (SATURATED: request rate above capacity)" : "",
                               human_time(sv["prefill_s"].get<double>()), human_time(sv["decode_s"].get<double>()));
        }
    }
    out += power_text(j["power"]);
    out += "\n  phases (per rank)\n";
    for (const auto& p : j["phases"]) {
        out += fmt::format("    {:<24} {:<15} x{:<6} {:>12}  {:>10}\n", p["name"].get<std::string>(),
                           p["kind"].get<std::string>(),
                           p["count"].get<std::int64_t>() / std::max(1, p["ranks"].get<int>()),
                           human_time(p["time_per_rank_s"].get<double>()),
                           p["bytes_per_rank"].get<double>() > 0 ? human_bytes(p["bytes_per_rank"].get<double>()) : "");
    }
    if (!j["collectives"].empty()) {
        out += "\n  collectives\n";
        for (const auto& c : j["collectives"]) {
            out +=
                fmt::format("    {:<20} {:<14} {:<18} n={:<5} {:>10}  {:>11}  algbw {:7.1f} GB/s  busbw {:7.1f} GB/s\n",
                            c["name"].get<std::string>(), c["kind"].get<std::string>(),
                            c["algorithm"].get<std::string>(), c["members"].get<int>(),
                            human_bytes(c["size_bytes"].get<double>()), human_time(c["mean_time_s"].get<double>()),
                            c["algbw_bytes_per_s"].get<double>() / 1e9, c["busbw_bytes_per_s"].get<double>() / 1e9);
        }
    }
    out += fabric_text(j);
    return out;
}

std::string links_csv(const models::Scenario& s, const RunResult& r) {
    CsvWriter csv(
        {"link_id", "direction", "from", "to", "tier", "bandwidth_bytes_per_s", "latency_s", "bytes", "utilization"});
    for (const auto& d : directed_links(s, r)) {
        const auto& l = s.cluster.links()[d.link];
        const auto a = s.cluster.vertex_name(l.a);
        const auto b = s.cluster.vertex_name(l.b);
        csv.row(d.link, d.up ? "up" : "down", d.up ? a : b, d.up ? b : a, topology::link_tier_name(l.tier),
                l.bandwidth.value(), l.latency.value(), d.bytes, d.utilization);
    }
    return csv.str();
}

const std::vector<std::string>& output_file_names() {
    static const std::vector<std::string> names{"report.json", "links.csv", "power.csv"};
    return names;
}

std::vector<std::filesystem::path> write_outputs(OutputSet& set, const models::Scenario& s, const RunResult& r) {
    std::vector<std::filesystem::path> written;
    written.push_back(set.add("report.json", report_json(s, r).dump(2) + "\n"));
    written.push_back(set.add("links.csv", links_csv(s, r)));
    written.push_back(set.add("power.csv", power_csv(r)));
    set.commit();
    return written;
}

} // namespace twin::sim
