// Hop distances over the switch graph to a destination switch, for route() (cluster.cpp).
//
// A route needs, at each switch on its way, which neighbours lie one hop closer to the
// destination switch t: dist(., t). One BFS over the whole switch graph per destination made a
// million-GPU fabric (39,000 switches of radix 256, 10 M adjacency entries, 31,000 leaves as
// destinations) spend 150 s of CPU and 2.4 GB on these tables. Both shrink by the fabric's
// symmetry, exactly:
//
//   Twins. Switches with the same set of neighbouring switches (the leaves of one pod, the core
//   switches of one group) are twins. For v not in {a, b}, dist(v, a) = 1 + min_{u in N(a)}
//   dist(v, u) = dist(v, b) when N(a) = N(b); and twins a, b all have the same distance to any
//   other switch. So with classes C = sets of twins,
//     dist(v, t) = 0                    if v = t,
//                = D_{C(t)}[C(v)]        otherwise,
//   where D_C is a BFS over the class graph (class A adjacent to class B when a member of A
//   neighbours a member of B; then every member of A neighbours every member of B) started at
//   level 1 from the classes of N(t). D depends on t only through C(t): one table per class of
//   destinations (244 at a million GPUs) instead of one per destination switch, each of one
//   entry per class. A switch linked to itself is a class of its own.
// Parallel links do not matter here (distances use neighbour sets; route() still offers every
// parallel link as a choice).
//
// Runs. A switch's adjacency entries are also kept as runs of consecutive entries whose far ends
// are of one class: all but the target share their class's distance, so route() tests one
// distance per run (a leaf's 128 uplinks to one pod's spines are one run) instead of one per entry,
// and knows whether its links go up or down without reading each link.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace twin::topology::detail {

class SwitchDistances {
public:
    static constexpr std::uint16_t kUnreachable = std::numeric_limits<std::uint16_t>::max();

    // dist(., t) for one destination switch t.
    class To {
    public:
        [[nodiscard]] std::uint16_t operator()(std::uint32_t v) const {
            return v == target_ ? 0 : by_class_[class_of_[v]];
        }
        // The distance of every member of class c but the target.
        [[nodiscard]] std::uint16_t of_class(std::uint32_t c) const { return by_class_[c]; }
        [[nodiscard]] std::uint32_t target_class() const { return class_of_[target_]; }

    private:
        friend class SwitchDistances;
        To(const std::uint16_t* by_class, const std::uint32_t* class_of, std::uint32_t target)
            : by_class_(by_class), class_of_(class_of), target_(target) {}
        const std::uint16_t* by_class_;
        const std::uint32_t* class_of_;
        std::uint32_t target_;
    };

    // `adj_begin` / `other`: the switch graph in CSR form (adj_begin has switches + 1 entries;
    // other[e] is the far switch of adjacency entry e). Classes are computed here, tables on use.
    // `up` (optional, per adjacency entry): 1 when the entry's link leaves the switch upwards
    // (the switch is its lower end), for the runs' directions.
    SwitchDistances(const std::vector<std::uint32_t>& adj_begin, const std::vector<std::uint32_t>& other,
                    const std::vector<std::uint8_t>& up = {});

    // Fills the table of t's class on first use; not thread-safe (route() is single-threaded).
    [[nodiscard]] To to(std::uint32_t target);

    [[nodiscard]] std::size_t classes() const { return class_adj_begin_.size() - 1; }

    static constexpr std::uint8_t kDown = 0, kUp = 1, kMixed = 2;
    struct Run {
        std::uint32_t cls;         // the class of the far ends
        std::uint32_t first, last; // adjacency entries [first, last)
        std::uint8_t direction;    // of all its links: kUp, kDown, or kMixed (or not known)
    };
    // Switch s's adjacency entries as runs (see the top), in adjacency order.
    [[nodiscard]] const Run* runs_begin(std::uint32_t s) const { return runs_.data() + run_begin_[s]; }
    [[nodiscard]] const Run* runs_end(std::uint32_t s) const { return runs_.data() + run_begin_[s + 1]; }
    // Whether adjacency entry e's link leaves its switch upwards (needs `up` at construction).
    [[nodiscard]] bool up(std::uint32_t e) const { return up_[e] != 0; }
    [[nodiscard]] std::uint32_t class_of(std::uint32_t v) const { return class_of_[v]; }

private:
    std::vector<std::uint32_t> class_of_;        // per switch
    std::vector<std::uint32_t> class_adj_begin_; // class graph, CSR
    std::vector<std::uint32_t> class_adj_;
    std::vector<std::vector<std::uint16_t>> table_; // per class of destinations, per class: D
    std::vector<std::uint32_t> run_begin_;          // per switch + 1, into runs_
    std::vector<Run> runs_;
    std::vector<std::uint8_t> up_; // per adjacency entry (a byte each: 16 times smaller than the links)
};

} // namespace twin::topology::detail
