// Rank order of the training layout (Megatron-LM's RankGenerator, megatron/core/parallel_state.py,
// 2026-08: "order", default "tp-cp-ep-dp-pp", leftmost token varies fastest).
//
// With the order d_0-d_1-...-d_4 (fastest first) and sizes n_tp = tp, n_cp = cp, n_ep = ep,
// n_dp = dp/ep, n_pp = pp, rank r has coordinate x_k = ⌊r / σ_k⌋ mod n_k on dimension d_k, with
// stride σ_k = n_0·…·n_{k−1}. The data-parallel replica index is e + ep·f for expert position e and
// expert-data-parallel position f (ep adjacent to dp, before it: "ep-dp"; "dp-ep" puts f first).
// A group family over a set D of dimensions has one communicator per assignment of the other
// dimensions, its members the ranks that differ only in D (Megatron's masked orthogonal groups):
//   "tp" {tp}, "cp" {cp}, "dp" {ep, dp}, "pp" {pp}, "ep" {ep}, "dpcp" {cp, ep, dp}, "edp" {dp}.
// When the dimensions of D with size > 1 are adjacent among those with size > 1, the family is
// {size Π n, stride σ of its fastest dimension}; otherwise explicit member lists. A pipeline
// communicator in rank order is the stage order (σ_pp > 0), and the ring's wrap-around from the
// last stage to the first is a rank offset of −(pp − 1)·σ_pp.
// Megatron/NeMo orders: "tp-cp-ep-dp-pp" (default; stages outermost) and "tp-cp-ep-pp-dp" (stages
// inside a data-parallel replica: pipeline neighbours nearer, data-parallel groups spread).
// Rules (Megatron-LM's RankGenerator and initialize_model_parallel): each of tp, cp, ep, dp, pp at
// most once; a dimension of size > 1 must be named, one of size 1 may be left out (appended last);
// here ep (expert parallelism splits the data-parallel replicas) must sit next to dp, and with
// ep > 1 and pp > 1 the order must end with pp, dimensions of size 1 aside (Megatron-LM asserts
// this unless the expert and dense data-parallel sizes agree).
#include "llm_training_layout.hpp"

#include "twin/core/enum_names.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string>

namespace twin::models::detail {
namespace {

constexpr auto kDimNames =
    enum_names<Dim>({{Dim::Tp, "tp"}, {Dim::Cp, "cp"}, {Dim::Ep, "ep"}, {Dim::Dp, "dp"}, {Dim::Pp, "pp"}});

std::array<int, 5> dim_sizes(const TrainingParallelism& p) {
    return {p.tp, p.cp, p.ep, p.dp / p.ep, p.pp};
}

std::vector<Dim> parse_order(const std::string& text) {
    std::vector<Dim> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('-', start), text.size());
        const auto d = kDimNames.parse(std::string_view(text).substr(start, end - start));
        if (d) {
            out.push_back(*d);
        } else {
            out.clear();
            return out;
        }
        start = end + 1;
    }
    return out;
}

} // namespace

void read_rank_order(Object& par, TrainingParallelism& p) {
    auto v = par.find("order");
    if (!v) {
        return;
    }
    const std::string text = v->as_string();
    std::vector<Dim> order = parse_order(text);
    if (order.empty()) {
        v->fail(fmt::format("expected dimension names joined by '-' (such as \"tp-cp-ep-dp-pp\"), each one of {}",
                            kDimNames.list()));
    }
    const auto sizes = dim_sizes(p);
    for (const auto& e : {Dim::Tp, Dim::Cp, Dim::Ep, Dim::Dp, Dim::Pp}) {
        const auto n = std::count(order.begin(), order.end(), e);
        const int size = sizes[static_cast<std::size_t>(e)];
        if (n > 1) {
            v->fail(fmt::format("\"{}\" appears {} times", kDimNames.name_of(e), n));
        }
        if (n == 0 && (e == Dim::Dp ? p.dp : size) > 1) {
            v->fail(fmt::format("\"{}\" has size {} but is not in the order", kDimNames.name_of(e),
                                e == Dim::Dp ? p.dp : size));
        }
        if (n == 0) {
            // Megatron-LM's RankGenerator appends a dimension of size 1 that the order leaves out;
            // ep goes next to dp, so that the data-parallel replicas stay one dimension.
            const auto dp_at = std::find(order.begin(), order.end(), Dim::Dp);
            if (e == Dim::Ep && dp_at != order.end()) {
                order.insert(dp_at, e);
            } else {
                order.push_back(e);
            }
        }
    }
    const auto ep_at = std::find(order.begin(), order.end(), Dim::Ep) - order.begin();
    const auto dp_at = std::find(order.begin(), order.end(), Dim::Dp) - order.begin();
    if (p.ep > 1 && std::abs(ep_at - dp_at) != 1) {
        v->fail("ep must sit next to dp in the order (expert parallelism splits the data-parallel replicas)");
    }
    const auto outermost = std::find_if(order.rbegin(), order.rend(), [&](Dim d) {
        return (d == Dim::Dp ? p.dp / p.ep : sizes[static_cast<std::size_t>(d)]) > 1;
    });
    if (p.ep > 1 && p.pp > 1 && *outermost != Dim::Pp) {
        v->fail("with ep > 1 and pp > 1 the order must end with pp (Megatron-LM: otherwise the expert and dense "
                "data-parallel sizes must agree)");
    }
    p.order.clear();
    for (Dim d : order) {
        p.order += fmt::format("{}{}", p.order.empty() ? "" : "-", kDimNames.name_of(d));
    }
}

RankLayout::RankLayout(const TrainingParallelism& p) : order_(parse_order(p.order)), size_(dim_sizes(p)) {
    for (Dim d : order_) {
        stride_[index(d)] = ranks_;
        ranks_ *= size(d);
    }
}

std::vector<std::pair<int, int>> RankLayout::stage_ranges(int stage) const {
    const int run = stride(Dim::Pp);        // consecutive ranks of one stage
    const int period = run * size(Dim::Pp); // the next run of the same stage
    std::vector<std::pair<int, int>> out;
    for (int base = stage * run; base < ranks_; base += period) {
        if (!out.empty() && out.back().second + 1 == base) {
            out.back().second = base + run - 1;
        } else {
            out.emplace_back(base, base + run - 1);
        }
    }
    return out;
}

nlohmann::json RankLayout::family(std::initializer_list<Dim> dims) const {
    const auto in = [&](Dim d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
    // Adjacent: the dimensions of size > 1 in `dims` form one run among those of size > 1.
    int runs = 0;
    bool inside = false;
    int fastest = -1;
    int members = 1;
    for (Dim d : order_) {
        if (size(d) == 1) {
            continue;
        }
        if (in(d) && !inside) {
            ++runs;
            fastest = fastest < 0 ? stride(d) : fastest;
        }
        inside = in(d);
        members *= in(d) ? size(d) : 1;
    }
    if (runs <= 1) {
        nlohmann::json j{{"size", members}};
        if (fastest > 1) {
            j["stride"] = fastest;
        }
        return j;
    }
    nlohmann::json comms = nlohmann::json::array();
    for (int base = 0; base < ranks_; ++base) {
        bool is_base = true;
        for (Dim d : dims) {
            is_base = is_base && coordinate(base, d) == 0;
        }
        if (!is_base) {
            continue;
        }
        std::vector<int> comm{base};
        for (Dim d : dims) {
            const std::size_t n = comm.size();
            for (int x = 1; x < size(d); ++x) {
                for (std::size_t i = 0; i < n; ++i) {
                    comm.push_back(comm[i] + x * stride(d));
                }
            }
        }
        std::sort(comm.begin(), comm.end());
        comms.push_back(comm);
    }
    return nlohmann::json{{"members", comms}};
}

nlohmann::json training_groups(const TrainingConfig& c, const RankLayout& layout, bool expert_groups, bool tied) {
    nlohmann::json groups = nlohmann::json::object();
    const auto& p = c.par;
    if (p.tp > 1) {
        groups["tp"] = layout.family({Dim::Tp});
    }
    if (p.cp > 1) {
        groups["cp"] = layout.family({Dim::Cp});
    }
    if (p.dp > 1) {
        groups["dp"] = layout.family({Dim::Ep, Dim::Dp});
    }
    if (p.pp > 1) {
        groups["pp"] = layout.family({Dim::Pp});
    }
    if (p.ep > 1) {
        groups["ep"] = layout.family({Dim::Ep});
    }
    if (p.cp > 1) {
        groups["dpcp"] = layout.family({Dim::Cp, Dim::Ep, Dim::Dp});
    }
    if (expert_groups) {
        groups["edp"] = layout.family({Dim::Dp});
    }
    if (tied) {
        nlohmann::json pairs = nlohmann::json::array();
        const int offset = (p.pp - 1) * layout.stride(Dim::Pp);
        for (const auto& [first, last] : layout.stage_ranges(0)) {
            for (int r = first; r <= last; ++r) {
                pairs.push_back({r, r + offset});
            }
        }
        groups["emb"] = {{"members", pairs}};
    }
    return groups;
}

} // namespace twin::models::detail
