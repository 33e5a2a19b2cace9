#include "app/app.hpp"

#include <cstdio>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "adapters/etcd/etcd_registry.hpp"
#include "adapters/metrics/process_metrics.hpp"
#include "adapters/metrics/prometheus_registry.hpp"
#include "adapters/metrics/registry_reader.hpp"
#include "adapters/sql/cart_repository.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/flash_sale_order_store.hpp"
#include "adapters/sql/health_check.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/order_placement_store.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/payment_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/stock_reservations.hpp"
#include "adapters/sql/token_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "adapters/storage/local_file_store.hpp"
#include "app/breaker_settings.hpp"
#include "app/catalog_cache_backend.hpp"
#include "app/database_settings.hpp"
#include "app/demo_catalog.hpp"
#include "app/grpc_service_host.hpp"
#include "app/in_process_flash_sale.hpp"
#include "app/payment_backend.hpp"
#include "app/remote_accounts.hpp"
#include "app/remote_catalog.hpp"
#include "app/remote_flash_sale.hpp"
#include "app/remote_orders.hpp"
#include "app/replica_backend.hpp"
#include "app/revocation_backend.hpp"
#include "app/tracing_backend.hpp"
#include "http/blocking_pool.hpp"
#include "http/handlers/cart_handlers.hpp"
#include "http/handlers/dashboard_handlers.hpp"
#include "http/handlers/metrics_handlers.hpp"
#include "http/handlers/ops_handlers.hpp"
#include "http/handlers/order_handlers.hpp"
#include "http/handlers/payment_handlers.hpp"
#include "http/handlers/product_handlers.hpp"
#include "http/handlers/seckill_handlers.hpp"
#include "http/handlers/upload_handlers.hpp"
#include "http/handlers/user_handlers.hpp"
#include "http/http_metrics.hpp"
#include "http/image_urls.hpp"
#include "http/pipeline.hpp"
#include "http/rate_limit_gate.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "ports/clock.hpp"
#include "rpc/catalog_server.hpp"
#include "rpc/flash_sale_order_server.hpp"
#include "rpc/order_server.hpp"
#include "rpc/seckill_server.hpp"
#include "rpc/stock_server.hpp"
#include "rpc/user_server.hpp"
#include "services/auth_service.hpp"
#include "services/cart_service.hpp"
#include "services/catalog_stock.hpp"
#include "services/dashboard_sampler.hpp"
#include "services/dependency_monitor.hpp"
#include "services/flash_sale_order_arrivals.hpp"
#include "services/jwt.hpp"
#include "services/keyed_rate_limiter.hpp"
#include "services/login_throttle.hpp"
#include "services/order_number.hpp"
#include "services/order_service.hpp"
#include "services/password_hasher.hpp"
#include "services/payment_service.hpp"
#include "services/product_lookups.hpp"
#include "services/product_service.hpp"
#include "services/rate_limit_metrics.hpp"
#include "services/reserving_order_repository.hpp"
#include "services/token_purger.hpp"
#include "services/token_revocations.hpp"
#include "services/unpaid_order_canceller.hpp"
#include "services/upload_service.hpp"

#ifndef GOMALL_VERSION
#define GOMALL_VERSION "0.0.0"
#endif
#ifndef GOMALL_COMMIT
#define GOMALL_COMMIT "unknown"
#endif
#ifndef GOMALL_BUILD_TYPE
#define GOMALL_BUILD_TYPE "unknown"
#endif

namespace gomall::app {
namespace {

std::string generate_password() {
    static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::random_device rd;
    std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
    std::string out;
    for (int i = 0; i < 16; ++i) {
        out += kAlphabet[pick(rd)];
    }
    return out;
}

int resolved_io_threads(int configured) {
    if (configured > 0) {
        return configured;
    }
    const auto cores = std::thread::hardware_concurrency();
    return cores == 0 ? 2 : static_cast<int>(cores);
}

adapters::etcd::EtcdSettings registry_settings(const RegistryConfig& c) {
    adapters::etcd::EtcdSettings s;
    s.endpoints = c.etcd_endpoints;
    s.lease_ttl = std::chrono::seconds(c.lease_ttl_seconds);
    s.request_timeout = std::chrono::milliseconds(c.request_timeout_ms);
    return s;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ",") + item;
    }
    return out;
}

/// How long a gateway waits at start for the user service to hand it the revocations.
constexpr std::chrono::seconds kUserServiceWait{60};

/// How often gomall_dependency_up is refreshed: fast enough for a one-minute alert.
constexpr std::chrono::seconds kDependencyProbeEvery{5};

}  // namespace

struct App::Parts {
    Parts(const Config& config, std::uint16_t shop_port)
        : process_metrics(metrics),
          collector_breaker(
              config.breakers.enabled && config.tracing.enabled
                  ? std::make_unique<services::CircuitBreaker>(
                        "otlp", breaker_settings(config.breakers), clock, metrics
                    )
                  : nullptr
          ),
          tracing(config.tracing, metrics, GOMALL_VERSION, collector_breaker.get()),
          database(database_settings(config.database)),
          users(database),
          tokens(database),
          products(database),
          carts(database),
          orders(database),
          database_health(database),
          replica(config.database, database, products, orders, clock),
          hasher(config.auth.bcrypt_cost),
          registry(
              config.services.role == "all"
                  ? nullptr
                  : std::make_unique<adapters::etcd::EtcdServiceRegistry>(registry_settings(config.registry))
          ),
          remote_accounts(
              config.services.role == "gateway" ? std::make_unique<RemoteAccounts>(config, *registry, clock, metrics)
                                                : nullptr
          ),
          // The gateway's routes, the order service's stock and carts, and the products the seckill
          // service's activities are made of are the catalogue service's.
          remote_catalog(
              config.services.role == "gateway" || config.services.role == "order" || config.services.role == "seckill"
                  ? std::make_unique<RemoteCatalog>(config, *registry, clock, metrics)
                  : nullptr
          ),
          // The gateway's order routes; the seckill instances hand their flash-sale orders over.
          remote_orders(
              config.services.role == "gateway" || config.services.role == "seckill"
                  ? std::make_unique<RemoteOrders>(config, *registry, clock, metrics)
                  : nullptr
          ),
          // The gateway's record is the user service, which owns the token tables.
          revocations(
              remote_accounts ? remote_accounts->revocation_record() : static_cast<ports::RevocationRecord&>(tokens),
              clock
          ),
          revocation_backend(config, revocations, clock, metrics),
          login_limiter(
              clock,
              services::RateLimitSettings{
                  config.auth.login_rate_per_second, static_cast<double>(config.auth.login_burst)},
              &services::rate_limited_counter(metrics, "login")
          ),
          login_throttle(clock, login_throttle_settings(config.auth)),
          auth(users, tokens, hasher, revocations, login_limiter, login_throttle, clock, auth_settings(config.auth)),
          catalog_cache(config, clock, metrics),
          // Only the catalogue reads the replica: the cart prices and the flash sale sells from the
          // primary `products` (SeckillService, CartService), and so does order placement.
          product_service(replica.catalogue_products(), catalog_cache.cache(), clock),
          cart_service(carts, products, clock),
          order_numbers(config.order.node_id, clock),
          placements(database),
          // The order service takes stock from the catalogue service: reservation with
          // compensation instead of one transaction (services/reserving_order_repository.hpp).
          reserving_orders(
              config.services.role == "order" ? std::make_unique<services::ReservingOrderRepository>(
                                                    replica.orders(), placements, remote_catalog->stock(), clock
                                                )
                                              : nullptr
          ),
          // replica.orders() sends only list() to the replica; find, place, pay and cancel stay on the
          // primary, and its writes keep this instance's own order lists on the primary until the
          // replica holds them.
          order_service(
              reserving_orders ? static_cast<ports::OrderRepository&>(*reserving_orders) : replica.orders(),
              remote_catalog ? remote_catalog->cart_lines() : static_cast<ports::CartLines&>(carts),
              order_numbers,
              clock,
              order_settings(config.order)
          ),
          payment_repository(database),
          payment_backend(payment_config(config), clock, metrics, shop_port, tracing.tracer()),
          payment_service(
              replica.orders(),  // never lists: all primary; given so a payment fences the order list too
              payment_repository,
              payment_backend.gateway(),
              clock,
              payment_settings(config.wechatpay, payment_backend)
          ),
          canceller(order_service, std::chrono::seconds(config.order.sweep_interval_seconds)),
          blocking(static_cast<std::size_t>(config.server.blocking_threads)),
          upload_store(config.upload.dir),
          uploads(upload_store, upload_settings(config.upload)),
          static_files(static_settings(config.server, config.upload)) {}

    static services::AuthSettings auth_settings(const AuthConfig& c) {
        services::AuthSettings s;
        s.jwt_secret = c.jwt_secret;
        s.access_ttl = std::chrono::seconds(c.access_ttl_seconds);
        s.refresh_ttl = std::chrono::seconds(c.refresh_ttl_seconds);
        s.bcrypt_cost = c.bcrypt_cost;
        s.verified_token_cache_entries = static_cast<std::size_t>(c.verified_token_cache_entries);
        return s;
    }

    // The pipeline's limits: global on every request, API per client address on /api/*. Probes and
    // scrapes are never limited (a 429 would make a busy instance look dead), and the payment
    // provider's notifications only count against the global limit (they come from a few addresses).
    static http::RateLimitGateSettings rate_limit_settings(const Config& c) {
        http::RateLimitGateSettings s;
        const RateLimitConfig& r = c.rate_limit;
        if (r.global_rate_per_second > 0) {
            s.global = services::RateLimitSettings{
                static_cast<double>(r.global_rate_per_second), static_cast<double>(r.global_burst)};
        }
        if (r.api_rate_per_second > 0) {
            s.api = services::RateLimitSettings{
                static_cast<double>(r.api_rate_per_second),
                static_cast<double>(r.api_burst),
                static_cast<std::size_t>(r.api_max_keys)};
        }
        s.exempt_paths = {"/health", "/ready", c.metrics.path};
        s.api_exempt_paths = {std::string(http::kPaymentNotifyPath)};
        return s;
    }

    static services::LoginThrottleSettings login_throttle_settings(const AuthConfig& c) {
        services::LoginThrottleSettings s;
        s.account_free_failures = c.login_free_failures;
        s.address_free_failures = c.login_ip_free_failures;
        s.delay_base = std::chrono::milliseconds(c.login_delay_base_ms);
        s.delay_max = std::chrono::seconds(c.login_delay_max_seconds);
        return s;
    }

    static http::StaticSettings static_settings(const ServerConfig& c, const UploadConfig& u) {
        http::StaticSettings s;
        s.root = c.static_dir;
        s.openapi_path = c.openapi_path;
        // Upload names are random and never reused, so a stored file never changes.
        s.mounts.push_back(http::StaticMount{u.public_path.substr(1), u.dir, "public, max-age=31536000, immutable"});
        return s;
    }

    static services::UploadSettings upload_settings(const UploadConfig& c) {
        services::UploadSettings s;
        s.max_file_bytes = c.max_file_bytes;
        s.max_image_dimension = static_cast<std::uint32_t>(c.max_image_dimension);
        s.public_path = c.public_path;
        return s;
    }

    /// Payments are made where the orders live: a gateway whose orders are remote runs no provider
    /// client (and no dev emulator) of its own.
    static Config payment_config(const Config& c) {
        Config own = c;
        if (c.services.role != "all" && c.services.role != "order") {
            own.wechatpay.enabled = false;
        }
        return own;
    }

    static services::PaymentSettings payment_settings(const WechatPayConfig& c, const PaymentBackend& backend) {
        services::PaymentSettings s;
        s.max_attempts = c.max_attempts;
        s.scan_page_url = backend.scan_page_url();
        return s;
    }
    static services::OrderSettings order_settings(const OrderConfig& c) {
        services::OrderSettings s;
        s.unpaid_timeout = std::chrono::seconds(c.unpaid_timeout_seconds);
        s.direct_pay_enabled = c.direct_pay_enabled;
        return s;
    }

    ports::SystemClock clock;
    adapters::metrics::PrometheusRegistry metrics;  // first: everything else may record into it
    adapters::metrics::ProcessMetrics process_metrics;
    std::unique_ptr<services::CircuitBreaker> collector_breaker;  // the OTLP collector's; none when off
    TracingBackend tracing;  // before everything that opens spans, so it outlives them
    adapters::sql::Database database;
    adapters::sql::SqlUserRepository users;
    adapters::sql::SqlTokenRepository tokens;
    adapters::sql::SqlProductRepository products;
    adapters::sql::SqlCartRepository carts;
    adapters::sql::SqlOrderRepository orders;
    adapters::sql::DatabaseHealthCheck database_health;
    ReplicaBackend replica;  // optional read replica; not in /ready (reads fall back to the primary)
    services::PasswordHasher hasher;
    std::unique_ptr<ports::ServiceRegistry> registry;  // services mode: where the roles meet (etcd)
    std::unique_ptr<RemoteAccounts> remote_accounts;   // gateway role: the user service over gRPC
    std::unique_ptr<RemoteCatalog> remote_catalog;     // gateway, order, seckill: the catalogue service over gRPC
    std::unique_ptr<RemoteOrders> remote_orders;       // gateway and seckill roles: the order service over gRPC
    services::TokenRevocations revocations;
    RevocationBackend revocation_backend;  // full mode: revocations heard from and told to the other instances
    services::KeyedRateLimiter login_limiter;
    services::LoginThrottle login_throttle;
    services::AuthService auth;
    CatalogCacheBackend catalog_cache;
    services::ProductService product_service;
    services::CartService cart_service;
    services::OrderNumberGenerator order_numbers;
    adapters::sql::SqlOrderPlacementStore placements;
    std::unique_ptr<services::ReservingOrderRepository> reserving_orders;  // order role
    services::OrderService order_service;
    adapters::sql::SqlPaymentRepository payment_repository;
    PaymentBackend payment_backend;
    services::PaymentService payment_service;
    services::UnpaidOrderCanceller canceller;
    std::unique_ptr<services::TokenPurger> token_purger;  // where the accounts are kept; none when off
    http::BlockingPool blocking;  // joined after the server stops, before anything it uses goes away
    // Where a new flash sale's product snapshot comes from: this database, or the catalogue service.
    std::unique_ptr<ports::ProductLookup> product_lookup;
    // In process (all, seckill), over gRPC (gateway; the order role only for returns), or none.
    std::unique_ptr<FlashSalePart> flash_sale;
    std::unique_ptr<rpc::SeckillServer> seckill_server;                       // the seckill role's gRPC services
    std::unique_ptr<rpc::UserServer> user_server;                             // the user role's gRPC service
    std::unique_ptr<adapters::sql::SqlStockReservations> stock_reservations;  // the catalog role's
    std::unique_ptr<services::CatalogStock> catalog_stock;
    std::unique_ptr<rpc::CatalogServer> catalog_server;  // the catalog role's gRPC services
    std::unique_ptr<rpc::StockServer> stock_server;
    std::unique_ptr<rpc::OrderServer> order_server;  // the order role's gRPC services
    std::unique_ptr<adapters::sql::SqlFlashSaleOrderStore> flash_sale_order_store;
    std::unique_ptr<services::FlashSaleOrderArrivals> flash_sale_order_arrivals;
    std::unique_ptr<rpc::FlashSaleOrderServer> flash_sale_order_server;
    std::unique_ptr<GrpcServiceHost> grpc_host;  // after the services it serves: stopped first
    adapters::storage::LocalFileStore upload_store;
    services::UploadService uploads;
    adapters::metrics::RegistryReader metrics_reader{metrics};
    std::unique_ptr<services::SaleDashboard> dashboard;  // none when the dashboard is off
    std::unique_ptr<services::DashboardSampler> dashboard_sampler;
    std::unique_ptr<http::DashboardStreamSlots> dashboard_streams;
    http::ImageUrls image_urls;  // product.image_base_url; set before the routes that capture it
    http::Router router;
    http::StaticFiles static_files;
    std::unique_ptr<services::DependencyMonitor> dependency_monitor;  // none when metrics are off
    std::unique_ptr<http::HttpMetrics> http_metrics;                  // none when metrics are off
    std::unique_ptr<http::RateLimitGate> rate_limits;
    std::unique_ptr<http::Pipeline> pipeline;
    std::unique_ptr<http::Server> server;  // last: stopped and destroyed first
};

App::App(Config config) : config_(std::move(config)) {}

App::~App() {
    stop();
}

std::optional<std::string> App::start() {
    // The port first: if it is taken, stop before any database is opened, migrated or seeded.
    auto listener = http::ListenSocket::bind(config_.server.host, static_cast<std::uint16_t>(config_.server.port));
    parts_ = std::make_unique<Parts>(config_, listener.port());
    auto& p = *parts_;
    const std::string& role = config_.services.role;
    const bool serves_http_api = role == "all" || role == "gateway";
    const bool serves_accounts = role == "all" || role == "user";
    const bool serves_catalogue = role == "all" || role == "catalog";
    const bool serves_orders = role == "all" || role == "order";
    if (role != "all") {
        spdlog::info("services mode: role {}, registry {}", role, join(config_.registry.etcd_endpoints));
    }
    if (role == "gateway") {
        p.flash_sale =
            std::make_unique<RemoteFlashSale>(config_, *p.registry, p.clock, p.metrics, p.blocking.executor());
    } else if (role == "order") {
        // Only to give back the units of cancelled flash-sale orders (ReservingOrderRepository).
        p.flash_sale = std::make_unique<RemoteFlashSale>(
            config_, *p.registry, p.clock, p.metrics, p.blocking.executor(), RemoteFlashSale::Use::kReturnsOnly
        );
    } else if (role == "all" || role == "seckill") {
        if (p.remote_catalog) {
            p.product_lookup = std::make_unique<services::ApiProductLookup>(p.remote_catalog->products());
        } else {
            p.product_lookup = std::make_unique<services::StoredProductLookup>(p.products);
        }
        auto local = std::make_unique<InProcessFlashSale>(
            config_,
            p.database,
            *p.product_lookup,
            p.clock,
            [&numbers = p.order_numbers] { return numbers.next(); },
            p.metrics,
            p.tracing.tracer(),
            p.blocking.executor(),
            // A seckill instance leaves the order tables to the order service (an outbox and a relay).
            p.remote_orders ? &p.remote_orders->flash_sale_orders() : nullptr
        );
        // One process: a cancel releases the unit in its own transaction; the gate hears of it here.
        p.order_service.return_flash_sale_units_to(local->returns());
        p.flash_sale = std::move(local);
    }
    if (p.reserving_orders) {
        // The order role: the units of cancelled flash-sale orders go back through the seckill service.
        p.reserving_orders->return_flash_sale_units_through(p.flash_sale->unit_returns());
    }
    if (config_.metrics.enabled) {
        p.database.measure_with(p.metrics);
    }
    spdlog::info("database: {}", p.database.description());
    if (p.tracing.enabled()) {
        p.database.trace_with(p.tracing.tracer());  // statements run outside a trace record nothing
    }
    const auto scope = schema_scope(config_);
    const int applied = adapters::sql::apply_migrations(p.database, scope);
    if (applied > 0) {
        spdlog::info("applied {} migration(s) ({})", applied, scope.description());
    }
    if (config_.metrics.enabled) {
        p.replica.measure_with(p.metrics);
    }
    spdlog::info("read replica: {}", p.replica.description());
    p.replica.start();  // after the migrations: it stamps the heartbeat table
    if (p.remote_catalog) {
        p.remote_catalog->start();
        spdlog::info("catalogue: {}", p.remote_catalog->description());
    }
    if (p.remote_orders) {
        p.remote_orders->start();
        spdlog::info("orders: {}", p.remote_orders->description());
    }
    if (p.remote_accounts) {
        p.remote_accounts->start(p.revocations, kUserServiceWait);
        spdlog::info("accounts: {}", p.remote_accounts->description());
    } else if (serves_accounts) {
        p.revocations.load();
    }  // the other services check no tokens: the gateway did, and calls them with the user id
    if (serves_http_api || serves_accounts) {
        spdlog::info("token revocations: {}", p.revocation_backend.description());
        p.revocation_backend.start();
    }
    p.auth.count_throttled_with(services::rate_limited_counter(p.metrics, "login_throttle"));
    spdlog::info("catalogue cache: {}", p.catalog_cache.description());
    p.catalog_cache.start();
    p.order_service.on_stock_changed([&cache = p.catalog_cache.cache()](std::int64_t id) { cache.stock_changed(id); });
    const auto counters = services::OrderCounters::registered_in(p.metrics);
    p.order_service.use_counters(counters);
    p.payment_service.use_counters(counters);
    adapters::metrics::register_build_info(p.metrics, GOMALL_VERSION, GOMALL_COMMIT);
    p.order_service.on_before_cancel([&payments = p.payment_service](const std::string& order_no) {
        return payments.close_before_cancel(order_no);
    });
    p.canceller.also_run([&payments = p.payment_service, reserving = p.reserving_orders.get()] {
        if (const int settled = payments.retry_processing_refunds(50); settled > 0) {
            spdlog::info("settled {} refund(s) left processing", settled);
        }
        if (reserving != nullptr) {
            if (const int finished = reserving->recover(100); finished > 0) {
                spdlog::info("finished {} stock release(s) left by cancels or unfinished orders", finished);
            }
        }
    });
    spdlog::info("payment: {}", p.payment_backend.description());
    if (p.flash_sale) {
        spdlog::info("flash sale: {}", p.flash_sale->description());
        p.flash_sale->start();
    }

    std::optional<std::string> generated;
    if (serves_accounts) {  // the first admin is made where the accounts live
        std::string admin_password = config_.admin.password;
        if (admin_password.empty() && config_.env == "prod" && p.users.count_admins() == 0) {
            // A generated password printed to stdout would end up in production log collectors.
            throw std::runtime_error("no admin account yet: set GOMALL_ADMIN_PASSWORD for the first start in prod");
        }
        if (admin_password.empty()) {
            admin_password = generate_password();
        }
        if (p.auth.ensure_admin(config_.admin.username, admin_password) && config_.admin.password.empty()) {
            generated = admin_password;
        }
    }
    // The demo catalogue is seeded where the catalogue lives.
    if (serves_catalogue && config_.database.seed_demo && p.products.count_products() == 0) {
        seed_demo_catalog(p.products, p.clock.now());
        spdlog::info("seeded the demo catalogue");
    }

    std::vector<ports::HealthCheck*> health{&p.database_health};
    if (p.flash_sale) {
        for (auto* check : p.flash_sale->health_checks()) {
            health.push_back(check);
        }
    }
    if (config_.metrics.enabled) {
        p.dependency_monitor = std::make_unique<services::DependencyMonitor>(health, p.metrics, kDependencyProbeEvery);
        p.dependency_monitor->start();
    }
    std::vector<services::CircuitBreaker*> breakers;
    if (p.flash_sale) {
        breakers = p.flash_sale->breakers();
    }
    if (auto* payment = p.payment_backend.breaker()) {
        breakers.insert(breakers.begin(), payment);
    }
    if (p.collector_breaker) {
        breakers.push_back(p.collector_breaker.get());
    }
    if (auto* read_cache = p.catalog_cache.breaker()) {
        breakers.push_back(read_cache);
    }
    http::register_ops_routes(p.router, health, {GOMALL_VERSION, GOMALL_COMMIT, GOMALL_BUILD_TYPE}, breakers);
    // In prod the figures are served only to a scraper holding the token, never by default.
    if (config_.metrics.enabled && (config_.env != "prod" || !config_.metrics.token.empty())) {
        http::register_metrics_route(p.router, p.metrics, {config_.metrics.path, config_.metrics.token});
        spdlog::info("metrics: {}{}", config_.metrics.path, config_.metrics.token.empty() ? "" : " (bearer token)");
    } else {
        spdlog::info("metrics: off{}", config_.metrics.enabled ? " (set metrics.token to serve them in prod)" : "");
    }
    // A service role answers its callers over gRPC; its HTTP port serves only the probes and metrics.
    if (serves_http_api) {
        http::register_user_routes(
            p.router, p.remote_accounts ? p.remote_accounts->accounts() : static_cast<services::AccountApi&>(p.auth)
        );
        p.image_urls = http::ImageUrls(config_.product.image_base_url);
        auto& products =
            p.remote_catalog ? p.remote_catalog->products() : static_cast<services::ProductApi&>(p.product_service);
        auto& carts = p.remote_catalog ? p.remote_catalog->carts() : static_cast<services::CartApi&>(p.cart_service);
        http::register_product_routes(p.router, products, p.catalog_cache.cache(), p.image_urls);
        http::register_cart_routes(p.router, carts, p.image_urls);
        auto& orders = p.remote_orders ? p.remote_orders->orders() : static_cast<services::OrderApi&>(p.order_service);
        auto& payments =
            p.remote_orders ? p.remote_orders->payments() : static_cast<services::PaymentApi&>(p.payment_service);
        http::register_order_routes(p.router, orders, p.image_urls);
        http::register_payment_routes(p.router, payments);
        http::register_seckill_routes(p.router, p.flash_sale->api(), p.blocking, p.image_urls);
        if (config_.metrics.dashboard) {
            services::DashboardSettings dashboard_settings;
            dashboard_settings.history = std::chrono::seconds(config_.metrics.dashboard_history_seconds);
            p.dashboard = std::make_unique<services::SaleDashboard>(dashboard_settings);
            p.dashboard_sampler = std::make_unique<services::DashboardSampler>(p.metrics_reader, *p.dashboard, p.clock);
            p.dashboard_streams = std::make_unique<http::DashboardStreamSlots>(
                static_cast<std::size_t>(config_.metrics.dashboard_max_streams)
            );
            http::register_dashboard_routes(p.router, *p.dashboard, p.flash_sale->api().admin, *p.dashboard_streams);
            p.dashboard_sampler->start();
        }
        http::register_upload_routes(
            p.router,
            p.uploads,
            http::UploadRouteLimits{config_.upload.max_total_bytes, static_cast<std::size_t>(config_.upload.max_files)}
        );
    }

    if (role == "order") {
        // The payment provider's notifications may come straight here (the dev emulator's do);
        // a gateway forwards the ones sent to it.
        http::register_payment_notify_route(p.router, p.payment_service);
    }

    http::PipelineSettings pipeline_settings;
    pipeline_settings.cors_origins = config_.server.cors_origins;
    pipeline_settings.default_body_limit = config_.server.body_limit_bytes;
    pipeline_settings.access_log = config_.log.access_log;
    pipeline_settings.tracer = &p.tracing.tracer();
    p.rate_limits = std::make_unique<http::RateLimitGate>(p.clock, Parts::rate_limit_settings(config_), p.metrics);
    pipeline_settings.rate_limits = p.rate_limits.get();
    if (config_.metrics.enabled) {
        // After every route is registered: routes added later would be counted as "(none)".
        p.http_metrics = std::make_unique<http::HttpMetrics>(p.metrics, p.router);
    }
    p.pipeline =
        std::make_unique<http::Pipeline>(p.router, p.auth, &p.static_files, pipeline_settings, p.http_metrics.get());

    http::ServerSettings server_settings;
    server_settings.host = config_.server.host;
    server_settings.port = static_cast<std::uint16_t>(config_.server.port);
    server_settings.io_threads = resolved_io_threads(config_.server.io_threads);
    server_settings.max_connections = config_.server.max_connections;
    server_settings.header_limit = config_.server.header_limit_bytes;
    server_settings.max_header_count = config_.server.max_header_count;
    server_settings.max_target_bytes = config_.server.max_target_bytes;
    server_settings.header_timeout_seconds = config_.server.header_timeout_seconds;
    server_settings.read_timeout_seconds = config_.server.read_timeout_seconds;
    server_settings.idle_timeout_seconds = config_.server.idle_timeout_seconds;
    server_settings.shutdown_timeout_seconds = config_.server.shutdown_timeout_seconds;
    server_settings.trusted_proxies = http::TrustedProxies::parse(config_.server.trusted_proxies);
    p.server = std::make_unique<http::Server>(*p.pipeline, p.blocking, server_settings, p.http_metrics.get());

    if (serves_orders) {  // the order side's sweeper runs where orders are served
        p.canceller.trace_with(p.tracing.tracer());
        p.canceller.start();
    }
    if (serves_accounts && config_.auth.token_purge_interval_seconds > 0) {
        p.token_purger = std::make_unique<services::TokenPurger>(
            p.tokens, p.clock, std::chrono::seconds(config_.auth.token_purge_interval_seconds), p.metrics
        );
        p.token_purger->start();
    }
    p.server->start(std::move(listener));
    spdlog::info(
        "listening on {}:{} with {} I/O thread(s), {} blocking thread(s)",
        config_.server.host,
        p.server->port(),
        server_settings.io_threads,
        config_.server.blocking_threads
    );
    if (role == "user") {
        // Published last: callers are sent here only once everything behind the service runs.
        p.grpc_host = std::make_unique<GrpcServiceHost>(
            config_.services, resolved_io_threads(config_.server.io_threads), *p.registry
        );
        p.user_server = std::make_unique<rpc::UserServer>(
            p.auth,
            p.revocations,
            p.tokens,
            rpc::UserServerSettings{config_.services.peer_secret, p.blocking.executor()}
        );
        p.grpc_host->start("user", [&server = *p.user_server](grpc::ServerBuilder& builder) {
            server.register_with(builder);
        });
    }
    if (role == "catalog") {
        // Published last: callers are sent here only once everything behind the services runs.
        p.grpc_host = std::make_unique<GrpcServiceHost>(
            config_.services, resolved_io_threads(config_.server.io_threads), *p.registry
        );
        p.stock_reservations = std::make_unique<adapters::sql::SqlStockReservations>(p.database, p.clock);
        p.catalog_stock = std::make_unique<services::CatalogStock>(*p.stock_reservations, p.catalog_cache.cache());
        p.catalog_server = std::make_unique<rpc::CatalogServer>(
            p.product_service,
            p.cart_service,
            rpc::CatalogServerSettings{config_.services.peer_secret, p.blocking.executor()}
        );
        p.stock_server = std::make_unique<rpc::StockServer>(
            *p.catalog_stock, rpc::StockServerSettings{config_.services.peer_secret, p.blocking.executor()}
        );
        p.grpc_host->start(
            "catalog",
            [&catalog = *p.catalog_server, &stock = *p.stock_server](grpc::ServerBuilder& builder) {
                catalog.register_with(builder);
                stock.register_with(builder);
            }
        );
    }
    if (role == "order") {
        // Published last: callers are sent here only once everything behind the services runs.
        p.grpc_host = std::make_unique<GrpcServiceHost>(
            config_.services, resolved_io_threads(config_.server.io_threads), *p.registry
        );
        p.order_server = std::make_unique<rpc::OrderServer>(
            p.order_service,
            p.payment_service,
            rpc::OrderServerSettings{config_.services.peer_secret, p.blocking.executor()}
        );
        p.flash_sale_order_store = std::make_unique<adapters::sql::SqlFlashSaleOrderStore>(p.database);
        p.flash_sale_order_arrivals =
            std::make_unique<services::FlashSaleOrderArrivals>(*p.flash_sale_order_store, p.clock);
        p.flash_sale_order_server = std::make_unique<rpc::FlashSaleOrderServer>(
            *p.flash_sale_order_arrivals,
            rpc::FlashSaleOrderServerSettings{config_.services.peer_secret, p.blocking.executor()}
        );
        p.grpc_host->start(
            "order",
            [&orders = *p.order_server, &flash_sale = *p.flash_sale_order_server](grpc::ServerBuilder& builder) {
                orders.register_with(builder);
                flash_sale.register_with(builder);
            }
        );
    }
    if (role == "seckill") {
        // Published last: callers are sent here only once everything behind the services runs.
        p.grpc_host = std::make_unique<GrpcServiceHost>(
            config_.services, resolved_io_threads(config_.server.io_threads), *p.registry
        );
        p.seckill_server = std::make_unique<rpc::SeckillServer>(
            p.flash_sale->api(),
            p.flash_sale->unit_returns(),
            rpc::SeckillServerSettings{config_.services.peer_secret, p.grpc_host->io_executor(), p.blocking.executor()}
        );
        p.grpc_host->start("seckill", [&server = *p.seckill_server](grpc::ServerBuilder& builder) {
            server.register_with(builder);
        });
    }
    return generated;
}

std::uint16_t App::port() const {
    return parts_ && parts_->server ? parts_->server->port() : 0;
}

std::vector<std::pair<std::string, std::string>> App::routes() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (parts_) {
        for (const auto& route : parts_->router.routes()) {
            out.emplace_back(std::string(http::method_name(route.method)), route.pattern);
        }
    }
    return out;
}

void App::stop() {
    if (!parts_) {
        return;
    }
    if (parts_->grpc_host) {
        // Withdrawn from the registry first, so the gateways stop sending; calls in flight finish.
        parts_->grpc_host->stop(std::chrono::seconds(config_.server.shutdown_timeout_seconds));
    }
    if (parts_->server) {
        const auto left = parts_->server->stop();
        if (left > 0) {
            spdlog::warn("shutdown deadline passed with {} connection(s) still open", left);
        }
    }
    if (parts_->dashboard_sampler) {
        parts_->dashboard_sampler->stop();  // it reads figures the flash-sale backend reports
    }
    if (parts_->dependency_monitor) {
        parts_->dependency_monitor->stop();  // its checks talk to the backends stopped below
    }
    // Accepted reservations are committed before the writer stops; then nothing posts to the pool.
    parts_->catalog_cache.stop();
    if (parts_->flash_sale) {
        parts_->flash_sale->stop();
    }
    parts_->blocking.join();
    parts_->revocation_backend.stop();  // after the pool: a logout still running there announces its revocation
    if (parts_->remote_accounts) {
        parts_->remote_accounts->stop();
    }
    if (parts_->token_purger) {
        parts_->token_purger->stop();  // a purge under way finishes first
    }
    parts_->canceller.stop();  // before the catalogue's pool: its sweep sends stock releases there
    if (parts_->remote_catalog) {
        parts_->remote_catalog->stop();
    }
    if (parts_->remote_orders) {
        parts_->remote_orders->stop();
    }
    parts_->payment_backend.stop();
    parts_->replica.stop();
    // Last: the spans of everything stopped above are in its queue.
    parts_->tracing.stop(std::chrono::milliseconds(config_.tracing.timeout_ms));
    parts_.reset();
}

int migrate_database(const Config& config) {
    adapters::sql::Database db(database_settings(config.database));
    return adapters::sql::apply_migrations(db, schema_scope(config));
}

bool seed_database(const Config& config) {
    adapters::sql::Database db(database_settings(config.database));
    adapters::sql::apply_migrations(db, schema_scope_for(config, adapters::sql::TableOwner::kCatalogue));
    adapters::sql::SqlProductRepository products(db);
    if (products.count_products() > 0) {
        return false;
    }
    seed_demo_catalog(products, std::chrono::system_clock::now());
    return true;
}

int seed_shoppers(
    const Config& config, int count, const std::string& prefix, const std::string& password, std::ostream& out
) {
    adapters::sql::Database db(database_settings(config.database));
    adapters::sql::apply_migrations(db, schema_scope_for(config, adapters::sql::TableOwner::kAccounts));
    adapters::sql::SqlUserRepository users(db);
    services::PasswordHasher hasher(config.auth.bcrypt_cost);
    const std::string hash = hasher.hash(password);
    services::JwtCodec jwt(config.auth.jwt_secret);
    const auto now = std::chrono::system_clock::now();
    int created = 0;
    for (int i = 1; i <= count; ++i) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%06d", i);
        domain::NewUser user;
        user.username = prefix + "_" + suffix;
        user.email = user.username + "@bench.gomall.local";
        user.password_hash = hash;
        auto id = users.create(user, now);
        if (id) {
            ++created;
        } else if (auto existing = users.find_by_username(user.username)) {
            id = existing->id;
        } else {
            throw std::runtime_error("could not create or find " + user.username);
        }
        domain::AccessClaims claims;
        claims.user_id = *id;
        claims.username = user.username;
        claims.jti = services::random_hex(16);
        claims.session_id = services::random_hex(16);
        claims.issued_at = now;
        claims.expires_at = now + std::chrono::seconds(config.auth.access_ttl_seconds);
        out << jwt.sign(claims) << '\n';
    }
    return created;
}

}  // namespace gomall::app
