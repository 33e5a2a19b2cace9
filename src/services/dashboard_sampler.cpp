// Implementation of the dashboard sampler.
#include "services/dashboard_sampler.hpp"

namespace gomall::services {

// Samples on a fixed clock (not "interval after the last one ended"), so they stay evenly spaced;
// a sample that overran skips the missed ticks instead of bunching them.
DashboardSampler::DashboardSampler(
    const ports::MetricsReader& reader, SaleDashboard& dashboard, const ports::Clock& clock
)
    : reader_(reader),
      dashboard_(dashboard),
      clock_(clock),
      worker_("dashboard sample", PeriodicSchedule{dashboard.settings().sample_interval, true, true}, [this] {
          sample_once();
      }) {}

void DashboardSampler::sample_once() {
    dashboard_.record(reader_.snapshot(), clock_.now());
}

}  // namespace gomall::services
