// From an "llm-inference" workload in request mode to a ServingSetup (serving.hpp): the anchor of
// the simulated steady-state cycle, the iteration-cost grid from the roofline of generated traces,
// the paged KV cache's blocks from the memory left after the weights (inference_memory), the KV
// transfer path between the two pools on the cluster's fabric, and the GPUs' board power.
//
//   G(T)  = Σ over stages of the roofline time of the non-attention compute ops of the "prefill"
//           block of a trace with one sequence of T prompt tokens, T = 1, 2, 4, …, 2^k ≥ T_max
//           (T_max: the token budget, or the anchor's B_a·P_a prefill tokens if larger)
//   α_p   = roofline time of the anchor's prefill attention ops / (B_a·P_a²/2) query-key pairs
//   α_d   = roofline time of the anchor's decode attention ops per step / (B_a·c̄), c̄ = P_a + (O_a + 1)/2
//   anchor: P_a, O_a the requests' mean lengths (rounded, ≥ 1), B_a = min(max_num_seqs, the largest
//           batch of (P_a + O_a)-token sequences that fits), simulated once on the cluster.
#include "serving_setup.hpp"

#include "twin/core/error.hpp"
#include "twin/models/compute.hpp"
#include "twin/models/llm_inference.hpp"
#include "twin/models/serving.hpp"
#include "twin/topology/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace twin::models {
namespace {

struct Roofline {
    double attention_s = 0.0;
    double other_s = 0.0;
};

void add_block(const Block& block, const topology::GpuType& gpu, double times, Roofline& r) {
    for (const auto& step : block.body) {
        if (const auto* op = std::get_if<Op>(&step)) {
            if (op->kind == Op::Kind::Compute) {
                const double t = compute_time(gpu, op->compute).time.value() * times;
                const bool attention = op->name.find("attention") != std::string::npos;
                (attention ? r.attention_s : r.other_s) += t;
            }
        } else {
            const auto& b = std::get<Block>(step);
            add_block(b, gpu, times * static_cast<double>(b.repeat), r);
        }
    }
}

// Roofline of one execution of the phase block `phase`, summed over the pipeline stages.
Roofline phase_roofline(const Trace& t, const std::string& phase, const topology::GpuType& gpu) {
    Roofline r;
    for (const auto& cls : t.classes) {
        for (const auto& step : cls.program.body) {
            const auto* b = std::get_if<Block>(&step);
            if (b != nullptr && b->name == phase) {
                add_block(*b, gpu, 1.0, r);
            }
        }
    }
    return r;
}

} // namespace

double IterationCost::gemm_s(double tokens) const {
    if (!(tokens > 0) || grid_tokens.empty()) {
        return 0.0;
    }
    if (tokens <= grid_tokens.front()) {
        return grid_s.front();
    }
    std::size_t i = 1;
    while (i + 1 < grid_tokens.size() && grid_tokens[i] < tokens) {
        ++i;
    }
    const double x0 = grid_tokens[i - 1], x1 = grid_tokens[i];
    return grid_s[i - 1] + (grid_s[i] - grid_s[i - 1]) * (tokens - x0) / (x1 - x0);
}

double IterationCost::prefill_roofline_s(double tokens, double pairs, double decode_seqs) const {
    const double all = tokens + decode_seqs;
    return all > 0 ? gemm_s(all) * tokens / all + prefill_pair_s * pairs : 0.0;
}

double IterationCost::decode_roofline_s(double prefill_tokens, double decode_seqs, double context) const {
    const double all = prefill_tokens + decode_seqs;
    return all > 0 ? gemm_s(all) * decode_seqs / all + decode_kv_token_s * context : 0.0;
}

double IterationCost::iteration_s(double prefill_tokens, double pairs, double decode_seqs, double context) const {
    return overhead_s + prefill_scale * prefill_roofline_s(prefill_tokens, pairs, decode_seqs) +
           decode_scale * decode_roofline_s(prefill_tokens, decode_seqs, context);
}

IterationCost calibrate_cost(const ServingSetup& s, double prefill_s, double decode_step_s) {
    IterationCost c = s.cost;
    const double tokens = s.anchor_batch * s.anchor_prompt;
    const double rp = c.prefill_roofline_s(tokens, tokens * s.anchor_prompt / 2.0, 0.0);
    const double rd = c.decode_roofline_s(0.0, s.anchor_batch, s.anchor_batch * s.anchor_decode_context);
    c.prefill_scale = rp > 0 && prefill_s > 0 ? prefill_s / rp : 1.0;
    c.decode_scale = rd > 0 && decode_step_s > 0 ? decode_step_s / rd : 1.0;
    return c;
}

void set_serving_anchor(InferenceConfig& c) {
    const auto& reqs = c.serving->requests;
    double p = 0.0, o = 0.0;
    for (const auto& q : reqs) {
        p += static_cast<double>(q.prompt_tokens);
        o += static_cast<double>(q.output_tokens);
    }
    const double n = static_cast<double>(reqs.size());
    c.prompt_tokens = std::max<std::int64_t>(1, std::llround(p / n));
    c.output_tokens = std::max<std::int64_t>(1, std::llround(o / n));
    c.batch = c.serving->max_num_seqs;
    const double span = reqs.back().arrival_s - reqs.front().arrival_s;
    c.rate_per_s = span > 0 ? (n - 1.0) / span : n;
}

void fit_serving_anchor(InferenceConfig& c, const topology::GpuType& gpu) {
    InferenceConfig one = c;
    one.batch = 1;
    const auto mem = inference_memory(one, gpu);
    c.batch = std::clamp<std::int64_t>(mem.max_batch, 1, c.serving->max_num_seqs);
}

ServingFit serving_memory_fit(const InferenceConfig& c, const topology::GpuType& gpu) {
    const ServingSpec& spec = *c.serving;
    InferenceConfig one = c;
    one.batch = 1;
    ServingFit f;
    f.memory = inference_memory(one, gpu);
    f.kv_bytes_per_token_per_gpu =
        f.memory.kv_per_sequence_per_gpu_bytes / static_cast<double>(c.prompt_tokens + c.output_tokens);
    const double room = f.memory.usable_per_gpu_bytes - f.memory.weights_per_gpu_bytes;
    f.kv_blocks =
        spec.kv_blocks > 0
            ? spec.kv_blocks
            : static_cast<std::int64_t>(std::max(
                  0.0, std::floor(room / (static_cast<double>(spec.block_size) * f.kv_bytes_per_token_per_gpu))));
    for (const auto& q : spec.requests) {
        f.longest_request_tokens = std::max(f.longest_request_tokens, q.prompt_tokens + q.output_tokens);
    }
    return f;
}

std::shared_ptr<const ServingSetup> make_serving_setup(const InferenceConfig& c, const topology::Cluster& cluster,
                                                       const topology::GpuType& gpu, const Value& self,
                                                       const Trace& anchor) {
    auto s = std::make_shared<ServingSetup>();
    s->spec = *c.serving;
    const auto& spec = s->spec;
    const std::string at = self.pointer() + "/serving";
    s->gpus_per_replica = c.gpus();
    const int replicas = spec.total_replicas();
    if (replicas * c.gpus() > cluster.gpu_count()) {
        throw InputError(self.file(), at,
                         fmt::format("{} replicas of tp x pp = {} GPUs need {} GPUs, but the cluster has {}", replicas,
                                     c.gpus(), replicas * c.gpus(), cluster.gpu_count()));
    }
    // Paged KV cache.
    const ServingFit fit = serving_memory_fit(c, gpu);
    s->kv_bytes_per_token_per_gpu = fit.kv_bytes_per_token_per_gpu;
    s->kv_blocks = fit.kv_blocks;
    const std::int64_t longest = fit.longest_request_tokens;
    if (s->kv_blocks * spec.block_size < longest) {
        throw InputError(self.file(), at,
                         fmt::format("the KV cache holds {} blocks x {} tokens = {} tokens per replica, less than the "
                                     "longest request ({} tokens)",
                                     s->kv_blocks, spec.block_size, s->kv_blocks * spec.block_size, longest));
    }
    // Iteration-cost grid.
    s->anchor_batch = static_cast<double>(c.batch);
    s->anchor_prompt = static_cast<double>(c.prompt_tokens);
    s->anchor_decode_context =
        static_cast<double>(c.prompt_tokens) + (static_cast<double>(c.output_tokens) + 1.0) / 2.0;
    auto& cost = s->cost;
    cost.overhead_s = c.step_overhead_s;
    const Roofline pf = phase_roofline(anchor, "prefill", gpu);
    const Roofline dc = phase_roofline(anchor, "decode", gpu);
    const double tokens_a = s->anchor_batch * s->anchor_prompt;
    cost.prefill_pair_s = pf.attention_s / (tokens_a * s->anchor_prompt / 2.0);
    cost.decode_kv_token_s = dc.attention_s / (s->anchor_batch * s->anchor_decode_context); // one step
    const double t_max = std::max(static_cast<double>(spec.max_num_batched_tokens), tokens_a);
    for (double t = 1.0;; t *= 2.0) {
        InferenceConfig g = c;
        g.batch = 1;
        g.prompt_tokens = static_cast<std::int64_t>(t);
        g.output_tokens = 1;
        cost.grid_tokens.push_back(t);
        cost.grid_s.push_back(phase_roofline(make_inference_trace(g, self.file()), "prefill", gpu).other_s);
        if (t >= t_max) {
            break;
        }
    }
    // KV transfer path: first GPU of the prefill pool to the first of the decode pool.
    if (spec.disaggregated()) {
        std::vector<topology::Hop> hops;
        cluster.route(0, spec.prefill_replicas * c.gpus(), hops);
        double bw = 0.0;
        for (const auto& h : hops) {
            const auto& link = cluster.links()[h.link];
            const double b = link.bandwidth.value() * link.efficiency;
            bw = bw == 0.0 ? b : std::min(bw, b);
            s->transfer_latency_s += link.latency.value();
        }
        s->transfer_bandwidth_bytes_per_s = bw;
    }
    s->gpu_busy_w = gpu.max_power.value();
    s->gpu_idle_w = gpu.idle_power.value();
    return s;
}

} // namespace twin::models
