// The "groups" of a partially folded run in report.json (see twin/report/fold_groups.hpp).
#include "twin/report/fold_groups.hpp"

#include "json_read.hpp"

namespace twin::report {

nlohmann::json fold_groups_to_json(const std::vector<FoldGroup>& groups) {
    auto out = nlohmann::json::array();
    for (const auto& g : groups) {
        out.push_back({{"simulated_replicas", {g.first_replica, g.last_replica}},
                       {"blocks", g.blocks},
                       {"stragglers", g.stragglers},
                       {"slowest_speed", g.slowest_speed}});
    }
    return out;
}

std::vector<FoldGroup> fold_groups_from_json(const Value& v) {
    std::vector<FoldGroup> out;
    for (const auto& gv : Array(v).values()) {
        Object o(gv);
        FoldGroup g;
        const Array range(o.at("simulated_replicas"));
        if (range.size() != 2) {
            range.self().fail("expected [first, last]");
        }
        g.first_replica = static_cast<int>(range.at(0).as_integer(0, INT32_MAX));
        g.last_replica = static_cast<int>(range.at(1).as_integer(0, INT32_MAX));
        g.blocks = detail::int32(o, "blocks");
        g.stragglers = detail::int32(o, "stragglers");
        g.slowest_speed = detail::num(o, "slowest_speed");
        o.finish();
        out.push_back(g);
    }
    return out;
}

} // namespace twin::report
