// Data-parallel gradient and parameter buckets (Megatron-LM core, megatron/core/distributed/).
//
// Bucket size (distributed_data_parallel.py): B = max(40e6, 1e6·n) parameters, n = dp·cp (the
// data-parallel group with context parallelism), "larger DP sizes need larger buckets to ensure
// collectives do not become latency-bound"; --ddp-bucket-size (overlap.bucket_params) overrides it.
// Without overlap_grad_reduce the bucket is unbounded: one bucket per model chunk.
// Bucketing (training.py, per_chunk_bucket_sizes): only pipeline rank 0's model chunk 0 is split;
// every other chunk (later pipeline stages, whose gradient reduction is off the critical path, and
// later virtual chunks) is one bucket.
// Buckets (param_and_grad_buffer.py, _compute_default_per_buffer_param_layout): parameters in
// backprop order (reversed), a bucket closes at the first parameter that brings it to >= B. Here
// the unit is a whole layer of P parameters per GPU (its tensor-parallel shard):
//   r = ceil(B / P) layers per bucket, full = ⌊L / r⌋ buckets of r layers, then one of L mod r
// (the chunk's first layers), so a chunk has ceil(L / r) buckets. A layer larger than B is one
// bucket (Megatron would split it at parameter boundaries: same bytes, fewer latency terms here).
// The embedding and output layers' gradients are not in the buckets (they are small next to the
// layers'; the tied embedding's all-reduce is modelled apart).
// Gradient sync (start_grad_sync): a bucket's reduce-scatter (distributed optimizer) or all-reduce
// is issued when its last gradient is ready, in the last micro-batch's backward, on one
// communication stream: bucket i runs beside the backward compute of the buckets after it, bucket
// i + 1's collective starts when bucket i's has finished, and the compute never waits for them.
// Parameter all-gather with overlap_param_gather (distributed optimizer): the buckets of step k's
// updated parameters are gathered during step k + 1's first forward of each chunk, in forward
// order: the first bucket before the first layer's forward (or posted at the step's start, with
// align_param_gather), and each next bucket dispatched when the one before it has been waited for
// (finish_param_sync), so it runs beside that bucket's forward compute.
#include "llm_training_dp.hpp"

#include <algorithm>
#include <cmath>

namespace twin::models::detail {

using nlohmann::json;

void read_dp_overlap(Object& o, TrainingConfig& c) {
    auto dp = o.find("dp");
    auto grad = o.find("grad_reduce");
    if (dp) {
        c.overlap_dp = dp->as_bool();
    }
    if (grad) {
        const bool g = grad->as_bool();
        if (dp && g != c.overlap_dp) {
            grad->fail("overlap.grad_reduce and its alias overlap.dp disagree");
        }
        c.overlap_dp = g;
    }
    if (auto v = o.find("param_gather")) {
        c.overlap_param_gather = v->as_bool();
        if (c.overlap_param_gather && c.par.zero == 0) {
            v->fail("overlapping the parameter all-gather needs a sharded optimizer (zero >= 1; Megatron-LM: "
                    "--use-distributed-optimizer)");
        }
        if (c.overlap_param_gather && c.par.zero3_tensor_sync) {
            v->fail("zero3_gather \"tensor-sync\" synchronizes the device before each gather (DeepSpeed 0.3.x): "
                    "nothing overlaps it");
        }
        if (c.overlap_param_gather && c.par.zero < 3 && !c.overlap_dp) {
            v->fail("Megatron-LM needs overlap_grad_reduce with overlap_param_gather (grad_reduce is false)");
        }
    }
    if (auto v = o.find("bucket_params")) {
        c.dp_bucket_params = v->as_integer(1, std::int64_t{1} << 40);
    }
}

double dp_bucket_parameters(const TrainingConfig& c) {
    if (c.dp_bucket_params > 0) {
        return static_cast<double>(c.dp_bucket_params);
    }
    return std::max(40e6, 1e6 * c.par.dp * c.par.cp);
}

LayerBuckets layer_buckets(std::int64_t layers, double layer_params, double bucket_params) {
    LayerBuckets b;
    if (bucket_params <= 0.0 || layer_params <= 0.0) {
        b.per_bucket = layers;
        b.full = 1;
        return b;
    }
    const double r = std::ceil(bucket_params / layer_params);
    b.per_bucket = r >= static_cast<double>(layers) ? layers : std::max<std::int64_t>(1, static_cast<std::int64_t>(r));
    b.full = layers / b.per_bucket;
    b.rest = layers % b.per_bucket;
    return b;
}

bool chunk_bucketed(const TrainingConfig& c, int stage, int chunk) {
    return c.overlap_dp && stage == 0 && chunk == 0;
}

namespace {

// k layers of compute: the chained layer (k = 1) or a repeat block; with `starts` it begins at
// the enclosing block's start (beside the companions before it).
void append_layers(json& body, const char* name, const json& layer, std::int64_t k, bool starts) {
    if (k == 1 && starts) {
        for (std::size_t i = 0; i < layer.size(); ++i) {
            json op = layer[i];
            if (i == 0) {
                op["after"] = json::array();
            }
            body.push_back(std::move(op));
        }
        return;
    }
    json block{{"name", name}, {"repeat", k}, {"body", layer}};
    if (starts) {
        block["after"] = json::array();
    }
    body.push_back(std::move(block));
}

// `times` identical groups: the companions (from the group's start) beside k layers of compute.
json group(const char* name, const json& layer, std::int64_t k, const std::vector<json>& companions,
           std::int64_t times) {
    json body = json::array();
    if (companions.empty()) {
        return json{{"name", name}, {"repeat", k * times}, {"body", layer}};
    }
    for (json c : companions) {
        c["after"] = json::array();
        body.push_back(std::move(c));
    }
    append_layers(body, name, layer, k, true);
    return json{{"name", name}, {"repeat", times}, {"body", body}};
}

} // namespace

json bucketed_backward(const json& layer, const LayerBuckets& b, const BucketOps& grads, const std::string& id_prefix,
                       std::int64_t& trailing) {
    // Buckets in backprop order: the full ones, then the rest (the chunk's first layers).
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(b.full), b.per_bucket);
    if (b.rest > 0) {
        sizes.push_back(b.rest);
    }
    json body = json::array();
    const auto id = [&id_prefix](char what, std::size_t i) { return id_prefix + what + std::to_string(i); };
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        json compute{{"name", "layer_backward"}, {"repeat", sizes[i]}, {"body", layer}, {"id", id('c', i)}};
        if (i > 0) {
            compute["after"] = json::array({id('c', i - 1)});
        }
        body.push_back(std::move(compute));
        if (i + 1 == sizes.size()) {
            break;
        }
        json after = json::array({id('c', i)});
        if (i > 0) {
            after.push_back(id('g', i - 1));
        }
        body.push_back(
            json{{"name", "dp_gradients"}, {"body", grads(sizes[i])}, {"id", id('g', i)}, {"after", std::move(after)}});
    }
    trailing = sizes.empty() ? 0 : sizes.back();
    return body;
}

json gathered_forward(const json& layer, const LayerBuckets& b, const BucketOps& gathers, bool first_gathered) {
    const char* name = "layer_forward";
    // Forward order: the rest bucket (the chunk's first layers), then the full ones.
    json body = json::array();
    if (!first_gathered) {
        for (const json& g : gathers(b.rest > 0 ? b.rest : b.per_bucket)) {
            body.push_back(g);
        }
    }
    if (b.rest > 0) {
        body.push_back(group(name, layer, b.rest, b.full > 0 ? gathers(b.per_bucket) : std::vector<json>{}, 1));
    }
    if (b.full > 1) {
        body.push_back(group(name, layer, b.per_bucket, gathers(b.per_bucket), b.full - 1));
    }
    if (b.full > 0) {
        body.push_back(group(name, layer, b.per_bucket, {}, 1));
    }
    return body;
}

} // namespace twin::models::detail
