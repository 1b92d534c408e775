// from_json() of the "workload" and "power" sections of report.json, every key checked.
#include "json_read.hpp"
#include "report_parts.hpp"

namespace twin::report::detail {
namespace {

PowerStats stats(const Value& v) {
    Object o(v);
    PowerStats s{num(o, "peak_w"), num(o, "mean_w"), num(o, "min_w")};
    o.finish();
    return s;
}

// The hottest domains of one level, each {"<key>": id, peak_w, mean_w, min_w[, capacity_w]}.
DomainListReport domains(const Value& v, const char* key, bool capacity, double* peak_w_max = nullptr) {
    Object o(v);
    DomainListReport l;
    l.count = integer(o, "count");
    if (peak_w_max != nullptr) {
        *peak_w_max = num(o, "peak_w_max");
    }
    for (const auto& dv : Array(o.at("hottest")).values()) {
        Object d(dv);
        DomainPower p;
        p.id = int32(d, key);
        p.it = PowerStats{num(d, "peak_w"), num(d, "mean_w"), num(d, "min_w")};
        p.capacity_w = capacity ? optional_num(d, "capacity_w").value_or(-1.0) : -1.0;
        d.finish();
        l.hottest.push_back(p);
    }
    o.finish();
    return l;
}

EnergyReport energy(const Value& v) {
    Object o(v);
    EnergyReport e{num(o, "it_j"),
                   num(o, "facility_j"),
                   num(o, "per_step_j"),
                   optional_num(o, "per_token_j"),
                   optional_num(o, "tokens_per_j"),
                   str(o, "currency"),
                   optional_num(o, "cost"),
                   optional_num(o, "co2_kg")};
    o.finish();
    return e;
}

std::optional<TrainingRunReport> training_run(const Value& v) {
    if (v.json().is_null()) {
        return std::nullopt;
    }
    Object o(v);
    TrainingRunReport t{num(o, "tokens"),        num(o, "steps"),           num(o, "time_s"),
                        num(o, "days"),          num(o, "facility_mean_w"), num(o, "energy_j"),
                        optional_num(o, "cost"), optional_num(o, "co2_kg")};
    o.finish();
    return t;
}

CoolingReport cooling(const Value& v) {
    Object o(v);
    CoolingReport c;
    c.type = str(o, "type");
    c.capacities_given = boolean(o, "capacities_given");
    c.rack_capacity_w = optional_num(o, "rack_capacity_w");
    c.cdu_capacity_w = optional_num(o, "cdu_capacity_w");
    c.plant_capacity_w = optional_num(o, "plant_capacity_w");
    c.inlet_temperature_c = optional_num(o, "inlet_temperature_c");
    c.outside_temperature_c = optional_num(o, "outside_temperature_c");
    c.rack_headroom_w = optional_num(o, "rack_headroom_w");
    c.cdu_headroom_w = optional_num(o, "cdu_headroom_w");
    c.plant_headroom_w = optional_num(o, "plant_headroom_w");
    c.compute_ops = integer(o, "compute_ops");
    c.throttled_compute_ops = integer(o, "throttled_compute_ops");
    c.throttled_domains = integer(o, "throttled_domains");
    for (const auto& tv : Array(o.at("throttles")).values()) {
        Object t(tv);
        c.throttles.push_back(ThrottleEvent{str(t, "domain"), int32(t, "id"), num(t, "time_s"), num(t, "heat_w"),
                                            num(t, "capacity_w"), num(t, "clock")});
        t.finish();
    }
    o.finish();
    return c;
}

std::vector<PowerSeriesPoint> power_series(Object& o, double& bin_s) {
    bin_s = num(o, "bin_s");
    const auto t = numbers(o.at("time_s"));
    const auto mean = numbers(o.at("it_mean_w"));
    const auto lo = numbers(o.at("it_min_w"));
    const auto hi = numbers(o.at("it_max_w"));
    const auto fac = numbers(o.at("facility_mean_w"));
    for (const char* key : {"it_mean_w", "it_min_w", "it_max_w", "facility_mean_w"}) {
        if (o.self().json()[key].size() != t.size()) {
            o.at(key).fail("expected as many values as time_s has");
        }
    }
    std::vector<PowerSeriesPoint> out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        out.push_back(PowerSeriesPoint{t[i], mean[i], lo[i], hi[i], fac[i]});
    }
    o.finish();
    return out;
}

} // namespace

WorkloadReport workload_from_json(const Value& v) {
    Object o(v);
    WorkloadReport w;
    w.kind = str(o, "kind");
    w.model = str(o, "model");
    w.parameters = num(o, "parameters");
    w.gpus = int32(o, "gpus");
    w.step_time_s = num(o, "step_time_s");
    w.tokens_per_step = num(o, "tokens_per_step");
    w.tokens_per_s = num(o, "tokens_per_s");
    w.tokens_per_s_per_gpu = num(o, "tokens_per_s_per_gpu");
    w.model_tflops_per_gpu = num(o, "model_tflops_per_gpu");
    w.hardware_tflops_per_gpu = num(o, "hardware_tflops_per_gpu");
    w.mfu = num(o, "mfu");
    w.hfu = num(o, "hfu");
    w.precision = str(o, "precision");
    w.exposed_communication_per_gpu_s = number_map(o.at("exposed_communication_per_gpu_s"));
    w.compute_per_gpu_s = num(o, "compute_per_gpu_s");
    w.idle_per_gpu_s = num(o, "idle_per_gpu_s");
    {
        Object s(o.at("stage_compute_s"));
        w.stage_compute_s = StageComputeReport{num(s, "min"), num(s, "max"), num(s, "max_over_min")};
        s.finish();
    }
    w.figures = number_map(o.at("figures"));
    if (w.kind == "llm-inference") {
        Object s(o.at("serving"));
        if (!s.self().json().empty()) {
            ServingReport r;
            r.prefill_s = num(s, "prefill_s");
            r.decode_s = num(s, "decode_s");
            auto& m = r.metrics;
            m.ttft_s = num(s, "ttft_s");
            m.tpot_s = num(s, "tpot_s");
            m.e2e_latency_s = num(s, "e2e_latency_s");
            m.batch_wait_s = num(s, "batch_wait_s");
            m.queue_wait_s = num(s, "queue_wait_s");
            m.capacity_requests_per_s = num(s, "capacity_requests_per_s");
            m.requests_per_s = num(s, "requests_per_s");
            m.tokens_per_s = num(s, "output_tokens_per_s");
            m.tokens_per_s_per_gpu = num(s, "output_tokens_per_s_per_gpu");
            m.utilisation = num(s, "utilisation");
            m.mean_batch = num(s, "mean_batch");
            m.saturated = boolean(s, "saturated");
            w.serving = r;
        }
        s.finish();
    }
    if (auto storage = o.find("storage")) {
        w.storage = storage_from_json(*storage);
    }
    o.finish();
    return w;
}

PowerReport power_from_json(const Value& v) {
    Object o(v);
    PowerReport p;
    {
        Object m(o.at("model"));
        p.model = PowerModelReport{boolean(m, "facility_section"),  num(m, "design_pue"),
                                   num(m, "conversion_efficiency"), optional_num(m, "gpu_power_cap_w"),
                                   num(m, "memory_bound_share"),    num(m, "communication_share"),
                                   num(m, "ramp_window_s")};
        m.finish();
    }
    p.it = stats(o.at("it"));
    p.facility = stats(o.at("facility"));
    p.pue_mean = num(o, "pue_mean");
    p.it_idle_w = num(o, "it_idle_w");
    p.it_max_w = num(o, "it_max_w");
    p.network_w = num(o, "network_w");
    if (o.has("nameplate")) {
        Object n(o.at("nameplate"));
        auto& x = p.nameplate.emplace();
        x.it_max_w = num(n, "it_max_w");
        x.it_typical_w = num(n, "it_typical_w");
        x.facility_max_w = num(n, "facility_max_w");
        x.facility_typical_w = num(n, "facility_typical_w");
        x.rack = integer(n, "rack");
        x.rack_max_w = num(n, "rack_max_w");
        x.rack_typical_w = num(n, "rack_typical_w");
        x.feed_headroom_w = optional_num(n, "feed_headroom_w");
        x.rack_power_headroom_w = optional_num(n, "rack_power_headroom_w");
        x.rack_cooling_headroom_w = optional_num(n, "rack_cooling_headroom_w");
        n.finish();
    }
    p.largest_swing_w = num(o, "largest_swing_w");
    p.fastest_ramp_w_per_s = num(o, "fastest_ramp_w_per_s");
    p.facility_largest_swing_w = num(o, "facility_largest_swing_w");
    p.facility_fastest_ramp_w_per_s = num(o, "facility_fastest_ramp_w_per_s");
    p.energy = energy(o.at("energy"));
    p.training_run = training_run(o.at("training_run"));
    {
        Object l(o.at("limits"));
        p.feed_w = optional_num(l, "feed_w");
        p.rack_power_w = optional_num(l, "rack_power_w");
        l.finish();
    }
    p.cooling = cooling(o.at("cooling"));
    p.racks = domains(o.at("racks"), "rack", true, &p.rack_peak_w_max);
    p.rows = domains(o.at("rows"), "row", false);
    p.halls = domains(o.at("halls"), "hall", false);
    p.cdus = domains(o.at("cdus"), "cdu", true);
    {
        Object vo(o.at("violations"));
        p.violation_count = integer(vo, "count");
        for (const auto& xv : Array(vo.at("items")).values()) {
            Object x(xv);
            p.violations.push_back(Violation{str(x, "kind"), int32(x, "id"), num(x, "limit_w"), num(x, "peak_w"),
                                             num(x, "excess_w"), num(x, "first_s")});
            x.finish();
        }
        vo.finish();
    }
    {
        Object s(o.at("series"));
        p.series = power_series(s, p.series_bin_s);
    }
    if (auto w = o.find("weather")) {
        p.weather = weather_from_json(*w);
    }
    o.finish();
    return p;
}

} // namespace twin::report::detail
