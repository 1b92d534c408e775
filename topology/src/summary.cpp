// The planner's summary of a cluster (topology/README.md, "Summary").
//
// Counts come from the built graph. Per-tier oversubscription = total bandwidth of the tier's
// switches' down links / that of their up links (1 at the top tier). Bisection bandwidth (one
// direction) of a fabric: a balanced cut separates the leaves (the pods, for the spine-core
// boundary) into two halves, so half of the capacity of each tier boundary crosses it:
// min over boundaries b in {access, leaf-spine, spine-core} of C_b / 2, where C_b is the sum of
// link bandwidths of that boundary; the access term is half the NICs' bandwidth and caps it.
// A one-node cluster without fabric reports its scale-up bisection, floor(G/2) x the GPU's
// scale-up bandwidth. Max IT power = sum over nodes of (GPUs x max_power + other_power + NICs x
// NIC power + scale-up switch chips x their power) + fabric switches' power + each cabled link's
// optics power. Effective scale-out per GPU = sum over a node's access links of bandwidth x
// efficiency / its GPUs, smallest over nodes (what NCCL gets from the NICs; see builder.cpp).
#include "twin/topology/load.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <limits>
#include <map>

namespace twin::topology {
namespace {

constexpr std::array kLinkTiers{LinkTier::ScaleUp, LinkTier::Host, LinkTier::Access, LinkTier::Aggregation,
                                LinkTier::Core};
constexpr std::array<std::string_view, 4> kSwitchTierName{"tier0", "leaf", "spine", "core"};

std::string bandwidth_text(BytesPerSecond b) {
    const double v = b.value();
    if (v >= 1e12) {
        return fmt::format("{:.2f} TB/s ({:.1f} Tb/s)", v / 1e12, v * 8 / 1e12);
    }
    return fmt::format("{:.1f} GB/s ({:.0f} Gb/s)", v / 1e9, v * 8 / 1e9);
}

std::string power_text(Watts w) {
    return w.value() >= 1e6 ? fmt::format("{:.2f} MW", w.value() / 1e6) : fmt::format("{:.1f} kW", w.value() / 1e3);
}

} // namespace

Summary summarize(const Cluster& c) {
    const Catalog& cat = c.catalog();
    Summary s;
    s.name = c.name();
    s.nodes = static_cast<int>(c.nodes().size());
    s.gpus = c.gpu_count();
    s.fabric_switches = c.switch_count();
    double scaleup_min = std::numeric_limits<double>::infinity();
    double scaleout_min = std::numeric_limits<double>::infinity();
    double nic_total = 0;
    double power = 0;
    double node_max = 0; // nodes' nameplate maxima (the rest of `power` is fabric switches and optics)
    double typical = 0;  // nodes' typical power
    std::map<const NodeType*, NodePower> powers;
    for (const NodeInfo& n : c.nodes()) {
        const NodeType& nt = cat.nodes.at(n.type);
        const GpuType& gpu = cat.gpus.at(nt.gpu);
        s.racks = std::max(s.racks, n.rack + 1);
        s.gpus_by_type[nt.gpu] += n.gpus;
        s.nics += static_cast<int>(n.nics.size());
        s.scaleup_switches += nt.scaleup_switches;
        double nic_bw = 0;
        // Nameplate maximum and typical (node_power.cpp), looked up once per node type.
        auto np = powers.find(&nt);
        if (np == powers.end()) {
            np = powers.emplace(&nt, node_power(cat, nt)).first;
        }
        power += np->second.max.value();
        node_max += np->second.max.value();
        typical += np->second.typical.value();
        for (const auto& e : nt.extra_nics) {
            s.extra_nics += e.count;
        }
        if (!nt.nic.empty()) {
            const NicType& nic = cat.nics.at(nt.nic);
            nic_bw = static_cast<double>(n.nics.size()) * nic.ports * nic.port_bandwidth.value();
        }
        if (!nt.scaleup_switch.empty()) {
            scaleup_min = std::min(scaleup_min, gpu.scaleup_bandwidth.value());
        }
        nic_total += nic_bw;
        scaleout_min = std::min(scaleout_min, nic_bw / n.gpus);
    }
    s.scaleup_bandwidth_per_gpu = BytesPerSecond(std::isfinite(scaleup_min) ? scaleup_min : 0.0);
    s.scaleout_bandwidth_per_gpu = BytesPerSecond(std::isfinite(scaleout_min) ? scaleout_min : 0.0);

    // Fabric switches per tier.
    const auto& links = c.links();
    std::array<TierSummary, 4> tiers{};
    std::array<double, 4> down{};
    std::array<double, 4> up{};
    for (int i = 0; i < c.switch_count(); ++i) {
        const VertexId v = c.switch_vertex(i);
        const int t = c.graph()[v].tier;
        const SwitchType& st = cat.switches.at(c.switch_type(i));
        TierSummary& ts = tiers[t];
        ++ts.switches;
        ts.ports_total += st.radix;
        power += st.power.value();
        for (std::uint32_t l : c.links_of(v)) {
            ++ts.ports_used;
            (links[l].b == v ? down : up)[t] += links[l].bandwidth.value();
        }
    }
    for (int t = 1; t <= 3; ++t) {
        if (tiers[t].switches > 0) {
            tiers[t].name = std::string(kSwitchTierName[t]);
            tiers[t].oversubscription = up[t] > 0 ? down[t] / up[t] : 1.0;
            s.tiers.push_back(tiers[t]);
        }
    }

    // Effective scale-out bandwidth: access links (end a is a NIC) by node.
    std::vector<double> effective(c.nodes().size(), 0.0);
    for (const LinkInfo& l : links) {
        if (l.tier == LinkTier::Access) {
            effective[static_cast<std::size_t>(c.graph()[l.a].node)] += l.bandwidth.value() * l.efficiency;
        }
    }
    if (s.fabric_switches > 0) {
        double smallest = std::numeric_limits<double>::infinity();
        for (std::size_t n = 0; n < effective.size(); ++n) {
            smallest = std::min(smallest, effective[n] / c.nodes()[n].gpus);
        }
        s.scaleout_effective_bandwidth_per_gpu = BytesPerSecond(smallest);
    }
    s.technology = c.technology();
    s.adaptive_routing = c.adaptive_routing();
    s.spray_routing = c.spraying();

    // Links per tier, and optics power by cable type (counted per name, looked up once each).
    std::array<LinkTierSummary, kLinkTiers.size()> by_tier{};
    std::vector<int> per_cable_type(c.cable_types().size(), 0);
    for (const LinkInfo& l : links) {
        auto& t = by_tier[static_cast<std::size_t>(l.tier)];
        ++t.links;
        t.total_bandwidth += l.bandwidth;
        ++per_cable_type[l.cable_type];
    }
    std::map<std::string, int> per_cable; // by name: the power sum's order does not depend on the build's
    for (std::size_t i = 0; i < per_cable_type.size(); ++i) {
        if (per_cable_type[i] > 0) {
            per_cable[c.cable_types()[i]] += per_cable_type[i];
        }
    }
    for (const auto& [cable, count] : per_cable) {
        if (auto it = cat.cables.find(cable); it != cat.cables.end()) {
            power += count * it->second.power.value();
        }
    }
    for (std::size_t i = 0; i < kLinkTiers.size(); ++i) {
        by_tier[i].tier = kLinkTiers[i];
        if (by_tier[i].links > 0) {
            s.link_tiers.push_back(by_tier[i]);
        }
    }

    if (s.fabric_switches > 0) {
        double bisection = nic_total / 2;
        for (const auto& t : s.link_tiers) {
            if (t.tier == LinkTier::Access || t.tier == LinkTier::Aggregation || t.tier == LinkTier::Core) {
                bisection = std::min(bisection, t.total_bandwidth.value() / 2);
            }
        }
        s.bisection_bandwidth = BytesPerSecond(bisection);
    } else if (s.nodes == 1) {
        s.bisection_bandwidth = s.scaleup_bandwidth_per_gpu * static_cast<double>(s.gpus / 2);
    }
    s.it_power_max = Watts(power);
    s.it_power_typical = Watts(power - (node_max - typical));
    return s;
}

std::string format_summary(const Summary& s) {
    std::string out;
    const auto row = [&](std::string_view label, const std::string& value) {
        out += fmt::format("  {:<26}{}\n", label, value);
    };
    out += fmt::format("cluster{}\n", s.name.empty() ? std::string() : " \"" + s.name + "\"");
    row("nodes", fmt::format("{} in {} rack{}", s.nodes, s.racks, s.racks == 1 ? "" : "s"));
    std::string by_type;
    for (const auto& [type, n] : s.gpus_by_type) {
        by_type += fmt::format("{}{} x {}", by_type.empty() ? "" : ", ", n, type);
    }
    row("GPUs", fmt::format("{} ({})", s.gpus, by_type));
    row("NICs", std::to_string(s.nics));
    if (s.extra_nics > 0) {
        row("extra NICs", fmt::format("{} (front-end / storage, off the compute fabric)", s.extra_nics));
    }
    row("scale-up switch chips", std::to_string(s.scaleup_switches));
    row("fabric switches", std::to_string(s.fabric_switches));
    for (const auto& t : s.tiers) {
        row("  " + t.name, fmt::format("{:>6} switches  {:>8} / {:<8} ports used  oversubscription {:.2f}:1",
                                       t.switches, t.ports_used, t.ports_total, t.oversubscription));
    }
    row("links (per direction)", "");
    for (const auto& t : s.link_tiers) {
        row("  " + std::string(link_tier_name(t.tier)),
            fmt::format("{:>8} links  {}", t.links, bandwidth_text(t.total_bandwidth)));
    }
    row("scale-up per GPU", bandwidth_text(s.scaleup_bandwidth_per_gpu) + " per direction");
    if (!s.technology.empty()) {
        row("fabric", fmt::format("{}, {} routing", s.technology,
                                  s.spray_routing      ? "spray"
                                  : s.adaptive_routing ? "adaptive"
                                                       : "ecmp"));
    }
    row("scale-out per GPU", bandwidth_text(s.scaleout_bandwidth_per_gpu) + " per direction");
    if (!s.technology.empty()) {
        row("  effective (NCCL)", bandwidth_text(s.scaleout_effective_bandwidth_per_gpu) + " per direction");
    }
    row("bisection bandwidth", bandwidth_text(s.bisection_bandwidth) + " per direction");
    row("max IT power", power_text(s.it_power_max) + " (nameplate: size feeds, PDUs, cooling on it)");
    row("typical IT power", power_text(s.it_power_typical));
    return out;
}

} // namespace twin::topology
