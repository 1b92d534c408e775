// racks.csv (columns in twin/report/racks_csv.hpp): per rack, its domains, fabric pod, power and
// GPU-time shares, from the cluster and the RunResult. One pass over links, nodes and GPUs.
#include "twin/report/racks_csv.hpp"

#include "twin/core/csv.hpp"
#include "twin/topology/pods.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace twin::report {
namespace {

struct RackAcc {
    int nodes = 0, gpus = 0, ranks = 0, pod = -1;
    double compute_s = 0.0, communication_s = 0.0;
    double clock = 1.0;
};

// An empty field for "none".
std::string opt(std::optional<double> v) {
    return v ? fmt::format("{}", *v) : std::string();
}

} // namespace

std::string racks_csv(const models::Scenario& s, const RunResult& r) {
    const auto& cluster = s.cluster;
    const auto& f = s.facility;
    int racks = 0;
    for (const auto& n : cluster.nodes()) {
        racks = std::max(racks, n.rack + 1);
    }
    std::vector<RackAcc> acc(static_cast<std::size_t>(racks));

    // The pod of each NIC vertex: that of its access link.
    const auto pods = topology::fabric_pods(cluster);
    std::vector<int> pod_of_vertex(cluster.graph().num_vertices(), -1);
    for (std::size_t i = 0; i < cluster.links().size(); ++i) {
        const auto& l = cluster.links()[i];
        if (l.tier == topology::LinkTier::Access && i < pods.pod_of_link.size() && pod_of_vertex[l.a] < 0) {
            pod_of_vertex[l.a] = pods.pod_of_link[i];
        }
    }
    const auto ranks = std::min<std::size_t>(r.gpus.size(), static_cast<std::size_t>(std::max(0, r.ranks)));
    for (const auto& n : cluster.nodes()) {
        auto& a = acc[static_cast<std::size_t>(n.rack)];
        if (a.nodes == 0 && !n.nics.empty()) {
            a.pod = pod_of_vertex[n.nics.front()];
        }
        ++a.nodes;
        a.gpus += n.gpus;
        for (int g = n.first_gpu; g < n.first_gpu + n.gpus; ++g) {
            if (static_cast<std::size_t>(g) < ranks) {
                ++a.ranks;
                a.compute_s += r.gpus[static_cast<std::size_t>(g)].compute_s;
                a.communication_s += r.gpus[static_cast<std::size_t>(g)].communication_s;
            }
        }
    }
    const int per_row = std::max(1, f.racks_per_row);
    const int per_cdu = f.cooling.racks_per_cdu > 0 ? f.cooling.racks_per_cdu : per_row;
    for (const auto& t : r.power.throttles) {
        int first = 0, last = racks; // the racks the event's domain covers: [first, last)
        if (t.domain == "rack") {
            first = t.id, last = t.id + 1;
        } else if (t.domain == "cdu") {
            first = t.id * per_cdu, last = (t.id + 1) * per_cdu;
        }
        for (int k = std::max(0, first); k < std::min(racks, last); ++k) {
            auto& c = acc[static_cast<std::size_t>(k)].clock;
            c = std::min(c, t.clock);
        }
    }

    CsvWriter csv({"rack", "hall", "row", "cdu", "pod", "nodes", "gpus", "ranks", "it_mean_w", "it_peak_w",
                   "power_limit_w", "cooling_capacity_w", "compute", "communication", "idle", "clock"});
    const std::optional<double> limit =
        f.rack_power_limit ? std::optional<double>(f.rack_power_limit->value()) : std::nullopt;
    for (int k = 0; k < racks; ++k) {
        const auto& a = acc[static_cast<std::size_t>(k)];
        const int row = k / per_row;
        const int hall = f.rows_per_hall > 0 ? row / f.rows_per_hall : 0;
        const DomainPower* p =
            static_cast<std::size_t>(k) < r.power.racks.size() ? &r.power.racks[static_cast<std::size_t>(k)] : nullptr;
        const double gpu_time = a.gpus * r.simulated_time_s;
        const double compute = gpu_time > 0 ? a.compute_s / gpu_time : 0.0;
        const double comm = gpu_time > 0 ? a.communication_s / gpu_time : 0.0;
        const std::optional<double> cap = p && p->capacity_w >= 0 ? std::optional<double>(p->capacity_w) : std::nullopt;
        csv.row(k, hall, row, k / per_cdu, a.pod, a.nodes, a.gpus, a.ranks, p ? p->it.mean_w : 0.0,
                p ? p->it.peak_w : 0.0, opt(limit), opt(cap), compute, comm, std::max(0.0, 1.0 - compute - comm),
                a.clock);
    }
    return csv.str();
}

} // namespace twin::report
