// The parts build_report() assembles and the text report prints, internal to the report library.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_report.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace twin::report::detail {

// One direction of a link with its load; every directed link of the cluster, up then down for
// each link id (for_each_directed_link).
struct DirectedLink {
    std::uint32_t link;
    bool up;
    double bytes;
    double utilization; // bytes / (bandwidth x simulated time)
};
// One of them (link id `link`, direction `up`).
[[nodiscard]] DirectedLink directed_link(const models::Scenario& s, const RunResult& r, std::uint32_t link, bool up);
// Hands each to `each` in that order, none kept (a million GPUs have 16 M: 0.4 GB as a list).
template <class Each>
void for_each_directed_link(const models::Scenario& s, const RunResult& r, Each&& each) {
    const auto n = static_cast<std::uint32_t>(s.cluster.links().size());
    for (std::uint32_t i = 0; i < n; ++i) {
        each(directed_link(s, r, i, true));
        each(directed_link(s, r, i, false));
    }
}

// Fills busiest_links, link_tiers and pods.
void add_fabric(const models::Scenario& s, const RunResult& r, RunReport& report);
[[nodiscard]] PowerReport build_power(const models::Scenario& s, const RunResult& r);
[[nodiscard]] std::optional<WorkloadReport> build_workload(const models::Scenario& s, const RunResult& r);
// Peak FLOP/s of `gpu` at `precision` (0 when its catalog entry has none): the per-GPU denominator
// of MFU and HFU, for the workload and for each job of a "jobs" scenario.
[[nodiscard]] double peak_flops(const topology::GpuType& gpu, topology::Precision precision);
[[nodiscard]] SeriesReport build_series(const RunResult& r);
[[nodiscard]] std::optional<StorageReport> build_storage(const models::Scenario& s, double step_time_s);
// The day under facility.weather (none without it).
[[nodiscard]] std::optional<models::WeatherDay> build_weather(const models::Scenario& s, const RunResult& r);
[[nodiscard]] nlohmann::json weather_to_json(const models::WeatherDay& d);
[[nodiscard]] std::string weather_text(const models::WeatherDay& d);
// The scenario's campaign run on the report built so far (none without a "campaign" section).
[[nodiscard]] std::optional<models::CampaignResult> build_campaign(const models::Scenario& s, const RunReport& r,
                                                                   const FailedLinkStep* failed = nullptr);
[[nodiscard]] nlohmann::json campaign_to_json(const models::CampaignResult& c);
[[nodiscard]] std::string campaign_text(const models::CampaignResult& c);

// Sections of to_json / from_json.
[[nodiscard]] nlohmann::json link_to_json(const LinkReport& l);
[[nodiscard]] nlohmann::json workload_to_json(const WorkloadReport& w);
[[nodiscard]] nlohmann::json power_to_json(const PowerReport& p);
[[nodiscard]] nlohmann::json series_to_json(const SeriesReport& s);
[[nodiscard]] nlohmann::json storage_to_json(const StorageReport& s);

// Sections of format_text.
[[nodiscard]] std::string fabric_text(const RunReport& r);
[[nodiscard]] std::string power_text(const PowerReport& p);
[[nodiscard]] std::string series_text(const RunReport& r);
[[nodiscard]] std::string storage_text(const StorageReport& s);

// "1.5 GiB": three significant digits, binary units.
[[nodiscard]] std::string human_bytes(double bytes);
// "1.234 ms": four significant digits, s / ms / us.
[[nodiscard]] std::string human_time(double seconds);
[[nodiscard]] std::string human_power(double watts);
[[nodiscard]] std::string human_energy(double joules);

} // namespace twin::report::detail

namespace twin {
class Value;
}

namespace twin::report::detail {

// Sections of from_json; each throws InputError at the pointer of a bad or missing key.
[[nodiscard]] LinkReport link_from_json(const Value& v);
[[nodiscard]] WorkloadReport workload_from_json(const Value& v);
[[nodiscard]] PowerReport power_from_json(const Value& v);
[[nodiscard]] SeriesReport series_from_json(const Value& v);
[[nodiscard]] StorageReport storage_from_json(const Value& v);
[[nodiscard]] models::WeatherDay weather_from_json(const Value& v);
[[nodiscard]] models::CampaignResult campaign_from_json(const Value& v);

} // namespace twin::report::detail
