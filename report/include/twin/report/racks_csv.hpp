// racks.csv: one row per rack of the cluster, for the GUI's cluster overview (every rack, where
// report.json keeps only the hottest). Bounded by the rack count (scenarios/hall-100k-h100-liquid.json:
// 3,125 racks of 32 GPUs, 380 kB). Columns:
//   rack, hall, row, cdu   the rack and its facility domains (models/facility.hpp: row = rack /
//                          racks_per_row, hall = row / rows_per_hall, cdu = rack / racks_per_cdu)
//   pod                    fabric pod (leaf group in a 2-tier fabric) of the rack's first NIC's
//                          access link (topology/pods.hpp); -1 without one
//   nodes, gpus, ranks     nodes and GPUs in the rack, and how many of those GPUs ran a rank
//   it_mean_w, it_peak_w   the rack's IT power over the run (PowerResult::racks)
//   power_limit_w          facility.rack_power_limit; empty when none
//   cooling_capacity_w     the rack's cooling capacity after inlet derating; empty when unlimited
//   compute, communication, idle   shares of the rack's GPU-time over the run (GPUs without a rank
//                          count as idle): sum over its GPUs of compute_s / (gpus x simulated time)
//   clock                  the lowest relative clock a throttle event of the rack, its CDU or the
//                          plant set (ThrottleEvent::clock); 1 when none throttled it
// Temperatures are not modelled per rack, so there is no temperature column. Same run, same bytes.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_result.hpp"

#include <string>

namespace twin::report {

[[nodiscard]] std::string racks_csv(const models::Scenario& scenario, const RunResult& result);

} // namespace twin::report
