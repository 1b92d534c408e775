// Internal to the campaign model (campaign_math.cpp).
#pragma once

namespace twin::models::detail {

// The standard normal quantile Φ^{-1}(p), p clamped into (0, 1).
[[nodiscard]] double normal_quantile(double p);

} // namespace twin::models::detail
