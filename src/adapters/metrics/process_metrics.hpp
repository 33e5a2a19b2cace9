// The process' own metrics, under the names every Prometheus client library uses (process_*), read
// from /proc at scrape time; and the build's identity as gomall_build_info{version, commit} 1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ports/metrics.hpp"

namespace gomall::adapters::metrics {

/// One reading of /proc/self (Linux). Absent fields could not be read.
struct ProcessStats {
    double cpu_seconds = 0;            // user + system
    double resident_memory_bytes = 0;  // RSS
    double virtual_memory_bytes = 0;
    double threads = 0;
    double start_time_seconds = 0;  // since the Unix epoch
};

/// From /proc/self/stat (and /proc/stat's boot time); nullopt when /proc cannot be read.
std::optional<ProcessStats> read_process_stats();
/// Entries of /proc/self/fd (the one descriptor used to list them included, as other clients do).
std::optional<double> count_open_fds();
/// The soft RLIMIT_NOFILE; nullopt when unlimited.
std::optional<double> max_open_fds();

/// Registers process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_threads and
/// process_start_time_seconds as callback families, read at each scrape; they stay registered
/// while this object lives. A value that cannot be read leaves its family out of the scrape.
class ProcessMetrics {
public:
    explicit ProcessMetrics(ports::Metrics& metrics);

private:
    std::vector<ports::MetricsRegistration> registrations_;
};

/// gomall_build_info{version="...",commit="..."} 1.
void register_build_info(ports::Metrics& metrics, const std::string& version, const std::string& commit);

}  // namespace gomall::adapters::metrics
