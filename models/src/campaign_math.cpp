// The campaign's closed forms and the normal quantile its slow-GPU draw needs
// (twin/models/campaign.hpp has the equations):
//   Young (1974)  τ_Y = sqrt(2 C M)
//   Daly (2006)   τ_D = sqrt(2 C M) [1 + sqrt(C / 2M) / 3 + (C / 2M) / 9] − C   (C < 2M), else M
//   goodput       G = τ / ((e^{Λ(τ+C)} − 1)(1/Λ + R)); without failures τ / (τ + C)
//   Φ^{-1}(p)     Acklam's rational approximation (2003), relative error < 1.2e-9
#include "campaign_math.hpp"

#include "twin/models/campaign.hpp"

#include <algorithm>
#include <cmath>

namespace twin::models {

double young_interval(double checkpoint_s, double mtbi_s) {
    return std::sqrt(2.0 * checkpoint_s * mtbi_s);
}

double daly_interval(double checkpoint_s, double mtbi_s) {
    if (checkpoint_s >= 2.0 * mtbi_s) {
        return mtbi_s;
    }
    const double x = checkpoint_s / (2.0 * mtbi_s);
    return young_interval(checkpoint_s, mtbi_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - checkpoint_s;
}

double closed_form_goodput(double interval_s, double checkpoint_s, double rate_per_s, double restart_s) {
    if (rate_per_s <= 0.0) {
        return interval_s / (interval_s + checkpoint_s);
    }
    return interval_s / (std::expm1(rate_per_s * (interval_s + checkpoint_s)) * (1.0 / rate_per_s + restart_s));
}

namespace detail {

// Acklam's rational approximation of the standard normal quantile.
double normal_quantile(double p) {
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01, -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    p = std::clamp(p, 1e-300, 1.0 - 1e-16);
    if (p < 0.02425) {
        const double q = std::sqrt(-2.0 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    if (p > 1.0 - 0.02425) {
        return -normal_quantile(1.0 - p);
    }
    const double q = p - 0.5;
    const double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

} // namespace detail
} // namespace twin::models
