// nodes.csv (columns in twin/report/nodes_csv.hpp): per node, its rack, type and the GPU-time shares
// of its GPUs. One pass over nodes and GPUs.
#include "twin/report/nodes_csv.hpp"

#include "twin/core/csv.hpp"

#include <algorithm>
#include <iterator>

namespace twin::report {

std::string nodes_csv(const models::Scenario& s, const RunResult& r) {
    CsvWriter csv({"node", "rack", "type", "gpus", "ranks", "compute", "communication", "idle", "gpu_compute",
                   "gpu_communication"});
    const auto ranks = std::min<std::size_t>(r.gpus.size(), static_cast<std::size_t>(std::max(0, r.ranks)));
    const double t = r.simulated_time_s;
    std::string per_compute, per_comm;
    int node = 0;
    for (const auto& n : s.cluster.nodes()) {
        double compute_s = 0.0, comm_s = 0.0;
        int used = 0;
        per_compute.clear();
        per_comm.clear();
        for (int g = n.first_gpu; g < n.first_gpu + n.gpus; ++g) {
            double c = 0.0, m = 0.0;
            if (static_cast<std::size_t>(g) < ranks) {
                ++used;
                c = r.gpus[static_cast<std::size_t>(g)].compute_s;
                m = r.gpus[static_cast<std::size_t>(g)].communication_s;
                compute_s += c;
                comm_s += m;
            }
            const char* sep = g == n.first_gpu ? "" : " ";
            fmt::format_to(std::back_inserter(per_compute), "{}{:.3f}", sep, t > 0 ? c / t : 0.0);
            fmt::format_to(std::back_inserter(per_comm), "{}{:.3f}", sep, t > 0 ? m / t : 0.0);
        }
        const double gpu_time = n.gpus * t;
        const double compute = gpu_time > 0 ? compute_s / gpu_time : 0.0;
        const double comm = gpu_time > 0 ? comm_s / gpu_time : 0.0;
        csv.row(node++, n.rack, n.type, n.gpus, used, compute, comm, std::max(0.0, 1.0 - compute - comm), per_compute,
                per_comm);
    }
    return csv.str();
}

} // namespace twin::report
