// "llm-inference" workload: reading and checking the workload object, memory fit, serving metrics.
// Equations, units and sources: llm_inference.hpp; keys and ranges: models/README.md, "LLM inference
// workloads". The trace itself is generated in llm_inference_trace.cpp.
#include "twin/models/llm_inference.hpp"

#include "serving_setup.hpp"
#include "twin/models/compute.hpp"
#include "twin/topology/bounds.hpp"
#include "workload_types.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>

namespace twin::models {
namespace {

constexpr std::int64_t kMaxParallel = 1 << 16;
constexpr std::int64_t kMaxTokens = std::int64_t{1} << 24;
constexpr std::int64_t kMaxBatch = std::int64_t{1} << 20;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

double figure(const WorkloadInfo& info, const char* key) {
    const auto it = info.figures.find(key);
    if (it == info.figures.end()) {
        throw std::invalid_argument(fmt::format("serving_metrics: WorkloadInfo has no figure \"{}\"", key));
    }
    return it->second;
}

double optional_figure(const WorkloadInfo& info, const char* key) {
    const auto it = info.figures.find(key);
    return it == info.figures.end() ? 0.0 : it->second;
}

// Roofline time of the compute ops of `block` on `gpu`, repeats included.
double block_compute_s(const Block& block, const topology::GpuType& gpu) {
    double t = 0.0;
    for (const auto& step : block.body) {
        if (const auto* op = std::get_if<Op>(&step)) {
            if (op->kind == Op::Kind::Compute) {
                t += compute_time(gpu, op->compute).time.value();
            }
        } else {
            t += block_compute_s(std::get<Block>(step), gpu);
        }
    }
    return t * static_cast<double>(block.repeat);
}

// Roofline compute time of one decode iteration of stage 0 with a batch of n sequences.
double decode_iteration_compute_s(InferenceConfig c, std::int64_t n, const topology::GpuType& gpu,
                                  const std::string& file) {
    c.batch = n;
    const Trace t = make_inference_trace(c, file);
    for (const auto& step : t.classes.front().program.body) {
        const auto* b = std::get_if<Block>(&step);
        if (b != nullptr && b->name == "decode") {
            return block_compute_s(*b, gpu) / static_cast<double>(b->repeat);
        }
    }
    return 0.0;
}

// Continuous batching, open or closed loop (equations in llm_inference.hpp).
void continuous_serving(ServingMetrics& s, double batch, double output, double rate, double concurrency,
                        double overhead, double beta, double prefill_s, double decode_s) {
    const double t_b = decode_s / output;
    const double t_pf = prefill_s / batch;
    const auto iteration = [&](double n, double prefill_share) {
        return (overhead + t_b + beta * (n - batch)) / (1.0 - prefill_share);
    };
    s.capacity_requests_per_s = batch / (batch * t_pf + output * (overhead + t_b));
    if (concurrency > 0) {
        double x = 0.0;
        double tau = iteration(batch, 0.0);
        for (int i = 0; i < 50; ++i) {
            x = batch / (tau / 2.0 + t_pf + output * tau);
            tau = iteration(batch, std::min(x * t_pf, 0.99));
        }
        s.utilisation = 1.0;
        s.requests_per_s = x;
        s.mean_batch = batch;
        s.tpot_s = tau;
        s.batch_wait_s = tau / 2.0;
    } else {
        s.utilisation = rate / s.capacity_requests_per_s;
        s.saturated = s.utilisation >= 1.0;
        const double lambda = std::min(rate, s.capacity_requests_per_s);
        const double u = lambda * t_pf;
        s.mean_batch = s.saturated
                           ? batch
                           : lambda * output * (overhead + t_b - beta * batch) / (1.0 - u - lambda * output * beta);
        s.tpot_s = iteration(s.mean_batch, u);
        s.batch_wait_s = s.tpot_s / 2.0;
        s.queue_wait_s = s.saturated ? 0.0 : u * t_pf / (2.0 * (1.0 - u));
        s.requests_per_s = lambda;
    }
    s.ttft_s = s.batch_wait_s + s.queue_wait_s + t_pf;
    s.e2e_latency_s = s.ttft_s + output * s.tpot_s;
}

// The keys both modes share, after the mode's own.
InferenceConfig read_inference_tail(InferenceConfig c, Object& workload) {
    if (auto v = workload.find("memory_fraction")) {
        c.memory_fraction = topology::read_efficiency(*v);
    }
    if (auto v = workload.find("batching")) {
        c.continuous = v->as_choice({"continuous", "static"}) == "continuous";
    }
    if (auto v = workload.find("step_overhead")) {
        c.step_overhead_s = v->as_seconds().value();
        if (c.step_overhead_s > 1.0) {
            v->fail("step_overhead must be at most 1 s per iteration");
        }
    }
    workload.finish();
    return c;
}

} // namespace

// FP4 is NVFP4: 4-bit values with one FP8 (E4M3) scale per 16-value block = 4.5 bits = 0.5625 bytes
// (NVIDIA, "Introducing NVFP4 for efficient and accurate low-precision inference", 2025); its KV
// cache stays FP8 (1 byte), as TensorRT-LLM's NVFP4 checkpoints keep it.
double InferenceConfig::weight_bytes_per_element() const {
    switch (precision) {
    case topology::Precision::FP4:
        return 0.5625;
    case topology::Precision::FP8:
        return 1.0;
    default:
        return 2.0;
    }
}

double InferenceConfig::kv_bytes_per_element() const {
    return precision == topology::Precision::BF16 ? 2.0 : 1.0;
}

int InferenceConfig::microbatches() const {
    return static_cast<int>(std::min<std::int64_t>(pp, batch));
}

InferenceConfig read_inference_config(Object workload, const std::filesystem::path& base_dir) {
    InferenceConfig c;
    (void)workload.at("type");
    c.model = read_transformer_config(workload.at("model").as_object());

    if (auto par = workload.find("parallelism")) {
        Object p = par->as_object();
        if (auto v = p.find("tp")) {
            c.tp = static_cast<int>(v->as_integer(1, kMaxParallel));
            if (c.model.heads % c.tp != 0) {
                v->fail(fmt::format("tp ({}) must divide the model's attention heads ({})", c.tp, c.model.heads));
            }
            if (c.model.kv_heads % c.tp != 0 && c.tp % c.model.kv_heads != 0) {
                v->fail(fmt::format("tp ({}) and the model's kv_heads ({}) must divide one another (KV heads are "
                                    "split over, or replicated across, the TP ranks)",
                                    c.tp, c.model.kv_heads));
            }
        }
        if (auto v = p.find("pp")) {
            c.pp = static_cast<int>(v->as_integer(1, kMaxParallel));
            if (c.model.layers % c.pp != 0) {
                v->fail(fmt::format("pp ({}) must divide the model's layers ({})", c.pp, c.model.layers));
            }
        }
        if (auto v = p.find("ep")) {
            c.ep = static_cast<int>(v->as_integer(1, kMaxParallel));
            if (c.ep > 1 && !c.model.is_moe()) {
                v->fail(fmt::format("ep ({}) > 1 needs a mixture-of-experts model (\"moe\" in the model)", c.ep));
            }
            if (c.tp % c.ep != 0) {
                v->fail(fmt::format("ep ({}) must divide tp ({}): expert-parallel groups lie inside a TP group", c.ep,
                                    c.tp));
            }
            if (c.ep > 1 && c.model.moe.experts % c.ep != 0) {
                v->fail(fmt::format("ep ({}) must divide the model's experts ({})", c.ep, c.model.moe.experts));
            }
        }
        p.finish();
    }

    if (auto v = workload.find("precision")) {
        const std::string p = v->as_choice({"bf16", "fp8", "fp4"});
        c.precision = p == "fp4"   ? topology::Precision::FP4
                      : p == "fp8" ? topology::Precision::FP8
                                   : topology::Precision::BF16;
    }

    if (auto s = workload.find("serving")) { // request mode: serving_config.cpp, serving_setup.cpp
        c.serving = std::make_shared<const ServingSpec>(read_serving_spec(*s, c.model, base_dir));
        set_serving_anchor(c);
        return read_inference_tail(std::move(c), workload);
    }
    const bool has_batch = workload.has("batch");
    const bool has_concurrency = workload.has("concurrency");
    if (has_batch && has_concurrency) {
        workload.fail_at("concurrency", "give either \"batch\" (open loop at a request rate) or \"concurrency\" "
                                        "(closed loop), not both");
    }
    if (!has_batch && !has_concurrency) {
        workload.fail_at("batch", "missing required key \"batch\" (or \"concurrency\")");
    }

    Object req = workload.at("requests").as_object();
    const Value prompt = req.at("prompt_tokens");
    c.prompt_tokens = prompt.as_integer(1, kMaxTokens);
    c.output_tokens = req.at("output_tokens").as_integer(1, kMaxTokens);
    if (c.prompt_tokens + c.output_tokens > c.model.seq) {
        prompt.fail(fmt::format("prompt_tokens + output_tokens = {} exceeds the model's seq_length ({}); raise "
                                "\"seq_length\" in the model if it supports a longer context",
                                c.prompt_tokens + c.output_tokens, c.model.seq));
    }
    if (has_concurrency) {
        c.closed_loop = true;
        c.batch = workload.at("concurrency").as_integer(1, kMaxBatch);
        if (req.has("rate_per_s")) {
            req.fail_at("rate_per_s",
                        "\"rate_per_s\" cannot be combined with \"concurrency\": a closed loop sets its own rate");
        }
    } else {
        c.rate_per_s = req.at("rate_per_s").as_number(Bound::Positive, 1e9);
        Object b = workload.at("batch").as_object();
        c.batch = b.at("max_batch").as_integer(1, kMaxBatch);
        b.finish();
    }
    req.finish();

    return read_inference_tail(std::move(c), workload);
}

InferenceMemory inference_memory(const InferenceConfig& c, const topology::GpuType& gpu) {
    const auto& m = c.model;
    const double w = c.weight_bytes_per_element();
    // The KV cache of all layers (MLA latent, sliding windows: llm_model.hpp) on one TP rank, the
    // share of a stage's l/pp layers.
    const double tokens = static_cast<double>(c.prompt_tokens + c.output_tokens);
    InferenceMemory r;
    r.weights_per_gpu_bytes = total_parameters(m) * w / c.gpus();
    r.kv_per_sequence_per_gpu_bytes = kv_cache_bytes(m, tokens, c.kv_bytes_per_element(), c.tp) *
                                      static_cast<double>(m.layers / c.pp) / static_cast<double>(m.layers);
    r.kv_cache_per_gpu_bytes = r.kv_per_sequence_per_gpu_bytes * static_cast<double>(c.batch);
    r.usable_per_gpu_bytes = c.memory_fraction * gpu.hbm_capacity.value();
    const double room = r.usable_per_gpu_bytes - r.weights_per_gpu_bytes;
    r.max_batch = room <= 0 ? 0 : static_cast<std::int64_t>(std::floor(room / r.kv_per_sequence_per_gpu_bytes));
    return r;
}

Trace load_llm_inference_workload(Object workload, const WorkloadContext& context) {
    const Value self = workload.self();
    const std::optional<Value> parallelism = workload.find("parallelism");
    const std::optional<Value> precision = workload.find("precision");
    InferenceConfig c = read_inference_config(std::move(workload), context.base_dir);
    const auto& cluster = context.cluster;

    if (c.gpus() > context.gpus_available()) {
        (parallelism ? *parallelism : self)
            .fail(fmt::format("tp x pp = {} GPUs, but {} has only {}", c.gpus(),
                              context.gpu_budget > 0 ? "the job" : "the cluster", context.gpus_available()));
    }
    // The rank with the least HBM decides the fit; every rank's GPU must run the precision.
    int tightest = context.first_gpu;
    for (int r = context.first_gpu; r < context.first_gpu + c.gpus(); ++r) {
        const auto& gpu = cluster.gpu_type(r);
        if (!has_peak(gpu, c.precision)) {
            std::string known;
            for (const auto& [p, rate] : gpu.peak_flops) {
                known += (known.empty() ? "" : ", ") + std::string(topology::precision_name(p));
            }
            (precision ? *precision : self)
                .fail(fmt::format("{} has no {} peak FLOP rate (GPU {}; it has: {})", gpu.name,
                                  topology::precision_name(c.precision), r, known));
        }
        if (gpu.hbm_capacity < cluster.gpu_type(tightest).hbm_capacity) {
            tightest = r;
        }
    }
    const auto& gpu = cluster.gpu_type(tightest);
    if (c.serving) {
        fit_serving_anchor(c, gpu);
    }
    const InferenceMemory mem = inference_memory(c, gpu);
    if (!mem.fits()) {
        const std::string sizes =
            fmt::format("weights {:.1f} GiB + KV cache {:.1f} GiB (batch {} x {} tokens) = {:.1f} GiB per GPU > "
                        "{:.1f} GiB usable ({:g} x {:.1f} GiB of {})",
                        mem.weights_per_gpu_bytes / kGiB, mem.kv_cache_per_gpu_bytes / kGiB, c.batch,
                        c.prompt_tokens + c.output_tokens, mem.total_per_gpu_bytes() / kGiB,
                        mem.usable_per_gpu_bytes / kGiB, c.memory_fraction, gpu.hbm_capacity.value() / kGiB, gpu.name);
        const std::string fix = mem.max_batch > 0
                                    ? fmt::format("the largest batch that fits is {}", mem.max_batch)
                                    : std::string("the weights alone do not fit: raise tp or pp, or use fp8");
        self.fail(fmt::format("{} does not fit on {} with tp {} x pp {}: {}; {:.1f} GiB over; {}", c.model.name,
                              gpu.name, c.tp, c.pp, sizes,
                              (mem.total_per_gpu_bytes() - mem.usable_per_gpu_bytes) / kGiB, fix));
    }
    Trace t = make_inference_trace(c, self.file());
    auto& f = t.info.figures;
    f["hbm_usable_per_gpu_bytes"] = mem.usable_per_gpu_bytes;
    f["max_batch_fit"] = static_cast<double>(mem.max_batch);
    f["continuous_batching"] = c.continuous ? 1.0 : 0.0;
    f["step_overhead_s"] = c.step_overhead_s;
    // Growth of a decode iteration per sequence: secant of the roofline between batch 1 and B.
    const std::int64_t top = std::max<std::int64_t>(c.batch, 2);
    f["decode_step_per_sequence_s"] =
        (decode_iteration_compute_s(c, top, gpu, self.file()) - decode_iteration_compute_s(c, 1, gpu, self.file())) /
        static_cast<double>(top - 1);
    if (c.serving) {
        t.info.serving = make_serving_setup(c, cluster, gpu, self, t);
    }
    return t;
}

ServingMetrics serving_metrics(const WorkloadInfo& info, double prefill_s, double decode_s) {
    if (!info.present || info.kind != "llm-inference") {
        throw std::invalid_argument("serving_metrics: not an llm-inference workload");
    }
    if (!(prefill_s > 0) || !(decode_s > 0) || !std::isfinite(prefill_s) || !std::isfinite(decode_s)) {
        throw std::invalid_argument(
            fmt::format("serving_metrics: prefill_s ({}) and decode_s ({}) must be > 0", prefill_s, decode_s));
    }
    const double batch = figure(info, "batch");
    const double output = figure(info, "output_tokens");
    const double rate = figure(info, "request_rate_per_s");
    const double concurrency = figure(info, "concurrency");
    const double gpus = figure(info, "gpus");

    const double overhead = optional_figure(info, "step_overhead_s");
    ServingMetrics s;
    if (optional_figure(info, "continuous_batching") > 0) {
        continuous_serving(s, batch, output, rate, concurrency, overhead,
                           optional_figure(info, "decode_step_per_sequence_s"), prefill_s, decode_s);
        s.tokens_per_s = s.requests_per_s * output;
        s.tokens_per_s_per_gpu = s.tokens_per_s / gpus;
        return s;
    }
    // Static batching: the framework overhead once per prefill and per decode iteration.
    prefill_s += overhead;
    decode_s += overhead * output;
    s.mean_batch = batch;
    const double cycle = prefill_s + decode_s;
    s.capacity_requests_per_s = batch / cycle;
    s.tpot_s = decode_s / output;
    if (concurrency > 0) {
        s.utilisation = 1.0;
        s.requests_per_s = s.capacity_requests_per_s;
    } else {
        s.utilisation = rate / s.capacity_requests_per_s;
        s.saturated = s.utilisation >= 1.0;
        s.batch_wait_s = std::min((batch - 1.0) / (2.0 * rate), cycle / 2.0);
        s.queue_wait_s = s.saturated ? 0.0 : s.utilisation / (1.0 - s.utilisation) * cycle / (2.0 * batch);
        s.requests_per_s = std::min(rate, s.capacity_requests_per_s);
    }
    s.ttft_s = s.batch_wait_s + s.queue_wait_s + prefill_s;
    s.e2e_latency_s = s.ttft_s + decode_s;
    s.tokens_per_s = s.requests_per_s * output;
    s.tokens_per_s_per_gpu = s.tokens_per_s / gpus;
    return s;
}

namespace detail {
void register_llm_inference_workload() {
    register_workload_type("llm-inference", load_llm_inference_workload);
}
} // namespace detail

} // namespace twin::models
