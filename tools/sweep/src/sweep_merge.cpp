// Joining the tables of sweep shards (`clustertwin merge`): every case index 0..total-1 once. A
// case found in two tables is a duplicate (the first kept), an index found in none a gap; tables of
// different sweeps (other axis columns or case counts) are refused.
#include "twin/core/error.hpp"
#include "twin/sweep/sweep.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace twin::sweep {

MergeResult merge_tables(const std::vector<std::pair<std::string, Table>>& tables) {
    MergeResult m;
    std::optional<std::size_t> total;
    std::map<std::size_t, Row> by_index;
    std::set<std::size_t> dup;
    bool first = true;
    for (const auto& [file, t] : tables) {
        if (first) {
            m.table.columns = t.columns;
            first = false;
        } else if (t.columns != m.table.columns) {
            throw InputError(file, "line 1",
                             fmt::format("axis columns {} differ from the first table's {}: not the same sweep",
                                         fmt::join(t.columns, ","), fmt::join(m.table.columns, ",")));
        }
        for (const Row& r : t.rows) {
            if (total && r.total != *total) {
                throw InputError(file, fmt::format("case {}", r.index),
                                 fmt::format("a sweep of {} cases; the first table has {}", r.total, *total));
            }
            total = r.total;
            if (!by_index.emplace(r.index, r).second) {
                dup.insert(r.index);
            }
        }
    }
    for (std::size_t i = 0; total && i < *total; ++i) {
        if (!by_index.count(i)) {
            m.gaps.push_back(i);
        }
    }
    m.duplicates.assign(dup.begin(), dup.end());
    for (auto& [i, r] : by_index) {
        m.table.rows.push_back(std::move(r));
    }
    return m;
}

} // namespace twin::sweep
