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
    for (const std::string& node : c.cluster_nodes) {
        if (auto address = adapters::redis::parse_node_address(node)) {  // validated by the config loader
            s.cluster_nodes.push_back(std::move(*address));
        }
    }
    return s;
}

}  // namespace gomall::app
