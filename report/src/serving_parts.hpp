// The request-level "serving" section (serving_report.cpp), internal to the report library.
#pragma once

#include "twin/models/scenario.hpp"
#include "twin/report/run_report.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace twin {
class Value;
}

namespace twin::report::detail {

// Runs the request simulation (and the capacity search) calibrated on the simulated cycle; none
// unless the workload is in request mode and its prefill and decode ran.
[[nodiscard]] std::optional<RequestServingReport> build_request_serving(const models::Scenario& s, const RunResult& r);
[[nodiscard]] nlohmann::json request_serving_to_json(const RequestServingReport& s);
[[nodiscard]] RequestServingReport request_serving_from_json(const Value& v);
[[nodiscard]] std::string request_serving_text(const RequestServingReport& s);

} // namespace twin::report::detail
