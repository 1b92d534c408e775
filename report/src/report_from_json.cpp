// from_json(): a RunReport read back from report.json, every key checked (json_read.hpp).
#include "bom_parts.hpp"
#include "json_read.hpp"
#include "report_parts.hpp"
#include "serving_parts.hpp"

#include <fmt/format.h>
#include <memory>

namespace twin::report {
namespace detail {
namespace {

Spread spread(const Value& v) {
    Object o(v);
    Spread s{num(o, "min"), num(o, "mean"), num(o, "max")};
    o.finish();
    return s;
}

PhaseReport phase(const Value& v) {
    Object o(v);
    PhaseReport p{str(o, "name"),
                  str(o, "kind"),
                  int32(o, "ranks"),
                  integer(o, "count"),
                  num(o, "time_per_rank_s"),
                  num(o, "bytes_per_rank"),
                  number_map(o.at("time_per_rank_by_bound_s"))};
    o.finish();
    return p;
}

CollectiveReport collective(const Value& v) {
    Object o(v);
    CollectiveReport c{str(o, "name"),
                       str(o, "kind"),
                       str(o, "algorithm"),
                       int32(o, "members"),
                       num(o, "size_bytes"),
                       integer(o, "instances"),
                       num(o, "mean_time_s"),
                       num(o, "algbw_bytes_per_s"),
                       num(o, "busbw_bytes_per_s")};
    o.finish();
    return c;
}

LinkTierReport link_tier(const Value& v) {
    Object o(v);
    LinkTierReport t{str(o, "tier"),
                     integer(o, "directed_links"),
                     num(o, "bytes"),
                     num(o, "mean_utilization"),
                     num(o, "max_utilization"),
                     {}};
    for (const auto& l : Array(o.at("busiest")).values()) {
        t.busiest.push_back(link_from_json(l));
    }
    o.finish();
    return t;
}

PodReport pod(const Value& v) {
    Object o(v);
    PodReport p{int32(o, "pod"),
                str(o, "kind"),
                integer(o, "directed_links"),
                num(o, "bytes"),
                num(o, "mean_utilization"),
                num(o, "max_utilization"),
                link_from_json(o.at("busiest_link"))};
    o.finish();
    return p;
}

EngineReport engine(const Value& v) {
    Object o(v);
    EngineReport e;
    e.flows = integer(o, "flows");
    e.flow_groups = integer(o, "flow_groups");
    for (const auto& sv : Array(o.at("shortcuts")).values()) {
        Object s(sv);
        const auto name = s.at("name").as_choice(
            {"analytic scale-up collectives", "fluid-timed collectives", "folded data-parallel replicas"});
        if (name == "analytic scale-up collectives") {
            e.analytic = AnalyticShortcut{integer(s, "flow_groups"), str(s, "meaning")};
        } else if (name == "fluid-timed collectives") {
            e.fluid = AnalyticShortcut{integer(s, "flow_groups"), str(s, "meaning")};
        } else {
            e.fold = FoldShortcut{str(s, "family"),
                                  int32(s, "replicas"),
                                  int32(s, "simulated_replicas"),
                                  int32(s, "gpus_per_simulated_rank"),
                                  int32(s, "simulated_ranks"),
                                  integer(s, "image_flows"),
                                  str(s, "meaning"),
                                  {},
                                  {}};
            if (s.has("groups")) {
                e.fold->groups = fold_groups_from_json(s.at("groups"));
                e.fold->grouping = str(s, "grouping");
            }
        }
        s.finish();
    }
    if (o.has("not_folded_because")) {
        e.not_folded_because = str(o, "not_folded_because");
    }
    o.finish();
    return e;
}

// One value per bin of the series.
std::vector<double> per_bin(Object& o, const std::string& key, std::size_t bins) {
    const Value v = o.at(key);
    auto out = numbers(v);
    if (out.size() != bins) {
        v.fail(fmt::format("expected {} values (one per bin of time_s), got {}", bins, out.size()));
    }
    return out;
}

} // namespace

LinkReport link_from_json(const Value& v) {
    Object o(v);
    LinkReport l;
    l.link = str(o, "link");
    l.id = static_cast<std::uint32_t>(o.at("id").as_integer(0, std::numeric_limits<std::uint32_t>::max()));
    l.up = o.at("direction").as_choice({"up", "down"}) == "up";
    l.tier = str(o, "tier");
    l.bandwidth_bytes_per_s = num(o, "bandwidth_bytes_per_s");
    l.bytes = num(o, "bytes");
    l.utilization = num(o, "utilization");
    o.finish();
    return l;
}

SeriesReport series_from_json(const Value& v) {
    Object o(v);
    SeriesReport s;
    s.bin_s = num(o, "bin_s");
    s.time_s = numbers(o.at("time_s"));
    for (const auto& tv : Array(o.at("tiers")).values()) {
        Object t(tv);
        TierSeriesReport tier;
        tier.tier = str(t, "tier");
        if (t.has("pod")) {
            tier.pod = int32(t, "pod");
        }
        tier.capacity_bytes_per_s = num(t, "capacity_bytes_per_s");
        tier.util_mean = per_bin(t, "util_mean", s.time_s.size());
        tier.util_max = per_bin(t, "util_max", s.time_s.size());
        s.tiers.push_back(std::move(tier));
        t.finish();
    }
    if (o.has("pod_kind")) {
        s.pod_kind = str(o, "pod_kind");
    }
    for (const auto& cv : Array(o.at("classes")).values()) {
        Object c(cv);
        const auto n = s.time_s.size();
        s.classes.push_back(ClassSeriesReport{str(c, "name"), int32(c, "ranks"), per_bin(c, "compute", n),
                                              per_bin(c, "communication", n), per_bin(c, "idle", n)});
        c.finish();
    }
    o.finish();
    return s;
}

} // namespace detail

RunReport from_json(const nlohmann::json& json, const std::string& file) {
    using namespace detail;
    const Value root(json, std::make_shared<const std::string>(file), "");
    Object o(root);
    if (int32(o, "format_version") != kReportFormatVersion) {
        o.at("format_version").fail("expected format_version 1 (a report of this version of clustertwin)");
    }
    RunReport r;
    {
        Object s(o.at("scenario"));
        r.scenario = ScenarioRef{str(s, "name"), str(s, "file"),
                                 static_cast<std::uint64_t>(s.at("seed").as_integer(0, INT64_MAX))};
        s.finish();
    }
    r.simulated_time_s = num(o, "simulated_time_s");
    r.gpus = int32(o, "gpus");
    r.ranks = int32(o, "ranks");
    {
        Object f(o.at("gpu_time_fraction"));
        r.compute_fraction = spread(f.at("compute"));
        r.communication_fraction = spread(f.at("communication"));
        r.idle_fraction = spread(f.at("idle"));
        f.finish();
    }
    r.bound_by = str(o, "bound_by");
    r.time_per_gpu_by_bound_s = number_map(o.at("time_per_gpu_by_bound_s"));
    for (const auto& p : Array(o.at("phases")).values()) {
        r.phases.push_back(phase(p));
    }
    for (const auto& c : Array(o.at("collectives")).values()) {
        r.collectives.push_back(collective(c));
    }
    for (const auto& l : Array(o.at("busiest_links")).values()) {
        r.busiest_links.push_back(link_from_json(l));
    }
    for (const auto& t : Array(o.at("link_tiers")).values()) {
        r.link_tiers.push_back(link_tier(t));
    }
    if (const auto pods = o.find("pods")) {
        for (const auto& p : Array(*pods).values()) {
            r.pods.push_back(pod(p));
        }
    }
    r.engine = engine(o.at("engine"));
    if (const auto w = o.find("workload")) {
        r.workload = workload_from_json(*w);
    }
    if (const auto jobs = o.find("jobs")) {
        r.jobs = jobs_from_json(*jobs);
    }
    if (const auto sv = o.find("serving")) {
        r.serving = detail::request_serving_from_json(*sv);
    }
    r.power = power_from_json(o.at("power"));
    r.series = series_from_json(o.at("series"));
    if (const auto c = o.find("campaign")) {
        r.campaign = campaign_from_json(*c);
    }
    if (const auto b = o.find("bom")) {
        r.bom = detail::bom_from_json(*b);
    }
    o.finish();
    return r;
}

} // namespace twin::report
