// Process metrics from /proc/self, the build info, and a whole scrape checked by promtool.
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/metrics/process_metrics.hpp"
#include "adapters/metrics/prometheus_registry.hpp"

namespace gomall::adapters::metrics {
namespace {

// The value of the sample line that starts with `series` followed by a space.
std::optional<double> sample(const std::string& text, const std::string& series) {
    const std::string prefix = series + " ";
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        const auto line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (line.rfind(prefix, 0) == 0) {
            return std::stod(line.substr(prefix.size()));
        }
        if (end == std::string::npos) {
            break;
        }
        at = end + 1;
    }
    return std::nullopt;
}

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ProcessMetrics, AreExposedUnderTheStandardNamesAndPlausible) {
    PrometheusRegistry registry;
    const ProcessMetrics process(registry);
    // Burn a little CPU and hold a second thread, so both show.
    volatile double spin = 0;
    for (int i = 0; i < 2'000'000; ++i) {
        spin = spin + i;
    }
    std::thread sleeper([] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); });
    const std::string text = registry.render();
    sleeper.join();

    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos) << text;
    const auto cpu = sample(text, "process_cpu_seconds_total");
    const auto rss = sample(text, "process_resident_memory_bytes");
    const auto vsize = sample(text, "process_virtual_memory_bytes");
    const auto fds = sample(text, "process_open_fds");
    const auto max_fds = sample(text, "process_max_fds");
    const auto threads = sample(text, "process_threads");
    const auto start = sample(text, "process_start_time_seconds");
    ASSERT_TRUE(cpu && rss && vsize && fds && threads && start) << text;
    EXPECT_GE(*cpu, 0.0);
    EXPECT_LT(*cpu, 3600.0);
    EXPECT_GT(*rss, 1024.0 * 1024);  // a test binary linked with SOCI, Boost and gtest is more than 1 MiB
    EXPECT_LT(*rss, 64.0 * 1024 * 1024 * 1024);
    EXPECT_GE(*vsize, *rss);
    EXPECT_GE(*fds, 3.0);  // stdin, stdout, stderr
    if (max_fds) {
        EXPECT_GE(*max_fds, *fds);
    }
    EXPECT_GE(*threads, 2.0);
    EXPECT_LE(*start, now_seconds() + 1);
    EXPECT_GT(*start, now_seconds() - 24 * 3600.0);  // a unit test started today
}

TEST(ProcessMetrics, TrackOpenDescriptorsAndCpuTime) {
    const auto before = count_open_fds();
    ASSERT_TRUE(before);
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(count_open_fds(), *before + 1);
    std::fclose(file);
    EXPECT_EQ(count_open_fds(), *before);

    const auto first = read_process_stats();
    ASSERT_TRUE(first);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
    volatile unsigned spin = 0;
    while (std::chrono::steady_clock::now() < until) {
        spin = spin + 1;
    }
    const auto second = read_process_stats();
    ASSERT_TRUE(second);
    EXPECT_GE(second->cpu_seconds, first->cpu_seconds);
    EXPECT_EQ(second->start_time_seconds, first->start_time_seconds);
}

TEST(ProcessMetrics, BuildInfoIsOneLabelledByVersionAndCommit) {
    PrometheusRegistry registry;
    register_build_info(registry, "1.2.3", "abc1234");
    register_build_info(registry, "1.2.3", "abc1234");  // again: the same family and child
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_build_info A metric with a constant '1' value labeled by the version and commit GoMall was "
        "built from.\n"
        "# TYPE gomall_build_info gauge\n"
        "gomall_build_info{version=\"1.2.3\",commit=\"abc1234\"} 1\n"
    );
}

// promtool (Debian's prometheus package) on a scrape with every kind of family; skipped without it.
TEST(MetricsPromtool, AFullScrapePassesPromtoolCheckMetrics) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "promtool not installed (apt-get install prometheus)";
    }
    PrometheusRegistry registry;
    const ProcessMetrics process(registry);
    register_build_info(registry, "0.1.0", "abc1234");
    auto& requests =
        registry.counter("gomall_http_requests_total", "HTTP requests answered.", {"route", "method", "status"});
    requests.with({"/api/product/:id", "GET", "200"}).inc(12);
    requests.with({"/api/x \"quoted\"\\\nline", "POST", "500"}).inc();
    auto& latency = registry.histogram(
        "gomall_http_request_duration_seconds",
        "Time to answer, by route.",
        ports::latency_seconds_buckets(),
        {"route", "method"}
    );
    latency.with({"/api/product/:id", "GET"}).observe(0.0031);
    latency.with({"/api/product/:id", "GET"}).observe(42);
    registry.gauge("gomall_http_in_flight_requests", "Requests being answered.", {}).with({}).set(3);
    const auto left = registry.callback(
        ports::CallbackType::kGauge,
        "gomall_seckill_units_left",
        "Units left, by activity.",
        {"activity"},
        [] {
            return std::vector<ports::Sample>{{{"1"}, 10}, {{"2"}, 0}};
        }
    );

    const auto path =
        std::filesystem::temp_directory_path() / ("gomall-metrics-" + std::to_string(::getpid()) + ".txt");
    {
        std::ofstream out(path);
        out << registry.render();
    }
    const std::string command = "promtool check metrics < " + path.string() + " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        output += buffer.data();
    }
    const int status = ::pclose(pipe);
    std::filesystem::remove(path);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "promtool says:\n" << output;
    EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace gomall::adapters::metrics
