// Flattening a RunReport into named figures, comparing two of them and printing a figure with its
// unit (metrics.hpp states the delta and verdict rules).
#include "twin/gui/metrics.hpp"

#include "twin/gui/section_views.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace twin::gui {

namespace {

struct Adder {
    std::vector<Metric>& out;
    std::string group;
    void operator()(std::string name, std::string unit, double v, Better b) const {
        out.push_back({group, std::move(name), std::move(unit), v, {}, b});
    }
    void opt(std::string name, std::string unit, const std::optional<double>& v, Better b) const {
        if (v) {
            (*this)(std::move(name), std::move(unit), *v, b);
        }
    }
    void text(std::string name, std::string t) const { out.push_back({group, std::move(name), "", {}, std::move(t)}); }
};

void workload_metrics(const report::WorkloadReport& w, std::vector<Metric>& out) {
    const Adder add{out, "Workload"};
    add.text("kind", w.kind);
    add.text("model", w.model);
    add.text("precision", w.precision);
    add("step time", "s", w.step_time_s, Better::Lower);
    add("tokens/s", "tokens/s", w.tokens_per_s, Better::Higher);
    add("tokens/s per GPU", "tokens/s", w.tokens_per_s_per_gpu, Better::Higher);
    add("MFU", "fraction", w.mfu, Better::Higher);
    add("HFU", "fraction", w.hfu, Better::Higher);
    add("model TFLOP/s per GPU", "", w.model_tflops_per_gpu, Better::Higher);
    add("compute per GPU", "s", w.compute_per_gpu_s, Better::Lower);
    add("idle per GPU", "s", w.idle_per_gpu_s, Better::Lower);
    for (const auto& [role, s] : w.exposed_communication_per_gpu_s) {
        add("exposed communication: " + role, "s", s, Better::Lower);
    }
    add("stage compute min", "s", w.stage_compute_s.min, Better::Lower);
    add("stage compute max", "s", w.stage_compute_s.max, Better::Lower);
    add("stage compute max/min", "", w.stage_compute_s.max_over_min, Better::Lower);
    if (const auto m = w.figures.find("memory_per_gpu_bytes"); m != w.figures.end()) {
        add("memory per GPU (every stage)", "B", m->second, Better::Lower);
    }
    for (const auto& [name, v] : w.figures) {
        if (name.rfind("pipeline_stage_", 0) == 0) {
            std::string label = name.substr(9); // "stage_layers_max" -> "stage layers max"
            std::replace(label.begin(), label.end(), '_', ' ');
            add(label, "", v, Better::Neither);
        }
    }
    if (w.serving) {
        add("TTFT", "s", w.serving->metrics.ttft_s, Better::Lower);
        add("TPOT", "s", w.serving->metrics.tpot_s, Better::Lower);
        add("output tokens/s", "tokens/s", w.serving->metrics.tokens_per_s, Better::Higher);
        add("requests/s", "", w.serving->metrics.requests_per_s, Better::Higher);
    }
}

void power_metrics(const report::PowerReport& p, std::vector<Metric>& out) {
    const Adder add{out, "Power"};
    add("IT mean", "W", p.it.mean_w, Better::Lower);
    add("IT peak", "W", p.it.peak_w, Better::Lower);
    add("facility mean", "W", p.facility.mean_w, Better::Lower);
    add("facility peak", "W", p.facility.peak_w, Better::Lower);
    add("PUE", "", p.pue_mean, Better::Lower);
    add("network", "W", p.network_w, Better::Lower);
    add("largest IT swing", "W", p.largest_swing_w, Better::Lower);
    add("energy per step", "J", p.energy.per_step_j, Better::Lower);
    add.opt("energy per token", "J", p.energy.per_token_j, Better::Lower);
    add.opt("tokens per J", "", p.energy.tokens_per_j, Better::Higher);
    add("hottest rack peak", "W", p.rack_peak_w_max, Better::Lower);
    add.opt("rack cooling headroom", "W", p.cooling.rack_headroom_w, Better::Higher);
    add.opt("CDU headroom", "W", p.cooling.cdu_headroom_w, Better::Higher);
    add.opt("plant headroom", "W", p.cooling.plant_headroom_w, Better::Higher);
    add("throttled compute ops", "", static_cast<double>(p.cooling.throttled_compute_ops), Better::Lower);
    add("limit violations", "", static_cast<double>(p.violation_count), Better::Lower);
    if (p.training_run) {
        add("training run", "days", p.training_run->days, Better::Lower);
        add("training run energy", "J", p.training_run->energy_j, Better::Lower);
        add.opt("training run cost", p.energy.currency, p.training_run->cost, Better::Lower);
    }
    add.text("cooling", p.cooling.type);
}

} // namespace

std::vector<Metric> result_metrics(const report::RunReport& r) {
    std::vector<Metric> out;
    const Adder run{out, "Run"};
    run("simulated time", "s", r.simulated_time_s, Better::Lower);
    run("GPUs", "", r.gpus, Better::Neither);
    run.text("bound by", r.bound_by);
    run("compute share (mean)", "fraction", r.compute_fraction.mean, Better::Neither);
    run("communication share (mean)", "fraction", r.communication_fraction.mean, Better::Neither);
    run("idle share (mean)", "fraction", r.idle_fraction.mean, Better::Lower);
    if (r.workload) {
        workload_metrics(*r.workload, out);
    }
    const Adder bounds{out, "Bounds"};
    for (const auto& key : report::kBoundKeys) {
        const auto it = r.time_per_gpu_by_bound_s.find(std::string(key));
        bounds("bound by " + std::string(key), "s", it == r.time_per_gpu_by_bound_s.end() ? 0.0 : it->second,
               key == "compute" ? Better::Neither : Better::Lower);
    }
    section_metrics(r, out); // campaign, serving (section_views.hpp)
    power_metrics(r.power, out);
    const Adder links{out, "Links"};
    for (const auto& t : r.link_tiers) {
        links(t.tier + " max utilisation", "fraction", t.max_utilization, Better::Neither);
        links(t.tier + " mean utilisation", "fraction", t.mean_utilization, Better::Neither);
    }
    return out;
}

std::vector<Metric> group_metrics(const std::vector<Metric>& all, const std::string& group) {
    std::vector<Metric> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const Metric& m) { return m.group == group; });
    return out;
}

namespace {

MetricDelta delta_of(const std::optional<Metric>& a, const std::optional<Metric>& b) {
    const Metric& any = a ? *a : *b;
    MetricDelta d{any.group, any.name, any.unit, a, b};
    if (!a || !b) {
        d.verdict = Verdict::Changed;
        return d;
    }
    if (!a->value || !b->value) {
        d.verdict = a->text == b->text ? Verdict::Same : Verdict::Changed;
        return d;
    }
    const double va = *a->value, vb = *b->value;
    d.delta = vb - va;
    d.relative = va == 0.0 ? 0.0 : d.delta / std::abs(va);
    if (std::abs(d.delta) <= 1e-9 * std::max(std::abs(va), std::abs(vb))) {
        d.verdict = Verdict::Same;
    } else if (any.better == Better::Neither) {
        d.verdict = Verdict::Changed;
    } else {
        d.verdict = (d.delta > 0) == (any.better == Better::Higher) ? Verdict::Improved : Verdict::Worsened;
    }
    return d;
}

} // namespace

std::vector<MetricDelta> compare_metrics(const std::vector<Metric>& a, const std::vector<Metric>& b) {
    const auto find = [](const std::vector<Metric>& list, const Metric& m) -> std::optional<Metric> {
        const auto it = std::find_if(list.begin(), list.end(),
                                     [&](const Metric& x) { return x.group == m.group && x.name == m.name; });
        return it == list.end() ? std::nullopt : std::optional<Metric>(*it);
    };
    std::vector<MetricDelta> out;
    for (const auto& m : a) {
        out.push_back(delta_of(m, find(b, m)));
    }
    for (const auto& m : b) {
        if (!find(a, m)) {
            out.push_back(delta_of(std::nullopt, m));
        }
    }
    return out;
}

std::vector<MetricDelta> single_metrics(const std::vector<Metric>& a) {
    std::vector<MetricDelta> out;
    for (const auto& m : a) {
        out.push_back({m.group, m.name, m.unit, m, std::nullopt});
    }
    return out;
}

std::string format_metric(const std::optional<double>& value, const std::string& unit) {
    if (!value) {
        return "\u2014";
    }
    const double v = *value, a = std::abs(v);
    if (unit == "fraction") {
        return fmt::format("{:.1f} %", v * 100.0);
    }
    if (unit == "s") {
        return a >= 1.0 || a == 0.0 ? fmt::format("{:.3f} s", v)
               : a >= 1e-3          ? fmt::format("{:.2f} ms", v * 1e3)
                                    : fmt::format("{:.1f} \u00b5s", v * 1e6);
    }
    const bool si = unit == "W" || unit == "J" || unit == "B" || unit == "B/s" || unit == "tokens/s";
    if (si || (!unit.empty() && unit != "days")) { // the rest: a currency ("5.71 M USD")
        static constexpr const char* kPrefix[] = {"", "k", "M", "G", "T", "P"};
        int i = 0;
        double s = v;
        while (std::abs(s) >= 1000.0 && i < 5) {
            s /= 1000.0;
            ++i;
        }
        return si ? fmt::format("{:.3g} {}{}", s, kPrefix[i], unit)
                  : fmt::format("{:.3g}{} {}", s, i == 0 ? "" : " ", std::string(kPrefix[i]) + unit);
    }
    const std::string num = a != 0.0 && (a >= 1e6 || a < 1e-3) ? fmt::format("{:.3g}", v)
                            : v == std::floor(v)               ? fmt::format("{:.0f}", v)
                                                               : fmt::format("{:.3f}", v);
    return unit.empty() ? num : num + " " + unit;
}

std::string format_metric(const Metric& m) {
    return m.value ? format_metric(m.value, m.unit) : m.text;
}

std::string verdict_name(Verdict v) {
    switch (v) {
    case Verdict::Same:
        return "same";
    case Verdict::Improved:
        return "improved";
    case Verdict::Worsened:
        return "worsened";
    case Verdict::Changed:
        return "changed";
    }
    return "";
}

} // namespace twin::gui
