// The coordinator: interprets every rank's program (our own event loop, plain C++ state), times
// compute by the roofline model, gathers collective members and transfer pairs, and hands each
// started collective (or transfer) to SimGrid as batches of concurrent flows.
//
// Execution semantics (see README, "How a run is simulated"):
// - A rank's steps run when their dependencies are done; a block repeats its body `repeat` times.
// - Compute ops on one GPU run one at a time, in the order they became ready; their duration is
//   the roofline time (models/compute.hpp).
// - A collective starts when every member of the communicator reached it (the k-th collective a
//   rank issues on a group family matches the k-th of every other member), runs the phases of its
//   plan (models/collective_plan.hpp) one after the other, after the plan's base latency — each
//   phase a set of flows started together in SimGrid (bytes x byte_factor each), followed by the
//   phase's extra latency — and ends for all members at once.
// - A send and a recv match in order per (sender, receiver) pair; the transfer starts when both are
//   posted (rendezvous) and is one flow.
// Only SimGrid decides how flows share links (max-min fairness, CM02 model).
#pragma once

#include "twin/models/trace.hpp"
#include "twin/sim/results.hpp"
#include "twin/topology/cluster.hpp"

namespace twin::sim {

RunResult execute(const topology::Cluster& cluster, const models::Trace& trace, const RunOptions& options);

} // namespace twin::sim
