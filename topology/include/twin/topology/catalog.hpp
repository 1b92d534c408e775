// The hardware catalog: GPU, NIC, switch and cable types, and node types built from them.
// The bundled catalog (catalog/builtin.json, compiled into the library) carries A100, H100,
// H200, B200, ConnectX-7, Quantum-2 QM9700, Spectrum-4 SN5600, NVSwitch and cable types, each
// with the source of its numbers; a scenario may add or override entries under "catalog".
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/core/units.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace twin::topology {

enum class Precision { FP64, TF32, BF16, FP16, FP8, FP4 };
inline constexpr auto kPrecisionNames = enum_names<Precision>({{Precision::FP64, "fp64"},
                                                               {Precision::TF32, "tf32"},
                                                               {Precision::BF16, "bf16"},
                                                               {Precision::FP16, "fp16"},
                                                               {Precision::FP8, "fp8"},
                                                               {Precision::FP4, "fp4"}});
[[nodiscard]] std::string_view precision_name(Precision p); // kPrecisionNames
[[nodiscard]] std::optional<Precision> parse_precision(std::string_view s);

struct GpuType {
    std::string name;
    std::map<Precision, FlopsPerSecond> peak_flops; // dense (no 2:4 sparsity)
    Bytes hbm_capacity;
    BytesPerSecond hbm_bandwidth;
    BytesPerSecond scaleup_bandwidth; // NVLink per GPU, per direction
    Seconds scaleup_latency;          // one NVLink hop through the NVSwitch
    Watts idle_power;
    Watts max_power;                 // TDP: the default power limit and the highest cap allowed
    Watts min_power_limit;           // lowest power cap the driver accepts (absent: idle_power)
    bool liquid_only = false;        // needs direct liquid cooling (GB200); see models/power.hpp
    double compute_efficiency = 1.0; // achievable / peak FLOP/s for large GEMMs, (0, 1]
    double memory_efficiency = 1.0;  // achievable / peak HBM bandwidth, (0, 1]
    // Fraction of the NVLink line rate (scaleup_bandwidth) NCCL's ring protocol achieves, (0, 1]:
    // ring busbw / line rate (H100: 370 / 450). Scale-up links carry it as LinkInfo::efficiency.
    double scaleup_efficiency = 1.0;
    bool nvls = false; // NVLink SHARP: the NVSwitch reduces in the switch (Hopper and later)
    std::string source;
};

struct NicType {
    std::string name;
    BytesPerSecond port_bandwidth; // per port, per direction
    int ports = 1;
    Seconds latency; // added once per traversal
    Watts power;
    // Achievable fraction of the line rate with NCCL on InfiniBand, (0, 1] (ConnectX-7: 47 / 50).
    double efficiency = 1.0;
    std::string source;
};

struct SwitchType {
    std::string name;
    int radix = 0;                 // ports, all speeds together
    BytesPerSecond port_bandwidth; // per port, per direction: the ports towards the tier below
    // Ports towards the tier above (mixed port speeds: 200G down / 400G up); 0 = port_bandwidth.
    BytesPerSecond uplink_port_bandwidth;
    Seconds latency; // port-to-port
    Watts power;
    std::string source;

    // The speed of a port facing up (towards a higher tier) or down.
    [[nodiscard]] BytesPerSecond port_speed(bool up) const {
        return up && uplink_port_bandwidth.value() > 0 ? uplink_port_bandwidth : port_bandwidth;
    }
};

struct CableType {
    std::string name;
    BytesPerSecond bandwidth; // per direction
    Seconds latency;          // propagation + serdes
    Watts power;              // both ends' optics together (0 for copper)
    std::string source;
};

// NICs of a node that are not on the compute fabric (front-end, storage): their power counts in
// the node's power; a fabric uses them only if it says so (topology/README.md, "Catalog").
struct ExtraNic {
    std::string role; // "frontend" or "storage"
    std::string nic;  // NicType name
    int count = 0;
};

struct NodeType {
    std::string name;
    std::string gpu;            // GpuType name
    int gpus = 0;               // GPUs in the node's scale-up (NVLink) domain
    std::string nic;            // NicType name ("" when the node has no scale-out NIC)
    std::vector<int> nic_rails; // one entry per NIC: the rail it is on (several NICs may share a rail)
    std::string scaleup_switch; // SwitchType name of the NVSwitch chips ("" = direct)
    int scaleup_switches = 0;
    std::string host_link; // CableType for GPU <-> NIC (PCIe)
    Watts other_power;     // CPUs, memory, fans, NVSwitch chips... at full load
    std::vector<ExtraNic> extra_nics;
    std::optional<Watts> max_power;     // nameplate maximum IT power of the node (absent: full load)
    std::optional<Watts> typical_power; // typical IT power under load (absent: full load)
    // Rack-scale nodes fed through a DC busbar from power shelves (GB200/GB300 NVL72) instead of
    // rack PDUs: shelves per node and each shelf's DC output (0: fed by rack PDUs).
    int power_shelves = 0;
    Watts power_shelf_capacity;
    std::string source;

    // Distinct rails of the NICs (every rail 0 .. rail_count() - 1 has a NIC; 0 without NICs).
    [[nodiscard]] int rail_count() const;
};

struct Catalog;

// A node's power (W): `full` = GPUs x GpuType::max_power + NICs (compute and extra) x NicType::power
// + scale-up switches x SwitchType::power + other_power, what the simulation draws at full load;
// `max` = NodeType::max_power (nameplate, for sizing feeds, PDUs and cooling), at least `full`;
// `typical` = NodeType::typical_power, at most `max` (both default to `full`).
struct NodePower {
    Watts full, max, typical;
};
[[nodiscard]] NodePower node_power(const Catalog& catalog, const NodeType& node);

struct Catalog {
    std::map<std::string, GpuType> gpus;
    std::map<std::string, NicType> nics;
    std::map<std::string, SwitchType> switches;
    std::map<std::string, CableType> cables;
    std::map<std::string, NodeType> nodes;

    // The bundled catalog (parsed from the embedded builtin.json).
    [[nodiscard]] static Catalog builtin();
    // Adds/overrides entries from a "catalog" object of a scenario (same format as builtin.json).
    void merge(Object catalog);
};

} // namespace twin::topology
