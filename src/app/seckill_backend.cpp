// The two flash-sale backends. Embedded: in-memory gate, group-commit queue, local limiter and tokens.
// Full: Redis gate, limiter and tokens, RabbitMQ queue whose consumers write orders, and the reconciler.
#include "app/seckill_backend.hpp"

#include <chrono>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "adapters/memory/embedded_reservation_queue.hpp"
#include "adapters/memory/in_memory_seckill_token_store.hpp"
#include "adapters/memory/in_memory_stock_gate.hpp"
#include "adapters/rabbitmq/rabbit_reservation_queue.hpp"
#include "adapters/rabbitmq/reservation_topology.hpp"
#include "adapters/redis/available_count_refresher.hpp"
#include "adapters/redis/redis_activity_broadcast.hpp"
#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_rate_limiter.hpp"
#include "adapters/redis/redis_seckill_token_store.hpp"
#include "adapters/redis/redis_stock_gate.hpp"
#include "app/breaker_settings.hpp"
#include "app/redis_settings.hpp"
#include "services/breaker_purchase_rate_limiter.hpp"
#include "services/breaker_reservation_queue.hpp"
#include "services/breaker_seckill_token_store.hpp"
#include "services/breaker_stock_gate.hpp"
#include "services/circuit_breaker.hpp"
#include "services/local_purchase_rate_limiter.hpp"
#include "services/seckill_order_writer.hpp"
#include "services/seckill_reconciler.hpp"
#include "services/seckill_service.hpp"

namespace gomall::app {
namespace {

services::RateLimitSettings limiter_settings(const SeckillConfig& c) {
    return services::RateLimitSettings{c.rate_per_second, static_cast<double>(c.burst)};
}

class EmbeddedBackend final : public SeckillBackend {
public:
    EmbeddedBackend(
        const Config& config,
        ports::SeckillRepository& repository,
        const ports::Clock& clock,
        std::function<std::string()> next_order_no,
        services::SeckillOrderWriter::AfterWrite after_write
    )
        : writer_(
              repository,
              clock,
              std::chrono::seconds(config.order.unpaid_timeout_seconds),
              std::move(next_order_no),
              std::move(after_write)
          ),
          queue_(writer_, queue_settings(config.seckill)),
          limiter_(clock, limiter_settings(config.seckill)) {}

    ports::StockGate& gate() override { return gate_; }
    ports::ReservationQueue& queue() override { return queue_; }
    ports::PurchaseRateLimiter& limiter() override { return limiter_; }
    ports::SeckillTokenStore& token_store() override { return tokens_; }
    std::vector<ports::HealthCheck*> health_checks() override { return {}; }
    std::string description() const override { return "embedded (in-process stock gate and group-commit queue)"; }

    // The group commit's SQL runs under a purchase's span (the queue passes it on); nothing else here opens spans.
    void trace_with(ports::Tracer& /*tracer*/) override {}
    void start() override { queue_.start(); }
    void start_background(services::SeckillService&, boost::asio::any_io_executor) override {}
    void stop() override { queue_.stop(); }

private:
    static adapters::memory::EmbeddedQueueSettings queue_settings(const SeckillConfig& c) {
        adapters::memory::EmbeddedQueueSettings s;
        s.max_batch = static_cast<std::size_t>(c.group_commit_max_batch);
        s.linger = std::chrono::milliseconds(c.group_commit_linger_ms);
        s.on_batch = [](std::size_t size, std::chrono::microseconds took, bool committed) {
            if (committed) {
                spdlog::debug("flash-sale group commit: {} reservation(s) in {} us", size, took.count());
            } else {
                spdlog::error("flash-sale group commit of {} reservation(s) failed after {} us", size, took.count());
            }
        };
        return s;
    }

    adapters::memory::InMemoryStockGate gate_;
    services::SeckillOrderWriter writer_;  // before queue_, which writes through it
    adapters::memory::EmbeddedReservationQueue queue_;
    services::LocalPurchaseRateLimiter limiter_;
    adapters::memory::InMemorySeckillTokenStore tokens_;
};

/// /ready line for Redis: the asynchronous client has a live connection.
class RedisHealth final : public ports::HealthCheck {
public:
    explicit RedisHealth(const adapters::redis::RedisClient& client) : client_(client) {}
    std::string name() const override { return "redis"; }
    std::string check() override { return client_.connected() ? "" : "no connection to redis"; }

private:
    const adapters::redis::RedisClient& client_;
};

/// /ready line for RabbitMQ: the publisher is connected (reservations can be made durable).
class RabbitHealth final : public ports::HealthCheck {
public:
    explicit RabbitHealth(const adapters::rabbitmq::RabbitReservationQueue& queue) : queue_(queue) {}
    std::string name() const override { return "rabbitmq"; }
    std::string check() override { return queue_.connected() ? "" : "no connection to rabbitmq"; }

private:
    const adapters::rabbitmq::RabbitReservationQueue& queue_;
};

class FullStackBackend final : public SeckillBackend {
public:
    FullStackBackend(
        const Config& config,
        ports::SeckillRepository& repository,
        const ports::Clock& clock,
        std::function<std::string()> next_order_no,
        ports::Metrics& metrics,
        services::SeckillOrderWriter::AfterWrite after_write
    )
        : config_(config),
          repository_(repository),
          clock_(clock),
          redis_(redis_settings(config.redis)),
          redis_blocking_(redis_settings(config.redis)),
          gate_(redis_, redis_blocking_, config.redis.key_prefix),
          limiter_(
              redis_,
              clock,
              config.redis.key_prefix,
              config.seckill.rate_per_second,
              static_cast<double>(config.seckill.burst)
          ),
          tokens_(redis_, config.redis.key_prefix),
          writer_(
              repository,
              clock,
              std::chrono::seconds(config.order.unpaid_timeout_seconds),
              std::move(next_order_no),
              std::move(after_write)
          ),
          queue_(rabbit_settings(config.rabbitmq), &writer_),
          redis_health_(redis_),
          rabbit_health_(queue_),
          metrics_(metrics) {
        if (config.breakers.enabled) {
            guarded_.emplace(*this, config.breakers, clock, metrics);
        }
        register_broker_metrics(metrics);
    }

    // The service's calls go through the breakers; the reconciler uses the adapters directly (its
    // repairs are background work that must be tried whatever the breakers say).
    ports::StockGate& gate() override { return guarded_ ? guarded_->gate : static_cast<ports::StockGate&>(gate_); }
    ports::ReservationQueue& queue() override {
        return guarded_ ? guarded_->queue : static_cast<ports::ReservationQueue&>(queue_);
    }
    ports::PurchaseRateLimiter& limiter() override {
        return guarded_ ? guarded_->limiter : static_cast<ports::PurchaseRateLimiter&>(limiter_);
    }
    ports::SeckillTokenStore& token_store() override {
        return guarded_ ? guarded_->tokens : static_cast<ports::SeckillTokenStore&>(tokens_);
    }
    std::vector<ports::HealthCheck*> health_checks() override { return {&redis_health_, &rabbit_health_}; }
    std::vector<services::CircuitBreaker*> breakers() override {
        if (!guarded_) {
            return {};
        }
        return {&guarded_->redis, &guarded_->rabbitmq};
    }
    std::string description() const override {
        const std::string redis = config_.redis.cluster_nodes.empty()
                                      ? config_.redis.host + ":" + std::to_string(config_.redis.port)
                                      : "cluster " + std::to_string(config_.redis.cluster_nodes.size()) + " seed nodes";
        return "full (redis " + redis + ", rabbitmq " + adapters::rabbitmq::peer_of(rabbit_settings(config_.rabbitmq)) +
               " queue " + config_.rabbitmq.queue + " (" + config_.rabbitmq.queue_type + "))";
    }

    void trace_with(ports::Tracer& tracer) override {
        tracer_ = &tracer;
        redis_.trace_with(tracer);
        queue_.trace_with(tracer);
    }

    void start() override {
        redis_.start();
        queue_.start();
    }

    void start_background(services::SeckillService& service, boost::asio::any_io_executor executor) override {
        services::ReconcilerSettings s;
        s.interval = std::chrono::milliseconds(config_.seckill.reconcile_interval_ms);
        s.grace = std::chrono::milliseconds(config_.seckill.reconcile_grace_ms);
        s.keep_after_end = std::chrono::seconds(config_.seckill.keep_after_end_seconds);
        reconciler_.emplace(service, repository_, gate_, gate_, queue_, clock_, std::move(executor), s);
        reconciler_->measure_with(metrics_);
        if (tracer_ != nullptr) {
            reconciler_->trace_with(*tracer_);
        }
        reconciler_->start();
        available_.start();
        // Admin changes reach the other instances at once; the reconciler's refresh remains the
        // fallback for a lost notice.
        service.admin().on_admin_change([this](std::int64_t activity_id) { activities_.publish(activity_id); });
        activities_.start(
            [&service](std::int64_t activity_id) { service.recovery().changed_elsewhere(activity_id); },
            [&service] { service.recovery().refresh(); }
        );
    }

    void stop() override {
        activities_.stop();
        available_.stop();
        if (reconciler_) {
            reconciler_->stop();
        }
        queue_.stop();  // flushes confirms, acks the consumers' last batch
        redis_.stop();
    }

private:
    /// The broker's side of the handoff, read at scrape time from what the queue already keeps.
    void register_broker_metrics(ports::Metrics& metrics) {
        broker_metrics_.push_back(metrics.callback_gauge(
            "gomall_rabbitmq_publisher_connected",
            "1 while this instance's publisher holds a connection to RabbitMQ.",
            [this] { return queue_.connected() ? 1.0 : 0.0; }
        ));
        broker_metrics_.push_back(metrics.callback(
            ports::CallbackType::kCounter,
            "gomall_rabbitmq_consumer_messages_total",
            "Reservation messages this instance's consumers received (redeliveries included), by event.",
            {"event"},
            [this] {
                const auto& c = queue_.consumer_counters();
                return std::vector<ports::Sample>{
                    {{"delivered"}, static_cast<double>(c.delivered.load(std::memory_order_relaxed))},
                    {{"redelivered"}, static_cast<double>(c.redelivered.load(std::memory_order_relaxed))},
                    {{"requeued"}, static_cast<double>(c.requeued.load(std::memory_order_relaxed))},
                };
            }
        ));
        broker_metrics_.push_back(metrics.callback(
            ports::CallbackType::kCounter,
            "gomall_rabbitmq_publisher_reservations_total",
            "Reservations RabbitMQ refused to store (nack) and, of those, sent again on a new connection, by event.",
            {"event"},
            [this] {
                const auto& c = queue_.publisher_counters();
                return std::vector<ports::Sample>{
                    {{"nacked"}, static_cast<double>(c.nacked.load(std::memory_order_relaxed))},
                    {{"resent"}, static_cast<double>(c.resent.load(std::memory_order_relaxed))},
                };
            }
        ));
        broker_metrics_.push_back(metrics.callback(
            ports::CallbackType::kCounter,
            "gomall_seckill_dead_lettered_total",
            "Reservation messages rejected to the dead-letter queue (undecodable, or failed every attempt).",
            {},
            [this] {
                const auto n = queue_.consumer_counters().dead_lettered.load(std::memory_order_relaxed);
                return std::vector<ports::Sample>{{{}, static_cast<double>(n)}};
            }
        ));
    }

    /// One breaker per server: Redis behind the gate, the pacing and the tokens; RabbitMQ behind
    /// the handoff.
    struct Guarded {
        Guarded(FullStackBackend& backend, const BreakersConfig& c, const ports::Clock& clock, ports::Metrics& metrics)
            : redis("redis", breaker_settings(c), clock, metrics),
              rabbitmq("rabbitmq", breaker_settings(c), clock, metrics),
              gate(backend.gate_, redis),
              limiter(backend.limiter_, redis),
              tokens(backend.tokens_, redis),
              queue(backend.queue_, rabbitmq) {}
        services::CircuitBreaker redis;
        services::CircuitBreaker rabbitmq;
        services::BreakerStockGate gate;
        services::BreakerPurchaseRateLimiter limiter;
        services::BreakerSeckillTokenStore tokens;
        services::BreakerReservationQueue queue;
    };

    static adapters::rabbitmq::RabbitSettings rabbit_settings(const RabbitConfig& c) {
        adapters::rabbitmq::RabbitSettings s;
        s.host = c.host;
        s.port = c.port;
        s.user = c.user;
        s.password = c.password;
        s.vhost = c.vhost;
        for (const std::string& node : c.nodes) {  // "host:port", validated by the config loader
            const auto colon = node.rfind(':');
            s.nodes.emplace_back(node.substr(0, colon), std::stoi(node.substr(colon + 1)));
        }
        s.queue = c.queue;
        s.queue_type =
            c.queue_type == "quorum" ? adapters::rabbitmq::QueueType::kQuorum : adapters::rabbitmq::QueueType::kClassic;
        s.prefetch = c.prefetch;
        s.consumers = c.consumers;
        s.consume = c.consumers > 0;
        s.publish_batch = static_cast<std::size_t>(c.publish_batch);
        s.max_batch = static_cast<std::size_t>(c.consumer_batch);
        s.linger = std::chrono::milliseconds(c.consumer_linger_ms);
        s.confirm_timeout = std::chrono::milliseconds(c.confirm_timeout_ms);
        s.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
        s.max_attempts = c.max_attempts;
        return s;
    }

    const Config& config_;
    ports::SeckillRepository& repository_;
    const ports::Clock& clock_;
    adapters::redis::RedisClient redis_;
    adapters::redis::RedisBlockingConnection redis_blocking_;
    adapters::redis::RedisActivityBroadcast activities_{redis_settings(config_.redis), config_.redis.key_prefix};
    adapters::redis::RedisStockGate gate_;
    // After gate_, whose counts it refreshes: destroyed (thread joined) before it.
    adapters::redis::AvailableCountRefresher available_{
        gate_, std::chrono::milliseconds(config_.seckill.available_refresh_ms)};
    adapters::redis::RedisPurchaseRateLimiter limiter_;
    adapters::redis::RedisSeckillTokenStore tokens_;
    services::SeckillOrderWriter writer_;  // before queue_, whose consumers write through it
    adapters::rabbitmq::RabbitReservationQueue queue_;
    RedisHealth redis_health_;
    RabbitHealth rabbit_health_;
    std::optional<Guarded> guarded_;                         // none with breakers off
    std::optional<services::SeckillReconciler> reconciler_;  // stopped first
    ports::Metrics& metrics_;
    ports::Tracer* tracer_ = nullptr;                         // set by trace_with(), before start()
    std::vector<ports::MetricsRegistration> broker_metrics_;  // last: dropped before what they read
};

}  // namespace

std::unique_ptr<SeckillBackend> SeckillBackend::create(
    const Config& config,
    ports::SeckillRepository& repository,
    const ports::Clock& clock,
    std::function<std::string()> next_order_no,
    ports::Metrics& metrics,
    services::SeckillOrderWriter::AfterWrite after_write
) {
    if (config.seckill.mode == "full") {
        return std::make_unique<FullStackBackend>(
            config, repository, clock, std::move(next_order_no), metrics, std::move(after_write)
        );
    }
    return std::make_unique<EmbeddedBackend>(
        config, repository, clock, std::move(next_order_no), std::move(after_write)
    );
}

}  // namespace gomall::app
