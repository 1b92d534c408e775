// The serving capacity search (twin/sweep/tune_serving.hpp, tools/cmd_tune_serving.cpp): the plan
// over hand-set points, the layout enumeration with its memory fit, and `clustertwin tune` end to
// end on a tiny scenario whose answer is derived by hand below.
#include "cli_util.hpp"
#include "twin/core/error.hpp"
#include "twin/sweep/tune_serving.hpp"
#include "twin_test/input_error.hpp"

#include <nlohmann/json.hpp>

namespace twin::test {
namespace {

using nlohmann::json;
using sweep::ServingPoint;

ServingPoint point(int tp, int replicas, double goodput, bool meets) {
    ServingPoint p;
    p.layout = {tp, 1, 1};
    p.replicas = replicas;
    p.gpus = tp * replicas;
    p.goodput_requests_per_s = goodput;
    p.slo_attainment = meets ? 1.0 : 0.5;
    p.meets = meets;
    return p;
}

TEST(TuneServingPlan, CheapestAndParetoByHand) {
    // GPUs / goodput / meets: A 2/0.5/no, B 4/2/yes, C 4/1.5/yes (same GPUs, less goodput: not
    // cheapest, dominated), D 8/4/yes, E 8/3/yes (dominated by D), F 16/4/yes (dominated by D:
    // more GPUs, equal goodput). Cheapest: B; Pareto: A, B, D.
    const std::vector<ServingPoint> pts{point(2, 1, 0.5, false), point(1, 4, 1.5, true), point(2, 2, 2.0, true),
                                        point(2, 4, 4.0, true),  point(8, 1, 3.0, true), point(4, 4, 4.0, true)};
    const auto plan = sweep::plan_serving_capacity(pts);
    ASSERT_TRUE(plan.cheapest);
    EXPECT_EQ(plan.cheapest->gpus, 4);
    EXPECT_EQ(plan.cheapest->layout.tp, 2);
    EXPECT_DOUBLE_EQ(plan.cheapest->goodput_requests_per_s, 2.0);
    ASSERT_EQ(plan.pareto.size(), 3U);
    EXPECT_EQ(plan.pareto[0].gpus, 2);
    EXPECT_EQ(plan.pareto[1].gpus, 4);
    EXPECT_DOUBLE_EQ(plan.pareto[1].goodput_requests_per_s, 2.0);
    EXPECT_EQ(plan.pareto[2].gpus, 8);
    EXPECT_EQ(plan.pareto[2].layout.tp, 2);
    // Nothing meets: no cheapest, the Pareto set still shows what was explored.
    const auto none = sweep::plan_serving_capacity({point(2, 1, 0.5, false), point(2, 2, 1.0, false)});
    EXPECT_FALSE(none.cheapest);
    EXPECT_EQ(none.pareto.size(), 2U);
}

// Llama-3 8B cut to 4 layers: 2 x 128,256 x 4,096 embedding parameters + 4 x (4,096 x 10,240
// attention + 3 x 4,096 x 14,336 MLP) = 1.923e9 parameters, 3.85 GB in bf16. memory_fraction
// 0.0375 of the H100's 80 GB leaves 3.0 GB: the weights fit only split over >= 2 GPUs (tp 2 or
// pp 2: 1.92 GB + 16 KB of KV per token). Four requests arrive at 0 (100 prompt tokens, 1 output
// token), one sequence at a time, and a 1 s step overhead dominates each iteration (the 1.9 GFLOP
// per token prefill of 100 tokens takes < 1 ms): the k-th request on a replica has TTFT ≈ k s.
// TTFT <= 2.5 s for all requests: one replica gives 1, 2, 3, 4 s (50 %), two replicas (round
// robin) 1, 2, 1, 2 s: every layout needs 2 replicas, the cheapest is 2 x 2 = 4 GPUs.
// Enumerated: tp {1,2,4,8} x pp {1,2,4} (divisors of 4 up to 8) = 12; tp·pp > 8 GPUs (tp 4 pp 4,
// tp 8 pp 2, tp 8 pp 4): 3; tp 1 pp 1 does not fit: 1; 8 fit.
json tiny_scenario(const std::string& ttft) {
    return json::parse(R"({"schema_version": 1, "name": "serving-capacity", "seed": 1,
      "topology": {"nodes": [{"type": "DGX-H100", "count": 1}]},
      "workload": {"type": "llm-inference", "model": {"preset": "llama3-8b", "layers": 4},
        "parallelism": {"tp": 2}, "memory_fraction": 0.0375, "step_overhead": "1s",
        "serving": {"requests": {"file": "requests.jsonl"},
          "scheduler": {"max_num_seqs": 1, "max_num_batched_tokens": 128},
          "slo": {"ttft": ")" +
                       ttft + R"(", "tpot": "1s", "attainment": 1.0},
          "capacity": {"max_replicas": 4}}}})");
}

class TuneServingTest : public CliTest {
protected:
    fs::path write_scenario(const json& s) {
        std::string lines;
        for (int i = 0; i < 4; ++i) {
            lines += R"({"arrival_s": 0, "prompt_tokens": 100, "output_tokens": 1})"
                     "\n";
        }
        write_text(dir_ / "requests.jsonl", lines);
        write_text(dir_ / "s.json", s.dump(2));
        return dir_ / "s.json";
    }
};

TEST_F(TuneServingTest, LayoutsThatFit) {
    const auto t = sweep::tune_serving_layouts(write_scenario(tiny_scenario("2.5s")));
    EXPECT_EQ(t.enumerated, 12U);
    EXPECT_EQ(t.rejected_cluster, 3U);
    EXPECT_EQ(t.rejected_memory, 1U);
    EXPECT_EQ(t.rejected_layout, 0U);
    ASSERT_EQ(t.fitting.size(), 8U);
    EXPECT_EQ(t.fitting[0].layout.tp, 1);
    EXPECT_EQ(t.fitting[0].layout.pp, 2);
    EXPECT_NEAR(t.fitting[0].weights_per_gpu_bytes, 1.923e9, 0.01e9);
    EXPECT_EQ(t.fitting[0].scenario["workload"]["serving"]["replicas"], 1);
    EXPECT_EQ(t.max_replicas, 4);
}

TEST_F(TuneServingTest, CheapestGpuCountMeetingTheSlo) {
    const auto s = write_scenario(tiny_scenario("2.5s"));
    const auto r = run("tune " + sh_quote(s.string()) + " -j 2 -q -o " + sh_quote((dir_ / "out").string()));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("12 layouts enumerated, 0 refused by the workload reader, 3 need more GPUs than the cluster "
                         "has, 1 do not fit in HBM, 8 fit"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("cheapest: 4 GPUs = 2 replicas of tp "), std::string::npos) << r.out;
    const auto c = json::parse(read_text(dir_ / "out/capacity.json"));
    EXPECT_EQ(c["cheapest"]["gpus"], 4);
    EXPECT_EQ(c["cheapest"]["replicas"], 2);
    // Bisection over [1, 4] per layout: 4 meets, 2 meets, 1 fails: 3 points x 8 layouts.
    EXPECT_EQ(c["explored"].size(), 24U);
    for (const auto& l : c["layouts"]) {
        EXPECT_EQ(l["replicas"], 2) << l.dump();
    }
    // Pareto: 2 GPUs (one replica: 2 of 4 requests meet in ~4 s, 0.5/s), 4 GPUs (4 in ~2 s, 2/s),
    // 8 GPUs (4 in ~1 s, 4/s); beyond, only the sub-millisecond compute differs.
    const auto& p = c["pareto"];
    ASSERT_GE(p.size(), 3U);
    const std::vector<std::pair<int, double>> want{{2, 0.5}, {4, 2.0}, {8, 4.0}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(p[i]["gpus"], want[i].first);
        EXPECT_NEAR(p[i]["goodput_requests_per_s"].get<double>(), want[i].second, want[i].second * 0.01);
    }
    for (std::size_t i = 1; i < p.size(); ++i) {
        EXPECT_GT(p[i]["gpus"].get<int>(), p[i - 1]["gpus"].get<int>());
        EXPECT_GT(p[i]["goodput_requests_per_s"].get<double>(), p[i - 1]["goodput_requests_per_s"].get<double>());
    }
}

TEST_F(TuneServingTest, NoLayoutMeetsTheSlo) {
    // Every TTFT is at least the 1 s step overhead: TTFT <= 0.5 s is met by no layout or count.
    const auto s = write_scenario(tiny_scenario("0.5s"));
    const auto r = run("tune " + sh_quote(s.string()) + " -k 2 -j 2 -q -o " + sh_quote((dir_ / "out").string()));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("s.json: /workload/serving/slo: no layout meets TTFT <= 0.5 s and TPOT <= 1 s for 100 % of "
                         "requests with up to 4 replicas (the best: 0.0 %"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(json::parse(read_text(dir_ / "out/capacity.json"))["cheapest"].is_null());
}

TEST_F(TuneServingTest, BadInput) {
    auto doc = tiny_scenario("2.5s");
    doc["workload"]["serving"].erase("capacity");
    const auto s = write_scenario(doc);
    EXPECT_INPUT_ERROR_IN(sweep::tune_serving_layouts(s), s.string(), "/workload/serving/capacity",
                          "capacity.max_replicas");
    const auto r = run("tune " + sh_quote(s.string()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/workload/serving/capacity: the capacity search needs"), std::string::npos) << r.err;
    // Not a request-mode scenario.
    doc = tiny_scenario("2.5s");
    doc["workload"].erase("serving");
    const auto s3 = write_scenario(doc);
    EXPECT_INPUT_ERROR_IN(sweep::tune_serving_layouts(s3), s3.string(), "/workload/serving",
                          "needs a request-mode llm-inference workload");
}

} // namespace
} // namespace twin::test
