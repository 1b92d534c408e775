#include "report_fabric.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <tuple>

namespace twin::sim {
namespace {

using nlohmann::json;

std::string direction_name(const models::Scenario& s, const DirectedLink& d) {
    const auto& l = s.cluster.links()[d.link];
    return d.up ? s.cluster.vertex_name(l.a) + " -> " + s.cluster.vertex_name(l.b)
                : s.cluster.vertex_name(l.b) + " -> " + s.cluster.vertex_name(l.a);
}

// Busier first; ties: fabric links before host links, then by id.
bool busier(const std::vector<topology::LinkInfo>& links, const DirectedLink& a, const DirectedLink& b) {
    if (a.utilization != b.utilization) {
        return a.utilization > b.utilization;
    }
    if (links[a.link].tier != links[b.link].tier) {
        return links[a.link].tier > links[b.link].tier;
    }
    return a.link != b.link ? a.link < b.link : a.up > b.up;
}

std::vector<DirectedLink> top(std::vector<DirectedLink> all, const models::Scenario& s, std::size_t n) {
    std::erase_if(all, [](const DirectedLink& d) { return d.bytes <= 0.0; });
    const auto k = std::min(n, all.size());
    const auto& links = s.cluster.links();
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
                      [&links](const auto& a, const auto& b) { return busier(links, a, b); });
    all.resize(k);
    return all;
}

json link_json(const models::Scenario& s, const DirectedLink& d) {
    const auto& l = s.cluster.links()[d.link];
    return {{"link", direction_name(s, d)},
            {"id", d.link},
            {"direction", d.up ? "up" : "down"},
            {"tier", topology::link_tier_name(l.tier)},
            {"bandwidth_bytes_per_s", l.bandwidth.value()},
            {"bytes", d.bytes},
            {"utilization", d.utilization}};
}

// Pod of each fabric link (-1: none), and whether pods are 3-tier pods or 2-tier leaf groups.
std::pair<std::vector<std::int32_t>, std::string> pods_of_links(const models::Scenario& s) {
    const auto& g = s.cluster.graph();
    const auto& links = s.cluster.links();
    std::vector<std::int32_t> pod_of_vertex(boost::num_vertices(g), -1);
    bool three_tier = false;
    for (const auto& l : links) {
        if (l.tier == topology::LinkTier::Core) {
            three_tier = true;
        }
    }
    for (const auto& l : links) { // leaf -> spine: the leaf's pod
        if (l.tier == topology::LinkTier::Aggregation) {
            const auto pod = three_tier ? g[l.b].group : g[l.a].group;
            pod_of_vertex[l.a] = pod;
            pod_of_vertex[l.b] = three_tier ? pod : -1;
        }
    }
    std::vector<std::int32_t> pod(links.size(), -1);
    for (std::size_t i = 0; i < links.size(); ++i) {
        const auto& l = links[i];
        switch (l.tier) {
        case topology::LinkTier::Access:
            pod[i] = pod_of_vertex[l.b];
            break;
        case topology::LinkTier::Aggregation:
            pod[i] = pod_of_vertex[l.a];
            break;
        case topology::LinkTier::Core:
            pod[i] = g[l.a].group;
            break;
        default:
            break;
        }
    }
    return {std::move(pod), three_tier ? "pod" : "leaf group"};
}

json pods_json(const models::Scenario& s, const std::vector<DirectedLink>& all) {
    const auto [pod_of, kind] = pods_of_links(s);
    struct Pod {
        std::int64_t links = 0;
        double bytes = 0.0, sum = 0.0;
        const DirectedLink* busiest = nullptr;
    };
    std::map<std::int32_t, Pod> pods;
    const auto& links = s.cluster.links();
    for (const auto& d : all) {
        if (pod_of[d.link] < 0) {
            continue;
        }
        auto& p = pods[pod_of[d.link]];
        ++p.links;
        p.bytes += d.bytes;
        p.sum += d.utilization;
        if (p.busiest == nullptr || busier(links, d, *p.busiest)) {
            p.busiest = &d;
        }
    }
    json out = json::array();
    if (pods.size() < 2) {
        return out;
    }
    for (const auto& [id, p] : pods) {
        out.push_back({{"pod", id},
                       {"kind", kind},
                       {"directed_links", p.links},
                       {"bytes", p.bytes},
                       {"mean_utilization", p.sum / static_cast<double>(p.links)},
                       {"max_utilization", p.busiest->utilization},
                       {"busiest_link", link_json(s, *p.busiest)}});
    }
    return out;
}

} // namespace

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (b >= 1024.0 && u < 5) {
        b /= 1024.0;
        ++u;
    }
    return fmt::format("{:.3g} {}", b, units[u]);
}

std::vector<DirectedLink> directed_links(const models::Scenario& s, const RunResult& r) {
    std::vector<DirectedLink> out;
    const auto& links = s.cluster.links();
    out.reserve(2 * links.size());
    const double t = r.simulated_time_s;
    for (std::uint32_t i = 0; i < links.size(); ++i) {
        const double cap = links[i].bandwidth.value() * t;
        for (bool up : {true, false}) {
            const double bytes = up ? r.link_bytes_up[i] : r.link_bytes_down[i];
            out.push_back(DirectedLink{i, up, bytes, cap > 0 ? bytes / cap : 0.0});
        }
    }
    return out;
}

void add_fabric_json(const models::Scenario& s, const RunResult& r, json& j) {
    const auto all = directed_links(s, r);
    json lj = json::array();
    for (const auto& d : top(all, s, static_cast<std::size_t>(s.run.top_links))) {
        lj.push_back(link_json(s, d));
    }
    j["busiest_links"] = lj;

    std::map<std::string, std::vector<DirectedLink>> by_tier;
    for (const auto& d : all) {
        by_tier[std::string(topology::link_tier_name(s.cluster.links()[d.link].tier))].push_back(d);
    }
    json tj = json::array();
    for (auto& [name, links] : by_tier) {
        double sum = 0.0, mx = 0.0, bytes = 0.0;
        for (const auto& d : links) {
            sum += d.utilization;
            mx = std::max(mx, d.utilization);
            bytes += d.bytes;
        }
        json busiest = json::array();
        const auto n = links.size();
        for (const auto& d : top(std::move(links), s, 3)) {
            busiest.push_back(link_json(s, d));
        }
        tj.push_back({{"tier", name},
                      {"directed_links", n},
                      {"bytes", bytes},
                      {"mean_utilization", n > 0 ? sum / static_cast<double>(n) : 0.0},
                      {"max_utilization", mx},
                      {"busiest", busiest}});
    }
    j["link_tiers"] = tj;
    auto pods = pods_json(s, all);
    if (!pods.empty()) {
        j["pods"] = std::move(pods);
    }
}

std::string fabric_text(const json& j) {
    std::string out = "\n  busiest links\n";
    for (const auto& l : j["busiest_links"]) {
        out += fmt::format("    {:5.1f} %  {:<11} {}\n", 100 * l["utilization"].get<double>(),
                           l["tier"].get<std::string>(), l["link"].get<std::string>());
    }
    out += "\n  link tiers            links   mean util   max util   bytes       busiest\n";
    for (const auto& t : j["link_tiers"]) {
        const auto& b = t["busiest"];
        out += fmt::format("    {:<18} {:>7}   {:7.1f} %  {:7.1f} %   {:<10}  {}\n", t["tier"].get<std::string>(),
                           t["directed_links"].get<std::int64_t>(), 100 * t["mean_utilization"].get<double>(),
                           100 * t["max_utilization"].get<double>(), human_bytes(t["bytes"].get<double>()),
                           b.empty() ? "" : b.front()["link"].get<std::string>());
    }
    if (!j.contains("pods")) {
        return out;
    }
    const auto& pods = j["pods"];
    std::vector<const json*> order;
    for (const auto& p : pods) {
        order.push_back(&p);
    }
    std::stable_sort(order.begin(), order.end(), [](const json* a, const json* b) {
        return (*a)["max_utilization"].get<double>() > (*b)["max_utilization"].get<double>();
    });
    const auto kind = pods.front()["kind"].get<std::string>();
    out += fmt::format("\n  fabric by {} ({} {}s, the busiest {} shown; all in report.json, every link in links.csv)\n",
                       kind, pods.size(), kind, std::min<std::size_t>(5, pods.size()));
    out += fmt::format("    {:<12} mean util   max util   bytes       busiest link\n", kind);
    for (std::size_t i = 0; i < order.size() && i < 5; ++i) {
        const auto& p = *order[i];
        out += fmt::format("    {:<12} {:7.1f} %  {:7.1f} %   {:<10}  {}\n", p["pod"].get<int>(),
                           100 * p["mean_utilization"].get<double>(), 100 * p["max_utilization"].get<double>(),
                           human_bytes(p["bytes"].get<double>()), p["busiest_link"]["link"].get<std::string>());
    }
    return out;
}

} // namespace twin::sim
