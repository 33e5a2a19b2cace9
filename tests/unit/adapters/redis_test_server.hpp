// Shared set-up of the tests that run against a real redis-server, whose address comes from
// GOMALL_TEST_REDIS_HOST / GOMALL_TEST_REDIS_PORT (scripts/stack start redis writes them). Without
// them the tests skip. Each test gets a key prefix of its own, removed afterwards.
#pragma once

#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"

namespace gomall::adapters::redis {

inline std::optional<RedisSettings> settings_from_env() {
    const char* host = std::getenv("GOMALL_TEST_REDIS_HOST");
    const char* port = std::getenv("GOMALL_TEST_REDIS_PORT");
    if (host == nullptr || port == nullptr) {
        return std::nullopt;
    }
    RedisSettings s;
    s.host = host;
    s.port = std::atoi(port);
    s.connections = 2;
    s.command_timeout = std::chrono::milliseconds(1000);
    return s;
}

/// Runs an awaitable to completion from the test thread.
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    return future.get();
}

/// A connected asynchronous client, a blocking connection and an io_context for the test's
/// coroutines. Derived fixtures build their subject after calling SetUp() (skipped tests
/// return early: check IsSkipped()) and drop it before TearDown().
class RedisServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = settings_from_env();
        if (!s) {
            GTEST_SKIP() << "set GOMALL_TEST_REDIS_HOST and GOMALL_TEST_REDIS_PORT (scripts/stack start redis)";
        }
        settings_ = *s;
        prefix_ = "gomall-test-" + std::to_string(std::random_device{}());
        client_.emplace(settings_);
        client_->start();
        blocking_.emplace(settings_);
        worker_ = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io_);
            io_.run();
        });
        // The client connects in the background; wait for it like a server's readiness probe would.
        for (int i = 0; i < 200 && !client_->connected(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ASSERT_TRUE(client_->connected());
    }

    void TearDown() override {
        if (blocking_) {
            const auto keys = blocking_->command({"KEYS", prefix_ + ":*"});
            for (const auto& k : keys.elements) {
                blocking_->command({"DEL", k.text});
            }
        }
        io_.stop();
        if (worker_.joinable()) {
            worker_.join();
        }
        if (client_) {
            client_->stop();
        }
    }

    RedisSettings settings_;
    std::string prefix_;
    boost::asio::io_context io_;
    std::thread worker_;
    std::optional<RedisClient> client_;
    std::optional<RedisBlockingConnection> blocking_;
};

}  // namespace gomall::adapters::redis
