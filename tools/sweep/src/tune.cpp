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
        "/workload/parallelism/tp", "/workload/parallelism/pp", "/workload/parallelism/schedule",
        "/workload/parallelism/cp", "/workload/parallelism/dp", "/workload/batch/micro_batch",
        "/workload/recompute"};
    return c;
}

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
    TuneResult out;
    for (const int tp : {1, 2, 4, 8}) {
        for (const int pp : {1, 2, 4, 8, 16}) {
            for (const int vp : {1, 2, 3, 4, 5}) {
                for (const int cp : {1, 2}) {
                    for (const int mb : {1, 2}) {
                        for (const char* rc : {"none", "selective", "full"}) {
                            if (tp > per_node || (pp == 1 && vp > 1) || gpus % (tp * pp * cp) != 0) {
                                continue;
                            }
                            ++out.enumerated;
                            Candidate c;
                            c.layout = {tp, pp, vp, cp, gpus / (tp * pp * cp), mb, rc};
                            nlohmann::json sc = base;
                            auto& w = sc["workload"];
                            auto& par = w["parallelism"];
                            par["tp"] = tp;
                            par["pp"] = pp;
                            par["cp"] = cp;
                            par["dp"] = c.layout.dp;
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
                                const Value wv(sc["workload"], std::make_shared<const std::string>(file), "/workload");
                                config = models::read_training_config(wv.as_object());
                            } catch (const InputError&) {
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
                            const auto peak = gpu.peak_flops.find(config.precision);
                            if (peak == gpu.peak_flops.end()) {
                                ++out.rejected_layout;
                                continue;
                            }
                            const double m = static_cast<double>(config.micro_batches());
                            c.bubble = (pp - 1) / (vp * m + pp - 1);
                            c.estimate_s = models::training_step_flops(config).hardware /
                                           (gpus * peak->second.value() * gpu.compute_efficiency) / (1.0 - c.bubble);
                            c.scenario = std::move(sc);
                            out.ranked.push_back(std::move(c));
                        }
                    }
                }
            }
        }
    }
    std::stable_sort(out.ranked.begin(), out.ranked.end(),
                     [](const Candidate& a, const Candidate& b) { return a.estimate_s < b.estimate_s; });
    return out;
}

} // namespace twin::sweep
