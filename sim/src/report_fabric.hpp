// The fabric part of the report: per-link loads (links.csv), the busiest directed links overall
// and per tier, and the load by pod, so that a 100,000-GPU report stays readable: a few lines say
// where the fabric is busiest and links.csv holds every link.
//
//   utilization of a directed link = bytes it carried / (bandwidth x simulated time)
//   pod of a fabric link: in a 3-tier fat-tree the pod of its spine (access and leaf-spine links
//   through their leaf's spine); in a 2-tier one the leaf group (scalable unit) of its leaf.
//   Host and scale-up links belong to no pod. Explicit fabrics have no pods.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/sim/results.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace twin::sim {

struct DirectedLink {
    std::uint32_t link;
    bool up;
    double bytes;
    double utilization;
};

// "1.5 GiB": three significant digits, binary units.
[[nodiscard]] std::string human_bytes(double bytes);

// Every directed link of the cluster, up then down for each link id.
[[nodiscard]] std::vector<DirectedLink> directed_links(const models::Scenario& s, const RunResult& r);

// Adds "busiest_links" (the top `run.top_links`), "link_tiers" (each tier's totals and its three
// busiest links) and, when the fabric has two or more pods, "pods" (each pod's totals and busiest
// link) to the report.
void add_fabric_json(const models::Scenario& s, const RunResult& r, nlohmann::json& report);

// The text report's lines for them (the five busiest pods only).
[[nodiscard]] std::string fabric_text(const nlohmann::json& report);

} // namespace twin::sim
