// Compute beyond the GEMMs in the LLM training generator (models/src/llm_training_elementwise.cpp,
// llm_training_ops.cpp): memory-bound bytes per op, FP8 GEMM shape efficiency, kernel launches, and
// what they do to a small FP8 model. Expected values derived by hand in the comments.
#include "llm_training_elementwise.hpp"
#include "llm_training_layers.hpp"
#include "llm_training_ops.hpp"
#include "twin/models/compute.hpp"
#include "twin/models/llm_training.hpp"
#include "twin/topology/catalog.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

// The ops of the model's (single) layer kind.
twin::models::detail::LayerOps layer_ops_of(const twin::models::TrainingConfig& c) {
    return twin::models::detail::layer_ops(c, twin::models::detail::representative_kind(c.model));
}

using namespace twin;
using namespace twin::models;
using nlohmann::json;

// Llama-style (SwiGLU: RMSNorm, rotary, no dropout) layer: h 4096, 32 heads, f 14336, s 4096.
json llama_like(const std::string& precision, int tp, bool sp) {
    return json{{"type", "llm-training"},
                {"model",
                 {{"layers", 4},
                  {"hidden", 4096},
                  {"heads", 32},
                  {"ffn", 14336},
                  {"activation", "swiglu"},
                  {"vocab", 32000},
                  {"seq_length", 4096}}},
                {"parallelism", {{"tp", tp}, {"dp", 1}, {"sequence_parallel", sp}}},
                {"batch", {{"global_batch", 8}, {"micro_batch", 1}}},
                {"precision", precision},
                {"attention", "flash"}};
}

TrainingConfig config(const json& w) {
    const auto doc = Document::parse(w.dump(), "w.json");
    return read_training_config(doc.root().as_object());
}

const detail::ElementwiseItem& item(const std::vector<detail::ElementwiseItem>& items, const std::string& name) {
    for (const auto& i : items) {
        if (i.name == name) {
            return i;
        }
    }
    throw std::runtime_error("no item " + name);
}

TEST(TrainingElementwise, NormBytesPerShape) {
    // Two norms a layer over T_e·h = 4096·4096 = 16,777,216 elements: forward reads x (2 B) and
    // writes y (2 B bf16; 1 B when Transformer Engine writes the FP8 cast): 2·16,777,216·4 =
    // 134,217,728 B, FP8 2·16,777,216·3 = 100,663,296 B; backward reads x, dy, writes dx:
    // 2·16,777,216·6 = 201,326,592 B, 2 kernels each (dx, then the dγ reduction).
    const auto bf16 = item(detail::layer_elementwise(config(llama_like("bf16", 1, false))), "norm");
    EXPECT_DOUBLE_EQ(bf16.forward_bytes, 134217728.0);
    EXPECT_DOUBLE_EQ(bf16.backward_bytes, 201326592.0);
    EXPECT_DOUBLE_EQ(bf16.forward_kernels, 2.0);
    EXPECT_DOUBLE_EQ(bf16.backward_kernels, 4.0);
    const auto fp8 = item(detail::layer_elementwise(config(llama_like("fp8", 1, false))), "norm");
    EXPECT_DOUBLE_EQ(fp8.forward_bytes, 100663296.0);
    // Sequence parallelism over tp 4: the norms see T/4 tokens: 134,217,728 / 4 = 33,554,432 B.
    const auto sp = item(detail::layer_elementwise(config(llama_like("bf16", 4, true))), "norm");
    EXPECT_DOUBLE_EQ(sp.forward_bytes, 33554432.0);
}

TEST(TrainingElementwise, FamiliesAndFp8Casts) {
    // Llama (SwiGLU): residual adds 2·6 B per element, no dropout, no bias gradients, rotary on
    // q and k: 4·T·(a + g)·d = 4·4096·8192 = 134,217,728 B; SwiGLU 6·F = 6·4096·14336 =
    // 352,321,536 B forward, 10·F = 587,202,560 B backward.
    const auto llama = detail::layer_elementwise(config(llama_like("bf16", 1, false)));
    const double x = 4096.0 * 4096.0;
    EXPECT_DOUBLE_EQ(item(llama, "residual").forward_bytes, 12.0 * x);
    EXPECT_DOUBLE_EQ(item(llama, "rotary").forward_bytes, 134217728.0);
    EXPECT_DOUBLE_EQ(item(llama, "activation").forward_bytes, 352321536.0);
    EXPECT_DOUBLE_EQ(item(llama, "activation").backward_bytes, 587202560.0);
    EXPECT_THROW(item(llama, "fp8_cast"), std::runtime_error);
    // GPT (GELU): fused bias-dropout-add writes a 1-byte mask: 2·7 B forward; backward dropout
    // (5 B) + gradient sum (6 B) per residual.
    json gpt_w = llama_like("bf16", 1, false);
    gpt_w["model"]["activation"] = "gelu";
    const auto gpt = detail::layer_elementwise(config(gpt_w));
    EXPECT_DOUBLE_EQ(item(gpt, "residual").forward_bytes, 14.0 * x);
    EXPECT_DOUBLE_EQ(item(gpt, "residual").backward_bytes, 22.0 * x);
    EXPECT_THROW(item(gpt, "rotary"), std::runtime_error);
    // FP8 casts, backward: the four GEMMs' output gradients cast and transposed, (2 + 2) B each:
    // N_qkv = 4096·(32 + 64)·128 = 50,331,648, T·h twice, N_1 = 4096·2·14336 = 117,440,512 (gate
    // and up), plus the norm-fused inputs transposed, 2 B · 2·T·h: 4·(50,331,648 + 2·16,777,216 +
    // 117,440,512) + 4·16,777,216 = 872,415,232 B over 6 kernels.
    const auto fp8 = item(detail::layer_elementwise(config(llama_like("fp8", 1, false))), "fp8_cast");
    EXPECT_DOUBLE_EQ(fp8.backward_bytes, 872415232.0);
    EXPECT_DOUBLE_EQ(fp8.backward_kernels, 6.0);
}

TEST(TrainingElementwise, Fp8GemmEfficiencyDependsOnShape) {
    // e = 1 / (1 + 96·(1/m + 1/n + r/k)), r = 1 (BF16), 2 (FP8):
    //   (8192, 8192, 8192) FP8: 1 / (1 + 96·4/8192) = 1 / 1.046875 = 0.955224
    //   (8192, 8192, 1024) FP8: 1 / (1 + 96·(2/8192 + 2/1024)) = 1 / 1.2109375 = 0.825806
    //   (8192, 8192, 1024) BF16: 1 / (1 + 96·(2/8192 + 1/1024)) = 1 / 1.1171875 = 0.895105
    EXPECT_NEAR(gemm_shape_efficiency(8192, 8192, 8192, topology::Precision::FP8), 0.955224, 1e-6);
    EXPECT_NEAR(gemm_shape_efficiency(8192, 8192, 1024, topology::Precision::FP8), 0.825806, 1e-6);
    EXPECT_NEAR(gemm_shape_efficiency(8192, 8192, 1024, topology::Precision::BF16), 0.895105, 1e-6);
    // Monotonic in every dimension, and never above the BF16 value of the same shape.
    double last = 0.0;
    for (double k : {256.0, 512.0, 1024.0, 4096.0, 16384.0}) {
        const double e = gemm_shape_efficiency(4096, 4096, k, topology::Precision::FP8);
        EXPECT_GT(e, last) << k;
        EXPECT_LT(e, gemm_shape_efficiency(4096, 4096, k, topology::Precision::BF16)) << k;
        last = e;
    }
    EXPECT_LT(gemm_shape_efficiency(1024, 4096, 4096, topology::Precision::FP8),
              gemm_shape_efficiency(8192, 4096, 4096, topology::Precision::FP8));
}

TEST(TrainingElementwise, KernelsCountedPerOp) {
    // GEMMs: 1 launch forward, 2 backward; flash attention 1 and 3; the elementwise op carries its
    // items' kernels (Llama bf16: norms 2, residual 2, activation 1, rotary 2 = 7 forward; 4 + 2 +
    // 1 + 2 = 9 backward).
    const auto ops = layer_ops_of(config(llama_like("bf16", 1, false)));
    double forward = 0.0;
    double backward = 0.0;
    for (const auto& o : ops.forward) {
        forward += o.kernels;
    }
    for (const auto& o : ops.backward) {
        backward += o.kernels;
    }
    // forward: qkv, attention, proj, mlp_up, mlp_down (5) + elementwise 7 = 12;
    // backward: 4 GEMMs·2 = 8, attention 3, elementwise 9 = 20.
    EXPECT_DOUBLE_EQ(forward, 12.0);
    EXPECT_DOUBLE_EQ(backward, 20.0);
}

// Time of a layer's ops (forward + backward, one micro-batch) on an H100, split into the GEMMs
// (FLOP term) and everything else (memory-bound ops, attention, launch gaps).
struct LayerTime {
    double gemm = 0.0;
    double total = 0.0;
};
LayerTime layer_time(const TrainingConfig& c) {
    const topology::GpuType gpu = topology::Catalog::builtin().gpus.at("H100-SXM");
    const auto ops = layer_ops_of(c);
    LayerTime t;
    for (const auto* list : {&ops.forward, &ops.backward}) {
        for (const auto& o : *list) {
            if (o.collective) {
                continue;
            }
            ComputeOp op{Flops(o.flops), Bytes(o.bytes), o.gemm ? c.precision : topology::Precision::BF16, o.efficiency,
                         static_cast<std::int64_t>(o.kernels)};
            const double s = compute_time(gpu, op).time.value();
            t.total += s;
            if (o.gemm) {
                t.gemm += s;
            }
        }
    }
    return t;
}

TEST(TrainingElementwise, SmallFp8ModelIsNotAllGemm) {
    // A 1B-class FP8 layer (h 2048, 16 heads, f 8192 SwiGLU, s 2048, one GPU): per micro-batch the
    // four GEMMs do 2·2048·2048·(6144 + 2048 + 16384 + 8192) = 275 GFLOP forward (825 with
    // backward) at 1978.9·0.75·~0.96 TFLOP/s: ~0.58 ms. The memory-bound work moves ~1.4 GB
    // (norms 25 MB, residual 50, SwiGLU 100 + 168, rotary 34 + 34, FP8 casts 168 + 227 forward and
    // backward, ...) at 3350·0.9 GB/s: ~0.46 ms, plus 12 + 28 launches of 2 us (0.08 ms) and the
    // attention. The GEMMs are well under 60 % of the layer, not the ~99 % a GEMM-only model gives.
    json w = llama_like("fp8", 1, false);
    w["model"]["hidden"] = 2048;
    w["model"]["heads"] = 16;
    w["model"]["ffn"] = 8192;
    w["model"]["seq_length"] = 2048;
    const auto t = layer_time(config(w));
    EXPECT_LT(t.gemm / t.total, 0.6);
    EXPECT_GT(t.gemm / t.total, 0.3);
}

} // namespace
