// Typed configuration: conf/config.yaml, overlaid by conf/config-<env>.yaml, then GOMALL_<SECTION>_<KEY>
// environment variables. Invalid values stop startup with one clear line (ConfigError).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gomall::app {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ServerConfig {
    std::string host = "0.0.0.0";
    int port = 8080;
    int io_threads = 0;  // 0 = hardware concurrency
    int blocking_threads = 8;
    int max_connections = 10000;
    std::size_t body_limit_bytes = std::size_t{1024} * 1024;
    std::size_t header_limit_bytes = std::size_t{16} * 1024;
    std::size_t max_header_count = 100;
    std::size_t max_target_bytes = 8192;
    int header_timeout_seconds = 10;
    int read_timeout_seconds = 15;
    int idle_timeout_seconds = 60;
    int shutdown_timeout_seconds = 10;
    std::vector<std::string> cors_origins;
    std::string static_dir = "frontend/dist";
    std::string openapi_path = "docs/openapi.yaml";
    // Addresses or networks (CIDR) of the proxies in front of the server. Only from these peers is
    // X-Forwarded-For read (right-most entry that is not itself a trusted proxy); empty: never.
    std::vector<std::string> trusted_proxies;
};

// The request-rate limits of the HTTP pipeline (the login and flash-sale limits sit with auth and
// seckill). A rate of 0 turns that limit off.
struct RateLimitConfig {
    int global_rate_per_second = 1000;  // the whole instance, every request but /health, /ready, metrics
    int global_burst = 2000;
    int api_rate_per_second = 100;  // per client address (IPv6: per /64), on /api/*
    int api_burst = 200;
    int api_max_keys = 100000;  // client addresses tracked at most; idle ones are forgotten sooner
};

struct DatabaseConfig {
    std::string driver = "sqlite";
    std::string sqlite_path = "var/gomall.db";
    std::string mysql_host = "127.0.0.1";
    int mysql_port = 3306;
    std::string mysql_user = "gomall";
    std::string mysql_password;
    std::string mysql_database = "gomall";
    int mysql_connect_timeout_seconds = 5;
    int mysql_read_timeout_seconds = 30;  // also the write timeout
    int pool_size = 8;
    bool seed_demo = true;  // create the demo catalogue in an empty database
    // "shared": the whole schema (one process, or services sharing one database); "own": only the
    // tables of the service(s) this role runs (services mode, a database per service; MySQL only).
    std::string schema = "shared";
    // An optional read replica (MySQL/MariaDB only) for catalogue and order-list reads; empty host:
    // none. Unset user, password and pool size are the primary's.
    std::string mysql_replica_host;
    int mysql_replica_port = 3306;
    std::optional<std::string> mysql_replica_user;
    std::optional<std::string> mysql_replica_password;
    int replica_max_lag_ms = 2000;  // the replica serves reads only while at most this far behind
    std::optional<int> replica_pool_size;
    int replica_read_timeout_seconds = 5;  // a frozen replica is given up on (reads go to the primary) sooner
};

struct AuthConfig {
    std::string jwt_secret;
    int access_ttl_seconds = 900;
    int refresh_ttl_seconds = 7 * 24 * 3600;
    int bcrypt_cost = 10;
    double login_rate_per_second = 10;
    int login_burst = 20;
    int verified_token_cache_entries = 100000;  // access tokens whose signature was checked, remembered
    // Failed-login throttling (services::LoginThrottle): free failures per (account, address) and per
    // address, then waits doubling from login_delay_base_ms up to login_delay_max_seconds.
    int login_free_failures = 5;
    int login_ip_free_failures = 30;
    int login_delay_base_ms = 1000;
    int login_delay_max_seconds = 900;
    // Expired refresh tokens and access-token revocations are deleted this often (services::TokenPurger),
    // by the processes that keep the accounts (role all or user); 0: never.
    int token_purge_interval_seconds = 3600;
};

struct OrderConfig {
    int unpaid_timeout_seconds = 900;
    int sweep_interval_seconds = 5;
    bool direct_pay_enabled = true;
    int node_id = 1;
};

struct ProductConfig {
    // Product details are answered from memory for this long. Each instance has its own cache and
    // drops an entry when it changes the product itself, so with several instances on one database
    // this is how stale another instance's change (a sale, a cancelled order) may look here.
    int cache_ttl_ms = 30000;
    int cache_capacity = 4096;
    // Product pages (any filter, sort, keyword) and categories are answered from memory this long:
    // the bound on how stale the stock shown in a list may be.
    int list_cache_ttl_ms = 1000;
    int list_cache_capacity = 8192;
    long long cache_max_bytes = 64LL << 20;  // per cache (details, lists)
    int not_found_ttl_ms = 5000;             // unknown product ids are remembered this long
    // Full mode: a second level in Redis shared by every instance (warm after a restart), and
    // invalidation of every instance's memory through Redis pub/sub.
    bool shared_cache = true;
    // Put in front of root-relative image paths (/images/..., /uploads/...) in every answer, so a
    // front end on another origin or a CDN can load them. Empty: answered root-relative.
    std::string image_base_url;
};

struct SeckillConfig {
    double rate_per_second = 5;  // per shopper, on POST /api/seckill
    int burst = 10;
    bool token_required = false;  // anti-bot gate: a one-time token fetched after the start
    int token_ttl_seconds = 120;
    int group_commit_max_batch = 512;   // embedded mode: reservations per commit at most
    int group_commit_linger_ms = 1;     // embedded mode: wait this long for company before committing
    std::string mode = "embedded";      // embedded | full (Redis stock gate + RabbitMQ handoff)
    int reconcile_interval_ms = 2000;   // full mode: how often the reconciler compares Redis and the database
    int available_refresh_ms = 250;     // full mode: how often each instance re-reads the units left from Redis
    int reconcile_grace_ms = 10000;     // full mode: age at which an in-flight reservation is looked at
    int keep_after_end_seconds = 3600;  // full mode: an ended sale's Redis keys are deleted this long after its end
};

struct RedisConfig {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;
    int db = 0;
    int connections = 2;
    std::string key_prefix = "gomall";
    int command_timeout_ms = 1000;
    // Redis Cluster seed nodes ("host:port"); empty: the one server at host:port.
    std::vector<std::string> cluster_nodes;
};

struct RabbitConfig {
    std::string host = "127.0.0.1";
    int port = 5672;
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
    // Cluster nodes ("host:port"), tried in turn on every (re)connection; empty: host:port.
    std::vector<std::string> nodes;
    std::string queue = "gomall.seckill.reservations";
    std::string queue_type = "classic";  // or "quorum" (replicated over a cluster; see operations.md)
    int prefetch = 500;
    int consumers = 1;
    int publish_batch = 64;      // most reservations packed into one message (1: a message each)
    int consumer_batch = 256;    // most reservations written by one database transaction
    int consumer_linger_ms = 2;  // how long a consumer waits for more messages before writing a batch
    int confirm_timeout_ms = 5000;
    int connect_timeout_ms = 3000;  // connecting, logging in and each broker RPC of a connection attempt
    // Tries of a reservation whose order cannot be written (backoff up to 5 s between them) before
    // it is recorded as failed and dead-lettered; while the database is unreachable it waits instead.
    int max_attempts = 5;
};

struct UploadConfig {
    std::string dir = "var/uploads";  // local disk store; served read-only under public_path
    std::size_t max_file_bytes = std::size_t{5} * 1024 * 1024;
    int max_files = 9;  // per request (form parts)
    // The upload routes' body limit: the whole body is read into memory before the handler.
    std::size_t max_total_bytes = std::size_t{46} * 1024 * 1024;
    int max_image_dimension = 10000;  // width and height, each, in pixels
    std::string public_path = "/uploads";
};

// WeChat Pay. Secrets (api keys, private keys) come from files or GOMALL_WECHATPAY_* variables,
// never from the repository. With `emulator` on (dev, tests) the shop starts the local emulator
// in-process, generates dev keys under dev_key_dir and talks to the emulator over HTTP.
struct WechatPayConfig {
    bool enabled = true;          // false: the payment routes answer 503 (code 40006)
    std::string protocol = "v3";  // v3 | v2
    bool emulator = true;         // refused in prod
    std::string emulator_host = "127.0.0.1";
    int emulator_port = 0;  // 0 = any free port
    std::string dev_key_dir = "var/wechatpay";
    std::string base_url = "https://api.mch.weixin.qq.com";  // ignored while the emulator is on
    std::string app_id;
    std::string mch_id;
    std::string notify_url;                 // empty with the emulator: this server's own notify route on loopback
    std::string merchant_serial_no;         // v3
    std::string merchant_private_key_path;  // v3, PEM
    std::string platform_serial_no;         // v3
    std::string platform_public_key_path;   // v3, PEM (public key or platform certificate)
    std::string api_v3_key;                 // v3, 32 bytes
    std::string api_v2_key;                 // v2, 32 bytes
    std::string sign_type = "HMAC-SHA256";  // v2: HMAC-SHA256 | MD5
    std::string client_cert_path;           // v2 refunds: the merchant's API certificate (PEM)
    std::string client_key_path;
    int connect_timeout_ms = 2000;
    int timeout_ms = 10000;
    int max_attempts = 5;             // payment attempts per order
    int notify_retry_base_ms = 1000;  // emulator: first redelivery after this, doubling
    int notify_retry_max_ms = 30000;
    // emulator: trades and refunds it remembers; past them the oldest finished ones are forgotten
    int emulator_max_trades = 10000;
    int emulator_max_refunds = 10000;
};

// Prometheus metrics at `path`. With a token the scraper must send it as a bearer token; in prod the
// route exists only when a token is set, so the figures are never public by accident.
struct MetricsConfig {
    bool enabled = true;
    std::string path = "/metrics";
    std::string token;
    // The admin web UI's live sale dashboard (its own history of snapshots, one per second).
    bool dashboard = true;
    int dashboard_history_seconds = 300;
    int dashboard_max_streams = 8;
};

// Circuit breakers in front of the dependencies whose outage must not hold up the shop: the payment
// gateway, and Redis and RabbitMQ on the flash sale's purchase path. One set of settings for all.
struct BreakersConfig {
    bool enabled = true;
    int failure_threshold = 5;  // failures in a row that open a breaker
    int open_seconds = 10;      // an open breaker refuses calls at once this long, then tries again
    int half_open_probes = 1;   // trial calls; all must succeed to close it, one failure reopens it
};

// Services mode: the etcd v3 cluster where the gRPC services register and find each other
// (adapters/etcd). No endpoints: no registry.
struct RegistryConfig {
    std::vector<std::string> etcd_endpoints;  // client URLs, http://host:port
    int lease_ttl_seconds = 5;                // a process that dies without deregistering drops out after this
    int request_timeout_ms = 1000;            // each request to etcd; must be shorter than a third of the TTL
};

// Services mode: which part of the shop this process is and how the parts reach each other over
// gRPC. "all" is the single process; "gateway" serves HTTP and calls the services; a service role
// ("seckill") serves gRPC and registers itself in the registry.
struct ServicesConfig {
    std::string role = "all";
    std::string grpc_host = "127.0.0.1";  // where a service role listens for gRPC
    int grpc_port = 0;                    // 0: any free port (the registry tells callers which)
    std::string advertise_host;           // the host peers dial; empty: grpc_host
    std::string instance_id;              // unique per process; empty: generated at start
    std::string peer_secret;              // on every call between gateway and services (>= 32 characters)
    int call_timeout_ms = 3000;           // deadline of a call to a service
    int purchase_timeout_ms = 1000;       // deadline of a flash-sale purchase or token call
};

// OpenTelemetry traces, exported over OTLP/HTTP (JSON) to `endpoint`. Off by default: a shop
// that is not pointed at a collector records nothing.
struct TracingConfig {
    bool enabled = false;
    std::string endpoint = "http://127.0.0.1:4318/v1/traces";
    double sample_ratio = 1.0;  // share of new traces kept; a caller's sampled flag wins
    std::string service_name = "gomall";
    int queue_size = 4096;  // spans waiting for export; more are dropped (and counted)
    int batch_size = 512;
    int export_interval_ms = 2000;
    int timeout_ms = 2000;  // one export POST
};

struct AdminConfig {
    std::string username = "admin";
    std::string password;  // empty: generated at first start and printed once
    std::string email = "admin@gomall.local";
};

struct LogConfig {
    std::string level = "info";
    std::string format = "text";  // text | json
    bool access_log = true;
};

struct Config {
    std::string env = "dev";
    ServerConfig server;
    RateLimitConfig rate_limit;
    DatabaseConfig database;
    AuthConfig auth;
    OrderConfig order;
    ProductConfig product;
    SeckillConfig seckill;
    RedisConfig redis;
    RabbitConfig rabbitmq;
    UploadConfig upload;
    WechatPayConfig wechatpay;
    MetricsConfig metrics;
    BreakersConfig breakers;
    TracingConfig tracing;
    RegistryConfig registry;
    ServicesConfig services;
    AdminConfig admin;
    LogConfig log;
    std::vector<std::string> sources;  // files and variables that were applied, for the startup log
};

/// The built-in JWT secret of the shipped config; refused in prod.
inline constexpr const char* kDefaultJwtSecret = "gomall-dev-secret-change-me-0123456789abcdef";

struct ConfigOptions {
    std::string env;          // "" = $GOMALL_ENV or "dev"
    std::string config_path;  // "" = conf/config.yaml
    /// When set, this YAML text is the only file: config_path and the env overlay are not read
    /// (tests and the config fuzzer).
    std::optional<std::string> config_text;
    /// Environment lookup; tests inject their own.
    std::map<std::string, std::string> environment;
    bool use_process_environment = true;
};

/// Loads and validates. Throws ConfigError with one line naming the key and the problem.
Config load_config(const ConfigOptions& options);

}  // namespace gomall::app
