// format_text(): the readable summary of a RunReport, printed from the struct.
#include "bom_parts.hpp"
#include "report_parts.hpp"
#include "serving_parts.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::report {
namespace {

using detail::human_bytes;
using detail::human_time;

// The bounds with time, largest first (ties by name), each with its share of the step.
std::string bounds_text(const RunReport& r) {
    std::vector<std::pair<std::string, double>> v;
    for (const auto& [k, t] : r.time_per_gpu_by_bound_s) {
        if (t > 0) {
            v.emplace_back(k, t);
        }
    }
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out = "  time per GPU by bound:";
    for (const auto& [k, t] : v) {
        out += r.simulated_time_s > 0
                   ? fmt::format("  {} {} ({:.1f} %)", k, human_time(t), 100 * t / r.simulated_time_s)
                   : fmt::format("  {} {}", k, human_time(t));
    }
    return out + "\n";
}

std::string workload_text(const WorkloadReport& w) {
    std::string out = w.parameters > 0 ? fmt::format("\n  {} ({}, {:.3g} parameters)\n", w.model, w.kind, w.parameters)
                                       : fmt::format("\n  {} ({})\n", w.model, w.kind);
    if (w.kind != "llm-inference" && w.tokens_per_step > 0) {
        out +=
            fmt::format("    tokens/s              {:.4g}  ({:.4g} per GPU)\n", w.tokens_per_s, w.tokens_per_s_per_gpu);
        out += fmt::format("    TFLOP/s per GPU       {:.1f} model, {:.1f} hardware   MFU {:.1f} %   HFU {:.1f} %\n",
                           w.model_tflops_per_gpu, w.hardware_tflops_per_gpu, 100 * w.mfu, 100 * w.hfu);
    }
    out += fmt::format("    per GPU               compute {}   idle (bubble, waiting) {}",
                       human_time(w.compute_per_gpu_s), human_time(w.idle_per_gpu_s));
    for (const auto& [k, v] : w.exposed_communication_per_gpu_s) {
        out += fmt::format("   exposed {} {}", k, human_time(v));
    }
    out += "\n";
    if (w.serving) {
        const auto& m = w.serving->metrics;
        out += fmt::format("    serving               TTFT {}   TPOT {}   {:.4g} output tokens/s ({:.4g} per GPU)\n",
                           human_time(m.ttft_s), human_time(m.tpot_s), m.tokens_per_s, m.tokens_per_s_per_gpu);
        out += fmt::format("                          utilisation {:.1f} %{}   prefill {}   decode {}\n",
                           100 * m.utilisation, m.saturated ? " (SATURATED: request rate above capacity)" : "",
                           human_time(w.serving->prefill_s), human_time(w.serving->decode_s));
    }
    if (w.storage) {
        out += detail::storage_text(*w.storage);
    }
    return out;
}

std::string phases_text(const RunReport& r) {
    const bool bounds = std::any_of(r.phases.begin(), r.phases.end(),
                                    [](const auto& p) { return !p.time_per_rank_by_bound_s.empty(); });
    std::string out = bounds ? fmt::format("\n{:<79}held up by\n", "  phases (per rank)") : "\n  phases (per rank)\n";
    for (const auto& p : r.phases) {
        const auto bound =
            p.time_per_rank_by_bound_s.empty() ? std::string() : largest_bound(p.time_per_rank_by_bound_s);
        auto line = fmt::format("    {:<24} {:<15} x{:<6} {:>12}  {:>10}  {}", p.name, p.kind,
                                p.count / std::max(1, p.ranks), human_time(p.time_per_rank_s),
                                p.bytes_per_rank > 0 ? human_bytes(p.bytes_per_rank) : "", bound);
        line.erase(line.find_last_not_of(' ') + 1);
        out += line + "\n";
    }
    return out;
}

} // namespace

std::string format_text(const RunReport& r) {
    std::string out;
    out += fmt::format("clustertwin run: {}  ({} GPUs, {} ranks, seed {})\n", r.scenario.name, r.gpus, r.ranks,
                       r.scenario.seed);
    out += fmt::format("  simulated time         {}\n", human_time(r.simulated_time_s));
    out += fmt::format("  bound by               {}\n", r.bound_by);
    if (const auto& f = r.engine.fold) {
        out +=
            fmt::format("  folded                 {} of {} \"{}\" replicas simulated ({} ranks, each for {} GPUs)\n",
                        f->simulated_replicas, f->replicas, f->family, f->simulated_ranks, f->gpus_per_simulated_rank);
        if (!f->groups.empty()) {
            out +=
                fmt::format("  partially folded       {} simulated replica blocks (the others differ by stragglers)\n",
                            f->groups.size());
        }
    }
    for (const auto& [k, s] :
         {std::pair{"compute", &r.compute_fraction}, std::pair{"communication", &r.communication_fraction},
          std::pair{"idle", &r.idle_fraction}}) {
        out += fmt::format("  {:<22} mean {:5.1f} %   min {:5.1f} %   max {:5.1f} %\n", std::string(k) + " fraction",
                           100 * s->mean, 100 * s->min, 100 * s->max);
    }
    out += bounds_text(r);
    if (r.workload) {
        out += workload_text(*r.workload);
    }
    out += jobs_text(r.jobs);
    if (r.serving) {
        out += detail::request_serving_text(*r.serving);
    }
    out += detail::power_text(r.power);
    if (r.campaign) {
        out += "\n" + detail::campaign_text(*r.campaign);
    }
    if (r.bom) {
        out += "\n" + detail::bom_text(*r.bom);
    }
    out += phases_text(r);
    if (!r.collectives.empty()) {
        out += "\n  collectives\n";
        for (const auto& c : r.collectives) {
            out +=
                fmt::format("    {:<20} {:<14} {:<18} n={:<5} {:>10}  {:>11}  algbw {:7.1f} GB/s  busbw {:7.1f} GB/s\n",
                            c.name, c.kind, c.algorithm, c.members, human_bytes(c.size_bytes),
                            human_time(c.mean_time_s), c.algbw_bytes_per_s / 1e9, c.busbw_bytes_per_s / 1e9);
        }
    }
    out += detail::fabric_text(r);
    out += detail::series_text(r);
    return out;
}

} // namespace twin::report
