// Rack placement and cable routes (rules and equations: include/twin/buildout/floorplan.hpp).
#include "twin/buildout/floorplan.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <tuple>
#include <unordered_map>

namespace twin::buildout {
namespace {

using topology::VertexKind;

int ceil_div(int a, int b) {
    return (a + b - 1) / b;
}

// Per fabric switch: the lowest node reached by its access links (leaves) or the lowest switch
// below it (spines, cores), so a switch can be placed near what it serves.
struct SwitchIndex {
    std::vector<int> of_vertex;  // vertex -> switch index, -1 for non-switches
    std::vector<int> first_node; // leaves: lowest node on their access links (-1: none)
    std::vector<int> first_down; // spines/cores: lowest switch index below (-1: none)
};

SwitchIndex index_switches(const topology::Cluster& c) {
    SwitchIndex s;
    s.of_vertex.assign(c.graph().num_vertices(), -1);
    const int n = c.switch_count();
    for (int i = 0; i < n; ++i) {
        s.of_vertex[c.switch_vertex(i)] = i;
    }
    s.first_node.assign(n, -1);
    s.first_down.assign(n, -1);
    for (const auto& l : c.links()) {
        const int upper = s.of_vertex[l.b];
        if (upper < 0) {
            continue;
        }
        const auto& a = c.graph()[l.a];
        if (a.kind == VertexKind::Nic) {
            int& f = s.first_node[upper];
            f = f < 0 ? a.node : std::min(f, a.node);
        } else if (a.kind == VertexKind::Switch) {
            int& f = s.first_down[upper];
            const int lower = s.of_vertex[l.a];
            f = f < 0 ? lower : std::min(f, lower);
        }
    }
    return s;
}

} // namespace

double Layout::cable_length_m(int a, int b) const {
    if (a == b) {
        return plan.in_rack_m;
    }
    const Rack& ra = racks[a];
    const Rack& rb = racks[b];
    const double manhattan = std::abs(ra.x_m - rb.x_m) + std::abs(ra.y_m - rb.y_m);
    return (manhattan + 2.0 * plan.vertical_m) * (1.0 + plan.slack_fraction) + plan.slack_m;
}

std::string Layout::row_name(int rack) const {
    return fmt::format("h{}.r{}", racks[rack].hall, racks[rack].row);
}
std::string Layout::hall_name(int rack) const {
    return fmt::format("h{}", racks[rack].hall);
}

Layout make_layout(const topology::Cluster& c, FloorPlan plan) {
    Layout L;
    const int rpr = plan.racks_per_row;
    const int spr = plan.switches_per_rack;
    int compute_racks = 0;
    for (const auto& n : c.nodes()) {
        compute_racks = std::max(compute_racks, n.rack + 1);
    }
    const int compute_rows = std::max(1, ceil_div(compute_racks, rpr));
    L.halls = ceil_div(compute_rows, plan.rows_per_hall);
    // Logical placement first: (hall, compute row in hall, position); network rows fixed below.
    for (int r = 0; r < compute_racks; ++r) {
        const int row = r / rpr;
        L.racks.push_back({fmt::format("compute.{}", r), RackKind::Compute, row / plan.rows_per_hall,
                           row % plan.rows_per_hall, r % rpr, 0.0, 0.0});
    }
    std::vector<int> row_fill(static_cast<std::size_t>(compute_rows), 0); // racks in each compute row
    for (int r = 0; r < compute_racks; ++r) {
        ++row_fill[static_cast<std::size_t>(r / rpr)];
    }
    L.node_rack.reserve(c.nodes().size());
    for (const auto& n : c.nodes()) {
        L.node_rack.push_back(n.rack);
    }

    const SwitchIndex si = index_switches(c);
    const int nsw = c.switch_count();
    L.switch_rack.assign(nsw, -1);
    bool three_tier = false;
    std::vector<int> by_tier[4];
    for (int i = 0; i < nsw; ++i) {
        const int tier = std::clamp<int>(c.graph()[c.switch_vertex(i)].tier, 1, 3);
        three_tier |= tier == 3;
        by_tier[tier].push_back(i);
    }
    // Leaves: racks at the end of the row of their group's first rack, per (row, group).
    std::map<std::pair<int, int>, std::vector<int>> leaf_sets; // (compute row, group) -> switches
    for (int i : by_tier[1]) {
        const int node = si.first_node[i];
        const int row = node < 0 ? 0 : c.nodes()[node].rack / rpr;
        leaf_sets[{row, c.graph()[c.switch_vertex(i)].group}].push_back(i);
    }
    for (const auto& [key, switches] : leaf_sets) {
        const auto [row, group] = key;
        for (std::size_t k = 0; k * spr < switches.size(); ++k) {
            const int rack = static_cast<int>(L.racks.size());
            const std::string name =
                group >= 0 ? fmt::format("leaf.g{}.{}", group, k) : fmt::format("leaf.row{}.{}", row, k);
            L.racks.push_back({name, RackKind::Network, row / plan.rows_per_hall, row % plan.rows_per_hall,
                               row_fill[static_cast<std::size_t>(row)]++, 0.0, 0.0});
            for (std::size_t j = k * spr; j < std::min(switches.size(), (k + 1) * spr); ++j) {
                L.switch_rack[switches[j]] = rack;
            }
        }
    }
    // Spines and cores: network rows in the middle of their hall.
    const int H = L.halls;
    std::vector<std::vector<std::pair<int, std::vector<int>>>> hall_net(H); // per hall: (tier, switches) racks
    auto hall_of_switch = [&](int i, int tier, int index, int count) {
        if (tier == 2 && three_tier) {
            const int leaf = si.first_down[i];
            const int rack = leaf >= 0 ? L.switch_rack[leaf] : -1;
            return rack >= 0 ? L.racks[rack].hall : 0;
        }
        return static_cast<int>(static_cast<long long>(index) * H / std::max(1, count));
    };
    for (int tier = 2; tier <= 3; ++tier) {
        const auto& list = by_tier[tier];
        std::vector<std::vector<int>> per_hall(H);
        for (std::size_t k = 0; k < list.size(); ++k) {
            per_hall[hall_of_switch(list[k], tier, static_cast<int>(k), static_cast<int>(list.size()))].push_back(
                list[k]);
        }
        for (int h = 0; h < H; ++h) {
            for (std::size_t k = 0; k * spr < per_hall[h].size(); ++k) {
                std::vector<int> members(per_hall[h].begin() + static_cast<long>(k * spr),
                                         per_hall[h].begin() +
                                             static_cast<long>(std::min(per_hall[h].size(), (k + 1) * spr)));
                hall_net[h].emplace_back(tier, std::move(members));
            }
        }
    }
    std::vector<int> compute_rows_in_hall(H, 0), net_rows(H, 0);
    for (int row = 0; row < compute_rows; ++row) {
        ++compute_rows_in_hall[row / plan.rows_per_hall];
    }
    for (int h = 0; h < H; ++h) {
        net_rows[h] = ceil_div(static_cast<int>(hall_net[h].size()), rpr);
        const int mid = compute_rows_in_hall[h] / 2;
        int count[4] = {0, 0, 0, 0};
        for (std::size_t k = 0; k < hall_net[h].size(); ++k) {
            const auto& [tier, members] = hall_net[h][k];
            const int rack = static_cast<int>(L.racks.size());
            L.racks.push_back({fmt::format("{}.h{}.{}", tier == 2 ? "spine" : "core", h, count[tier]++),
                               RackKind::Network, h, mid + static_cast<int>(k) / rpr, static_cast<int>(k) % rpr, 0.0,
                               0.0});
            for (int i : members) {
                L.switch_rack[i] = rack;
            }
        }
    }
    // Compute rows (and their leaf racks) after the middle move down past the network rows.
    for (auto& r : L.racks) {
        if (r.name.rfind("spine.", 0) != 0 && r.name.rfind("core.", 0) != 0) {
            const int mid = compute_rows_in_hall[r.hall] / 2;
            r.row += r.row >= mid ? net_rows[r.hall] : 0;
        }
    }
    // Explicit placements.
    if (!plan.racks.empty()) {
        std::unordered_map<std::string, int> by_name;
        for (std::size_t i = 0; i < L.racks.size(); ++i) {
            by_name.emplace(L.racks[i].name, static_cast<int>(i));
        }
        for (const auto& p : plan.racks) {
            const auto it = by_name.find(p.rack);
            if (it == by_name.end()) {
                throw InputError(plan.file, p.pointer + "/rack",
                                 fmt::format("no rack named \"{}\" in this build-out (racks are compute.<r>, "
                                             "leaf.g<group>.<k>, spine.h<hall>.<k>, core.h<hall>.<k>)",
                                             p.rack));
            }
            Rack& r = L.racks[static_cast<std::size_t>(it->second)];
            r.hall = p.hall;
            r.row = p.row;
            r.position = p.position;
            L.halls = std::max(L.halls, p.hall + 1);
        }
        std::map<std::tuple<int, int, int>, int> taken;
        for (std::size_t i = 0; i < L.racks.size(); ++i) {
            const Rack& r = L.racks[i];
            const auto [it, fresh] = taken.emplace(std::tuple{r.hall, r.row, r.position}, static_cast<int>(i));
            if (fresh) {
                continue;
            }
            const Rack& other = L.racks[static_cast<std::size_t>(it->second)];
            std::string pointer = plan.pointer + "/racks";
            for (const auto& p : plan.racks) {
                if (p.rack == r.name || p.rack == other.name) {
                    pointer = p.pointer; // the last placement involved
                }
            }
            throw InputError(plan.file, pointer,
                             fmt::format("hall {} row {} position {} is given to two racks: {} and {}", r.hall, r.row,
                                         r.position, other.name, r.name));
        }
    }
    // Coordinates.
    std::vector<int> rows_in_hall(L.halls, 0);
    for (const auto& r : L.racks) {
        rows_in_hall[r.hall] = std::max(rows_in_hall[r.hall], r.row + 1);
    }
    std::vector<double> y0(L.halls, 0.0);
    for (int h = 1; h < L.halls; ++h) {
        y0[h] = y0[h - 1] + rows_in_hall[h - 1] * plan.row_pitch_m + plan.hall_gap_m;
    }
    for (auto& r : L.racks) {
        r.x_m = r.position * plan.rack_pitch_m;
        r.y_m = y0[r.hall] + r.row * plan.row_pitch_m;
    }
    L.description = fmt::format(
        "{}: {} compute racks in rows of {}, {} compute rows per hall, {} hall(s); leaf racks at row ends, "
        "spine/core racks in the middle row(s) of each hall, {} switches per network rack{}; route = (Manhattan "
        "+ 2 x {} m vertical) x (1 + {}) + {} m, {} m inside a rack",
        plan.given ? "floor plan from the scenario" : "derived default floor plan (no \"floorplan\" section)",
        compute_racks, rpr, plan.rows_per_hall, L.halls, spr,
        plan.racks.empty() ? "" : fmt::format(", {} rack(s) placed explicitly", plan.racks.size()), plan.vertical_m,
        plan.slack_fraction, plan.slack_m, plan.in_rack_m);
    L.plan = std::move(plan);
    return L;
}

} // namespace twin::buildout
