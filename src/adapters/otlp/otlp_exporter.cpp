// The export thread: batch, encode, post, count; back off after a failed post; flush on stop.
#include "adapters/otlp/otlp_exporter.hpp"

#include <spdlog/spdlog.h>

#include "adapters/wechatpay/http_client.hpp"

namespace gomall::adapters::otlp {

OtlpExporter::Post http_post(const ExporterSettings& settings) {
    wechatpay::HttpClientSettings client_settings;
    client_settings.connect_timeout = settings.timeout;
    client_settings.total_timeout = settings.timeout;
    client_settings.max_response_bytes = std::size_t{64} * 1024;  // the collector's answer is not read
    auto client = std::make_shared<wechatpay::HttpClient>(client_settings);
    return [client, url = settings.endpoint](const std::string& body) -> std::optional<std::string> {
        wechatpay::HttpRequest request;
        request.method = "POST";
        request.url = url;
        request.headers["Content-Type"] = "application/json";
        request.body = body;
        auto answer = client->send(request);
        if (const auto* failure = std::get_if<wechatpay::HttpFailure>(&answer)) {
            return failure->message;
        }
        const auto status = std::get<wechatpay::HttpResponse>(answer).status;
        if (status < 200 || status > 299) {
            return "collector answered HTTP " + std::to_string(status);
        }
        return std::nullopt;
    };
}

OtlpExporter::OtlpExporter(ExporterSettings settings, ports::Metrics& metrics, Post post)
    : settings_(std::move(settings)),
      post_(post ? std::move(post) : http_post(settings_)),
      queue_(settings_.queue_size),
      exported_(
          metrics.counter("gomall_tracing_spans_exported_total", "Spans the trace collector accepted.", {}).with({})
      ),
      dropped_(metrics.counter(
          "gomall_tracing_spans_dropped_total",
          "Spans not exported: the queue was full, the collector failed, or the shop was stopping.",
          {"reason"}
      )),
      dropped_full_(dropped_.with({"queue_full"})),
      dropped_failed_(dropped_.with({"export_failed"})),
      dropped_shutdown_(dropped_.with({"shutdown"})),
      export_failures_(metrics
                           .counter(
                               "gomall_tracing_export_failures_total",
                               "Batches the trace collector refused or did not answer in time.",
                               {}
                           )
                           .with({})),
      queue_gauge_(metrics.callback_gauge("gomall_tracing_queue_spans", "Spans waiting to be exported.", [this] {
          return double(queue_.size());
      })) {}

OtlpExporter::~OtlpExporter() {
    stop(std::chrono::milliseconds(0));
}

void OtlpExporter::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) {
        return;
    }
    thread_ = std::thread([this] { run(); });
}

void OtlpExporter::stop(std::chrono::milliseconds flush_wait) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
        flush_deadline_ = std::chrono::steady_clock::now() + flush_wait;
    }
    queue_.close();
    stop_requested_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    } else {
        drain(std::chrono::steady_clock::now());  // never started: count what was queued
    }
    queue_gauge_.reset();
}

void OtlpExporter::submit(std::unique_ptr<ports::SpanRecord> span) noexcept {
    switch (queue_.push(std::move(span))) {
        case SpanQueue::Pushed::kQueued:
            return;
        case SpanQueue::Pushed::kFull:
            dropped_full_.inc();
            return;
        case SpanQueue::Pushed::kClosed:
            dropped_shutdown_.inc();
            return;
    }
}

void OtlpExporter::run() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        auto batch = queue_.take(settings_.batch_size, settings_.export_interval);
        if (batch.empty()) {
            continue;
        }
        if (!export_batch(batch)) {
            // Refused connections fail at once: without a pause the thread would spin while the
            // collector is down. Spans arriving meanwhile queue, and drop when it is full.
            pause(settings_.export_interval);
        }
    }
    std::chrono::steady_clock::time_point deadline;
    {
        std::lock_guard lock(mutex_);
        deadline = flush_deadline_;
    }
    drain(deadline);
}

bool OtlpExporter::export_batch(std::vector<std::unique_ptr<ports::SpanRecord>>& batch) {
    std::optional<std::string> failure;
    try {
        failure = post_(encode_otlp_json(settings_.resource, settings_.scope_name, batch));
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure) {
        dropped_failed_.inc(batch.size());
        export_failures_.inc();
        if (!failing_) {
            spdlog::warn(
                "tracing: exporting to {} failed ({}); dropping spans until it answers", settings_.endpoint, *failure
            );
        }
        failing_ = true;
        return false;
    }
    exported_.inc(batch.size());
    if (failing_) {
        spdlog::info("tracing: exporting to {} works again", settings_.endpoint);
    }
    failing_ = false;
    return true;
}

void OtlpExporter::drain(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        auto batch = queue_.take(settings_.batch_size, std::chrono::milliseconds(0));
        if (batch.empty()) {
            return;
        }
        if (std::chrono::steady_clock::now() >= deadline || failing_) {
            dropped_shutdown_.inc(batch.size());
            continue;
        }
        export_batch(batch);
    }
}

void OtlpExporter::pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    stop_requested_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace gomall::adapters::otlp
