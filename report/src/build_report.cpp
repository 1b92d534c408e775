// build_report(): the run report computed once from a scenario and its result (the equations are
// at the top of run_report.hpp).
#include "report_parts.hpp"
#include "serving_parts.hpp"
#include "twin/models/collective_plan.hpp"
#include "twin/report/outputs.hpp"

#include <algorithm>
#include <filesystem>

namespace twin::report {
namespace {

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

// Every key of kBoundKeys (0 when the run has none of it) and any other key the engine reported.
std::map<std::string, double> bounds_per_gpu(const RunResult& r) {
    std::map<std::string, double> out;
    for (auto k : kBoundKeys) {
        out[std::string(k)] = 0.0;
    }
    const double gpus = std::max(1, r.ranks);
    for (const auto& [k, v] : r.bound_gpu_s) {
        out[k] = v / gpus;
    }
    return out;
}

std::vector<PhaseReport> phases(const RunResult& r) {
    auto sorted = r.phases;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.total_time_s != b.total_time_s ? a.total_time_s > b.total_time_s : a.name < b.name;
    });
    std::vector<PhaseReport> out;
    for (const auto& p : sorted) {
        PhaseReport e{p.name,
                      p.kind,
                      p.ranks,
                      p.count,
                      p.ranks > 0 ? p.total_time_s / p.ranks : 0.0,
                      p.ranks > 0 ? p.bytes / p.ranks : 0.0,
                      {}};
        for (const auto& [k, v] : p.bound_gpu_s) {
            if (v != 0.0 && p.ranks > 0) {
                e.time_per_rank_by_bound_s[k] = v / p.ranks;
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

CollectiveReport collective(const CollectiveStats& c) {
    const double mean = c.instances > 0 ? c.total_duration_s / static_cast<double>(c.instances) : 0.0;
    const double algbw = mean > 0 ? c.size_bytes / mean : 0.0;
    models::CollectiveKind kind = models::CollectiveKind::AllReduce;
    for (auto k :
         {models::CollectiveKind::AllReduce, models::CollectiveKind::AllGather, models::CollectiveKind::ReduceScatter,
          models::CollectiveKind::AllToAll, models::CollectiveKind::Broadcast}) {
        if (models::collective_name(k) == c.kind) {
            kind = k;
        }
    }
    return CollectiveReport{c.name,    c.kind,       c.algorithm,
                            c.members, c.size_bytes, c.instances,
                            mean,      algbw,        algbw * models::busbw_factor(kind, c.members)};
}

EngineReport engine(const RunResult& r) {
    EngineReport e;
    e.flows = r.flows;
    e.flow_groups = r.collective_instances;
    if (r.analytic_groups > 0) {
        e.analytic = AnalyticShortcut{r.analytic_groups,
                                      "collectives inside one NVLink domain whose GPUs had no other communication "
                                      "running were timed by the planner's estimate instead of SimGrid flows"};
    }
    if (r.fluid_groups > 0) {
        e.fluid = AnalyticShortcut{r.fluid_groups,
                                   "collectives with a phase of many flows (the run was not folded) were timed by the "
                                   "fluid solver, with the ones that started at the same instant, instead of SimGrid "
                                   "flows; they did not share links with traffic that started at other instants"};
    }
    if (r.fold.active) {
        e.fold = FoldShortcut{
            r.fold.family,
            r.fold.replicas,
            r.fold.simulated_replicas,
            r.fold.copies,
            r.fold.simulated_ranks,
            r.image_flows,
            "replicas that run the same program on equivalent hardware were simulated once; the flows of the "
            "others (images) were solved analytically with the simulated flows that start at the same instant, "
            "which then ran at the rates they got there",
            r.fold.groups,
            r.fold.groups.empty() ? std::string() : r.fold.grouping};
    } else {
        e.not_folded_because = r.fold.reason;
    }
    return e;
}

} // namespace

std::string largest_bound(const std::map<std::string, double>& bounds) {
    std::string best = "idle";
    double best_v = 0.0;
    for (const auto& [k, v] : bounds) {
        if (v > best_v) {
            best_v = v;
            best = k;
        }
    }
    return best;
}

std::string report_file_name(const models::Scenario& s) {
    return std::filesystem::path(s.file).filename().string();
}

RunReport build_report(const models::Scenario& s, const RunResult& r) {
    RunReport out;
    const double t = r.simulated_time_s;
    const auto frac = [t](double v) { return t > 0 ? v / t : 0.0; };
    out.scenario = ScenarioRef{s.name, report_file_name(s), s.seed};
    out.simulated_time_s = t;
    out.gpus = s.cluster.gpu_count();
    out.ranks = r.ranks;
    out.compute_fraction = spread_of(r, [&](const GpuActivity& g) { return frac(g.compute_s); });
    out.communication_fraction = spread_of(r, [&](const GpuActivity& g) { return frac(g.communication_s); });
    out.idle_fraction = spread_of(r, [&](const GpuActivity& g) { return frac(g.idle_s); });
    out.time_per_gpu_by_bound_s = bounds_per_gpu(r);
    out.bound_by = largest_bound(out.time_per_gpu_by_bound_s);
    out.phases = phases(r);
    for (const auto& c : r.collectives) {
        out.collectives.push_back(collective(c));
    }
    detail::add_fabric(s, r, out);
    out.engine = engine(r);
    out.workload = detail::build_workload(s, r);
    out.jobs = build_jobs(s, r);
    out.serving = detail::build_request_serving(s, r);
    out.power = detail::build_power(s, r);
    out.series = detail::build_series(r);
    out.campaign = detail::build_campaign(s, out);
    return out;
}

} // namespace twin::report
