// Workload trace v1: what every rank does, compactly. Ranks that do the same thing form a
// rank class with one program; a program is a list of steps, each an operation or a repeated
// block; collectives name a group family (a partition of the ranks into communicators, such as
// "dp" or "tp"). A 10,000-rank data-parallel trace is a few kilobytes. Format: models/README.md.
#pragma once

#include "twin/core/enum_names.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/core/units.hpp"
#include "twin/models/storage_traffic.hpp"
#include "twin/topology/catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace twin::models {

enum class CollectiveKind : std::uint8_t { AllReduce, AllGather, ReduceScatter, AllToAll, Broadcast };
inline constexpr auto kCollectiveNames = enum_names<CollectiveKind>({{CollectiveKind::AllReduce, "all_reduce"},
                                                                     {CollectiveKind::AllGather, "all_gather"},
                                                                     {CollectiveKind::ReduceScatter, "reduce_scatter"},
                                                                     {CollectiveKind::AllToAll, "all_to_all"},
                                                                     {CollectiveKind::Broadcast, "broadcast"}});
[[nodiscard]] std::string_view collective_name(CollectiveKind k); // kCollectiveNames

// A partition of ranks into communicators. Rank r belongs to at most one communicator of a family.
struct GroupFamily {
    std::string name;
    std::vector<std::vector<int>> communicators; // each sorted ascending, size >= 2
    std::vector<std::int32_t> comm_of_rank;      // -1 when the rank is in none
    std::vector<std::int32_t> position_of_rank;  // index of the rank inside its communicator
};

struct ComputeOp {
    Flops flops;
    Bytes bytes; // HBM traffic
    topology::Precision precision = topology::Precision::BF16;
    // Shape efficiency of this op relative to the GPU's large-GEMM efficiency, (0, 1] ("efficiency"
    // key; the LLM generator sets it from the GEMM shape). Multiplies the achievable FLOP/s.
    double efficiency = 1.0;
    // Kernel launches the step stands for ("kernels" key, integer >= 0, default 0): each adds the
    // launch gap kKernelLaunchGap to its time (compute.hpp).
    std::int64_t kernels = 0;
    // Measured time of the step ("duration" key, a time >= 0, default 0): a floor on its time, for
    // steps known only by a measurement (a Chakra node with durationMicros and no FLOPs or bytes).
    Seconds duration{0.0};
};

// Collective algorithms and protocols (models/collective_plan.hpp explains each). Auto lets the
// planner choose the way NCCL does, by estimated time for the size and group shape.
enum class Algorithm : std::uint8_t { Auto, Ring, Tree, Nvls, NvlsTree, Hierarchical, Pipeline, Direct, Pairwise };
enum class Protocol : std::uint8_t { Auto, Simple, LL128, LL };
inline constexpr auto kAlgorithmNames = enum_names<Algorithm>({{Algorithm::Auto, "auto"},
                                                               {Algorithm::Ring, "ring"},
                                                               {Algorithm::Tree, "tree"},
                                                               {Algorithm::Nvls, "nvls"},
                                                               {Algorithm::NvlsTree, "nvls_tree"},
                                                               {Algorithm::Hierarchical, "hierarchical"},
                                                               {Algorithm::Pipeline, "pipeline"},
                                                               {Algorithm::Direct, "direct"},
                                                               {Algorithm::Pairwise, "pairwise"}});
inline constexpr auto kProtocolNames = enum_names<Protocol>(
    {{Protocol::Auto, "auto"}, {Protocol::Simple, "simple"}, {Protocol::LL128, "ll128"}, {Protocol::LL, "ll"}});
[[nodiscard]] std::string_view algorithm_name(Algorithm a); // kAlgorithmNames
[[nodiscard]] std::string_view protocol_name(Protocol p);   // kProtocolNames

struct CollectiveOp {
    CollectiveKind kind = CollectiveKind::AllReduce;
    Algorithm algorithm = Algorithm::Auto; // "algorithm" key of the op, default auto
    Protocol protocol = Protocol::Auto;    // "protocol" key of the op, default auto
    int family = 0;                        // index into Trace::groups
    Bytes size;                            // all_reduce/broadcast: buffer; all_gather: output; reduce_scatter: input;
                                           // all_to_all: total bytes each rank sends (split evenly over the peers)
    int root = 0;                          // broadcast: position of the root inside the communicator
};

// Peer of a send/recv, resolved per rank at run time.
struct Peer {
    enum class Kind : std::uint8_t { Rank, Offset, GroupNext, GroupPrev } kind = Kind::Rank;
    int value = 0;   // Rank: absolute rank; Offset: rank + value (must stay in range)
    int family = -1; // GroupNext/GroupPrev: the family whose communicator order is used (no wrap)
};

struct P2POp {
    Peer peer;
    Bytes size;
};

struct Op;
struct Block;
struct ServingSetup; // serving.hpp
using Step = std::variant<Op, Block>;

struct Op {
    enum class Kind : std::uint8_t { Compute, Collective, Send, Recv } kind = Kind::Compute;
    std::string name; // phase label used in the per-phase breakdown
    ComputeOp compute;
    CollectiveOp collective;
    P2POp p2p;
    std::string pointer; // JSON pointer of the step in its file (file_of), for errors found later
    // Index into Trace::files of the file the step was read from; 0 (Trace::file) unless the trace
    // merges jobs read from several files (models/jobs.hpp).
    std::uint16_t file = 0;
};

struct Block {
    std::string name;
    std::int64_t repeat = 1;
    std::vector<Step> body;
    // deps[i]: indices (into body) of the steps that step i waits for. A step without "after"
    // waits for the step before it (the first waits for the block's start).
    std::vector<std::vector<int>> deps;
};

struct RankClass {
    std::string name;
    std::vector<int> ranks; // sorted
    Block program;          // repeat == 1
};

// What a generated workload knows about itself, for the report's training/inference numbers
// (tokens/s, MFU, HFU). A hand-written trace has none (present == false).
struct WorkloadInfo {
    bool present = false;
    std::string kind;                     // "llm-training", "llm-inference", "chakra"
    std::string model;                    // display name ("Llama-3 70B")
    double parameters = 0.0;              // total parameters
    double tokens_per_step = 0.0;         // tokens processed (training) or generated (inference) per step
    double model_flops_per_step = 0.0;    // useful FLOPs: 6 N tokens + attention (no recompute)
    double hardware_flops_per_step = 0.0; // FLOPs executed, recompute included
    topology::Precision precision = topology::Precision::BF16; // for the MFU denominator
    // Group family name -> what it carries ("tp", "pp", "dp", "ep", "cp"), for the exposed
    // communication breakdown.
    std::map<std::string, std::string> family_roles;
    // Free-form numbers the generator wants in the report (memory per GPU, bubble estimate...),
    // keyed with units in the name ("memory_per_gpu_bytes").
    std::map<std::string, double> figures;
    // Training: per pipeline stage, memory term -> bytes per GPU (parameters, gradients, ...,
    // "total"), for `clustertwin workload`.
    std::vector<std::map<std::string, double>> stage_memory_bytes;
    // Training on a cluster with a storage network: checkpoint and data-loading bytes per step
    // (models/storage_traffic.hpp); the report prices them on the network.
    std::optional<StorageTraffic> storage;
    // "llm-inference" in request mode: the request simulation's setup (serving.hpp).
    std::shared_ptr<const ServingSetup> serving;
};

struct Trace {
    std::string name;
    int ranks = 0;
    std::vector<GroupFamily> groups;
    std::vector<RankClass> classes;
    std::vector<std::int32_t> class_of_rank; // -1: rank idle
    std::string file;                        // the file the trace was read from, for errors
    // Merged jobs (models/jobs.hpp): the job traces' files, Op::file indexes it; empty otherwise.
    std::vector<std::string> files;
    WorkloadInfo info;
};

// The file `op` was read from (Trace::file unless jobs merged traces of several files), for the
// errors the simulator finds in an op (InputError(file_of(trace, op), op.pointer, ...)).
[[nodiscard]] inline const std::string& file_of(const Trace& trace, const Op& op) {
    return op.file < trace.files.size() ? trace.files[op.file] : trace.file;
}

// Reads a trace object (a whole trace file's root, or the scenario's inline "workload").
// Checks everything that can be checked without the cluster: unknown keys, units, group ranks
// in range, names resolved, ids and "after" references, peers in range, non-zero sizes.
// Synchronisation that needs the whole run (every send has a matching recv, every member of a
// communicator reaches the collective) is not checked here: the simulator reports a deadlock.
[[nodiscard]] Trace load_trace(Object trace);
// Reads a trace file (Document::load + load_trace).
[[nodiscard]] Trace load_trace_file(const std::filesystem::path& path);

// "compute", "send", "recv", or the collective's name.
[[nodiscard]] std::string_view op_kind_name(const Op& op);
// The rank that `rank` exchanges with, or -1 when it has none (out of range, not in a
// communicator of the family, end of the communicator). load_trace guarantees >= 0 (and != rank)
// for every rank of the class whose program holds the op.
[[nodiscard]] int peer_of(const Trace& trace, const Peer& peer, int rank);
// Operations one run of `block` executes, repeats expanded (saturates at INT64_MAX).
[[nodiscard]] std::int64_t count_ops(const Block& block);

} // namespace twin::models
