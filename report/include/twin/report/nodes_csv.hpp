// nodes.csv: one row per node of the cluster, for the node level of the GUI's cluster overview (a
// rack expanded into its nodes and their GPUs). Bounded by the node count
// (scenarios/hall-100k-h100-liquid.json: 12,500 nodes of 8 GPUs, 2.2 MB). Columns:
//   node, rack             the node (numbered rack by rack) and its rack (racks.csv)
//   type                   the node type's catalog name
//   gpus, ranks            GPUs in the node, and how many of them ran a rank
//   compute, communication, idle   shares of the node's GPU-time over the run, as in racks.csv:
//                          sum over its GPUs of compute_s / (gpus x simulated time); GPUs without a
//                          rank count as idle
//   gpu_compute, gpu_communication  the same shares per GPU, local GPU 0 first, separated by spaces,
//                          3 decimals (e.g. "0.612 0.612 0.598 ...")
// Power and temperature are not recorded per node or GPU by the engine (power is accounted per rack,
// racks.csv), so there are no such columns. Same run, same bytes.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_result.hpp"

#include <string>

namespace twin::report {

[[nodiscard]] std::string nodes_csv(const models::Scenario& scenario, const RunResult& result);

} // namespace twin::report
