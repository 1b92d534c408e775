// Trace v1 writer: the inverse of load_trace (models/README.md, "Trace export").
//
// Quantities are written in base units with the shortest decimal that reads back to the same
// double ("67108864B", "1.5e+12FLOP"), so a round trip is exact. Defaults are left out (precision
// bf16, efficiency 1, algorithm/protocol auto, root 0, repeat 1) and "after" is written only where
// a step does not simply wait for the step before it; steps that others wait for get the id
// "s<index>". A family is written as {"size", "stride"} when the strided rule of the loader
// produces exactly its communicators in the same order, otherwise as "members".
#include "twin/models/trace_writer.hpp"

#include <fmt/format.h>

namespace twin::models {
namespace {

using nlohmann::json;

std::string quantity(double v, std::string_view unit) {
    return fmt::format("{}{}", v, unit);
}

// The strided family of the loader for (size, stride), or nothing when it would not be valid.
bool matches_strided(const GroupFamily& fam, int ranks, std::int64_t size, std::int64_t stride) {
    if (size < 2 || stride < 1 || ranks % (size * stride) != 0) {
        return false;
    }
    std::size_t c = 0;
    for (std::int64_t base = 0; base < ranks; base += size * stride) {
        for (std::int64_t j = 0; j < stride; ++j, ++c) {
            if (c >= fam.communicators.size() || fam.communicators[c].size() != static_cast<std::size_t>(size)) {
                return false;
            }
            for (std::int64_t k = 0; k < size; ++k) {
                if (fam.communicators[c][static_cast<std::size_t>(k)] != base + j + k * stride) {
                    return false;
                }
            }
        }
    }
    return c == fam.communicators.size();
}

json family_to_json(const GroupFamily& fam, int ranks) {
    if (!fam.communicators.empty() && fam.communicators[0].size() >= 2) {
        const auto& first = fam.communicators[0];
        const auto size = static_cast<std::int64_t>(first.size());
        const std::int64_t stride = first[1] - first[0];
        if (matches_strided(fam, ranks, size, stride)) {
            json out = json::object();
            if (size * stride != ranks) {
                out["size"] = size;
            }
            if (stride != 1) {
                out["stride"] = stride;
            }
            return out;
        }
    }
    return json{{"members", fam.communicators}};
}

json ranks_to_json(const std::vector<int>& ranks, int total) {
    if (static_cast<int>(ranks.size()) == total) {
        return "all"; // sorted and distinct, so 0 .. total-1
    }
    json out = json::array();
    for (std::size_t i = 0; i < ranks.size();) {
        std::size_t j = i;
        while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) {
            ++j;
        }
        if (j == i) {
            out.push_back(ranks[i]);
        } else {
            out.push_back(json::array({ranks[i], ranks[j]}));
        }
        i = j + 1;
    }
    return out;
}

json peer_to_json(const Trace& trace, const Peer& p) {
    switch (p.kind) {
    case Peer::Kind::Rank:
        return json{{"rank", p.value}};
    case Peer::Kind::Offset:
        return json{{"offset", p.value}};
    case Peer::Kind::GroupNext:
    case Peer::Kind::GroupPrev:
        break;
    }
    return json{{"group", trace.groups.at(static_cast<std::size_t>(p.family)).name},
                {"to", p.kind == Peer::Kind::GroupNext ? "next" : "prev"}};
}

json op_to_json(const Trace& trace, const Op& op) {
    json out = json::object();
    out["op"] = std::string(op_kind_name(op));
    out["name"] = op.name;
    switch (op.kind) {
    case Op::Kind::Compute:
        if (op.compute.flops.value() > 0) {
            out["flops"] = quantity(op.compute.flops.value(), "FLOP");
        }
        if (op.compute.bytes.value() > 0) {
            out["bytes"] = quantity(op.compute.bytes.value(), "B");
        }
        if (op.compute.precision != topology::Precision::BF16) {
            out["precision"] = std::string(topology::precision_name(op.compute.precision));
        }
        if (op.compute.efficiency != 1.0) {
            out["efficiency"] = op.compute.efficiency;
        }
        if (op.compute.kernels != 0) {
            out["kernels"] = op.compute.kernels;
        }
        if (op.compute.duration.value() > 0) {
            out["duration"] = quantity(op.compute.duration.value(), "s");
        }
        break;
    case Op::Kind::Collective:
        out["group"] = trace.groups.at(static_cast<std::size_t>(op.collective.family)).name;
        out["size"] = quantity(op.collective.size.value(), "B");
        if (op.collective.algorithm != Algorithm::Auto) {
            out["algorithm"] = std::string(algorithm_name(op.collective.algorithm));
        }
        if (op.collective.protocol != Protocol::Auto) {
            out["protocol"] = std::string(protocol_name(op.collective.protocol));
        }
        if (op.collective.kind == CollectiveKind::Broadcast && op.collective.root != 0) {
            out["root"] = op.collective.root;
        }
        break;
    case Op::Kind::Send:
    case Op::Kind::Recv:
        out["peer"] = peer_to_json(trace, op.p2p.peer);
        out["size"] = quantity(op.p2p.size.value(), "B");
        break;
    }
    return out;
}

std::string step_id(std::size_t i) {
    return fmt::format("s{}", i);
}

} // namespace

json steps_to_json(const Trace& trace, const Block& block) {
    const std::size_t n = block.body.size();
    // A step needs "after" unless it waits for exactly the step before it (none for the first).
    std::vector<bool> explicit_after(n, false);
    std::vector<bool> referenced(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& d = i < block.deps.size() ? block.deps[i] : std::vector<int>{};
        const bool implicit = i == 0 ? d.empty() : d.size() == 1 && d[0] == static_cast<int>(i) - 1;
        if (!implicit) {
            explicit_after[i] = true;
            for (int j : d) {
                referenced[static_cast<std::size_t>(j)] = true;
            }
        }
    }
    json out = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        json step;
        if (const auto* op = std::get_if<Op>(&block.body[i])) {
            step = op_to_json(trace, *op);
        } else {
            const auto& b = std::get<Block>(block.body[i]);
            step = json::object();
            step["name"] = b.name;
            if (b.repeat != 1) {
                step["repeat"] = b.repeat;
            }
            step["body"] = steps_to_json(trace, b);
        }
        if (referenced[i]) {
            step["id"] = step_id(i);
        }
        if (explicit_after[i]) {
            json after = json::array();
            for (int j : block.deps[i]) {
                after.push_back(step_id(static_cast<std::size_t>(j)));
            }
            step["after"] = std::move(after);
        }
        out.push_back(std::move(step));
    }
    return out;
}

json trace_to_json(const Trace& trace) {
    json out = json::object();
    out["schema_version"] = 1;
    out["name"] = trace.name;
    out["ranks"] = trace.ranks;
    if (!trace.groups.empty()) {
        json groups = json::object();
        for (const auto& fam : trace.groups) {
            groups[fam.name] = family_to_json(fam, trace.ranks);
        }
        out["groups"] = std::move(groups);
    }
    json classes = json::array();
    for (const auto& cls : trace.classes) {
        classes.push_back(json{{"name", cls.name},
                               {"ranks", ranks_to_json(cls.ranks, trace.ranks)},
                               {"program", steps_to_json(trace, cls.program)}});
    }
    out["classes"] = std::move(classes);
    return out;
}

} // namespace twin::models
