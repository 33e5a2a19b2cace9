#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <unistd.h>  // environ

#include <yaml-cpp/yaml.h>

#include "http/client_address.hpp"
#include "http/image_urls.hpp"

namespace gomall::app {
namespace {

using Setter = std::function<void(Config&, const std::string&)>;

struct Key {
    std::string section;
    std::string name;
    Setter set;
};

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
    throw ConfigError("config " + key + ": " + problem);
}

long long parse_integer(const std::string& key, const std::string& v, long long min, long long max) {
    long long n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size()) {
        fail(key, "'" + v + "' is not an integer");
    }
    if (n < min || n > max) {
        fail(key, std::to_string(n) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
    }
    return n;
}

/// "host:port,host:port" (spaces around entries allowed; empty: none). At most 64 entries; each
/// host non-empty without spaces, each port 1-65535.
std::vector<std::string> parse_node_list(const std::string& key, const std::string& v) {
    constexpr std::size_t kMaxNodes = 64;
    std::vector<std::string> nodes;
    std::size_t start = 0;
    while (start <= v.size()) {
        const auto comma = std::min(v.find(',', start), v.size());
        std::string entry = v.substr(start, comma - start);
        const auto first = entry.find_first_not_of(' ');
        entry = first == std::string::npos ? "" : entry.substr(first, entry.find_last_not_of(' ') - first + 1);
        start = comma + 1;
        if (entry.empty()) {
            if (v.find_first_not_of(' ') == std::string::npos) {
                break;  // the whole value is empty: no nodes
            }
            fail(key, "an empty entry in '" + v + "' (expected host:port,host:port)");
        }
        const auto colon = entry.rfind(':');
        if (colon == std::string::npos || colon == 0 || entry.find(':') != colon ||
            entry.find_first_of(" /@") != std::string::npos || entry.size() > 270) {
            fail(key, "'" + entry + "' is not host:port");
        }
        parse_integer(key, entry.substr(colon + 1), 1, 65535);
        nodes.push_back(std::move(entry));
        if (nodes.size() > kMaxNodes) {
            fail(key, "more than 64 nodes");
        }
    }
    return nodes;
}

bool parse_bool(const std::string& key, std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "true" || v == "1" || v == "yes" || v == "on")
        return true;
    if (v == "false" || v == "0" || v == "no" || v == "off")
        return false;
    fail(key, "'" + v + "' is not true or false");
}

std::vector<std::string> parse_list(const std::string& v) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= v.size()) {
        auto comma = v.find(',', start);
        if (comma == std::string::npos)
            comma = v.size();
        std::string item = v.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            out.push_back(item);
        start = comma + 1;
    }
    return out;
}

template <class T>
Setter int_field(T ServerConfig::*member, long long min, long long max, const char* key) {
    return [=](Config& c, const std::string& v) {
        c.server.*member = static_cast<T>(parse_integer(key, v, min, max));
    };
}

std::vector<Key> keys() {
    std::vector<Key> k;
    auto add = [&](std::string section, std::string name, Setter set) {
        k.push_back({std::move(section), std::move(name), std::move(set)});
    };
    // server
    add("server", "host", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("server.host", "must not be empty");
        c.server.host = v;
    });
    add("server", "port", int_field(&ServerConfig::port, 0, 65535, "server.port"));
    add("server", "io_threads", int_field(&ServerConfig::io_threads, 0, 256, "server.io_threads"));
    add("server", "blocking_threads", int_field(&ServerConfig::blocking_threads, 1, 1024, "server.blocking_threads"));
    add("server", "max_connections", int_field(&ServerConfig::max_connections, 1, 1000000, "server.max_connections"));
    add("server",
        "body_limit_bytes",
        int_field(&ServerConfig::body_limit_bytes, 1024, 1LL << 30, "server.body_limit_bytes"));
    add("server",
        "header_limit_bytes",
        int_field(&ServerConfig::header_limit_bytes, 1024, 1 << 20, "server.header_limit_bytes"));
    add("server", "max_header_count", int_field(&ServerConfig::max_header_count, 8, 10000, "server.max_header_count"));
    add("server",
        "max_target_bytes",
        int_field(&ServerConfig::max_target_bytes, 256, 1 << 20, "server.max_target_bytes"));
    add("server",
        "header_timeout_seconds",
        int_field(&ServerConfig::header_timeout_seconds, 1, 3600, "server.header_timeout_seconds"));
    add("server",
        "read_timeout_seconds",
        int_field(&ServerConfig::read_timeout_seconds, 1, 3600, "server.read_timeout_seconds"));
    add("server",
        "idle_timeout_seconds",
        int_field(&ServerConfig::idle_timeout_seconds, 1, 3600, "server.idle_timeout_seconds"));
    add("server",
        "shutdown_timeout_seconds",
        int_field(&ServerConfig::shutdown_timeout_seconds, 1, 600, "server.shutdown_timeout_seconds"));
    add("server", "cors_origins", [](Config& c, const std::string& v) { c.server.cors_origins = parse_list(v); });
    add("server", "static_dir", [](Config& c, const std::string& v) { c.server.static_dir = v; });
    add("server", "openapi_path", [](Config& c, const std::string& v) { c.server.openapi_path = v; });
    add("server", "trusted_proxies", [](Config& c, const std::string& v) {
        auto entries = parse_list(v);
        try {
            (void)http::TrustedProxies::parse(entries);
        } catch (const std::invalid_argument& e) {
            fail("server.trusted_proxies", e.what());
        }
        c.server.trusted_proxies = std::move(entries);
    });
    add("server", "trust_proxy", [](Config&, const std::string& v) {
        // The old switch trusted X-Forwarded-For from any peer; turning it on now must not pass silently.
        if (parse_bool("server.trust_proxy", v)) {
            fail("server.trust_proxy", "replaced by server.trusted_proxies: list the proxies' addresses or networks");
        }
    });
    // rate_limit
    add("rate_limit", "global_rate_per_second", [](Config& c, const std::string& v) {
        c.rate_limit.global_rate_per_second =
            static_cast<int>(parse_integer("rate_limit.global_rate_per_second", v, 0, 100000000));
    });
    add("rate_limit", "global_burst", [](Config& c, const std::string& v) {
        c.rate_limit.global_burst = static_cast<int>(parse_integer("rate_limit.global_burst", v, 1, 100000000));
    });
    add("rate_limit", "api_rate_per_second", [](Config& c, const std::string& v) {
        c.rate_limit.api_rate_per_second =
            static_cast<int>(parse_integer("rate_limit.api_rate_per_second", v, 0, 100000000));
    });
    add("rate_limit", "api_burst", [](Config& c, const std::string& v) {
        c.rate_limit.api_burst = static_cast<int>(parse_integer("rate_limit.api_burst", v, 1, 100000000));
    });
    add("rate_limit", "api_max_keys", [](Config& c, const std::string& v) {
        c.rate_limit.api_max_keys = static_cast<int>(parse_integer("rate_limit.api_max_keys", v, 1, 10000000));
    });
    // database
    add("database", "driver", [](Config& c, const std::string& v) {
        if (v != "sqlite" && v != "mysql")
            fail("database.driver", "'" + v + "' is not sqlite or mysql");
        c.database.driver = v;
    });
    add("database", "sqlite_path", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("database.sqlite_path", "must not be empty");
        c.database.sqlite_path = v;
    });
    add("database", "mysql_host", [](Config& c, const std::string& v) { c.database.mysql_host = v; });
    add("database", "mysql_port", [](Config& c, const std::string& v) {
        c.database.mysql_port = static_cast<int>(parse_integer("database.mysql_port", v, 1, 65535));
    });
    add("database", "mysql_user", [](Config& c, const std::string& v) { c.database.mysql_user = v; });
    add("database", "mysql_password", [](Config& c, const std::string& v) { c.database.mysql_password = v; });
    add("database", "mysql_database", [](Config& c, const std::string& v) { c.database.mysql_database = v; });
    add("database", "pool_size", [](Config& c, const std::string& v) {
        c.database.pool_size = static_cast<int>(parse_integer("database.pool_size", v, 1, 512));
    });
    add("database", "seed_demo", [](Config& c, const std::string& v) {
        c.database.seed_demo = parse_bool("database.seed_demo", v);
    });
    add("database", "schema", [](Config& c, const std::string& v) {
        if (v != "shared" && v != "own")
            fail("database.schema", "'" + v + "' is not shared or own");
        c.database.schema = v;
    });
    add("database", "mysql_replica_host", [](Config& c, const std::string& v) { c.database.mysql_replica_host = v; });
    add("database", "mysql_connect_timeout_seconds", [](Config& c, const std::string& v) {
        c.database.mysql_connect_timeout_seconds =
            static_cast<int>(parse_integer("database.mysql_connect_timeout_seconds", v, 1, 3600));
    });
    add("database", "mysql_read_timeout_seconds", [](Config& c, const std::string& v) {
        c.database.mysql_read_timeout_seconds =
            static_cast<int>(parse_integer("database.mysql_read_timeout_seconds", v, 1, 3600));
    });
    add("database", "replica_read_timeout_seconds", [](Config& c, const std::string& v) {
        c.database.replica_read_timeout_seconds =
            static_cast<int>(parse_integer("database.replica_read_timeout_seconds", v, 1, 3600));
    });
    add("database", "mysql_replica_port", [](Config& c, const std::string& v) {
        c.database.mysql_replica_port = static_cast<int>(parse_integer("database.mysql_replica_port", v, 1, 65535));
    });
    add("database", "mysql_replica_user", [](Config& c, const std::string& v) { c.database.mysql_replica_user = v; });
    add("database", "mysql_replica_password", [](Config& c, const std::string& v) {
        c.database.mysql_replica_password = v;
    });
    add("database", "replica_max_lag_ms", [](Config& c, const std::string& v) {
        c.database.replica_max_lag_ms = static_cast<int>(parse_integer("database.replica_max_lag_ms", v, 100, 600000));
    });
    add("database", "replica_pool_size", [](Config& c, const std::string& v) {
        c.database.replica_pool_size = static_cast<int>(parse_integer("database.replica_pool_size", v, 1, 512));
    });
    // auth
    add("auth", "jwt_secret", [](Config& c, const std::string& v) { c.auth.jwt_secret = v; });
    add("auth", "access_ttl_seconds", [](Config& c, const std::string& v) {
        c.auth.access_ttl_seconds = static_cast<int>(parse_integer("auth.access_ttl_seconds", v, 1, 86400));
    });
    add("auth", "refresh_ttl_seconds", [](Config& c, const std::string& v) {
        c.auth.refresh_ttl_seconds = static_cast<int>(parse_integer("auth.refresh_ttl_seconds", v, 60, 90LL * 86400));
    });
    add("auth", "bcrypt_cost", [](Config& c, const std::string& v) {
        c.auth.bcrypt_cost = static_cast<int>(parse_integer("auth.bcrypt_cost", v, 4, 15));
    });
    add("auth", "login_rate_per_second", [](Config& c, const std::string& v) {
        c.auth.login_rate_per_second = static_cast<double>(parse_integer("auth.login_rate_per_second", v, 1, 1000000));
    });
    add("auth", "verified_token_cache_entries", [](Config& c, const std::string& v) {
        c.auth.verified_token_cache_entries =
            static_cast<int>(parse_integer("auth.verified_token_cache_entries", v, 0, 10000000));
    });
    add("auth", "login_burst", [](Config& c, const std::string& v) {
        c.auth.login_burst = static_cast<int>(parse_integer("auth.login_burst", v, 1, 1000000));
    });
    add("auth", "login_free_failures", [](Config& c, const std::string& v) {
        c.auth.login_free_failures = static_cast<int>(parse_integer("auth.login_free_failures", v, 1, 1000));
    });
    add("auth", "login_ip_free_failures", [](Config& c, const std::string& v) {
        c.auth.login_ip_free_failures = static_cast<int>(parse_integer("auth.login_ip_free_failures", v, 1, 1000000));
    });
    add("auth", "login_delay_base_ms", [](Config& c, const std::string& v) {
        c.auth.login_delay_base_ms = static_cast<int>(parse_integer("auth.login_delay_base_ms", v, 1, 60000));
    });
    add("auth", "login_delay_max_seconds", [](Config& c, const std::string& v) {
        c.auth.login_delay_max_seconds = static_cast<int>(parse_integer("auth.login_delay_max_seconds", v, 1, 86400));
    });
    add("auth", "token_purge_interval_seconds", [](Config& c, const std::string& v) {
        c.auth.token_purge_interval_seconds =
            static_cast<int>(parse_integer("auth.token_purge_interval_seconds", v, 0, 7LL * 86400));
    });
    // order
    add("order", "unpaid_timeout_seconds", [](Config& c, const std::string& v) {
        c.order.unpaid_timeout_seconds =
            static_cast<int>(parse_integer("order.unpaid_timeout_seconds", v, 1, 30LL * 86400));
    });
    add("order", "sweep_interval_seconds", [](Config& c, const std::string& v) {
        c.order.sweep_interval_seconds = static_cast<int>(parse_integer("order.sweep_interval_seconds", v, 1, 3600));
    });
    add("order", "direct_pay_enabled", [](Config& c, const std::string& v) {
        c.order.direct_pay_enabled = parse_bool("order.direct_pay_enabled", v);
    });
    add("order", "node_id", [](Config& c, const std::string& v) {
        c.order.node_id = static_cast<int>(parse_integer("order.node_id", v, 0, 99));
    });
    // product
    add("product", "cache_ttl_ms", [](Config& c, const std::string& v) {
        c.product.cache_ttl_ms = static_cast<int>(parse_integer("product.cache_ttl_ms", v, 0, 3600000));
    });
    add("product", "cache_capacity", [](Config& c, const std::string& v) {
        c.product.cache_capacity = static_cast<int>(parse_integer("product.cache_capacity", v, 1, 10000000));
    });
    add("product", "list_cache_ttl_ms", [](Config& c, const std::string& v) {
        c.product.list_cache_ttl_ms = static_cast<int>(parse_integer("product.list_cache_ttl_ms", v, 0, 60000));
    });
    add("product", "list_cache_capacity", [](Config& c, const std::string& v) {
        c.product.list_cache_capacity = static_cast<int>(parse_integer("product.list_cache_capacity", v, 1, 10000000));
    });
    add("product", "cache_max_bytes", [](Config& c, const std::string& v) {
        c.product.cache_max_bytes = parse_integer("product.cache_max_bytes", v, 1 << 20, 1LL << 34);
    });
    add("product", "not_found_ttl_ms", [](Config& c, const std::string& v) {
        c.product.not_found_ttl_ms = static_cast<int>(parse_integer("product.not_found_ttl_ms", v, 0, 3600000));
    });
    add("product", "shared_cache", [](Config& c, const std::string& v) {
        c.product.shared_cache = parse_bool("product.shared_cache", v);
    });
    add("product", "image_base_url", [](Config& c, const std::string& v) {
        if (const auto problem = http::ImageUrls::base_url_problem(v)) {
            fail("product.image_base_url", *problem);
        }
        c.product.image_base_url = v;
    });
    // seckill
    add("seckill", "rate_per_second", [](Config& c, const std::string& v) {
        c.seckill.rate_per_second = static_cast<double>(parse_integer("seckill.rate_per_second", v, 1, 10000000));
    });
    add("seckill", "burst", [](Config& c, const std::string& v) {
        c.seckill.burst = static_cast<int>(parse_integer("seckill.burst", v, 1, 10000000));
    });
    add("seckill", "token_required", [](Config& c, const std::string& v) {
        c.seckill.token_required = parse_bool("seckill.token_required", v);
    });
    add("seckill", "token_ttl_seconds", [](Config& c, const std::string& v) {
        c.seckill.token_ttl_seconds = static_cast<int>(parse_integer("seckill.token_ttl_seconds", v, 5, 3600));
    });
    add("seckill", "group_commit_max_batch", [](Config& c, const std::string& v) {
        c.seckill.group_commit_max_batch =
            static_cast<int>(parse_integer("seckill.group_commit_max_batch", v, 1, 100000));
    });
    add("seckill", "group_commit_linger_ms", [](Config& c, const std::string& v) {
        c.seckill.group_commit_linger_ms =
            static_cast<int>(parse_integer("seckill.group_commit_linger_ms", v, 0, 1000));
    });
    add("seckill", "mode", [](Config& c, const std::string& v) {
        if (v != "embedded" && v != "full")
            fail("seckill.mode", "'" + v + "' is not embedded or full");
        c.seckill.mode = v;
    });
    add("seckill", "reconcile_interval_ms", [](Config& c, const std::string& v) {
        c.seckill.reconcile_interval_ms =
            static_cast<int>(parse_integer("seckill.reconcile_interval_ms", v, 50, 3600000));
    });
    add("seckill", "available_refresh_ms", [](Config& c, const std::string& v) {
        c.seckill.available_refresh_ms = static_cast<int>(parse_integer("seckill.available_refresh_ms", v, 20, 60000));
    });
    add("seckill", "keep_after_end_seconds", [](Config& c, const std::string& v) {
        c.seckill.keep_after_end_seconds =
            static_cast<int>(parse_integer("seckill.keep_after_end_seconds", v, 0, 30LL * 24 * 3600));
    });
    add("seckill", "reconcile_grace_ms", [](Config& c, const std::string& v) {
        c.seckill.reconcile_grace_ms = static_cast<int>(parse_integer("seckill.reconcile_grace_ms", v, 100, 3600000));
    });
    // redis (full flash-sale mode)
    add("redis", "host", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("redis.host", "must not be empty");
        c.redis.host = v;
    });
    add("redis", "port", [](Config& c, const std::string& v) {
        c.redis.port = static_cast<int>(parse_integer("redis.port", v, 1, 65535));
    });
    add("redis", "password", [](Config& c, const std::string& v) { c.redis.password = v; });
    add("redis", "db", [](Config& c, const std::string& v) {
        c.redis.db = static_cast<int>(parse_integer("redis.db", v, 0, 15));
    });
    add("redis", "cluster_nodes", [](Config& c, const std::string& v) {
        c.redis.cluster_nodes = parse_node_list("redis.cluster_nodes", v);
    });
    add("redis", "connections", [](Config& c, const std::string& v) {
        c.redis.connections = static_cast<int>(parse_integer("redis.connections", v, 1, 64));
    });
    add("redis", "key_prefix", [](Config& c, const std::string& v) {
        if (v.empty() || v.size() > 64 || v.find_first_of("{} ") != std::string::npos)
            fail("redis.key_prefix", "must be 1-64 characters without braces or spaces");
        c.redis.key_prefix = v;
    });
    add("redis", "command_timeout_ms", [](Config& c, const std::string& v) {
        c.redis.command_timeout_ms = static_cast<int>(parse_integer("redis.command_timeout_ms", v, 10, 60000));
    });
    // rabbitmq (full flash-sale mode)
    add("rabbitmq", "host", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("rabbitmq.host", "must not be empty");
        c.rabbitmq.host = v;
    });
    add("rabbitmq", "port", [](Config& c, const std::string& v) {
        c.rabbitmq.port = static_cast<int>(parse_integer("rabbitmq.port", v, 1, 65535));
    });
    add("rabbitmq", "user", [](Config& c, const std::string& v) { c.rabbitmq.user = v; });
    add("rabbitmq", "password", [](Config& c, const std::string& v) { c.rabbitmq.password = v; });
    add("rabbitmq", "vhost", [](Config& c, const std::string& v) { c.rabbitmq.vhost = v.empty() ? "/" : v; });
    add("rabbitmq", "nodes", [](Config& c, const std::string& v) {
        c.rabbitmq.nodes = parse_node_list("rabbitmq.nodes", v);
    });
    add("rabbitmq", "queue", [](Config& c, const std::string& v) {
        if (v.empty() || v.size() > 200)
            fail("rabbitmq.queue", "must be 1-200 characters");
        c.rabbitmq.queue = v;
    });
    add("rabbitmq", "queue_type", [](Config& c, const std::string& v) {
        if (v != "classic" && v != "quorum")
            fail("rabbitmq.queue_type", "must be classic or quorum");
        c.rabbitmq.queue_type = v;
    });
    add("rabbitmq", "prefetch", [](Config& c, const std::string& v) {
        c.rabbitmq.prefetch = static_cast<int>(parse_integer("rabbitmq.prefetch", v, 1, 65535));
    });
    add("rabbitmq", "consumers", [](Config& c, const std::string& v) {
        c.rabbitmq.consumers = static_cast<int>(parse_integer("rabbitmq.consumers", v, 0, 32));
    });
    add("rabbitmq", "publish_batch", [](Config& c, const std::string& v) {
        c.rabbitmq.publish_batch = static_cast<int>(parse_integer("rabbitmq.publish_batch", v, 1, 1000));
    });
    add("rabbitmq", "consumer_batch", [](Config& c, const std::string& v) {
        c.rabbitmq.consumer_batch = static_cast<int>(parse_integer("rabbitmq.consumer_batch", v, 1, 5000));
    });
    add("rabbitmq", "consumer_linger_ms", [](Config& c, const std::string& v) {
        c.rabbitmq.consumer_linger_ms = static_cast<int>(parse_integer("rabbitmq.consumer_linger_ms", v, 0, 1000));
    });
    add("rabbitmq", "confirm_timeout_ms", [](Config& c, const std::string& v) {
        c.rabbitmq.confirm_timeout_ms = static_cast<int>(parse_integer("rabbitmq.confirm_timeout_ms", v, 100, 600000));
    });
    add("rabbitmq", "connect_timeout_ms", [](Config& c, const std::string& v) {
        c.rabbitmq.connect_timeout_ms = static_cast<int>(parse_integer("rabbitmq.connect_timeout_ms", v, 100, 600000));
    });
    add("rabbitmq", "max_attempts", [](Config& c, const std::string& v) {
        c.rabbitmq.max_attempts = static_cast<int>(parse_integer("rabbitmq.max_attempts", v, 1, 1000));
    });
    // upload
    add("upload", "dir", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("upload.dir", "must not be empty");
        c.upload.dir = v;
    });
    add("upload", "max_file_bytes", [](Config& c, const std::string& v) {
        c.upload.max_file_bytes = static_cast<std::size_t>(parse_integer("upload.max_file_bytes", v, 1, 1LL << 30));
    });
    add("upload", "max_files", [](Config& c, const std::string& v) {
        c.upload.max_files = static_cast<int>(parse_integer("upload.max_files", v, 1, 100));
    });
    add("upload", "max_total_bytes", [](Config& c, const std::string& v) {
        c.upload.max_total_bytes =
            static_cast<std::size_t>(parse_integer("upload.max_total_bytes", v, 1024, 1LL << 31));
    });
    add("upload", "max_image_dimension", [](Config& c, const std::string& v) {
        c.upload.max_image_dimension = static_cast<int>(parse_integer("upload.max_image_dimension", v, 1, 1000000));
    });
    add("upload", "public_path", [](Config& c, const std::string& v) {
        // One URL segment: the static mount's prefix. Not one the API or the web UI already uses.
        const std::string segment = v.size() > 1 && v.front() == '/' ? v.substr(1) : "";
        const bool plain = !segment.empty() && segment.front() != '.' &&
                           segment.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
        if (!plain || segment == "api" || segment == "assets" || segment == "swagger")
            fail(
                "upload.public_path",
                "'" + v + "' is not /<name> of lower-case letters, digits, - or _ (not api, assets, swagger)"
            );
        c.upload.public_path = v;
    });
    // wechatpay
    add("wechatpay", "enabled", [](Config& c, const std::string& v) {
        c.wechatpay.enabled = parse_bool("wechatpay.enabled", v);
    });
    add("wechatpay", "protocol", [](Config& c, const std::string& v) {
        if (v != "v3" && v != "v2")
            fail("wechatpay.protocol", "'" + v + "' is not v3 or v2");
        c.wechatpay.protocol = v;
    });
    add("wechatpay", "emulator", [](Config& c, const std::string& v) {
        c.wechatpay.emulator = parse_bool("wechatpay.emulator", v);
    });
    add("wechatpay", "emulator_host", [](Config& c, const std::string& v) { c.wechatpay.emulator_host = v; });
    add("wechatpay", "emulator_port", [](Config& c, const std::string& v) {
        c.wechatpay.emulator_port = static_cast<int>(parse_integer("wechatpay.emulator_port", v, 0, 65535));
    });
    add("wechatpay", "dev_key_dir", [](Config& c, const std::string& v) {
        if (v.empty())
            fail("wechatpay.dev_key_dir", "must not be empty");
        c.wechatpay.dev_key_dir = v;
    });
    add("wechatpay", "base_url", [](Config& c, const std::string& v) {
        if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
            fail("wechatpay.base_url", "must start with https:// (or http:// for a local emulator)");
        std::string trimmed = v;
        while (trimmed.size() > 8 && trimmed.back() == '/')
            trimmed.pop_back();
        c.wechatpay.base_url = trimmed;
    });
    add("wechatpay", "app_id", [](Config& c, const std::string& v) { c.wechatpay.app_id = v; });
    add("wechatpay", "mch_id", [](Config& c, const std::string& v) { c.wechatpay.mch_id = v; });
    add("wechatpay", "notify_url", [](Config& c, const std::string& v) {
        if (!v.empty() && v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0)
            fail("wechatpay.notify_url", "must be an http(s) URL");
        c.wechatpay.notify_url = v;
    });
    add("wechatpay", "merchant_serial_no", [](Config& c, const std::string& v) { c.wechatpay.merchant_serial_no = v; });
    add("wechatpay", "merchant_private_key_path", [](Config& c, const std::string& v) {
        c.wechatpay.merchant_private_key_path = v;
    });
    add("wechatpay", "platform_serial_no", [](Config& c, const std::string& v) { c.wechatpay.platform_serial_no = v; });
    add("wechatpay", "platform_public_key_path", [](Config& c, const std::string& v) {
        c.wechatpay.platform_public_key_path = v;
    });
    add("wechatpay", "api_v3_key", [](Config& c, const std::string& v) {
        if (!v.empty() && v.size() != 32)
            fail("wechatpay.api_v3_key", "must be 32 characters");
        c.wechatpay.api_v3_key = v;
    });
    add("wechatpay", "api_v2_key", [](Config& c, const std::string& v) {
        if (!v.empty() && v.size() != 32)
            fail("wechatpay.api_v2_key", "must be 32 characters");
        c.wechatpay.api_v2_key = v;
    });
    add("wechatpay", "sign_type", [](Config& c, const std::string& v) {
        if (v != "HMAC-SHA256" && v != "MD5")
            fail("wechatpay.sign_type", "'" + v + "' is not HMAC-SHA256 or MD5");
        c.wechatpay.sign_type = v;
    });
    add("wechatpay", "client_cert_path", [](Config& c, const std::string& v) { c.wechatpay.client_cert_path = v; });
    add("wechatpay", "client_key_path", [](Config& c, const std::string& v) { c.wechatpay.client_key_path = v; });
    add("wechatpay", "connect_timeout_ms", [](Config& c, const std::string& v) {
        c.wechatpay.connect_timeout_ms = static_cast<int>(parse_integer("wechatpay.connect_timeout_ms", v, 100, 60000));
    });
    add("wechatpay", "timeout_ms", [](Config& c, const std::string& v) {
        c.wechatpay.timeout_ms = static_cast<int>(parse_integer("wechatpay.timeout_ms", v, 100, 120000));
    });
    add("wechatpay", "max_attempts", [](Config& c, const std::string& v) {
        c.wechatpay.max_attempts = static_cast<int>(parse_integer("wechatpay.max_attempts", v, 1, 99));
    });
    add("wechatpay", "notify_retry_base_ms", [](Config& c, const std::string& v) {
        c.wechatpay.notify_retry_base_ms =
            static_cast<int>(parse_integer("wechatpay.notify_retry_base_ms", v, 10, 600000));
    });
    add("wechatpay", "notify_retry_max_ms", [](Config& c, const std::string& v) {
        c.wechatpay.notify_retry_max_ms =
            static_cast<int>(parse_integer("wechatpay.notify_retry_max_ms", v, 10, 3600000));
    });
    add("wechatpay", "emulator_max_trades", [](Config& c, const std::string& v) {
        c.wechatpay.emulator_max_trades =
            static_cast<int>(parse_integer("wechatpay.emulator_max_trades", v, 1, 10000000));
    });
    add("wechatpay", "emulator_max_refunds", [](Config& c, const std::string& v) {
        c.wechatpay.emulator_max_refunds =
            static_cast<int>(parse_integer("wechatpay.emulator_max_refunds", v, 1, 10000000));
    });
    // metrics
    add("metrics", "enabled", [](Config& c, const std::string& v) {
        c.metrics.enabled = parse_bool("metrics.enabled", v);
    });
    add("metrics", "path", [](Config& c, const std::string& v) {
        // One URL segment outside the API and the web UI's own paths.
        const std::string segment = v.size() > 1 && v.front() == '/' ? v.substr(1) : "";
        const bool plain = !segment.empty() && segment.front() != '.' &&
                           segment.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
        if (!plain || segment == "api" || segment == "assets" || segment == "swagger" || segment == "health" ||
            segment == "ready" || segment == "version")
            fail(
                "metrics.path", "'" + v + "' is not /<name> of lower-case letters, digits, - or _ (not a route in use)"
            );
        c.metrics.path = v;
    });
    add("metrics", "token", [](Config& c, const std::string& v) {
        if (!v.empty() && v.size() < 16)
            fail("metrics.token", "must be at least 16 characters");
        c.metrics.token = v;
    });
    add("metrics", "dashboard", [](Config& c, const std::string& v) {
        c.metrics.dashboard = parse_bool("metrics.dashboard", v);
    });
    add("metrics", "dashboard_history_seconds", [](Config& c, const std::string& v) {
        c.metrics.dashboard_history_seconds =
            static_cast<int>(parse_integer("metrics.dashboard_history_seconds", v, 10, 3600));
    });
    add("metrics", "dashboard_max_streams", [](Config& c, const std::string& v) {
        c.metrics.dashboard_max_streams = static_cast<int>(parse_integer("metrics.dashboard_max_streams", v, 1, 1000));
    });
    // breakers
    add("breakers", "enabled", [](Config& c, const std::string& v) {
        c.breakers.enabled = parse_bool("breakers.enabled", v);
    });
    add("breakers", "failure_threshold", [](Config& c, const std::string& v) {
        c.breakers.failure_threshold = static_cast<int>(parse_integer("breakers.failure_threshold", v, 1, 1000));
    });
    add("breakers", "open_seconds", [](Config& c, const std::string& v) {
        c.breakers.open_seconds = static_cast<int>(parse_integer("breakers.open_seconds", v, 1, 3600));
    });
    add("breakers", "half_open_probes", [](Config& c, const std::string& v) {
        c.breakers.half_open_probes = static_cast<int>(parse_integer("breakers.half_open_probes", v, 1, 100));
    });
    // tracing
    add("tracing", "enabled", [](Config& c, const std::string& v) {
        c.tracing.enabled = parse_bool("tracing.enabled", v);
    });
    add("tracing", "endpoint", [](Config& c, const std::string& v) {
        const bool http = v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0;
        if (!http || v.find_first_of(" \t\r\n") != std::string::npos || v.size() > 2048)
            fail("tracing.endpoint", "'" + v + "' is not an http:// or https:// URL");
        c.tracing.endpoint = v;
    });
    add("tracing", "sample_ratio", [](Config& c, const std::string& v) {
        double ratio = -1;
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), ratio);
        if (v.empty() || ec != std::errc{} || ptr != v.data() + v.size() || !(ratio >= 0.0 && ratio <= 1.0))
            fail("tracing.sample_ratio", "'" + v + "' is not a number from 0 to 1");
        c.tracing.sample_ratio = ratio;
    });
    add("tracing", "service_name", [](Config& c, const std::string& v) {
        if (v.empty() || v.size() > 128)
            fail("tracing.service_name", "must be 1 to 128 characters");
        c.tracing.service_name = v;
    });
    add("tracing", "queue_size", [](Config& c, const std::string& v) {
        c.tracing.queue_size = static_cast<int>(parse_integer("tracing.queue_size", v, 1, 1000000));
    });
    add("tracing", "batch_size", [](Config& c, const std::string& v) {
        c.tracing.batch_size = static_cast<int>(parse_integer("tracing.batch_size", v, 1, 100000));
    });
    add("tracing", "export_interval_ms", [](Config& c, const std::string& v) {
        c.tracing.export_interval_ms = static_cast<int>(parse_integer("tracing.export_interval_ms", v, 10, 600000));
    });
    add("tracing", "timeout_ms", [](Config& c, const std::string& v) {
        c.tracing.timeout_ms = static_cast<int>(parse_integer("tracing.timeout_ms", v, 10, 600000));
    });
    // registry
    add("registry", "etcd_endpoints", [](Config& c, const std::string& v) {
        auto endpoints = parse_list(v);
        for (const auto& e : endpoints) {
            const bool http = e.rfind("http://", 0) == 0 || e.rfind("https://", 0) == 0;
            if (!http || e.find_first_of(" \t\r\n") != std::string::npos || e.size() > 2048)
                fail("registry.etcd_endpoints", "'" + e + "' is not an http:// or https:// URL");
            if (e.find('@') != std::string::npos)  // endpoints are logged: no credentials in them
                fail("registry.etcd_endpoints", "credentials in the URL are not supported");
        }
        if (endpoints.size() > 64)
            fail("registry.etcd_endpoints", "more than 64 endpoints");
        c.registry.etcd_endpoints = std::move(endpoints);
    });
    // etcd raises a shorter TTL to its own minimum (about 2 s) anyway.
    add("registry", "lease_ttl_seconds", [](Config& c, const std::string& v) {
        c.registry.lease_ttl_seconds = static_cast<int>(parse_integer("registry.lease_ttl_seconds", v, 2, 300));
    });
    add("registry", "request_timeout_ms", [](Config& c, const std::string& v) {
        c.registry.request_timeout_ms = static_cast<int>(parse_integer("registry.request_timeout_ms", v, 50, 60000));
    });
    // services
    add("services", "role", [](Config& c, const std::string& v) {
        if (v != "all" && v != "gateway" && v != "user" && v != "catalog" && v != "order" && v != "seckill")
            fail("services.role", "'" + v + "' is not one of all, gateway, user, catalog, order, seckill");
        c.services.role = v;
    });
    add("services", "grpc_host", [](Config& c, const std::string& v) {
        if (v.empty() || v.size() > 253 || v.find_first_of(" \t\r\n/") != std::string::npos)
            fail("services.grpc_host", "'" + v + "' is not a host name or address");
        c.services.grpc_host = v;
    });
    add("services", "grpc_port", [](Config& c, const std::string& v) {
        c.services.grpc_port = static_cast<int>(parse_integer("services.grpc_port", v, 0, 65535));
    });
    add("services", "advertise_host", [](Config& c, const std::string& v) {
        if (v.size() > 253 || v.find_first_of(" \t\r\n/") != std::string::npos)
            fail("services.advertise_host", "'" + v + "' is not a host name or address");
        c.services.advertise_host = v;
    });
    add("services", "instance_id", [](Config& c, const std::string& v) {
        if (v.size() > 128 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
                              ) != std::string::npos)
            fail("services.instance_id", "letters, digits, '-', '_' and '.' only, at most 128");
        c.services.instance_id = v;
    });
    add("services", "peer_secret", [](Config& c, const std::string& v) { c.services.peer_secret = v; });
    add("services", "call_timeout_ms", [](Config& c, const std::string& v) {
        c.services.call_timeout_ms = static_cast<int>(parse_integer("services.call_timeout_ms", v, 50, 600000));
    });
    add("services", "purchase_timeout_ms", [](Config& c, const std::string& v) {
        c.services.purchase_timeout_ms = static_cast<int>(parse_integer("services.purchase_timeout_ms", v, 50, 60000));
    });
    // admin
    add("admin", "username", [](Config& c, const std::string& v) { c.admin.username = v; });
    add("admin", "password", [](Config& c, const std::string& v) { c.admin.password = v; });
    add("admin", "email", [](Config& c, const std::string& v) { c.admin.email = v; });
    // log
    add("log", "level", [](Config& c, const std::string& v) {
        static const std::vector<std::string> kLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
        if (std::find(kLevels.begin(), kLevels.end(), v) == kLevels.end())
            fail("log.level", "'" + v + "' is not a log level");
        c.log.level = v;
    });
    add("log", "format", [](Config& c, const std::string& v) {
        if (v != "text" && v != "json")
            fail("log.format", "'" + v + "' is not text or json");
        c.log.format = v;
    });
    add("log", "access_log", [](Config& c, const std::string& v) { c.log.access_log = parse_bool("log.access_log", v); }
    );
    return k;
}

std::string scalar_text(const std::string& key, const YAML::Node& node) {
    if (node.IsNull()) {
        return "";
    }
    if (node.IsScalar()) {
        return node.Scalar();
    }
    if (node.IsSequence()) {
        std::string joined;
        for (const auto& item : node) {
            if (!item.IsScalar())
                fail(key, "list items must be plain values");
            joined += (joined.empty() ? "" : ",") + item.Scalar();
        }
        return joined;
    }
    fail(key, "must be a value, not a mapping");
}

// `text`, when given, is the file's content (ConfigOptions::config_text); `path` then only names it.
void apply_file(
    Config& config, const std::vector<Key>& table, const std::string& path, const std::string* text = nullptr
) {
    YAML::Node root;
    try {
        root = text != nullptr ? YAML::Load(*text) : YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
        throw ConfigError("config file " + path + ": " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
    }
    if (root.IsNull()) {
        return;
    }
    if (!root.IsMap()) {
        throw ConfigError("config file " + path + ": top level must be a mapping of sections");
    }
    // A key that is a list or a mapping ("[a, b]: 1") cannot name anything; as<std::string>() would
    // throw yaml-cpp's own exception past the CLI's ConfigError handler and end the process.
    const auto key_text = [&path](const YAML::Node& key) {
        if (!key.IsScalar()) {
            throw ConfigError(
                "config file " + path + ": keys must be plain names (line " + std::to_string(key.Mark().line + 1) + ")"
            );
        }
        return key.Scalar();
    };
    for (const auto& section : root) {
        const auto section_name = key_text(section.first);
        if (!section.second.IsMap()) {
            throw ConfigError("config file " + path + ": section '" + section_name + "' must be a mapping");
        }
        for (const auto& entry : section.second) {
            const auto key_name = key_text(entry.first);
            const std::string full = section_name + "." + key_name;
            auto it = std::find_if(table.begin(), table.end(), [&](const Key& k) {
                return k.section == section_name && k.name == key_name;
            });
            if (it == table.end()) {
                throw ConfigError("config file " + path + ": unknown key " + full);
            }
            it->set(config, scalar_text(full, entry.second));
        }
    }
    config.sources.push_back(path);
}

std::string env_name(const Key& k) {
    std::string name = "GOMALL_" + k.section + "_" + k.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return name;
}

// A merchant account needs all of its ids and keys; the emulator generates its own.
void validate_wechatpay(const Config& config) {
    const WechatPayConfig& w = config.wechatpay;
    if (w.emulator && config.env == "prod") {
        throw ConfigError("config wechatpay.emulator: the local WeChat Pay emulator is refused in prod");
    }
    if (w.notify_retry_max_ms < w.notify_retry_base_ms) {
        throw ConfigError("config wechatpay.notify_retry_max_ms: must not be shorter than notify_retry_base_ms");
    }
    if (!w.enabled || w.emulator) {
        return;
    }
    auto require = [](const std::string& value, const char* key) {
        if (value.empty()) {
            throw ConfigError(
                std::string("config wechatpay.") + key + ": required for a merchant account (or set wechatpay.emulator)"
            );
        }
    };
    require(w.app_id, "app_id");
    require(w.mch_id, "mch_id");
    require(w.notify_url, "notify_url");
    if (w.protocol == "v3") {
        require(w.merchant_serial_no, "merchant_serial_no");
        require(w.merchant_private_key_path, "merchant_private_key_path");
        require(w.platform_serial_no, "platform_serial_no");
        require(w.platform_public_key_path, "platform_public_key_path");
        require(w.api_v3_key, "api_v3_key");
    } else {
        require(w.api_v2_key, "api_v2_key");
    }
    if (config.env == "prod" && (w.base_url.rfind("https://", 0) != 0 || w.notify_url.rfind("https://", 0) != 0)) {
        throw ConfigError("config wechatpay.base_url and notify_url: must be https:// in prod");
    }
}

/// Services mode needs a registry to meet in, a secret the services can check callers by, and the
/// flash sale's shared stores (several seckill processes sell one gate).
void validate_services(const Config& config) {
    const ServicesConfig& s = config.services;
    if (s.role == "all") {
        return;
    }
    if (config.registry.etcd_endpoints.empty()) {
        throw ConfigError("config services.role " + s.role + ": needs registry.etcd_endpoints (where services meet)");
    }
    if (s.peer_secret.size() < 32) {
        throw ConfigError(
            "config services.peer_secret: must be at least 32 characters in services mode; set "
            "GOMALL_SERVICES_PEER_SECRET"
        );
    }
    if (s.peer_secret == config.auth.jwt_secret) {
        throw ConfigError("config services.peer_secret: must differ from auth.jwt_secret");
    }
    if (s.role == "seckill" && config.seckill.mode != "full") {
        throw ConfigError(
            "config services.role seckill: needs seckill.mode full (its instances share the Redis gate and the broker)"
        );
    }
    if (s.role != "seckill" && config.seckill.mode != "full") {
        throw ConfigError(
            "config services.role " + s.role +
            ": needs seckill.mode full (the gateways hear of revoked tokens on Redis, which full mode has)"
        );
    }
    if (s.role != "gateway" && (s.grpc_host == "0.0.0.0" || s.grpc_host == "::") && s.advertise_host.empty()) {
        throw ConfigError("config services.advertise_host: must be set when services.grpc_host listens on every address"
        );
    }
}

}  // namespace

Config load_config(const ConfigOptions& options) {
    std::map<std::string, std::string> environment = options.environment;
    if (options.use_process_environment) {
        for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
            std::string_view entry(*e);
            const auto eq = entry.find('=');
            if (eq != std::string_view::npos && entry.substr(0, 7) == "GOMALL_") {
                environment.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
            }
        }
    }
    Config config;
    config.auth.jwt_secret = kDefaultJwtSecret;
    config.env = options.env;
    if (config.env.empty()) {
        auto it = environment.find("GOMALL_ENV");
        config.env = it != environment.end() && !it->second.empty() ? it->second : "dev";
    }
    if (config.env.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        throw ConfigError("config env '" + config.env + "': use letters, digits, - or _");
    }
    if (config.env == "prod") {
        // Safer defaults before any file is read; files may still enable them explicitly.
        config.order.direct_pay_enabled = false;
        config.log.format = "json";
        // Real money needs a merchant account: off until the operator configures one.
        config.wechatpay.enabled = false;
        config.wechatpay.emulator = false;
    }

    const auto table = keys();
    namespace fs = std::filesystem;
    const fs::path base = options.config_path.empty() ? fs::path("conf/config.yaml") : fs::path(options.config_path);
    if (options.config_text) {
        apply_file(config, table, "(text)", &*options.config_text);
    } else if (!fs::exists(base)) {
        if (!options.config_path.empty()) {
            throw ConfigError("config file " + base.string() + " does not exist");
        }
    } else {
        apply_file(config, table, base.string());
    }
    const fs::path overlay = base.parent_path() / ("config-" + config.env + ".yaml");
    if (!options.config_text && fs::exists(overlay)) {
        apply_file(config, table, overlay.string());
    }
    for (const auto& k : table) {
        const auto it = environment.find(env_name(k));
        if (it != environment.end()) {
            k.set(config, it->second);
            config.sources.push_back(it->first);
        }
    }

    if (config.auth.jwt_secret.size() < 32) {
        throw ConfigError("config auth.jwt_secret: must be at least 32 characters");
    }
    if (config.env == "prod" && config.auth.jwt_secret == kDefaultJwtSecret) {
        throw ConfigError(
            "config auth.jwt_secret: the built-in development secret is refused in prod; set GOMALL_AUTH_JWT_SECRET"
        );
    }
    if (config.auth.login_delay_max_seconds * 1000LL < config.auth.login_delay_base_ms) {
        throw ConfigError("config auth.login_delay_max_seconds: must not be shorter than auth.login_delay_base_ms");
    }
    if (config.upload.max_total_bytes < config.upload.max_file_bytes) {
        throw ConfigError("config upload.max_total_bytes: must not be smaller than upload.max_file_bytes");
    }
    validate_wechatpay(config);
    // A renewal that may take longer than a third of the TTL could let a live instance's lease run out.
    if (config.registry.request_timeout_ms * 3LL >= config.registry.lease_ttl_seconds * 1000LL) {
        throw ConfigError(
            "config registry.request_timeout_ms: must be shorter than a third of registry.lease_ttl_seconds"
        );
    }
    validate_services(config);
    if (!config.redis.cluster_nodes.empty() && config.redis.db != 0) {
        throw ConfigError("config redis.db: Redis Cluster has only database 0; unset redis.db or redis.cluster_nodes");
    }
    if (config.database.driver == "mysql" && config.database.mysql_database.empty()) {
        throw ConfigError("config database.mysql_database: must be set when database.driver is mysql");
    }
    if (config.database.schema == "own" && config.database.driver != "mysql") {
        throw ConfigError(
            "config database.schema: 'own' (a database per service) needs database.driver mysql; SQLite keeps "
            "the whole schema"
        );
    }
    if (!config.database.mysql_replica_host.empty() && config.database.driver != "mysql") {
        throw ConfigError(
            "config database.mysql_replica_host: a read replica needs database.driver mysql (SQLite has none); "
            "unset it"
        );
    }
    return config;
}

}  // namespace gomall::app
