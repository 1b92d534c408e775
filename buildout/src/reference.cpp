// The reference build (rule: include/twin/buildout/reference.hpp).
#include "twin/buildout/reference.hpp"

#include "twin/core/error.hpp"

#include <fmt/format.h>
#include <set>

namespace twin::buildout {
namespace {

int nodes_in_first_group(const topology::Cluster& c) {
    std::set<int> nodes;
    for (const auto& l : c.links()) {
        if (l.tier == topology::LinkTier::Access && c.graph()[l.b].group == 0) {
            nodes.insert(c.graph()[l.a].node);
        }
    }
    return static_cast<int>(nodes.size());
}

long long int_or(const nlohmann::json& o, const char* key, long long fallback) {
    return o.is_object() && o.contains(key) && o[key].is_number_integer() ? o[key].get<long long>() : fallback;
}

} // namespace

ReferenceBuild make_reference(const nlohmann::json& full, const topology::Cluster& c, const std::string& file) {
    const auto& topo = full.at("topology");
    if (!topo.contains("fabric") || topo["fabric"].value("type", "") != "rail-optimized-fat-tree") {
        throw InputError(file, "/topology/fabric/type",
                         "a reference build is cut from a rail-optimized-fat-tree (one scalable unit with its share "
                         "of spines and cores)");
    }
    if (topo.at("nodes").size() != 1) {
        throw InputError(file, "/topology/nodes", "reference builds of mixed node types are not supported");
    }
    const auto& workload = full.at("workload");
    if (workload.value("type", "") != "llm-training") {
        throw InputError(file, "/workload/type",
                         "only llm-training workloads scale to the reference build (a trace has fixed ranks)");
    }
    ReferenceBuild r;
    const int per_group = std::max(1, nodes_in_first_group(c));
    const int gpn = c.nodes().front().gpus;
    const int full_nodes = static_cast<int>(c.nodes().size());
    r.full_gpus = c.gpu_count();
    const auto& par = workload.contains("parallelism") ? workload["parallelism"] : nlohmann::json::object();
    const long long mp = int_or(par, "tp", 1) * int_or(par, "pp", 1) * int_or(par, "cp", 1);
    r.full_dp = static_cast<int>(int_or(par, "dp", std::max<long long>(1, r.full_gpus / mp)));
    for (r.leaf_groups = 1;; ++r.leaf_groups) {
        r.nodes = std::min(full_nodes, r.leaf_groups * per_group);
        r.gpus = r.nodes * gpn;
        if (r.gpus % mp == 0 || r.nodes == full_nodes) {
            break;
        }
    }
    r.dp = static_cast<int>(r.gpus / mp);
    if (r.dp < 1) {
        throw InputError(file, "/workload/parallelism",
                         fmt::format("one model replica needs {} GPUs, more than the cluster's {}", mp, r.gpus));
    }
    nlohmann::json s = full;
    s["name"] = full.value("name", std::string("scenario")) + "-reference";
    s["description"] = fmt::format("Reference build of {}: {} leaf group(s) of {} nodes ({} of {} GPUs), every tier "
                                   "and part type of the full design; dp {} instead of {} (clustertwin reference)",
                                   full.value("name", std::string("scenario")), r.leaf_groups, per_group, r.gpus,
                                   r.full_gpus, r.dp, r.full_dp);
    auto& t = s["topology"];
    t["nodes"][0]["count"] = r.nodes;
    auto& fabric = t["fabric"];
    auto& tiers = fabric["tiers"];
    for (auto& tier : tiers) {
        tier.erase("count");
    }
    if (tiers.size() == 3) {
        fabric["leaf_groups_per_pod"] = r.leaf_groups;
    }
    fabric["nodes_per_leaf_group"] = per_group;
    if (s.contains("floorplan")) {
        s["floorplan"].erase("racks"); // positions of the full build's racks
    }
    if (s.contains("run")) {
        s["run"].erase("output_dir");
    }
    auto& w = s["workload"];
    if (w.contains("parallelism")) {
        w["parallelism"]["dp"] = r.dp;
    }
    if (w.contains("batch") && w["batch"].contains("global_batch")) {
        const long long gb = w["batch"]["global_batch"].get<long long>();
        if (gb % r.full_dp != 0) {
            throw InputError(file, "/workload/batch/global_batch",
                             fmt::format("global batch {} is not a multiple of dp {}: the batch per replica of the "
                                         "reference build is undefined",
                                         gb, r.full_dp));
        }
        w["batch"]["global_batch"] = gb / r.full_dp * r.dp;
    }
    r.scenario = std::move(s);
    return r;
}

} // namespace twin::buildout
