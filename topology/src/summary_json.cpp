// The cluster summary (load.hpp: topology::Summary) as JSON, for `clustertwin info --json`: the
// facts format_summary() prints, in SI units spelled in the key (bytes per second one direction,
// watts), numbers unrounded.
#include "twin/topology/load.hpp"

namespace twin::topology {

nlohmann::json summary_to_json(const Summary& s) {
    nlohmann::json tiers = nlohmann::json::array();
    for (const auto& t : s.tiers) {
        tiers.push_back({{"name", t.name},
                         {"switches", t.switches},
                         {"ports_used", t.ports_used},
                         {"ports_total", t.ports_total},
                         {"oversubscription", t.oversubscription}});
    }
    nlohmann::json link_tiers = nlohmann::json::array();
    for (const auto& t : s.link_tiers) {
        link_tiers.push_back({{"tier", std::string(link_tier_name(t.tier))},
                              {"links", t.links},
                              {"total_bandwidth_bytes_per_s", t.total_bandwidth.value()}});
    }
    nlohmann::json j = {{"name", s.name},
                        {"nodes", s.nodes},
                        {"racks", s.racks},
                        {"gpus", s.gpus},
                        {"gpus_by_type", s.gpus_by_type},
                        {"nics", s.nics},
                        {"scaleup_switches", s.scaleup_switches},
                        {"fabric_switches", s.fabric_switches},
                        {"tiers", tiers},
                        {"link_tiers", link_tiers},
                        {"scaleup_bandwidth_per_gpu_bytes_per_s", s.scaleup_bandwidth_per_gpu.value()},
                        {"scaleout_bandwidth_per_gpu_bytes_per_s", s.scaleout_bandwidth_per_gpu.value()},
                        {"bisection_bandwidth_bytes_per_s", s.bisection_bandwidth.value()},
                        {"it_power_max_w", s.it_power_max.value()},
                        {"it_power_typical_w", s.it_power_typical.value()}};
    if (s.extra_nics > 0) {
        j["extra_nics"] = s.extra_nics;
    }
    if (!s.technology.empty()) {
        j["fabric"] = {
            {"technology", s.technology},
            {"routing", s.spray_routing      ? "spray"
                        : s.adaptive_routing ? "adaptive"
                                             : "ecmp"},
            {"scaleout_effective_bandwidth_per_gpu_bytes_per_s", s.scaleout_effective_bandwidth_per_gpu.value()}};
    }
    return j;
}

} // namespace twin::topology
