// Layout enumeration, memory fit and the cheapest / Pareto plan of the serving capacity search
// (equations and rules: twin/sweep/tune_serving.hpp).
#include "twin/sweep/tune_serving.hpp"

#include "twin/core/json_reader.hpp"
#include "twin/models/llm_inference.hpp"
#include "twin/models/scenario.hpp"

#include <algorithm>

namespace twin::sweep {

bool is_serving_scenario(const nlohmann::json& s) {
    if (!s.is_object() || !s.contains("workload") || !s["workload"].is_object()) {
        return false;
    }
    const auto& w = s["workload"];
    return w.value("type", std::string()) == "llm-inference" && w.contains("serving");
}

ServingTune tune_serving_layouts(const std::filesystem::path& scenario_file) {
    const Document doc = Document::load(scenario_file);
    const nlohmann::json base = doc.root().json();
    const std::string file = scenario_file.string();
    if (!is_serving_scenario(base)) {
        throw InputError(file, "/workload/serving",
                         "the serving capacity search needs a request-mode llm-inference "
                         "workload");
    }
    const models::Scenario s = models::load_scenario(scenario_file); // the base must be valid
    const auto& serving_json = base["workload"]["serving"];
    if (!serving_json.contains("capacity")) {
        throw InputError(file, "/workload/serving/capacity",
                         "the capacity search needs capacity.max_replicas (the most replicas tried per layout)");
    }
    const int gpus = s.cluster.gpu_count();
    int per_node = 0;
    for (int g = 0; g < gpus && s.cluster.node_of_gpu(g) == 0; ++g) {
        ++per_node;
    }
    const auto& gpu = s.cluster.gpu_type(0);
    const auto shared_file = std::make_shared<const std::string>(file);
    const auto folder = scenario_file.parent_path();
    const auto base_config =
        models::read_inference_config(Value(base["workload"], shared_file, "/workload").as_object(), folder);
    const auto& spec = *base_config.serving;
    ServingTune out;
    out.max_replicas = spec.capacity_max_replicas;
    out.slo_ttft_s = spec.slo_ttft_s;
    out.slo_tpot_s = spec.slo_tpot_s;
    out.slo_attainment = spec.slo_attainment;
    std::vector<int> depths;
    for (int pp = 1; pp <= 8; ++pp) {
        if (base_config.model.layers % pp == 0) {
            depths.push_back(pp);
        }
    }
    const std::int64_t experts = base_config.model.moe.experts;
    for (const int tp : {1, 2, 4, 8}) {
        if (tp > per_node) {
            continue;
        }
        for (const int pp : depths) {
            for (int ep = 1; ep <= tp; ep *= 2) {
                if (ep > 1 && (experts <= 0 || experts % ep != 0)) {
                    continue;
                }
                ++out.enumerated;
                nlohmann::json w = base["workload"];
                w["parallelism"] = {{"tp", tp}, {"pp", pp}, {"ep", ep}};
                if (!w["serving"].contains("disaggregation")) {
                    w["serving"]["replicas"] = 1; // the capacity search scales the replicas
                }
                models::InferenceConfig config;
                try {
                    config = models::read_inference_config(Value(w, shared_file, "/workload").as_object(), folder);
                } catch (const InputError&) {
                    ++out.rejected_layout;
                    continue;
                }
                if (gpu.peak_flops.find(config.precision) == gpu.peak_flops.end()) {
                    ++out.rejected_layout;
                    continue;
                }
                if (config.serving->total_replicas() * config.gpus() > gpus) {
                    ++out.rejected_cluster;
                    continue;
                }
                const auto fit = models::serving_memory_fit(config, gpu);
                if (!fit.fits(config.serving->block_size)) {
                    ++out.rejected_memory;
                    continue;
                }
                ServingCandidate c;
                c.layout = {tp, pp, ep};
                c.gpus_per_replica = config.gpus();
                c.weights_per_gpu_bytes = fit.memory.weights_per_gpu_bytes;
                c.kv_tokens_per_replica = fit.kv_blocks * config.serving->block_size;
                c.scenario = base;
                c.scenario["workload"] = std::move(w);
                out.fitting.push_back(std::move(c));
            }
        }
    }
    return out;
}

ServingPlan plan_serving_capacity(const std::vector<ServingPoint>& explored) {
    ServingPlan plan;
    for (const auto& p : explored) {
        if (!p.meets) {
            continue;
        }
        const auto& c = plan.cheapest;
        if (!c || p.gpus < c->gpus || (p.gpus == c->gpus && p.goodput_requests_per_s > c->goodput_requests_per_s)) {
            plan.cheapest = p;
        }
    }
    std::vector<ServingPoint> sorted = explored;
    std::stable_sort(sorted.begin(), sorted.end(), [](const ServingPoint& a, const ServingPoint& b) {
        return a.gpus != b.gpus ? a.gpus < b.gpus : a.goodput_requests_per_s > b.goodput_requests_per_s;
    });
    for (const auto& p : sorted) {
        if (plan.pareto.empty() || p.goodput_requests_per_s > plan.pareto.back().goodput_requests_per_s) {
            plan.pareto.push_back(p);
        }
    }
    return plan;
}

} // namespace twin::sweep
