// Quantiles from cumulative histogram buckets, computed the way Prometheus' histogram_quantile()
// does: find the bucket the rank falls in and interpolate linearly inside it.
#pragma once

#include <optional>
#include <vector>

namespace gomall::services {

/// The q-quantile (0 <= q <= 1) of the observations counted in `cumulative` (one count per bound in
/// `bounds`, cumulative, then one for +Inf). The lowest bucket is taken to start at 0 (durations
/// and sizes are never negative); a rank in the +Inf bucket answers the highest finite bound.
/// nullopt when nothing was observed, q is out of range or the shapes do not fit.
std::optional<double> histogram_quantile(
    double q, const std::vector<double>& bounds, const std::vector<double>& cumulative
);

/// `later - earlier`, element-wise, for the buckets of one histogram at two moments; a bucket that
/// went down (the process restarted) counts from zero. Empty when either side is empty or the sizes differ.
std::vector<double> bucket_increase(const std::vector<double>& earlier, const std::vector<double>& later);

/// How much a counter grew from `earlier` to `later`; a counter that went down was reset and
/// counts from zero. NaN when either is NaN.
double counter_increase(double earlier, double later);

}  // namespace gomall::services
