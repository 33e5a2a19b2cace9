// Exports ended spans to an OpenTelemetry collector over OTLP/HTTP (JSON): spans wait in a
// bounded queue and one thread posts them in batches. When the collector is slow or down, spans
// are dropped and counted; the threads that end spans never wait for it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/otlp/otlp_json.hpp"
#include "adapters/otlp/span_queue.hpp"
#include "ports/metrics.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::otlp {

struct ExporterSettings {
    std::string endpoint = "http://127.0.0.1:4318/v1/traces";
    std::size_t queue_size = 4096;
    std::size_t batch_size = 512;
    std::chrono::milliseconds export_interval{2000};  // longest a span waits for a batch to fill
    std::chrono::milliseconds timeout{2000};          // one POST, connecting included
    Resource resource;
    std::string scope_name = "gomall";
};

class OtlpExporter final : public ports::SpanSink {
public:
    /// Sends one encoded batch; nullopt on success (a 2xx answer), else what went wrong.
    using Post = std::function<std::optional<std::string>(const std::string& body)>;

    /// `post` defaults to an HTTP POST of `settings.endpoint` with `settings.timeout`.
    /// Registers its metrics in `metrics`, which must outlive the exporter.
    OtlpExporter(ExporterSettings settings, ports::Metrics& metrics, Post post = {});
    ~OtlpExporter() override;
    OtlpExporter(const OtlpExporter&) = delete;
    OtlpExporter& operator=(const OtlpExporter&) = delete;

    /// Starts the export thread. Idempotent.
    void start();
    /// Refuses new spans, exports what is queued for at most `flush_wait` (plus one POST's
    /// timeout), drops and counts the rest, and joins the thread. Idempotent.
    void stop(std::chrono::milliseconds flush_wait);

    /// Queues the span, or drops and counts it when the queue is full or the exporter stopped.
    void submit(std::unique_ptr<ports::SpanRecord> span) noexcept override;

private:
    void run();
    /// Posts one batch and counts the outcome; false when the post failed.
    bool export_batch(std::vector<std::unique_ptr<ports::SpanRecord>>& batch);
    void drain(std::chrono::steady_clock::time_point deadline);
    /// Sleeps up to `delay`, waking early when stopping.
    void pause(std::chrono::milliseconds delay);

    ExporterSettings settings_;
    Post post_;
    SpanQueue queue_;
    ports::Counter& exported_;
    ports::CounterFamily& dropped_;
    ports::Counter& dropped_full_;
    ports::Counter& dropped_failed_;
    ports::Counter& dropped_shutdown_;
    ports::Counter& export_failures_;
    ports::MetricsRegistration queue_gauge_;

    std::mutex mutex_;
    std::condition_variable stop_requested_;
    bool stopping_ = false;                                 // guarded by mutex_
    std::chrono::steady_clock::time_point flush_deadline_;  // guarded by mutex_
    std::thread thread_;
    bool failing_ = false;  // export thread only: the last post failed (log changes of state once)
};

/// The default Post: an HTTP POST of the encoded batch to `settings.endpoint`, bounded by
/// `settings.timeout`; a 2xx answer is success.
OtlpExporter::Post http_post(const ExporterSettings& settings);

}  // namespace gomall::adapters::otlp
