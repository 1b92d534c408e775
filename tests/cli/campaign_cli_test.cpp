// `clustertwin run` with a "campaign" section: the campaign runs after the step simulation and its
// section reaches report.json and the text report; bad campaign input exits 2 with one line naming
// the JSON pointer (also when it is found only after the simulation: shorter than a step).
#include "cli_util.hpp"
#include "twin/report/run_report.hpp"

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using twin::test::read_text;
using twin::test::sh_quote;
using twin::test::write_text;

class CampaignCli : public twin::test::CliTest {
protected:
    // scenarios/dgx-h100-1node.json (8 GPUs, no storage network) with `campaign` added.
    std::string scenario_with(const json& campaign) {
        json s = json::parse(read_text(std::filesystem::path(TWIN_SOURCE_DIR) / "scenarios" / "dgx-h100-1node.json"));
        s["campaign"] = campaign;
        const auto scenarios = std::filesystem::path(TWIN_SOURCE_DIR) / "scenarios";
        s["workload"]["file"] = (scenarios / s["workload"]["file"].get<std::string>()).string();
        const auto path = dir_ / "campaign.json";
        write_text(path, s.dump(2));
        return sh_quote(path.string());
    }
};

TEST_F(CampaignCli, ReportCarriesTheCampaign) {
    const json campaign = {{"duration_days", 30},
                           {"trials", 20},
                           {"checkpoint", {{"interval", "1h"}, {"write_bandwidth", "10GB/s"}}},
                           {"tokens", 1e12}};
    const auto out = dir_ / "out";
    const auto r = run("run -o " + sh_quote(out.string()) + " " + scenario_with(campaign));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\ncampaign          30 days, 20 trials"), std::string::npos) << r.out;
    const json rep = json::parse(read_text(out / "report.json"));
    const json& c = rep.at("campaign");
    EXPECT_EQ(c.at("trials"), 20);
    EXPECT_EQ(c.at("duration_s"), 30 * 86400.0);
    EXPECT_EQ(c.at("checkpoint_source"), "checkpoint.write_bandwidth");
    // One node of 8 GPUs at the default rates: Λ = 8 (9.23e-6 + 3.39e-6 + 3.30e-7 [NIC]) + 1.62e-5
    // + 1.13e-6 + 2.37e-5 + the node's links and switch: about 1.4e-4 per hour, MTBI ~ 300 days.
    EXPECT_GT(c.at("mtbi_s").get<double>(), 150 * 86400.0);
    EXPECT_GT(c.at("goodput").at("mean").get<double>(), 0.5);
    EXPECT_LE(c.at("goodput").at("mean").get<double>(), 1.0);
    EXPECT_TRUE(c.at("days_for_tokens").is_null()); // a trace workload has no tokens per step
    EXPECT_EQ(c.at("causes").size(), 10U);
    // report.json reads back into RunReport and writes the same campaign section.
    const auto back = twin::report::from_json(rep);
    ASSERT_TRUE(back.campaign.has_value());
    EXPECT_EQ(twin::report::to_json(back).at("campaign"), c);
}

// The two-leaf fabric of tests/scenarios/failed-link-hand.json (8 flows crossing two spines) with a
// campaign and no failed link: run simulates the step again with the healthy run's busiest
// leaf-spine cable failed and the campaign's failed-link model says so; the same scenario run by
// hand with that cable in "failed_links" gives the same step.
TEST_F(CampaignCli, FailedLinkStepIsSimulated) {
    const auto folder = std::filesystem::path(TWIN_SOURCE_DIR) / "tests" / "scenarios";
    json s = json::parse(read_text(folder / "failed-link-hand.json"));
    s.erase("failed_links");
    s["workload"]["file"] = (folder / s["workload"]["file"].get<std::string>()).string();
    s["campaign"] = {{"duration_days", 10}, {"trials", 10}, {"checkpoint", {{"write_bandwidth", "100GB/s"}}}};
    const auto path = dir_ / "two-leaves-campaign.json";
    write_text(path, s.dump(2));
    const auto r = run("run -q -o " + sh_quote((dir_ / "out").string()) + " " + sh_quote(path.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json rep = json::parse(read_text(dir_ / "out" / "report.json"));
    const std::string model = rep.at("campaign").at("failed_link_model").get<std::string>();
    ASSERT_EQ(model.rfind("simulated: the step with the ", 0), 0U) << model;
    // "... the A - B cable failed (...) took T' s against T s"
    const auto start = std::string("simulated: the step with the ").size();
    const std::string cable = model.substr(start, model.find(" cable failed") - start);
    const auto dash = cable.find(" - ");
    ASSERT_NE(dash, std::string::npos) << model;
    const double failed_step = std::stod(model.substr(model.find(" took ") + 6));
    const double step = rep.at("simulated_time_s").get<double>(); // a trace workload: the simulated time
    EXPECT_NEAR(rep.at("campaign").at("failed_link_slowdown").get<double>(), std::max(0.0, failed_step / step - 1),
                1e-5);

    s.erase("campaign");
    s["failed_links"] = json::array({json::array({cable.substr(0, dash), cable.substr(dash + 3)})});
    write_text(path, s.dump(2));
    ASSERT_EQ(run("run -q -o " + sh_quote((dir_ / "failed").string()) + " " + sh_quote(path.string())).exit_code, 0);
    const json degraded = json::parse(read_text(dir_ / "failed" / "report.json"));
    const double by_hand = degraded.at("simulated_time_s").get<double>();
    EXPECT_NEAR(by_hand, failed_step, 1e-5 * failed_step);
}

TEST_F(CampaignCli, BadCampaignExitsTwo) {
    const auto r = run("run -q -o " + sh_quote((dir_ / "out").string()) + " " +
                       scenario_with({{"duration_days", 5},
                                      {"checkpoint", {{"write_bandwidth", "10GB/s"}}},
                                      {"failures", {{"gpu", {{"rate_per_component_hour", -1}}}}}}));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/campaign/failures/gpu/rate_per_component_hour"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    const auto unknown = run("validate " + scenario_with({{"duration_days", 5},
                                                          {"checkpoint", {{"write_bandwidth", "10GB/s"}}},
                                                          {"failures", {{"fpga", json::object()}}}}));
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("/campaign/failures/fpga: unknown failure class"), std::string::npos) << unknown.err;
}

TEST_F(CampaignCli, CampaignShorterThanAStepExitsTwo) {
    // 1e-9 days = 86.4 us, less than the simulated step.
    const auto r = run("run -q -o " + sh_quote((dir_ / "out").string()) + " " +
                       scenario_with({{"duration_days", 1e-9}, {"checkpoint", {{"write_bandwidth", "10GB/s"}}}}));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("/campaign/duration_days: the campaign"), std::string::npos) << r.err;
}

} // namespace
