// Implementation of the histogram arithmetic.
#include "services/histogram_quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gomall::services {

std::optional<double> histogram_quantile(
    double q, const std::vector<double>& bounds, const std::vector<double>& cumulative
) {
    if (!(q >= 0 && q <= 1) || bounds.empty() || cumulative.size() != bounds.size() + 1) {
        return std::nullopt;
    }
    const double total = cumulative.back();
    if (!(total > 0)) {
        return std::nullopt;
    }
    const double rank = q * total;
    double lower_bound = 0;
    double below = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        const double count = cumulative[i];
        if (count >= rank && count > below) {
            // Linear inside the bucket: the rank's share of the bucket's own observations.
            const double lower = i == 0 ? std::min(0.0, bounds[0]) : lower_bound;
            return lower + (bounds[i] - lower) * ((rank - below) / (count - below));
        }
        lower_bound = bounds[i];
        below = count;
    }
    return bounds.back();
}

std::vector<double> bucket_increase(const std::vector<double>& earlier, const std::vector<double>& later) {
    if (earlier.empty() || later.empty() || earlier.size() != later.size()) {
        return {};
    }
    // A reset shows as the total going down; then everything counted since is the increase.
    const bool reset = later.back() < earlier.back();
    std::vector<double> out(later.size());
    for (std::size_t i = 0; i < later.size(); ++i) {
        out[i] = reset ? later[i] : std::max(0.0, later[i] - earlier[i]);
    }
    return out;
}

double counter_increase(double earlier, double later) {
    if (std::isnan(earlier) || std::isnan(later)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return later >= earlier ? later - earlier : later;
}

}  // namespace gomall::services
