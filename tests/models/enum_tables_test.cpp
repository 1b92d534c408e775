// The name tables of the model and topology enums (twin/core/enum_names.hpp) keep the names that
// traces, reports and messages have always used, cover every enumerator, and read back.
#include "twin/models/llm_training.hpp"
#include "twin/models/power.hpp"
#include "twin/models/trace.hpp"
#include "twin/topology/catalog.hpp"
#include "twin/topology/cluster.hpp"

#include <gtest/gtest.h>

namespace {

template <typename Table>
void expect_round_trip(const Table& t) {
    for (const auto& e : t.entries()) {
        EXPECT_EQ(t.parse(e.name), e.value) << e.name;
    }
}

TEST(EnumTables, NamesAsBefore) {
    using namespace twin;
    EXPECT_EQ(models::kCollectiveNames.list(), "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast");
    EXPECT_EQ(models::kAlgorithmNames.list(),
              "auto, ring, tree, nvls, nvls_tree, hierarchical, pipeline, direct, pairwise");
    EXPECT_EQ(models::kProtocolNames.list(), "auto, simple, ll128, ll");
    EXPECT_EQ(models::kCoolingNames.list(), "air, rear-door, liquid");
    EXPECT_EQ(topology::kPrecisionNames.list(), "fp64, tf32, bf16, fp16, fp8, fp4");
    EXPECT_EQ(topology::kLinkTierNames.list(), "scale-up, host, access, leaf-spine, spine-core");
    EXPECT_EQ(models::kPipelineScheduleNames.list(), "1f1b, interleaved");
    EXPECT_EQ(models::kRecomputeNames.list(), "none, selective, full");
    EXPECT_EQ(models::kAttentionKernelNames.list(), "flash, unfused");
    EXPECT_EQ(models::collective_name(models::CollectiveKind::ReduceScatter), "reduce_scatter");
    EXPECT_EQ(models::algorithm_name(models::Algorithm::NvlsTree), "nvls_tree");
    EXPECT_EQ(models::protocol_name(models::Protocol::LL128), "ll128");
    EXPECT_EQ(models::cooling_name(models::CoolingType::RearDoor), "rear-door");
    EXPECT_EQ(topology::precision_name(topology::Precision::FP8), "fp8");
    EXPECT_EQ(topology::link_tier_name(topology::LinkTier::Aggregation), "leaf-spine");
    EXPECT_EQ(topology::parse_precision("bf16"), topology::Precision::BF16);
}

// Every enumerator is in its table once (the enums are dense from 0 to `last`).
template <typename Table, typename E>
void expect_covers(const Table& t, E last) {
    const auto n = static_cast<std::size_t>(last) + 1;
    EXPECT_EQ(t.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_NE(t.name_of(static_cast<E>(i), "<none>"), "<none>") << i;
    }
    expect_round_trip(t);
}

TEST(EnumTables, EveryEnumeratorHasAName) {
    using namespace twin;
    expect_covers(models::kCollectiveNames, models::CollectiveKind::Broadcast);
    expect_covers(models::kAlgorithmNames, models::Algorithm::Pairwise);
    expect_covers(models::kProtocolNames, models::Protocol::LL);
    expect_covers(models::kCoolingNames, models::CoolingType::Liquid);
    expect_covers(topology::kPrecisionNames, topology::Precision::FP4);
    expect_covers(topology::kLinkTierNames, topology::LinkTier::Core);
    expect_covers(models::kPipelineScheduleNames, models::PipelineSchedule::Interleaved);
    expect_covers(models::kRecomputeNames, models::Recompute::Full);
    expect_covers(models::kAttentionKernelNames, models::AttentionKernel::Unfused);
}

} // namespace
