// Layout enumeration, memory fit and the analytic ranking estimate of `clustertwin tune`
// (equations and sources: twin/sweep/tune.hpp).
#include "twin/sweep/tune.hpp"

#include "twin/core/json_reader.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/models/scenario.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::sweep {

const std::vector<std::string>& tune_columns() {
    static const std::vector<std::string> c{
        "/workload/parallelism/tp",   "/workload/parallelism/pp",    "/workload/parallelism/schedule",
        "/workload/parallelism/cp",   "/workload/parallelism/dp",    "/workload/parallelism/ep",
        "/workload/parallelism/zero", "/workload/batch/micro_batch", "/workload/recompute"};
    return c;
}

namespace {

// Pipeline depths tried: the divisors of the layer count up to 32 (the reader refuses what does not
// split), as Megatron's even split needs.
std::vector<int> pipeline_depths(std::int64_t layers) {
    std::vector<int> out;
    for (int pp = 1; pp <= 32; ++pp) {
        if (layers % pp == 0) {
            out.push_back(pp);
        }
    }
    return out;
}

// Expert-parallel degrees tried: 1 for a dense model, else the powers of two dividing the experts
// (the reader refuses those that do not divide dp).
std::vector<int> expert_degrees(std::int64_t experts) {
    std::vector<int> out{1};
    for (int ep = 2; experts > 0 && ep <= experts && ep <= 256; ep *= 2) {
        if (experts % ep == 0) {
            out.push_back(ep);
        }
    }
    return out;
}

} // namespace

TuneResult tune_layouts(const std::filesystem::path& scenario_file) {
    const Document doc = Document::load(scenario_file);
    const nlohmann::json base = doc.root().json();
    const std::string file = scenario_file.string();
    if (!base.contains("workload") || !base["workload"].is_object() ||
        base["workload"].value("type", std::string()) != "llm-training") {
        throw InputError(file, "/workload/type", "tune searches the layout of an \"llm-training\" workload");
    }
    const models::Scenario s = models::load_scenario(scenario_file); // the base must be valid
    const int gpus = s.cluster.gpu_count();
    int per_node = 0;
    for (int g = 0; g < gpus && s.cluster.node_of_gpu(g) == 0; ++g) {
        ++per_node;
    }
    const auto& gpu = s.cluster.gpu_type(0);
    const auto shared_file = std::make_shared<const std::string>(file);
    const auto base_config =
        models::read_training_config(Value(base["workload"], shared_file, "/workload").as_object());
    const auto depths = pipeline_depths(base_config.model.layers);
    const auto ep_degrees = expert_degrees(base_config.model.moe.experts);
    CollectiveClock clock(s.cluster);
    TuneResult out;
    for (const int tp : {1, 2, 4, 8}) {
        for (const int pp : depths) {
            for (const int vp : {1, 2, 3, 4, 5}) {
                for (const int cp : {1, 2}) {
                    if (tp > per_node || (pp == 1 && vp > 1) || gpus % (tp * pp * cp) != 0) {
                        continue;
                    }
                    for (const int ep : ep_degrees) {
                        for (const int zero : {0, 1, 3}) {
                            for (const int mb : {1, 2}) {
                                for (const char* rc : {"none", "selective", "full"}) {
                                    ++out.enumerated;
                                    if (zero == 3 && pp > 1) {
                                        // DeepSpeed's pipeline engine refuses ZeRO-2/3 ("ZeRO-2 and
                                        // ZeRO-3 are incompatible with pipeline parallelism",
                                        // deepspeed/runtime/pipe/engine.py); FSDP runs without PP.
                                        ++out.rejected_layout;
                                        continue;
                                    }
                                    Candidate c;
                                    c.layout = {tp, pp, vp, cp, gpus / (tp * pp * cp), mb, rc, ep, zero};
                                    nlohmann::json w = base["workload"];
                                    auto& par = w["parallelism"];
                                    par["tp"] = tp;
                                    par["pp"] = pp;
                                    par["cp"] = cp;
                                    par["dp"] = c.layout.dp;
                                    par["ep"] = ep;
                                    par["zero"] = zero;
                                    // The base's own stage split belongs to its pp; the candidate
                                    // splits evenly.
                                    for (const char* k : {"pipeline_layers", "first_stage_layers", "last_stage_layers",
                                                          "microbatch_group_size"}) {
                                        par.erase(k);
                                    }
                                    par["schedule"] = vp > 1 ? "interleaved" : "1f1b";
                                    if (vp > 1) {
                                        par["virtual_stages"] = vp;
                                    } else {
                                        par.erase("virtual_stages");
                                    }
                                    w["batch"]["micro_batch"] = mb;
                                    w["recompute"] = rc;
                                    models::TrainingConfig config;
                                    try {
                                        config = models::read_training_config(
                                            Value(w, shared_file, "/workload").as_object());
                                    } catch (const InputError&) {
                                        ++out.rejected_layout;
                                        continue;
                                    }
                                    if (gpu.peak_flops.find(config.precision) == gpu.peak_flops.end()) {
                                        ++out.rejected_layout;
                                        continue;
                                    }
                                    for (const auto& m : models::training_memory(config)) {
                                        c.memory_bytes = std::max(c.memory_bytes, m.total());
                                    }
                                    if (c.memory_bytes > gpu.hbm_capacity.value()) {
                                        ++out.rejected_memory;
                                        continue;
                                    }
                                    c.estimate = estimate_step(config, gpu, clock);
                                    c.estimate_s = c.estimate.step_s();
                                    c.bubble = c.estimate.bubble;
                                    c.scenario = std::move(w); // the workload; the whole scenario below
                                    out.ranked.push_back(std::move(c));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    std::stable_sort(out.ranked.begin(), out.ranked.end(),
                     [](const Candidate& a, const Candidate& b) { return a.estimate_s < b.estimate_s; });
    for (auto& c : out.ranked) {
        nlohmann::json sc = base;
        sc["workload"] = std::move(c.scenario);
        c.scenario = std::move(sc);
    }
    return out;
}

} // namespace twin::sweep
