// The "bom" section's JSON and text (bom_report.cpp), internal to the report library.
#pragma once

#include "twin/report/bom_report.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace twin {
class Value;
}

namespace twin::report::detail {

[[nodiscard]] nlohmann::json bom_to_json(const BomReport& b);
[[nodiscard]] BomReport bom_from_json(const Value& v);
[[nodiscard]] std::string bom_text(const BomReport& b);

} // namespace twin::report::detail
