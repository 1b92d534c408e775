// Explicit fabric ("type": "explicit"; topology/README.md): named switches with a tier, and links
// between "node<i>/nic<k>" endpoints and switch names, for what the generators do not cover.
// A NIC-switch link is an access link; a switch-switch link is leaf-spine when its upper end is
// tier <= 2 and spine-core otherwise. The lower-tier end is the link's end a (the "from" end on a
// tie). Port counts, dangling ports and reachability are checked by the Builder.
#include "fabric.hpp"

#include <charconv>
#include <fmt/format.h>
#include <unordered_map>

namespace twin::topology::detail {
namespace {

// Parses a non-negative decimal integer that makes up all of `s`.
std::optional<int> parse_index(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v < 0) {
        return std::nullopt;
    }
    return v;
}

struct Endpoint {
    VertexId vertex = 0;
    int tier = 0; // 0 for a NIC
};

} // namespace

void build_explicit_fabric(Object f, Builder& b) {
    const Catalog& cat = b.catalog();
    const Array switches = f.at("switches").as_array();
    const Array links = f.at("links").as_array();
    f.finish();
    b.set_fabric_pointer(links.self().pointer());

    std::unordered_map<std::string, Endpoint> by_name;
    std::vector<int> tier_count(4, 0);
    for (std::size_t i = 0; i < switches.size(); ++i) {
        Object s = switches.at(i).as_object();
        const Value name_value = s.at("name");
        const std::string name = name_value.as_string();
        if (name.empty() || name.find('/') != std::string::npos) {
            name_value.fail("a switch name must be non-empty and must not contain '/' (reserved for node<i>/nic<k>)");
        }
        const SwitchType& type = find_entry(cat.switches, s.at("switch"), "switch type");
        const int tier = static_cast<int>(s.at("tier").as_integer(1, 3));
        s.finish();
        if (by_name.contains(name)) {
            name_value.fail(fmt::format("duplicate switch name \"{}\"", name));
        }
        const VertexId v = b.add_switch(type, tier, tier_count[tier]++, -1, -1, b.add_origin(s.self().pointer()), name);
        by_name.emplace(name, Endpoint{v, tier});
    }

    const auto endpoint = [&](const Value& v) {
        const std::string s = v.as_string();
        if (auto it = by_name.find(s); it != by_name.end()) {
            return it->second;
        }
        const auto slash = s.find('/');
        if (slash != std::string::npos && s.starts_with("node") && s.compare(slash + 1, 3, "nic") == 0) {
            const auto node = parse_index(std::string_view(s).substr(4, slash - 4));
            const auto nic = parse_index(std::string_view(s).substr(slash + 4));
            if (node && nic && *node < b.node_count() && *nic < static_cast<int>(b.node(*node).nics.size())) {
                return Endpoint{b.node(*node).nics[*nic], 0};
            }
            v.fail(fmt::format("no NIC \"{}\": the topology has {} nodes (node0 .. node{})", s, b.node_count(),
                               b.node_count() - 1));
        }
        v.fail(fmt::format("unknown endpoint \"{}\": expected a switch name or \"node<i>/nic<k>\"", s));
    };

    for (std::size_t i = 0; i < links.size(); ++i) {
        Object l = links.at(i).as_object();
        const Endpoint from = endpoint(l.at("from"));
        const Endpoint to = endpoint(l.at("to"));
        const CableType& cable = find_entry(cat.cables, l.at("cable"), "cable type");
        int count = 1;
        if (auto v = l.find("count")) {
            count = static_cast<int>(v->as_integer(1, 65536));
        }
        l.finish();
        if (from.tier == 0 && to.tier == 0) {
            l.fail("a link joins a NIC to a switch or two switches, not two NICs");
        }
        if (from.vertex == to.vertex) {
            l.fail("a link cannot join a switch to itself");
        }
        const bool swap = to.tier < from.tier;
        const Endpoint lower = swap ? to : from;
        const Endpoint upper = swap ? from : to;
        const LinkTier tier = lower.tier == 0   ? LinkTier::Access
                              : upper.tier <= 2 ? LinkTier::Aggregation
                                                : LinkTier::Core;
        const std::uint32_t origin = b.add_origin(l.self().pointer());
        for (int k = 0; k < count; ++k) {
            b.connect(lower.vertex, upper.vertex, cable, tier, origin);
        }
    }
}

} // namespace twin::topology::detail
