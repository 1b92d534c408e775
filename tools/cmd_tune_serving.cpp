// `clustertwin tune S.json` on a request-mode "llm-inference" scenario (issue 20): the capacity
// search over layouts and replicas (twin/sweep/tune_serving.hpp). Every layout that fits runs as a
// child `clustertwin run` (sweep_runner.hpp) whose capacity search bisects the replicas; the
// points they simulated give the cheapest GPU count meeting the SLO and the Pareto set of GPUs vs
// goodput, printed and written to OUT/capacity.json. Exit codes: 0 a layout meets the SLO; 1 a
// child run failed, or no layout meets the SLO attainment within capacity.max_replicas; 2 bad input.
#include "cmd_tune_serving.hpp"

#include "sweep_runner.hpp"
#include "twin/core/input_file.hpp"
#include "twin/core/output_set.hpp"
#include "twin/report/run_report.hpp"
#include "twin/sweep/tune_serving.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <thread>

namespace twin::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& serving_columns() {
    static const std::vector<std::string> c{"/workload/parallelism/tp", "/workload/parallelism/pp",
                                            "/workload/parallelism/ep"};
    return c;
}

std::string layout_text(const sweep::ServingLayout& l) {
    return fmt::format("tp {} pp {} ep {}", l.tp, l.pp, l.ep);
}

json point_json(const sweep::ServingPoint& p) {
    return {{"tp", p.layout.tp},
            {"pp", p.layout.pp},
            {"ep", p.layout.ep},
            {"replicas", p.replicas},
            {"gpus", p.gpus},
            {"goodput_requests_per_s", p.goodput_requests_per_s},
            {"slo_attainment", p.slo_attainment},
            {"meets", p.meets}};
}

} // namespace

int tune_serving_command(const ServingTuneArgs& a) {
    const auto t = sweep::tune_serving_layouts(a.scenario);
    fmt::print("tune (serving capacity): {} layouts enumerated, {} refused by the workload reader, {} need more GPUs "
               "than the cluster has, {} do not fit in HBM, {} fit\n",
               t.enumerated, t.rejected_layout, t.rejected_cluster, t.rejected_memory, t.fitting.size());
    if (t.fitting.empty()) {
        throw InputError(a.scenario, "/workload/parallelism",
                         "no enumerated layout divides the model, fits the cluster and fits in HBM");
    }
    // -k: the k layouts with the fewest GPUs per replica (stable); default every fitting layout.
    std::vector<std::size_t> order(t.fitting.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return t.fitting[x].gpus_per_replica < t.fitting[y].gpus_per_replica;
    });
    if (a.k && static_cast<std::size_t>(*a.k) < order.size()) {
        order.resize(static_cast<std::size_t>(*a.k));
        std::sort(order.begin(), order.end());
    }
    std::vector<sweep::Case> cases;
    for (const std::size_t i : order) {
        sweep::Case c;
        c.index = cases.size();
        c.scenario = t.fitting[i].scenario;
        for (const auto& p : serving_columns()) {
            c.values.push_back(c.scenario.at(json::json_pointer(p)));
        }
        c.key = sweep::case_key(c.scenario);
        cases.push_back(std::move(c));
    }
    RunnerOptions o;
    o.out = a.out_dir.empty()
                ? fs::path(a.scenario).parent_path() / "results" / (fs::path(a.scenario).stem().string() + "-tune")
                : fs::path(a.out_dir);
    o.scenario_folder = fs::path(a.scenario).parent_path();
    o.jobs = a.jobs > 0 ? a.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    o.quiet = a.quiet;
    const auto rows = run_cases(cases, cases.size(), serving_columns(), o);

    fmt::print("\nper layout: the fewest replicas (of at most {}) meeting the SLO attainment\n"
               "{:<16}  {:>12}  {:>11}  {:>10}  {:>8}  {:>5}  {:>13}  {:>10}  {:>9}  {:>9}\n",
               t.max_replicas, "layout", "GPUs/replica", "weights_GiB", "KV_tokens", "replicas", "GPUs",
               "goodput_req/s", "attainment", "TTFT_p99", "TPOT_p99");
    std::vector<sweep::ServingPoint> explored;
    std::size_t failed = 0;
    json layouts = json::array();
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& cand = t.fitting[order[r]];
        std::optional<report::ServingCapacityReport> cap;
        if (rows[r].status == "ok") {
            const auto file = o.out / rows[r].report / "report" / "report.json";
            const auto rep = report::from_json(json::parse(read_input_file(file)), file.string());
            if (rep.serving && rep.serving->capacity) {
                cap = rep.serving->capacity;
            }
        }
        if (!cap) {
            ++failed;
            fmt::print("{:<16}  {:>12}  failed: {}\n", layout_text(cand.layout), cand.gpus_per_replica,
                       rows[r].error.empty() ? std::string("no capacity result") : rows[r].error);
            continue;
        }
        for (const auto& p : cap->explored) {
            explored.push_back(sweep::ServingPoint{order[r], cand.layout, p.replicas, p.gpus, p.goodput_requests_per_s,
                                                   p.slo_attainment, p.meets});
        }
        const auto& m = cap->at;
        fmt::print("{:<16}  {:>12}  {:>11.2f}  {:>10}  {:>8}  {:>5}  {:>13.4g}  {:>10.3f}  {:>9.4g}  {:>9.4g}\n",
                   layout_text(cand.layout), cand.gpus_per_replica, cand.weights_per_gpu_bytes / (1u << 30),
                   cand.kv_tokens_per_replica, cap->met ? fmt::format("{}", cap->replicas) : std::string("not met"),
                   cap->gpus, m.goodput_requests_per_s, m.slo_attainment, m.ttft_s.p99, m.tpot_s.p99);
        layouts.push_back({{"tp", cand.layout.tp},
                           {"pp", cand.layout.pp},
                           {"ep", cand.layout.ep},
                           {"gpus_per_replica", cand.gpus_per_replica},
                           {"weights_per_gpu_bytes", cand.weights_per_gpu_bytes},
                           {"kv_tokens_per_replica", cand.kv_tokens_per_replica},
                           {"met", cap->met},
                           {"replicas", cap->replicas},
                           {"gpus", cap->gpus},
                           {"report", rows[r].report}});
    }
    const auto plan = sweep::plan_serving_capacity(explored);
    fmt::print("\nPareto set of the {} (layout, replicas) points simulated: GPUs vs goodput\n"
               "{:<16}  {:>8}  {:>5}  {:>13}  {:>10}  {}\n",
               explored.size(), "layout", "replicas", "GPUs", "goodput_req/s", "attainment", "meets");
    json out{{"scenario", a.scenario},
             {"max_replicas", t.max_replicas},
             {"enumerated", t.enumerated},
             {"rejected_layout", t.rejected_layout},
             {"rejected_cluster", t.rejected_cluster},
             {"rejected_memory", t.rejected_memory},
             {"layouts", layouts},
             {"explored", json::array()},
             {"pareto", json::array()},
             {"cheapest", nullptr}};
    for (const auto& p : explored) {
        out["explored"].push_back(point_json(p));
    }
    for (const auto& p : plan.pareto) {
        fmt::print("{:<16}  {:>8}  {:>5}  {:>13.4g}  {:>10.3f}  {}\n", layout_text(p.layout), p.replicas, p.gpus,
                   p.goodput_requests_per_s, p.slo_attainment, p.meets ? "yes" : "no");
        out["pareto"].push_back(point_json(p));
    }
    if (plan.cheapest) {
        out["cheapest"] = point_json(*plan.cheapest);
    }
    write_file_atomically(o.out / "capacity.json", out.dump(2) + "\n", {"command line", "--out"});
    if (plan.cheapest) {
        const auto& c = *plan.cheapest;
        fmt::print("\ncheapest: {} GPUs = {} replicas of {}, goodput {:.4g} requests/s, {:.1f} % of requests meet the "
                   "SLO ({})\n",
                   c.gpus, c.replicas, layout_text(c.layout), c.goodput_requests_per_s, 100.0 * c.slo_attainment,
                   (o.out / "capacity.json").string());
    } else if (!explored.empty()) {
        const auto best = std::max_element(explored.begin(), explored.end(), [](const auto& x, const auto& y) {
            return x.slo_attainment < y.slo_attainment;
        });
        fmt::print(stderr,
                   "error: {}: /workload/serving/slo: no layout meets TTFT <= {} s and TPOT <= {} s for {:g} % of "
                   "requests with up to {} replicas (the best: {:.1f} % with {} replicas of {}); raise "
                   "capacity.max_replicas or relax the SLO\n",
                   a.scenario, t.slo_ttft_s, t.slo_tpot_s, 100.0 * t.slo_attainment, t.max_replicas,
                   100.0 * best->slo_attainment, best->replicas, layout_text(best->layout));
    }
    return failed > 0 || !plan.cheapest ? 1 : 0;
}

} // namespace twin::cli
