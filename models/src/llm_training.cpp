// "llm-training" workload: reading and checking the input, FLOPs per step, WorkloadInfo.
//
// FLOPs of one step (tokens T = global_batch · s):
//   model    = 3 · T · F_fwd(c = 1)            F_fwd from llm_model.hpp (GEMMs + 4·s·h attention
//              per layer + 2·V·h logits): the PaLM (Chowdhery et al. 2022, App. B) / Megatron SC'21
//              convention, 6·N·T plus attention, no recompute, masked attention counted in full.
//   hardware = the FLOPs of every compute op the trace executes (src/llm_training_trace.cpp):
//              backward 2× the forward GEMMs, flash attention causal (c = 1/2) with a 2.5× backward,
//              plus the recomputed forward (selective: attention; full: whole layers).
// Pipeline bubble estimate (Narayanan et al. SC'21, §2.2): (p − 1) / (m + p − 1), divided by v
// for the interleaved schedule.
#include "twin/models/llm_training.hpp"

#include "llm_training_dp.hpp"
#include "llm_training_layers.hpp"
#include "llm_training_layout.hpp"
#include "llm_training_ops.hpp"
#include "llm_training_split.hpp"
#include "llm_training_storage.hpp"
#include "twin/models/compute.hpp"
#include "workload_types.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace twin::models {
namespace {

int read_degree(Object& o, const char* key) {
    if (auto v = o.find(key)) {
        return static_cast<int>(v->as_integer(1, 1 << 20));
    }
    return 1;
}

TrainingParallelism read_parallelism(Object par, const TransformerConfig& m) {
    TrainingParallelism p;
    p.tp = read_degree(par, "tp");
    p.pp = read_degree(par, "pp");
    p.dp = read_degree(par, "dp");
    p.cp = read_degree(par, "cp");
    p.ep = read_degree(par, "ep");
    if (auto v = par.find("schedule")) {
        p.schedule = read_enum(*v, kPipelineScheduleNames);
    }
    if (auto v = par.find("microbatch_group_size")) {
        p.microbatch_group = v->as_integer(1, std::int64_t{1} << 20);
        if (p.schedule != PipelineSchedule::Interleaved) {
            v->fail("microbatch_group_size applies to the interleaved schedule only");
        }
    }
    if (auto v = par.find("zero")) {
        if (v->is_string()) {
            (void)v->as_choice({"fsdp"});
            p.zero = 3;
        } else {
            p.zero = static_cast<int>(v->as_integer(0, 3));
        }
        if (p.zero >= 2 && p.pp > 1) {
            // DeepSpeed's PipelineEngine asserts zero stage < 2; Megatron-LM's FSDP runs without a
            // pipeline. Gradients sharded per micro-batch do not combine with 1F1B's accumulation.
            v->fail(fmt::format("zero {} with pipeline parallelism (pp {}) is not a layout frameworks run (DeepSpeed's "
                                "pipeline engine allows zero 0 or 1; FSDP runs without a pipeline): use zero <= 1 "
                                "or pp 1",
                                p.zero, p.pp));
        }
    }
    if (auto v = par.find("zero3_gather")) {
        p.zero3_tensor_sync = v->as_choice({"layer", "tensor-sync"}) == "tensor-sync";
        if (p.zero3_tensor_sync && p.zero < 3) {
            v->fail("zero3_gather \"tensor-sync\" needs zero 3");
        }
        if (p.zero3_tensor_sync && m.is_moe()) {
            v->fail("zero3_gather \"tensor-sync\" models DeepSpeed 0.3.x's ZeRO-3, which had no mixture-of-experts "
                    "layers");
        }
    }
    if (auto v = par.find("sequence_parallel")) {
        p.sequence_parallel = v->as_bool();
    }
    if (auto v = par.find("scatter_gather")) {
        p.scatter_gather = v->as_bool();
    }
    if (m.heads % p.tp != 0) {
        par.fail_at("tp", fmt::format("tp ({}) must divide the model's heads ({})", p.tp, m.heads));
    }
    if (m.kv_heads % p.tp != 0) {
        par.fail_at("tp", fmt::format("tp ({}) must divide the model's kv_heads ({})", p.tp, m.kv_heads));
    }
    if (m.ffn % p.tp != 0 || (m.is_moe() && m.moe.ffn % p.tp != 0)) {
        par.fail_at("tp", fmt::format("tp ({}) must divide the MLP width ({})", p.tp, m.is_moe() ? m.moe.ffn : m.ffn));
    }
    detail::read_pipeline_split(par, p, m.layers);
    if (p.schedule == PipelineSchedule::Interleaved && p.pp < 2) {
        par.fail_at("schedule", "the interleaved schedule needs pp >= 2");
    }
    if (m.seq % (2 * p.cp) != 0 && p.cp > 1) {
        par.fail_at("cp", fmt::format("2·cp ({}) must divide seq_length ({}) (load-balanced causal context "
                                      "parallelism cuts the sequence into 2·cp chunks)",
                                      2 * p.cp, m.seq));
    }
    if (p.ep > 1 && !m.is_moe()) {
        par.fail_at("ep", "ep > 1 needs a mixture-of-experts model (\"moe\")");
    }
    if (m.is_moe() && (m.moe.experts % p.ep != 0 || p.dp % p.ep != 0)) {
        par.fail_at("ep",
                    fmt::format("ep ({}) must divide both the experts ({}) and dp ({})", p.ep, m.moe.experts, p.dp));
    }
    detail::read_rank_order(par, p);
    par.finish();
    return p;
}

// Megatron-LM's interleaved schedule (schedules.py, forward_backward_pipelining_with_interleaving)
// runs the micro-batches in groups of N (microbatch_group_size, default pp) per model chunk and
// requires pp <= N <= m, and the last group's remainder m mod N to be 0 or >= pp.
void check_microbatch_groups(const TrainingConfig& c, Object& batch) {
    const std::int64_t m = c.micro_batches();
    const std::int64_t n = c.microbatch_group();
    const std::int64_t p = c.par.pp;
    if (c.par.schedule != PipelineSchedule::Interleaved) {
        return;
    }
    if (c.par.microbatch_group > 0 && (n < p || n > m)) {
        throw InputError(c.file, c.pointer + "/parallelism/microbatch_group_size",
                         fmt::format("microbatch_group_size ({}) must lie between pp ({}) and the micro-batches per "
                                     "replica ({})",
                                     n, p, m));
    }
    if (m < p || (m % n != 0 && m % n < p)) {
        batch.fail_at("global_batch",
                      fmt::format("the interleaved schedule needs at least pp ({}) micro-batches per replica, and the "
                                  "last group of micro-batches ({} mod microbatch_group_size {} = {}) empty or at "
                                  "least pp; got {}",
                                  p, m, n, m % n, m));
    }
}

} // namespace

TrainingConfig read_training_config(Object w) {
    TrainingConfig c;
    c.file = w.self().file();
    c.pointer = w.self().pointer();
    (void)w.at("type");
    if (auto v = w.find("name")) {
        c.name = v->as_string();
    }
    c.model = read_transformer_config(w.at("model").as_object());
    if (c.name.empty()) {
        c.name = c.model.name + " training";
    }
    c.par = read_parallelism(w.at("parallelism").as_object(), c.model);
    {
        Object batch = w.at("batch").as_object();
        c.global_batch = batch.at("global_batch").as_integer(1, std::int64_t{1} << 40);
        if (auto v = batch.find("micro_batch")) {
            c.micro_batch = v->as_integer(1, std::int64_t{1} << 20);
        }
        if (c.global_batch % (c.micro_batch * c.par.dp) != 0) {
            batch.fail_at("global_batch",
                          fmt::format("global_batch ({}) must be divisible by micro_batch·dp ({}·{} = {})",
                                      c.global_batch, c.micro_batch, c.par.dp, c.micro_batch * c.par.dp));
        }
        check_microbatch_groups(c, batch);
        batch.finish();
    }
    if (auto v = w.find("precision")) {
        const std::string p = v->as_choice({"bf16", "fp8", "fp4"});
        c.precision = *topology::parse_precision(p);
    }
    if (auto v = w.find("recompute")) {
        c.recompute = read_enum(*v, kRecomputeNames);
    }
    if (auto v = w.find("grad_dtype")) {
        c.grads_fp32 = v->as_choice({"fp32", "bf16"}) == "fp32";
    }
    if (auto v = w.find("attention")) {
        c.attention = read_enum(*v, kAttentionKernelNames);
    }
    c.overlap_p2p = c.par.schedule == PipelineSchedule::Interleaved;
    c.overlap_param_gather = c.par.zero >= 3 && !c.par.zero3_tensor_sync;
    if (auto v = w.find("overlap")) {
        Object o = v->as_object();
        detail::read_dp_overlap(o, c);
        if (auto t = o.find("tp")) {
            c.overlap_tp = t->as_bool();
        }
        if (auto p2p = o.find("p2p")) {
            c.overlap_p2p = p2p->as_bool();
            if (c.overlap_p2p && c.par.schedule != PipelineSchedule::Interleaved) {
                p2p->fail("Megatron-LM overlaps pipeline transfers with compute only in the interleaved schedule "
                          "(it turns overlap_p2p_comm off for 1F1B)");
            }
        }
        o.finish();
    }
    c.storage = read_storage_traffic(w);
    w.finish();
    return c;
}

StepFlops training_step_flops(const TrainingConfig& c) {
    const double tokens = static_cast<double>(c.global_batch) * static_cast<double>(c.model.seq);
    StepFlops f;
    f.model = 3.0 * tokens * forward_flops_per_token(c.model, false).total();
    // Per GPU and micro-batch, one layer of each kind; times the GPUs of one layer (tp·cp·dp) and
    // the layers of that kind; plus the head (logits, MTP) on the last stage.
    double per_gpu = detail::layer_ops(c, detail::representative_kind(c.model)).head_flops();
    for (const auto& k : detail::model_layer_kinds(c.model)) {
        per_gpu += detail::layer_ops(c, k.kind).flops() * static_cast<double>(k.layers);
    }
    const double replicas = static_cast<double>(c.par.tp) * c.par.cp * c.par.dp;
    const double mbs = static_cast<double>(c.micro_batches());
    f.hardware = per_gpu * replicas * mbs;
    return f;
}

Trace load_llm_training(Object workload, const WorkloadContext& context) {
    const TrainingConfig c = read_training_config(std::move(workload));
    // The schedule is generated unit by unit (llm_training_schedule.cpp): bound its length first.
    const double units = static_cast<double>(c.micro_batches()) * c.par.pp * c.par.virtual_stages; // no overflow
    if (units > static_cast<double>(context.limits.max_pipeline_units)) {
        throw InputError(c.file, c.pointer + "/batch/global_batch",
                         fmt::format("the pipeline schedule would have micro-batches·pp·virtual_stages = {}·{}·{} = {} "
                                     "units, above the limit of {}; {}",
                                     c.micro_batches(), c.par.pp, c.par.virtual_stages,
                                     static_cast<std::int64_t>(units), context.limits.max_pipeline_units,
                                     topology::kLimitsHint));
    }
    const auto& cluster = context.cluster;
    const int gpus = c.par.gpus();
    if (gpus > context.gpus_available()) {
        throw InputError(c.file, c.pointer + "/parallelism",
                         fmt::format("tp·pp·dp·cp = {}·{}·{}·{} = {} GPUs, but {} has {} GPUs", c.par.tp, c.par.pp,
                                     c.par.dp, c.par.cp, gpus, context.gpu_budget > 0 ? "the job" : "the cluster",
                                     context.gpus_available()));
    }
    if (c.storage.checkpoint_interval_steps > 0 && !cluster.storage().present) {
        throw InputError(c.file, c.storage.pointer,
                         "a checkpoint needs a storage network to write to: add \"storage\" to the topology "
                         "(topology/README.md, \"Storage network\")");
    }
    // Precision support and memory fit, per GPU type of each stage's ranks.
    const auto memory = training_memory(c);
    const detail::RankLayout layout(c.par);
    for (int s = 0; s < c.par.pp; ++s) {
        std::set<std::string> seen;
        std::vector<int> ranks;
        for (const auto& [first, last] : layout.stage_ranges(s)) {
            for (int r = first; r <= last; ++r) {
                ranks.push_back(r);
            }
        }
        for (int r : ranks) {
            const auto& gpu = cluster.gpu_type(context.first_gpu + r);
            if (!seen.insert(gpu.name).second) {
                continue;
            }
            if (!has_peak(gpu, c.precision)) {
                throw InputError(c.file, c.pointer + "/precision",
                                 fmt::format("GPU type {} has no {} peak FLOP rate", gpu.name,
                                             topology::precision_name(c.precision)));
            }
            const auto& need = memory[static_cast<std::size_t>(s)];
            if (need.total() > gpu.hbm_capacity.value()) {
                throw InputError(c.file, c.pointer,
                                 memory_overflow_message(s, need, gpu.name, gpu.hbm_capacity.value()));
            }
        }
    }
    Trace trace = generate_training_trace(c, c.file);
    WorkloadInfo& info = trace.info;
    info.present = true;
    info.kind = "llm-training";
    info.model = c.model.name;
    info.parameters = total_parameters(c.model);
    info.tokens_per_step = static_cast<double>(c.global_batch) * static_cast<double>(c.model.seq);
    const StepFlops f = training_step_flops(c);
    info.model_flops_per_step = f.model;
    info.hardware_flops_per_step = f.hardware;
    info.precision = c.precision;
    // Gradient synchronisation over dp·cp ("dpcp"), of the experts ("edp") and of the tied
    // embedding ("emb") counts as dp.
    const std::set<std::string> gradient_families = {"dpcp", "edp", "emb"};
    for (const char* family : {"tp", "cp", "dp", "dpcp", "pp", "ep", "edp", "emb"}) {
        for (const auto& g : trace.groups) {
            if (g.name == family) {
                info.family_roles[family] = gradient_families.count(family) > 0 ? "dp" : family;
            }
        }
    }
    double max_memory = 0.0;
    for (const auto& m : memory) {
        max_memory = std::max(max_memory, m.total());
    }
    const double p = c.par.pp;
    const double m = static_cast<double>(c.micro_batches());
    info.figures["memory_per_gpu_bytes"] = max_memory;
    for (const auto& stage : memory) {
        auto& row = info.stage_memory_bytes.emplace_back();
        for (const auto& [name, bytes] : memory_terms(stage)) {
            row[name] = bytes;
        }
        row["total"] = stage.total();
    }
    info.figures["pipeline_bubble_fraction_estimate"] = (p - 1) / (m + p - 1) / c.par.virtual_stages;
    info.figures["micro_batches"] = m;
    // Stage imbalance from the generator's FLOPs: the busiest stage's layers (+ logits on the last)
    // over the mean stage; the simulated spread is the report's stage_compute_s.
    double busiest = 0.0;
    double sum = 0.0;
    for (int s = 0; s < c.par.pp; ++s) {
        double work = s == c.par.pp - 1 ? detail::layer_ops(c, detail::representative_kind(c.model)).head_flops() : 0.0;
        for (const auto& k : detail::stage_layer_kinds(c, s)) {
            work += detail::layer_ops(c, k.kind).flops() * static_cast<double>(k.layers);
        }
        busiest = std::max(busiest, work);
        sum += work;
    }
    const auto [fewest, most] = std::minmax_element(c.par.stage_layers.begin(), c.par.stage_layers.end());
    info.figures["pipeline_stage_layers_min"] = static_cast<double>(*fewest);
    info.figures["pipeline_stage_layers_max"] = static_cast<double>(*most);
    info.figures["pipeline_stage_imbalance_estimate"] = busiest / (sum / c.par.pp);
    info.figures["gpus"] = gpus;
    if (cluster.storage().present) {
        info.storage = detail::training_storage_traffic(c, cluster, context.first_gpu);
    }
    return trace;
}

namespace detail {
void register_llm_training_workload() {
    register_workload_type("llm-training", load_llm_training);
}
} // namespace detail

} // namespace twin::models
