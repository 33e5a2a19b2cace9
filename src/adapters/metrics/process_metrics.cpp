#include "adapters/metrics/process_metrics.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <sys/resource.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace gomall::adapters::metrics {
namespace {

// /proc/self/stat's fields after the command name (which is in parentheses and may itself hold
// spaces and parentheses, so the split starts after the last ')'). Field 3 (state) is index 0.
constexpr std::size_t kUtime = 14 - 3;
constexpr std::size_t kStime = 15 - 3;
constexpr std::size_t kNumThreads = 20 - 3;
constexpr std::size_t kStartTime = 22 - 3;
constexpr std::size_t kVsize = 23 - 3;
constexpr std::size_t kRss = 24 - 3;

std::optional<std::string> read_file(const char* path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Seconds since the epoch at which the machine booted (/proc/stat's btime).
std::optional<double> boot_time_seconds() {
    std::ifstream in("/proc/stat");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("btime ")) {
            try {
                return std::stod(line.substr(6));
            } catch (const std::exception&) {  // not the format we know
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

std::vector<ports::Sample> one(const std::optional<double>& value) {
    if (!value) {
        return {};
    }
    return {ports::Sample{{}, *value}};
}

}  // namespace

std::optional<ProcessStats> read_process_stats() {
    const auto text = read_file("/proc/self/stat");
    const auto boot = boot_time_seconds();
    const long ticks = ::sysconf(_SC_CLK_TCK);
    const long page = ::sysconf(_SC_PAGESIZE);
    if (!text || !boot || ticks <= 0 || page <= 0) {
        return std::nullopt;
    }
    const auto close = text->rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(text->substr(close + 1));
    const std::vector<std::string> fields{
        std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
    if (fields.size() <= kRss) {
        return std::nullopt;
    }
    try {
        ProcessStats stats;
        const auto tick_seconds = 1.0 / static_cast<double>(ticks);
        stats.cpu_seconds =
            static_cast<double>(std::stoull(fields[kUtime]) + std::stoull(fields[kStime])) * tick_seconds;
        stats.threads = static_cast<double>(std::stoll(fields[kNumThreads]));
        stats.start_time_seconds = *boot + static_cast<double>(std::stoull(fields[kStartTime])) * tick_seconds;
        stats.virtual_memory_bytes = static_cast<double>(std::stoull(fields[kVsize]));
        stats.resident_memory_bytes = static_cast<double>(std::stoll(fields[kRss])) * static_cast<double>(page);
        return stats;
    } catch (const std::exception&) {  // std::invalid_argument, std::out_of_range: not the format we know
        return std::nullopt;
    }
}

std::optional<double> count_open_fds() {
    std::error_code error;
    std::filesystem::directory_iterator it("/proc/self/fd", error);
    if (error) {
        return std::nullopt;
    }
    double count = 0;
    for (const std::filesystem::directory_iterator end; it != end; it.increment(error)) {
        if (error) {
            return std::nullopt;
        }
        ++count;
    }
    return count;
}

std::optional<double> max_open_fds() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return std::nullopt;
    }
    return static_cast<double>(limit.rlim_cur);
}

ProcessMetrics::ProcessMetrics(ports::Metrics& metrics) {
    using ports::CallbackType;
    const auto from_stat = [](double ProcessStats::*field) {
        return [field] {
            const auto stats = read_process_stats();
            return one(stats ? std::optional<double>((*stats).*field) : std::nullopt);
        };
    };
    // The start time does not change: read once.
    const auto stats = read_process_stats();
    const std::optional<double> start = stats ? std::optional<double>(stats->start_time_seconds) : std::nullopt;

    registrations_.push_back(metrics.callback(
        CallbackType::kCounter,
        "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.",
        {},
        from_stat(&ProcessStats::cpu_seconds)
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
        {},
        from_stat(&ProcessStats::resident_memory_bytes)
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_virtual_memory_bytes",
        "Virtual memory size in bytes.",
        {},
        from_stat(&ProcessStats::virtual_memory_bytes)
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_threads",
        "Number of OS threads in the process.",
        {},
        from_stat(&ProcessStats::threads)
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_open_fds",
        "Number of open file descriptors.",
        {},
        [] { return one(count_open_fds()); }
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_max_fds",
        "Maximum number of open file descriptors.",
        {},
        [] { return one(max_open_fds()); }
    ));
    registrations_.push_back(metrics.callback(
        CallbackType::kGauge,
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        {},
        [start] { return one(start); }
    ));
}

void register_build_info(ports::Metrics& metrics, const std::string& version, const std::string& commit) {
    metrics
        .gauge(
            "gomall_build_info",
            "A metric with a constant '1' value labeled by the version and commit GoMall was built from.",
            {"version", "commit"}
        )
        .with({version, commit})
        .set(1);
}

}  // namespace gomall::adapters::metrics
