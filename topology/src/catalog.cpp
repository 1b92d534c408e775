// Reading the hardware catalog (format: topology/README.md, "Catalog").
//
// Every quantity is a string with a unit, converted to SI at this edge (bytes, bytes/s, s, W,
// FLOP/s). An entry with the name of an existing entry replaces it as a whole. Node types are
// read last and checked against the catalog as merged so far: their GPU, NIC, switch and cable
// names must exist, a node with more than one GPU needs a scale-up switch, and the scale-up
// switches' capacity (switches x radix x port bandwidth, per direction) must carry every GPU's
// scale-up bandwidth (GPUs x scaleup_bandwidth). A node's nic_rails may put several NICs on one
// rail (GB200 NVL72: 72 NICs on 4 rails), but the rails must be 0 .. R-1 with none left empty.
// A node's extra (front-end, storage) NICs and its maximum and typical power: node_power.cpp.
#include "twin/topology/catalog.hpp"

#include "builtin_catalog.hpp"
#include "lookup.hpp"
#include "node_power.hpp"
#include "twin/topology/bounds.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace twin::topology {
namespace {

std::string read_source(Object& o, bool require_source) {
    if (require_source) {
        return o.at("source").as_string();
    }
    auto v = o.find("source");
    return v ? v->as_string() : std::string();
}

// An optional efficiency in [kMinEfficiency, 1] (bounds.hpp), 1 when absent.
double read_optional_efficiency(Object& o, const std::string& key) {
    auto v = o.find(key);
    return v ? read_efficiency(*v) : 1.0;
}

GpuType read_gpu(const std::string& name, Object o, bool require_source) {
    GpuType g;
    g.name = name;
    Object flops = o.at("peak_flops").as_object();
    for (const auto& key : flops.keys()) {
        const auto p = parse_precision(key);
        if (!p) {
            flops.fail_at(key,
                          fmt::format("unknown precision \"{}\": expected one of {}", key, kPrecisionNames.list()));
        }
        g.peak_flops[*p] = read_flop_rate(flops.at(key));
    }
    if (g.peak_flops.empty()) {
        flops.fail("expected at least one precision, such as {\"bf16\": \"989.4TFLOPS\"}");
    }
    g.hbm_capacity = o.at("hbm_capacity").as_bytes();
    g.hbm_bandwidth = read_bandwidth(o.at("hbm_bandwidth"));
    g.scaleup_bandwidth = read_bandwidth(o.at("scaleup_bandwidth"));
    g.scaleup_latency = read_latency(o.at("scaleup_latency"));
    g.idle_power = o.at("idle_power").as_power(Bound::NonNegative);
    const Value max_power = o.at("max_power");
    g.max_power = max_power.as_power();
    if (g.idle_power > g.max_power) {
        max_power.fail(fmt::format("max_power must be >= idle_power ({} W)", g.idle_power.value()));
    }
    g.min_power_limit = g.idle_power;
    if (auto v = o.find("min_power_limit")) {
        g.min_power_limit = v->as_power();
        if (g.min_power_limit < g.idle_power || g.min_power_limit > g.max_power) {
            v->fail(fmt::format("min_power_limit must lie between idle_power ({} W) and max_power ({} W)",
                                g.idle_power.value(), g.max_power.value()));
        }
    }
    if (auto v = o.find("liquid_only")) {
        g.liquid_only = v->as_bool();
    }
    g.compute_efficiency = read_optional_efficiency(o, "compute_efficiency");
    g.memory_efficiency = read_optional_efficiency(o, "memory_efficiency");
    g.scaleup_efficiency = read_optional_efficiency(o, "scaleup_efficiency");
    if (auto v = o.find("nvls")) {
        g.nvls = v->as_bool();
    }
    g.source = read_source(o, require_source);
    o.finish();
    return g;
}

NicType read_nic(const std::string& name, Object o, bool require_source) {
    NicType n;
    n.name = name;
    n.port_bandwidth = read_bandwidth(o.at("port_bandwidth"));
    if (auto v = o.find("ports")) {
        n.ports = static_cast<int>(v->as_integer(1, 16));
    }
    n.latency = read_latency(o.at("latency"));
    n.power = o.at("power").as_power(Bound::NonNegative);
    n.efficiency = read_optional_efficiency(o, "efficiency");
    n.source = read_source(o, require_source);
    o.finish();
    return n;
}

SwitchType read_switch(const std::string& name, Object o, bool require_source) {
    SwitchType s;
    s.name = name;
    s.radix = static_cast<int>(o.at("radix").as_integer(1, 65536));
    s.port_bandwidth = read_bandwidth(o.at("port_bandwidth"));
    if (auto v = o.find("uplink_port_bandwidth")) {
        s.uplink_port_bandwidth = read_bandwidth(*v);
    }
    s.latency = read_latency(o.at("latency"));
    s.power = o.at("power").as_power(Bound::NonNegative);
    s.source = read_source(o, require_source);
    o.finish();
    return s;
}

CableType read_cable(const std::string& name, Object o, bool require_source) {
    CableType c;
    c.name = name;
    c.bandwidth = read_bandwidth(o.at("bandwidth"));
    c.latency = read_latency(o.at("latency"));
    if (auto v = o.find("power")) {
        c.power = v->as_power(Bound::NonNegative);
    }
    c.source = read_source(o, require_source);
    o.finish();
    return c;
}

NodeType read_node(const Catalog& cat, const std::string& name, Object o, bool require_source) {
    NodeType n;
    n.name = name;
    const Value gpu = o.at("gpu");
    const GpuType& gpu_type = detail::find_entry(cat.gpus, gpu, "GPU type");
    n.gpu = gpu_type.name;
    n.gpus = static_cast<int>(o.at("gpus").as_integer(1, 4096));

    auto nic = o.find("nic");
    auto nics = o.find("nics");
    auto host_link = o.find("host_link");
    if (nic) {
        n.nic = detail::find_entry(cat.nics, *nic, "NIC type").name;
        if (!nics) {
            o.fail_at("nics", "missing required key \"nics\" (the number of NICs, one per rail)");
        }
        const int count = static_cast<int>(nics->as_integer(1, n.gpus));
        if (auto rails = o.find("nic_rails")) {
            // The rail each NIC is cabled to: rails 0 .. R-1, each used by at least one NIC (NICs
            // may share a rail: GB200 NVL72 puts its 72 NICs on 4 rails).
            const Array a = rails->as_array();
            if (static_cast<int>(a.size()) != count) {
                rails->fail(
                    fmt::format("expected {} rails, one per NIC (\"nics\": {}), got {}", count, count, a.size()));
            }
            std::vector<bool> used(static_cast<std::size_t>(count), false);
            int top = 0;
            for (const auto& v : a.values()) {
                const int r = static_cast<int>(v.as_integer(0, count - 1));
                used[static_cast<std::size_t>(r)] = true;
                top = std::max(top, r);
                n.nic_rails.push_back(r);
            }
            for (int r = 0; r < top; ++r) {
                if (!used[static_cast<std::size_t>(r)]) {
                    rails->fail(fmt::format("rail {} has no NIC, but rail {} has one: the rails must be 0 .. R-1 "
                                            "with at least one NIC each",
                                            r, top));
                }
            }
        } else {
            for (int k = 0; k < count; ++k) {
                n.nic_rails.push_back(k);
            }
        }
        if (!host_link) {
            o.fail_at("host_link", "missing required key \"host_link\" (the cable type joining a GPU to its NIC)");
        }
        n.host_link = detail::find_entry(cat.cables, *host_link, "cable type").name;
    } else if (o.has("nic_rails")) {
        o.fail_at("nic_rails", "\"nic_rails\" needs \"nic\" (the NIC type)");
    } else if (nics || host_link) {
        o.fail_at("nic", fmt::format("\"{}\" needs \"nic\" (the NIC type)", nics ? "nics" : "host_link"));
    }

    auto sw = o.find("scaleup_switch");
    auto sw_count = o.find("scaleup_switches");
    if (sw) {
        const SwitchType& st = detail::find_entry(cat.switches, *sw, "switch type");
        n.scaleup_switch = st.name;
        if (!sw_count) {
            o.fail_at("scaleup_switches", "missing required key \"scaleup_switches\" (switch chips per node)");
        }
        n.scaleup_switches = static_cast<int>(sw_count->as_integer(1, 1024));
        const double capacity = n.scaleup_switches * st.radix * st.port_bandwidth.value();
        const double needed = n.gpus * gpu_type.scaleup_bandwidth.value();
        if (capacity < needed * (1 - 1e-9)) {
            sw_count->fail(
                fmt::format("{} x {} carry {:.0f} GB/s per direction, but {} GPUs x {:.0f} GB/s need {:.0f} GB/s",
                            n.scaleup_switches, st.name, capacity / 1e9, n.gpus,
                            gpu_type.scaleup_bandwidth.value() / 1e9, needed / 1e9));
        }
    } else if (sw_count) {
        o.fail_at("scaleup_switch", "\"scaleup_switches\" needs \"scaleup_switch\" (the switch type)");
    } else if (n.gpus > 1) {
        o.fail_at(
            "scaleup_switch",
            fmt::format("a node with {} GPUs needs a scale-up switch, else its GPUs cannot reach each other", n.gpus));
    }
    n.other_power = o.at("other_power").as_power(Bound::NonNegative);
    detail::read_node_power(cat, n, o);
    n.source = read_source(o, require_source);
    o.finish();
    return n;
}

template <class Map, class Reader>
void merge_section(Object& catalog, const std::string& key, Map& entries, Reader read) {
    auto section = catalog.find(key);
    if (!section) {
        return;
    }
    Object s = section->as_object();
    for (const auto& name : s.keys()) {
        if (name.empty()) {
            s.fail_at(name, "an entry name must not be empty");
        }
        entries.insert_or_assign(name, read(name, s.at(name).as_object()));
    }
}

void merge_impl(Catalog& cat, Object catalog, bool require_source) {
    merge_section(catalog, "gpus", cat.gpus,
                  [&](const std::string& n, Object o) { return read_gpu(n, std::move(o), require_source); });
    merge_section(catalog, "nics", cat.nics,
                  [&](const std::string& n, Object o) { return read_nic(n, std::move(o), require_source); });
    merge_section(catalog, "switches", cat.switches,
                  [&](const std::string& n, Object o) { return read_switch(n, std::move(o), require_source); });
    merge_section(catalog, "cables", cat.cables,
                  [&](const std::string& n, Object o) { return read_cable(n, std::move(o), require_source); });
    // Last: node types refer to the entries above.
    merge_section(catalog, "nodes", cat.nodes,
                  [&](const std::string& n, Object o) { return read_node(cat, n, std::move(o), require_source); });
    catalog.finish();
}

Catalog parse_builtin() {
    const Document doc = Document::parse(builtin_catalog_json(), "builtin.json");
    Object root = doc.root().as_object();
    [[maybe_unused]] const auto version = root.at("schema_version").as_integer(1, 1); // v1 is the only one
    Catalog cat;
    merge_impl(cat, root.at("catalog").as_object(), true);
    root.finish();
    return cat;
}

} // namespace

std::string_view precision_name(Precision p) {
    return kPrecisionNames.name_of(p);
}

std::optional<Precision> parse_precision(std::string_view s) {
    return kPrecisionNames.parse(s);
}

int NodeType::rail_count() const {
    int top = -1;
    for (int r : nic_rails) {
        top = std::max(top, r);
    }
    return top + 1;
}

Catalog Catalog::builtin() {
    static const Catalog cached = parse_builtin();
    return cached;
}

void Catalog::merge(Object catalog) {
    merge_impl(*this, std::move(catalog), false);
}

} // namespace twin::topology
