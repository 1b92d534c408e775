// Reading the "serving" object of an "llm-inference" workload and its requests (serving.hpp).
//
// Requests: a JSONL file, one {"arrival_s", "prompt_tokens", "output_tokens"} object per line
// (arrivals non-decreasing), or "synthetic" with a seed: inter-arrival times
//   poisson  X = −ln(1 − U)/λ                                       (exponential, mean 1/λ)
//   gamma    X ~ Gamma(k = 1/cv², θ = 1/(λk)) (Marsaglia & Tsang 2000; k < 1 by Gamma(k + 1)·U^(1/k))
//   on-off   Poisson at λ during "on_s", nothing for "off_s" (mean rate λ·on/(on + off))
// and lengths fixed, "uniform" integers in [min, max], or "lognormal" with the given mean and σ of
// the log (μ = ln(mean) − σ²/2), rounded and clamped to [1, max]. Normals by Box-Muller. Draws come
// from twin::Rng streams named "serving/arrivals", "serving/prompt", "serving/output" (xoshiro256**,
// our own distributions: the std:: ones differ between standard libraries).
#include "twin/core/error.hpp"
#include "twin/core/input_file.hpp"
#include "twin/core/rng.hpp"
#include "twin/models/serving.hpp"

#include <cmath>
#include <fmt/format.h>
#include <numbers>

namespace twin::models {
namespace {

// Input limits (they bound a run's work, fuzzing included), not model constants.
constexpr std::int64_t kMaxRequests = 200000;
constexpr double kMaxTotalTokens = 5e7;
constexpr std::int64_t kMaxTokens = std::int64_t{1} << 24;

double normal(Rng& rng) {
    const double u1 = 1.0 - rng.uniform(); // (0, 1]
    const double u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double gamma_draw(Rng& rng, double k) {
    if (k < 1.0) {
        const double u = 1.0 - rng.uniform();
        return gamma_draw(rng, k + 1.0) * std::pow(u, 1.0 / k);
    }
    const double d = k - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x = 0.0;
        double v = 0.0;
        do {
            x = normal(rng);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = 1.0 - rng.uniform();
        if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
            return d * v;
        }
    }
}

struct LengthDist {
    std::string kind = "fixed";
    double a = 0.0, b = 0.0; // fixed: a; uniform: [a, b]; lognormal: mean a, sigma b
    std::int64_t max = kMaxTokens;
};

LengthDist read_length(Value v) {
    LengthDist d;
    if (v.is_number()) {
        d.a = static_cast<double>(v.as_integer(1, kMaxTokens));
        return d;
    }
    Object o = v.as_object();
    d.kind = o.at("distribution").as_choice({"fixed", "uniform", "lognormal"});
    if (d.kind == "uniform") {
        d.a = static_cast<double>(o.at("min").as_integer(1, kMaxTokens));
        const Value max = o.at("max");
        d.b = static_cast<double>(max.as_integer(1, kMaxTokens));
        if (d.b < d.a) {
            max.fail("max must be at least min");
        }
    } else if (d.kind == "lognormal") {
        d.a = o.at("mean").as_number(Bound::Positive, static_cast<double>(kMaxTokens));
        d.b = o.at("sigma").as_number(Bound::NonNegative, 4.0);
        d.max = o.at("max").as_integer(1, kMaxTokens);
    } else {
        d.a = static_cast<double>(o.at("tokens").as_integer(1, kMaxTokens));
    }
    o.finish();
    return d;
}

std::int64_t draw_length(const LengthDist& d, Rng& rng) {
    if (d.kind == "uniform") {
        return static_cast<std::int64_t>(d.a) +
               static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(d.b - d.a) + 1));
    }
    if (d.kind == "lognormal") {
        const double mu = std::log(d.a) - d.b * d.b / 2.0;
        const double x = std::exp(mu + d.b * normal(rng));
        return std::clamp<std::int64_t>(std::llround(std::min(x, 1e18)), 1, d.max);
    }
    return static_cast<std::int64_t>(d.a);
}

std::vector<ServingRequest> synthetic(Object o, std::string& source) {
    const std::int64_t count = o.at("count").as_integer(1, kMaxRequests);
    const auto seed = static_cast<std::uint64_t>(o.at("seed").as_integer(0, std::int64_t{1} << 53));
    const double rate = o.at("rate_per_s").as_number(Bound::Positive, 1e9);
    const std::string arrival =
        o.find("arrival") ? o.at("arrival").as_choice({"poisson", "gamma", "on-off"}) : "poisson";
    double shape = 1.0;
    double on_s = 0.0;
    double off_s = 0.0;
    if (arrival == "gamma") {
        const double cv = o.at("cv").as_number(Bound::Positive, 100.0);
        shape = 1.0 / (cv * cv);
    } else if (arrival == "on-off") {
        on_s = o.at("on_s").as_number(Bound::Positive, 1e9);
        off_s = o.at("off_s").as_number(Bound::NonNegative, 1e9);
    }
    const LengthDist prompt = read_length(o.at("prompt_tokens"));
    const LengthDist output = read_length(o.at("output_tokens"));
    o.finish();
    Rng arrivals(seed, "serving/arrivals");
    Rng prompts(seed, "serving/prompt");
    Rng outputs(seed, "serving/output");
    std::vector<ServingRequest> r;
    r.reserve(static_cast<std::size_t>(count));
    double t = 0.0;
    for (std::int64_t i = 0; i < count; ++i) {
        double gap = arrival == "gamma" ? gamma_draw(arrivals, shape) / (rate * shape)
                                        : -std::log(1.0 - arrivals.uniform()) / rate;
        if (arrival == "on-off") {
            // Time runs only during "on" windows: map busy time to wall time.
            const double busy = std::fmod(t, on_s + off_s);
            double left = gap;
            double pos = busy;
            double wall = 0.0;
            while (pos + left > on_s) {
                left -= on_s - pos;
                wall += on_s - pos + off_s;
                pos = 0.0;
            }
            gap = wall + left;
        }
        t += gap;
        r.push_back({t, draw_length(prompt, prompts), draw_length(output, outputs)});
    }
    source = fmt::format("{} {:g}/s, {} requests, seed {}", arrival, rate, count, seed);
    return r;
}

std::vector<ServingRequest> from_jsonl(const Value& file_value, const std::filesystem::path& base_dir,
                                       std::string& source) {
    const std::filesystem::path path = base_dir / file_value.as_string();
    std::string text;
    try {
        text = read_input_file(path);
    } catch (const InputError& e) {
        file_value.fail(fmt::format("cannot read the request trace \"{}\": {}", path.string(), e.message()));
    }
    std::vector<ServingRequest> r;
    std::size_t start = 0;
    int line = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string_view row(text.data() + start, end - start);
        ++line;
        start = end + 1;
        if (row.find_first_not_of(" \t\r") == std::string_view::npos) {
            continue;
        }
        const auto doc = Document::parse(row, fmt::format("{}:{}", path.string(), line));
        Object o = doc.root().as_object();
        const Value arrival = o.at("arrival_s");
        ServingRequest q;
        q.arrival_s = arrival.as_number(Bound::NonNegative, 1e9);
        q.prompt_tokens = o.at("prompt_tokens").as_integer(1, kMaxTokens);
        q.output_tokens = o.at("output_tokens").as_integer(1, kMaxTokens);
        o.finish();
        if (!r.empty() && q.arrival_s < r.back().arrival_s) {
            arrival.fail(fmt::format("arrivals must not decrease: {:g} s after {:g} s on the line before", q.arrival_s,
                                     r.back().arrival_s));
        }
        if (static_cast<std::int64_t>(r.size()) >= kMaxRequests) {
            o.fail(fmt::format("more than {} requests", kMaxRequests));
        }
        r.push_back(q);
    }
    if (r.empty()) {
        file_value.fail(fmt::format("the request trace \"{}\" has no requests", path.string()));
    }
    source = file_value.as_string();
    return r;
}

} // namespace

ServingSpec read_serving_spec(Value serving, const TransformerConfig& model, const std::filesystem::path& base_dir) {
    ServingSpec s;
    Object o = serving.as_object();
    {
        Value rv = o.at("requests");
        Object req = rv.as_object();
        const bool file = req.has("file");
        if (file == req.has("synthetic")) {
            rv.fail("give either \"file\" (a JSONL request trace) or \"synthetic\"");
        }
        s.requests = file ? from_jsonl(req.at("file"), base_dir, s.source)
                          : synthetic(req.at("synthetic").as_object(), s.source);
        req.finish();
        double total = 0.0;
        for (std::size_t i = 0; i < s.requests.size(); ++i) {
            const auto& q = s.requests[i];
            if (q.prompt_tokens + q.output_tokens > model.seq) {
                rv.fail(
                    fmt::format("request {}: prompt_tokens + output_tokens = {} exceeds the model's seq_length ({})", i,
                                q.prompt_tokens + q.output_tokens, model.seq));
            }
            total += static_cast<double>(q.prompt_tokens + q.output_tokens);
        }
        if (total > kMaxTotalTokens) {
            rv.fail(fmt::format("the requests hold {:g} tokens in all, more than the {:g} a serving run simulates",
                                total, kMaxTotalTokens));
        }
    }
    if (auto sc = o.find("scheduler")) {
        Object p = sc->as_object();
        if (auto v = p.find("max_num_seqs")) {
            s.max_num_seqs = v->as_integer(1, 1 << 16);
        }
        if (auto v = p.find("chunked_prefill")) {
            s.chunked_prefill = v->as_bool();
        }
        if (auto v = p.find("block_size")) {
            s.block_size = v->as_integer(1, 1 << 12);
        }
        if (auto v = p.find("kv_blocks")) {
            s.kv_blocks = v->as_integer(1, std::int64_t{1} << 40);
        }
        if (auto v = p.find("max_num_batched_tokens")) {
            s.max_num_batched_tokens = v->as_integer(1, kMaxTokens);
        }
        const Value self = p.self();
        p.finish();
        const std::string at = self.pointer() + "/max_num_batched_tokens";
        if (s.max_num_batched_tokens < s.max_num_seqs) {
            throw InputError(
                self.file(), at,
                fmt::format("max_num_batched_tokens ({}) must be at least max_num_seqs ({}): every running "
                            "sequence needs one token of the budget to decode",
                            s.max_num_batched_tokens, s.max_num_seqs));
        }
        if (!s.chunked_prefill) {
            for (const auto& q : s.requests) {
                if (q.prompt_tokens + q.output_tokens > s.max_num_batched_tokens) {
                    throw InputError(self.file(), at,
                                     fmt::format("without chunked prefill the budget ({}) must hold a whole prompt, "
                                                 "recomputed output included ({} tokens)",
                                                 s.max_num_batched_tokens, q.prompt_tokens + q.output_tokens));
                }
            }
        }
    }
    if (auto v = o.find("replicas")) {
        s.replicas = static_cast<int>(v->as_integer(1, 1 << 16));
    }
    if (auto v = o.find("disaggregation")) {
        if (o.has("replicas")) {
            o.fail_at("replicas", "give \"replicas\" or \"disaggregation\" (its two pools), not both");
        }
        Object d = v->as_object();
        s.prefill_replicas = static_cast<int>(d.at("prefill_replicas").as_integer(1, 1 << 16));
        s.decode_replicas = static_cast<int>(d.at("decode_replicas").as_integer(1, 1 << 16));
        d.finish();
    }
    if (auto v = o.find("load_balancer")) {
        s.balancer = v->as_choice({"round-robin", "least-loaded"}) == "round-robin" ? LoadBalancer::RoundRobin
                                                                                    : LoadBalancer::LeastLoaded;
    }
    if (auto v = o.find("slo")) {
        Object slo = v->as_object();
        if (auto t = slo.find("ttft")) {
            s.slo_ttft_s = t->as_seconds(Bound::Positive).value();
        }
        if (auto t = slo.find("tpot")) {
            s.slo_tpot_s = t->as_seconds(Bound::Positive).value();
        }
        if (auto t = slo.find("attainment")) {
            s.slo_attainment = t->as_number(Bound::Positive, 1.0);
        }
        slo.finish();
    }
    if (auto v = o.find("capacity")) {
        Object c = v->as_object();
        s.capacity_max_replicas = static_cast<int>(c.at("max_replicas").as_integer(1, 256));
        c.finish();
    }
    o.finish();
    return s;
}

} // namespace twin::models
