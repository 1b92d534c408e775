// Failed fabric links (see twin/topology/failed_links.hpp): the reader, and Cluster::fail_link,
// which rebuilds the switch adjacency without the link and checks the fabric stays connected.
#include "twin/topology/failed_links.hpp"

#include "cluster_index.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <utility>

namespace twin::topology {
namespace {

// Connected parts of the switch graph as `ix` has it.
std::size_t parts_of(const detail::ClusterIndex& ix) {
    const std::size_t n = ix.switch_adj_begin.size() - 1;
    std::vector<std::uint8_t> seen(n, 0);
    std::vector<std::uint32_t> queue;
    std::size_t parts = 0;
    for (std::uint32_t s0 = 0; s0 < n; ++s0) {
        if (seen[s0] != 0) {
            continue;
        }
        ++parts;
        seen[s0] = 1;
        queue.assign(1, s0);
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const std::uint32_t s = queue[head];
            for (std::uint32_t e = ix.switch_adj_begin[s]; e < ix.switch_adj_begin[s + 1]; ++e) {
                const std::uint32_t o = ix.switch_adj[e].other;
                if (seen[o] == 0) {
                    seen[o] = 1;
                    queue.push_back(o);
                }
            }
        }
    }
    return parts;
}

} // namespace

std::string Cluster::fail_link(std::uint32_t link) {
    if (link >= links_.size() || (links_[link].tier != LinkTier::Aggregation && links_[link].tier != LinkTier::Core)) {
        return "only a cable between two fabric switches can fail";
    }
    if (index_->spray) {
        return "failed links are not modelled with spray routing";
    }
    if (std::find(failed_links_.begin(), failed_links_.end(), link) != failed_links_.end()) {
        return "this cable is already failed";
    }
    auto ix = std::make_shared<detail::ClusterIndex>(*index_);
    const std::size_t before = parts_of(*ix);
    std::vector<detail::ClusterIndex::Adjacent> adj;
    adj.reserve(ix->switch_adj.size());
    std::vector<std::uint32_t> begin(ix->switch_adj_begin.size(), 0);
    for (std::size_t s = 0; s + 1 < ix->switch_adj_begin.size(); ++s) {
        begin[s] = static_cast<std::uint32_t>(adj.size());
        for (std::uint32_t e = ix->switch_adj_begin[s]; e < ix->switch_adj_begin[s + 1]; ++e) {
            if (ix->switch_adj[e].link != link) {
                adj.push_back(ix->switch_adj[e]);
            }
        }
    }
    begin.back() = static_cast<std::uint32_t>(adj.size());
    ix->switch_adj = std::move(adj);
    ix->switch_adj_begin = std::move(begin);
    if (parts_of(*ix) != before) {
        return "without it the fabric would be cut in two";
    }
    index_ = std::move(ix);
    distances_.reset(); // distances change: recomputed on first use
    failed_links_.push_back(link);
    return {};
}

void apply_failed_links(const Value& value, Cluster& cluster) {
    const auto entries = value.as_array().values();
    if (entries.empty()) {
        return;
    }
    // Each failure rebuilds the switch adjacency and checks connectivity (O(links)): a what-if fails
    // a few cables, and the bound keeps hostile input from costing entries x links.
    constexpr std::size_t kMaxFailedLinks = 256;
    if (entries.size() > kMaxFailedLinks) {
        value.fail(fmt::format("at most {} failed links", kMaxFailedLinks));
    }
    // Switch-to-switch cables by their ends' names (both orders), first cable of parallel ones.
    std::map<std::pair<std::string, std::string>, std::uint32_t> by_ends;
    const auto& links = cluster.links();
    for (std::uint32_t id = 0; id < links.size(); ++id) {
        if (links[id].tier == LinkTier::Aggregation || links[id].tier == LinkTier::Core) {
            const std::string a = cluster.vertex_name(links[id].a);
            const std::string b = cluster.vertex_name(links[id].b);
            by_ends.try_emplace({a, b}, id);
            by_ends.try_emplace({b, a}, id);
        }
    }
    for (const Value& entry : entries) {
        const Array ends(entry);
        if (ends.size() != 2) {
            entry.fail("a failed link is named by its two switches: [\"spine.g0.3\", \"core.12\"]");
        }
        const auto it = by_ends.find({ends.at(0).as_string(), ends.at(1).as_string()});
        if (it == by_ends.end()) {
            entry.fail(fmt::format("no cable between fabric switches \"{}\" and \"{}\"", ends.at(0).as_string(),
                                   ends.at(1).as_string()));
        }
        if (const std::string why = cluster.fail_link(it->second); !why.empty()) {
            entry.fail(why);
        }
    }
}

} // namespace twin::topology
