// The fabric part of the report: the busiest directed links overall and per tier, and the load by
// pod, so that a 100,000-GPU report stays readable: a few lines say where the fabric is busiest and
// links.csv holds every link.
//
//   utilization of a directed link = bytes it carried / (bandwidth x simulated time)
//   pod of a fabric link: topology::fabric_pods (the grouping the engine's time series use too).
#include "report_parts.hpp"
#include "twin/topology/pods.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace twin::report::detail {
namespace {

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

// The n busiest directed links with bytes, busier first. A running selection: at a million GPUs
// `all` has 16 M entries (384 MB), and copying it (or splitting it by tier) set the peak memory.
class Top {
public:
    Top(const std::vector<topology::LinkInfo>& links, std::size_t n) : links_(&links), n_(n) {}
    void offer(const DirectedLink& d) {
        if (d.bytes <= 0.0 || n_ == 0) {
            return;
        }
        const auto later = [this](const DirectedLink& a, const DirectedLink& b) { return busier(*links_, a, b); };
        if (best_.size() == n_ && !later(d, best_.back())) {
            return;
        }
        best_.insert(std::upper_bound(best_.begin(), best_.end(), d, later), d);
        if (best_.size() > n_) {
            best_.pop_back();
        }
    }
    [[nodiscard]] const std::vector<DirectedLink>& best() const { return best_; }

private:
    const std::vector<topology::LinkInfo>* links_;
    std::size_t n_;
    std::vector<DirectedLink> best_;
};

LinkReport link_report(const models::Scenario& s, const DirectedLink& d) {
    const auto& l = s.cluster.links()[d.link];
    return LinkReport{direction_name(s, d), d.link,  d.up,         std::string(topology::link_tier_name(l.tier)),
                      l.bandwidth.value(),  d.bytes, d.utilization};
}

std::vector<PodReport> pods(const models::Scenario& s, const RunResult& r) {
    const auto fabric = topology::fabric_pods(s.cluster);
    const auto& pod_of = fabric.pod_of_link;
    const auto& kind = fabric.kind;
    struct Pod {
        std::int64_t links = 0;
        double bytes = 0.0, sum = 0.0;
        std::optional<DirectedLink> busiest;
    };
    std::map<std::int32_t, Pod> by_id;
    const auto& links = s.cluster.links();
    for_each_directed_link(s, r, [&](const DirectedLink& d) {
        if (pod_of[d.link] < 0) {
            return;
        }
        auto& p = by_id[pod_of[d.link]];
        ++p.links;
        p.bytes += d.bytes;
        p.sum += d.utilization;
        if (!p.busiest || busier(links, d, *p.busiest)) {
            p.busiest = d;
        }
    });
    std::vector<PodReport> out;
    if (by_id.size() < 2) {
        return out;
    }
    for (const auto& [id, p] : by_id) {
        out.push_back(PodReport{id, kind, p.links, p.bytes, p.sum / static_cast<double>(p.links),
                                p.busiest->utilization, link_report(s, *p.busiest)});
    }
    return out;
}

} // namespace

DirectedLink directed_link(const models::Scenario& s, const RunResult& r, std::uint32_t link, bool up) {
    const double cap = s.cluster.links()[link].bandwidth.value() * r.simulated_time_s;
    const double bytes = up ? r.link_bytes_up[link] : r.link_bytes_down[link];
    return DirectedLink{link, up, bytes, cap > 0 ? bytes / cap : 0.0};
}

void add_fabric(const models::Scenario& s, const RunResult& r, RunReport& report) {
    const auto& links = s.cluster.links();
    Top busiest(links, static_cast<std::size_t>(s.run.top_links));
    struct Tier {
        double sum = 0.0;
        double max = 0.0;
        double bytes = 0.0;
        std::int64_t n = 0;
        Top top;
    };
    std::map<std::string, Tier> by_tier; // by name: the report lists tiers in name order
    std::vector<Tier*> tier_of(topology::kLinkTierNames.size(), nullptr);
    for_each_directed_link(s, r, [&](const DirectedLink& d) {
        busiest.offer(d);
        const auto tier = static_cast<std::size_t>(links[d.link].tier);
        if (tier_of[tier] == nullptr) {
            tier_of[tier] =
                &by_tier
                     .try_emplace(std::string(topology::link_tier_name(links[d.link].tier)), Tier{.top = Top(links, 3)})
                     .first->second;
        }
        auto& t = *tier_of[tier];
        t.sum += d.utilization;
        t.max = std::max(t.max, d.utilization);
        t.bytes += d.bytes;
        ++t.n;
        t.top.offer(d);
    });
    for (const auto& d : busiest.best()) {
        report.busiest_links.push_back(link_report(s, d));
    }
    for (const auto& [name, tier] : by_tier) {
        LinkTierReport t;
        t.tier = name;
        t.max_utilization = tier.max;
        t.bytes = tier.bytes;
        t.directed_links = tier.n;
        t.mean_utilization = tier.n > 0 ? tier.sum / static_cast<double>(tier.n) : 0.0;
        for (const auto& d : tier.top.best()) {
            t.busiest.push_back(link_report(s, d));
        }
        report.link_tiers.push_back(std::move(t));
    }
    report.pods = pods(s, r);
}

} // namespace twin::report::detail
