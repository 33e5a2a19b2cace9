// The Redis adapters' settings from the config's `redis` section (the flash sale's stock gate and the
// read cache's shared level use the same server).
#pragma once

#include <chrono>

#include "adapters/redis/redis_client.hpp"
#include "app/config.hpp"

namespace gomall::app {

inline adapters::redis::RedisSettings redis_settings(const RedisConfig& c) {
    adapters::redis::RedisSettings s;
    s.host = c.host;
    s.port = c.port;
    s.password = c.password;
    s.db = c.db;
    s.connections = c.connections;
    s.command_timeout = std::chrono::milliseconds(c.command_timeout_ms);
    return s;
}

}  // namespace gomall::app
