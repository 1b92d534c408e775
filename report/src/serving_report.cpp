// The request-level "serving" section: calibration of the iteration cost on the simulated cycle,
// the request simulation and capacity search (models/serving.hpp), and its JSON and text.
//   s_p = simulated "prefill" block / roofline model at the anchor's B_a·P_a prefill tokens
//   s_d = (simulated cycle − prefill) / O_a / roofline model of one decode step at batch B_a
#include "json_read.hpp"
#include "report_parts.hpp"
#include "serving_parts.hpp"

#include <fmt/format.h>

namespace twin::report::detail {
namespace {

using models::Percentiles;
using models::ServingSummary;
using nlohmann::json;

double block_mean_s(const RunResult& r, const std::string& name) {
    for (const auto& b : r.blocks) {
        if (b.name == name && b.count > 0) {
            return b.total_s / static_cast<double>(b.count);
        }
    }
    return 0.0;
}

// Field tables: one list of names gives both directions.
constexpr std::pair<const char*, double ServingSummary::*> kSummaryNumbers[] = {
    {"makespan_s", &ServingSummary::makespan_s},
    {"requests_per_s", &ServingSummary::requests_per_s},
    {"output_tokens_per_s", &ServingSummary::output_tokens_per_s},
    {"goodput_requests_per_s", &ServingSummary::goodput_requests_per_s},
    {"slo_attainment", &ServingSummary::slo_attainment},
    {"mean_kv_occupancy", &ServingSummary::mean_kv_occupancy},
    {"peak_kv_occupancy", &ServingSummary::peak_kv_occupancy},
    {"gpu_utilisation", &ServingSummary::gpu_utilisation},
    {"energy_per_output_token_j", &ServingSummary::energy_per_output_token_j},
    {"mean_kv_transfer_s", &ServingSummary::mean_kv_transfer_s},
};
constexpr std::pair<const char*, Percentiles ServingSummary::*> kSummaryPercentiles[] = {
    {"ttft_s", &ServingSummary::ttft_s},
    {"tpot_s", &ServingSummary::tpot_s},
    {"e2e_s", &ServingSummary::e2e_s},
};

json summary_json(const ServingSummary& m) {
    json j{{"replicas", m.replicas},
           {"gpus", m.gpus},
           {"requests", m.requests},
           {"preemptions", m.preemptions},
           {"iterations", m.iterations}};
    for (const auto& [name, member] : kSummaryPercentiles) {
        const Percentiles& p = m.*member;
        j[name] = {{"mean", p.mean}, {"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}};
    }
    for (const auto& [name, member] : kSummaryNumbers) {
        j[name] = m.*member;
    }
    return j;
}

ServingSummary summary_from(const Value& v) {
    Object o(v);
    ServingSummary m;
    m.replicas = int32(o, "replicas");
    m.gpus = int32(o, "gpus");
    m.requests = integer(o, "requests");
    m.preemptions = integer(o, "preemptions");
    m.iterations = integer(o, "iterations");
    for (const auto& [name, member] : kSummaryPercentiles) {
        Object p(o.at(name));
        m.*member = Percentiles{num(p, "mean"), num(p, "p50"), num(p, "p90"), num(p, "p99")};
        p.finish();
    }
    for (const auto& [name, member] : kSummaryNumbers) {
        m.*member = num(o, name);
    }
    o.finish();
    return m;
}

} // namespace

std::optional<RequestServingReport> build_request_serving(const models::Scenario& s, const RunResult& r) {
    const auto& info = s.trace.info;
    if (!info.serving) {
        return std::nullopt;
    }
    const auto& setup = *info.serving;
    const double prefill = block_mean_s(r, "prefill");
    const auto o = info.figures.find("output_tokens");
    const double decode = r.simulated_time_s - prefill;
    if (!(prefill > 0) || !(decode > 0) || o == info.figures.end()) {
        return std::nullopt;
    }
    const auto& spec = setup.spec;
    RequestServingReport out;
    out.requests = spec.source;
    out.load_balancer = spec.balancer == models::LoadBalancer::RoundRobin ? "round-robin" : "least-loaded";
    out.prefill_replicas = spec.prefill_replicas;
    out.decode_replicas = spec.decode_replicas;
    out.max_num_batched_tokens = spec.max_num_batched_tokens;
    out.max_num_seqs = spec.max_num_seqs;
    out.chunked_prefill = spec.chunked_prefill;
    out.block_size = spec.block_size;
    out.kv_blocks = setup.kv_blocks;
    out.kv_bytes_per_token_per_gpu = setup.kv_bytes_per_token_per_gpu;
    out.kv_transfer_bandwidth_bytes_per_s = setup.transfer_bandwidth_bytes_per_s;
    out.kv_transfer_latency_s = setup.transfer_latency_s;
    out.slo_ttft_s = spec.slo_ttft_s;
    out.slo_tpot_s = spec.slo_tpot_s;
    out.slo_attainment_target = spec.slo_attainment;
    out.anchor_prefill_s = prefill;
    out.anchor_decode_step_s = decode / o->second;
    const models::IterationCost cost = models::calibrate_cost(setup, prefill, out.anchor_decode_step_s);
    out.prefill_scale = cost.prefill_scale;
    out.decode_scale = cost.decode_scale;
    out.step_overhead_s = cost.overhead_s;
    auto result = models::simulate_serving(setup, cost, spec.disaggregated() ? 1 : spec.replicas);
    out.summary = result.summary;
    out.series = std::move(result.series);
    if (spec.capacity_max_replicas > 0) {
        const auto c = models::capacity_search(setup, cost);
        out.capacity = ServingCapacityReport{c.met, c.replicas, c.gpus, spec.capacity_max_replicas, c.at, c.explored};
    }
    return out;
}

json request_serving_to_json(const RequestServingReport& s) {
    json j{{"requests", s.requests},
           {"load_balancer", s.load_balancer},
           {"prefill_replicas", s.prefill_replicas},
           {"decode_replicas", s.decode_replicas},
           {"max_num_batched_tokens", s.max_num_batched_tokens},
           {"max_num_seqs", s.max_num_seqs},
           {"chunked_prefill", s.chunked_prefill},
           {"block_size", s.block_size},
           {"kv_blocks", s.kv_blocks},
           {"kv_bytes_per_token_per_gpu", s.kv_bytes_per_token_per_gpu},
           {"kv_transfer_bandwidth_bytes_per_s", s.kv_transfer_bandwidth_bytes_per_s},
           {"kv_transfer_latency_s", s.kv_transfer_latency_s},
           {"slo", {{"ttft_s", s.slo_ttft_s}, {"tpot_s", s.slo_tpot_s}, {"attainment", s.slo_attainment_target}}},
           {"iteration_cost",
            {{"anchor_prefill_s", s.anchor_prefill_s},
             {"anchor_decode_step_s", s.anchor_decode_step_s},
             {"prefill_scale", s.prefill_scale},
             {"decode_scale", s.decode_scale},
             {"step_overhead_s", s.step_overhead_s}}},
           {"summary", summary_json(s.summary)},
           {"series",
            {{"bin_s", s.series.bin_s},
             {"time_s", s.series.time_s},
             {"kv_occupancy", s.series.kv_occupancy},
             {"preemptions", s.series.preemptions},
             {"running", s.series.running},
             {"waiting", s.series.waiting}}}};
    if (s.capacity) {
        const auto& c = *s.capacity;
        j["capacity"] = {{"met", c.met},
                         {"replicas", c.replicas},
                         {"gpus", c.gpus},
                         {"max_replicas", c.max_replicas},
                         {"at", summary_json(c.at)},
                         {"explored", json::array()}};
        for (const auto& p : c.explored) {
            j["capacity"]["explored"].push_back({{"replicas", p.replicas},
                                                 {"gpus", p.gpus},
                                                 {"goodput_requests_per_s", p.goodput_requests_per_s},
                                                 {"slo_attainment", p.slo_attainment},
                                                 {"meets", p.meets}});
        }
    }
    return j;
}

RequestServingReport request_serving_from_json(const Value& v) {
    Object o(v);
    RequestServingReport s;
    s.requests = str(o, "requests");
    s.load_balancer = str(o, "load_balancer");
    s.prefill_replicas = int32(o, "prefill_replicas");
    s.decode_replicas = int32(o, "decode_replicas");
    s.max_num_batched_tokens = integer(o, "max_num_batched_tokens");
    s.max_num_seqs = integer(o, "max_num_seqs");
    s.chunked_prefill = boolean(o, "chunked_prefill");
    s.block_size = integer(o, "block_size");
    s.kv_blocks = integer(o, "kv_blocks");
    s.kv_bytes_per_token_per_gpu = num(o, "kv_bytes_per_token_per_gpu");
    s.kv_transfer_bandwidth_bytes_per_s = num(o, "kv_transfer_bandwidth_bytes_per_s");
    s.kv_transfer_latency_s = num(o, "kv_transfer_latency_s");
    {
        Object slo(o.at("slo"));
        s.slo_ttft_s = num(slo, "ttft_s");
        s.slo_tpot_s = num(slo, "tpot_s");
        s.slo_attainment_target = num(slo, "attainment");
        slo.finish();
    }
    {
        Object c(o.at("iteration_cost"));
        s.anchor_prefill_s = num(c, "anchor_prefill_s");
        s.anchor_decode_step_s = num(c, "anchor_decode_step_s");
        s.prefill_scale = num(c, "prefill_scale");
        s.decode_scale = num(c, "decode_scale");
        s.step_overhead_s = num(c, "step_overhead_s");
        c.finish();
    }
    s.summary = summary_from(o.at("summary"));
    {
        Object t(o.at("series"));
        s.series.bin_s = num(t, "bin_s");
        s.series.time_s = numbers(t.at("time_s"));
        s.series.kv_occupancy = numbers(t.at("kv_occupancy"));
        s.series.preemptions = numbers(t.at("preemptions"));
        s.series.running = numbers(t.at("running"));
        s.series.waiting = numbers(t.at("waiting"));
        t.finish();
    }
    if (auto cv = o.find("capacity")) {
        Object c(*cv);
        ServingCapacityReport r;
        r.met = boolean(c, "met");
        r.replicas = int32(c, "replicas");
        r.gpus = int32(c, "gpus");
        r.max_replicas = int32(c, "max_replicas");
        r.at = summary_from(c.at("at"));
        // Optional: reports written before the layout search have no "explored".
        for (const auto& e : c.has("explored") ? Array(c.at("explored")).values() : std::vector<Value>{}) {
            Object p(e);
            r.explored.push_back({int32(p, "replicas"), int32(p, "gpus"), num(p, "goodput_requests_per_s"),
                                  num(p, "slo_attainment"), boolean(p, "meets")});
            p.finish();
        }
        c.finish();
        s.capacity = r;
    }
    o.finish();
    return s;
}

std::string request_serving_text(const RequestServingReport& s) {
    const auto& m = s.summary;
    std::string out = fmt::format("  serving (requests)    {} requests ({}), {} replicas / {} GPUs, {}\n", m.requests,
                                  s.requests, m.replicas, m.gpus, s.load_balancer);
    out += fmt::format("    TTFT p50 {}  p90 {}  p99 {}    TPOT p50 {}  p90 {}  p99 {}\n", human_time(m.ttft_s.p50),
                       human_time(m.ttft_s.p90), human_time(m.ttft_s.p99), human_time(m.tpot_s.p50),
                       human_time(m.tpot_s.p90), human_time(m.tpot_s.p99));
    out +=
        fmt::format("    e2e p50 {}  p99 {}    {:.4g} output tokens/s, goodput {:.4g} req/s ({:.1f} % meet TTFT "
                    "{} / TPOT {})\n",
                    human_time(m.e2e_s.p50), human_time(m.e2e_s.p99), m.output_tokens_per_s, m.goodput_requests_per_s,
                    100.0 * m.slo_attainment, human_time(s.slo_ttft_s), human_time(s.slo_tpot_s));
    out += fmt::format("    KV cache {} blocks, mean {:.1f} % / peak {:.1f} % used, {} preemptions; GPU busy {:.1f} %, "
                       "{:.4g} J per output token\n",
                       s.kv_blocks, 100.0 * m.mean_kv_occupancy, 100.0 * m.peak_kv_occupancy, m.preemptions,
                       100.0 * m.gpu_utilisation, m.energy_per_output_token_j);
    if (s.capacity) {
        const auto& c = *s.capacity;
        out += c.met ? fmt::format("    capacity              {} {} ({} GPUs) meet the SLO for {:.1f} % of requests\n",
                                   c.replicas, s.prefill_replicas > 0 ? "x pools" : "replicas", c.gpus,
                                   100.0 * c.at.slo_attainment)
                     : fmt::format("    capacity              not met with up to {} replicas ({:.1f} % at the most)\n",
                                   c.max_replicas, 100.0 * c.at.slo_attainment);
    }
    return out;
}

} // namespace twin::report::detail
