// Failed fabric links (twin/topology/failed_links.hpp): routes avoid the cable and stay shortest,
// and every refused failure names the entry.
#include "fabrics.hpp"
#include "topology_test_util.hpp"
#include "twin/topology/failed_links.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace twin::topology {
namespace {

using testing::kThreeTier;
using testing::load_text;

void fail(Cluster& c, const nlohmann::json& entries) {
    const Document doc = Document::parse(entries.dump(), "test.json");
    apply_failed_links(doc.root(), c);
}

std::uint32_t first_of_tier(const Cluster& c, LinkTier tier) {
    for (std::uint32_t id = 0; id < c.links().size(); ++id) {
        if (c.links()[id].tier == tier) {
            return id;
        }
    }
    return 0;
}

nlohmann::json ends(const Cluster& c, std::uint32_t link) {
    return nlohmann::json::array({c.vertex_name(c.links()[link].a), c.vertex_name(c.links()[link].b)});
}

TEST(FailedLinks, RoutesAvoidAFailedSpineCoreLinkAndStayShortest) {
    Cluster c = load_text(kThreeTier);
    const std::uint32_t core = first_of_tier(c, LinkTier::Core);
    std::vector<std::vector<std::size_t>> hops_before(static_cast<std::size_t>(c.gpu_count()));
    std::vector<Hop> hops;
    int crossed = 0;
    for (int s = 0; s < c.gpu_count(); ++s) {
        for (int d = 0; d < c.gpu_count(); ++d) {
            if (s == d) {
                continue;
            }
            hops.clear();
            c.route(s, d, hops);
            hops_before[static_cast<std::size_t>(s)].push_back(hops.size());
            crossed += std::any_of(hops.begin(), hops.end(), [&](const Hop& h) { return h.link == core; }) ? 1 : 0;
        }
    }
    ASSERT_GT(crossed, 0) << "some route used " << c.link_name(core) << " before it failed";
    fail(c, nlohmann::json::array({ends(c, core)}));
    EXPECT_EQ(c.failed_links(), std::vector<std::uint32_t>{core});
    for (int s = 0; s < c.gpu_count(); ++s) {
        std::size_t k = 0;
        for (int d = 0; d < c.gpu_count(); ++d) {
            if (s == d) {
                continue;
            }
            hops.clear();
            c.route(s, d, hops);
            EXPECT_TRUE(std::none_of(hops.begin(), hops.end(), [&](const Hop& h) { return h.link == core; }))
                << s << " -> " << d;
            // A 3-tier fat-tree has other cores: every route keeps its length.
            EXPECT_EQ(hops.size(), hops_before[static_cast<std::size_t>(s)][k++]) << s << " -> " << d;
        }
    }
}

TEST(FailedLinks, RefusedFailuresNameTheEntry) {
    Cluster c = load_text(kThreeTier);
    const std::uint32_t core = first_of_tier(c, LinkTier::Core);
    EXPECT_INPUT_ERROR(fail(c, nlohmann::json::array({nlohmann::json::array({"spine.g0.0", "nowhere"})})), "/0",
                       "no cable between");
    EXPECT_INPUT_ERROR(fail(c, nlohmann::json::array({nlohmann::json::array({"a", "b", "c"})})), "/0", "two switches");
    const std::uint32_t access = first_of_tier(c, LinkTier::Access);
    EXPECT_INPUT_ERROR(fail(c, nlohmann::json::array({ends(c, access)})), "/0", "no cable between");
    EXPECT_INPUT_ERROR(fail(c, nlohmann::json::array({ends(c, core), ends(c, core)})), "/1", "already failed");
    EXPECT_INPUT_ERROR(fail(c, nlohmann::json(257, ends(c, core))), "", "at most 256");
    // Every uplink of one leaf: the last one would cut it off.
    Cluster d = load_text(kThreeTier);
    const std::uint32_t agg = first_of_tier(d, LinkTier::Aggregation);
    const VertexId leaf = d.links()[agg].a;
    auto uplinks = nlohmann::json::array();
    for (std::uint32_t id = 0; id < d.links().size(); ++id) {
        if (d.links()[id].tier == LinkTier::Aggregation && d.links()[id].a == leaf) {
            uplinks.push_back(ends(d, id));
        }
    }
    ASSERT_GT(uplinks.size(), 1U);
    EXPECT_INPUT_ERROR(fail(d, uplinks), "/" + std::to_string(uplinks.size() - 1), "cut in two");
}

} // namespace
} // namespace twin::topology
