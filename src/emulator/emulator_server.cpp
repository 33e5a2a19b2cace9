#include "emulator/emulator_server.hpp"

#include <csignal>
#include <iostream>
#include <pthread.h>

#include <spdlog/spdlog.h>

#include "emulator/routes.hpp"
#include "http/blocking_pool.hpp"
#include "http/listen_socket.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace gomall::emulator {
namespace {

/// The pipeline checks bearer tokens only on routes that ask for them, and no emulator route
/// does; this verifier makes sure none could pass by accident.
class NoTokens final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view /*token*/) const override {
        return make_error(ErrorCode::kTokenInvalid, "the WeChat Pay emulator accepts no bearer tokens");
    }
};

std::string url_host(const std::string& host) {
    if (host.empty() || host == "0.0.0.0") {
        return "127.0.0.1";
    }
    if (host == "::") {
        return "[::1]";
    }
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

}  // namespace

// Declared in the order things are built; destroyed in reverse: the server stops first, then
// the pool drains, then the emulator (and its notification worker) goes.
struct EmulatorServer::Parts {
    ports::SystemClock system_clock;
    std::string base_url;
    std::unique_ptr<WechatPayEmulator> emulator;
    NoTokens no_tokens;
    http::Router router;
    http::BlockingPool blocking;
    std::unique_ptr<http::Pipeline> pipeline;
    std::unique_ptr<http::Server> server;
    bool stopped = false;

    explicit Parts(std::size_t blocking_threads) : blocking(blocking_threads) {}
};

EmulatorServer::EmulatorServer(EmulatorSettings settings, const EmulatorListen& listen, const ports::Clock* clock)
    : parts_(std::make_unique<Parts>(listen.blocking_threads)) {
    auto& p = *parts_;
    auto socket = http::ListenSocket::bind(listen.host, listen.port);
    const std::uint16_t bound = socket.port();
    p.base_url = "http://" + url_host(listen.host) + ":" + std::to_string(bound);
    std::string public_base =
        settings.public_base_url.empty() ? p.base_url : without_trailing_slash(settings.public_base_url);
    p.emulator = std::make_unique<WechatPayEmulator>(
        std::move(settings), std::move(public_base), clock != nullptr ? *clock : p.system_clock
    );

    register_v3_routes(p.router, *p.emulator);
    register_v2_routes(p.router, *p.emulator);
    register_scan_routes(p.router, *p.emulator);
    register_test_routes(p.router, *p.emulator);

    http::PipelineSettings pipeline_settings;
    pipeline_settings.default_body_limit = kBodyLimit;  // also for paths no route matches
    p.pipeline = std::make_unique<http::Pipeline>(p.router, p.no_tokens, nullptr, pipeline_settings);

    http::ServerSettings server_settings;
    server_settings.host = listen.host;
    server_settings.port = bound;
    server_settings.io_threads = listen.io_threads;
    server_settings.max_connections = 1000;
    server_settings.shutdown_timeout_seconds = 5;
    p.server = std::make_unique<http::Server>(*p.pipeline, p.blocking, server_settings);
    p.server->start(std::move(socket));
}

EmulatorServer::~EmulatorServer() {
    stop();
}

std::uint16_t EmulatorServer::port() const {
    return parts_->server->port();
}

std::string EmulatorServer::base_url() const {
    return parts_->base_url;
}

WechatPayEmulator& EmulatorServer::emulator() {
    return *parts_->emulator;
}

void EmulatorServer::stop() {
    auto& p = *parts_;
    if (p.stopped) {
        return;
    }
    p.stopped = true;
    p.server->stop();
    p.blocking.join();  // handlers still running use the emulator
    p.emulator->stop();
}

int run_wechatpay_emulator(const EmulatorSettings& settings, const std::string& host, std::uint16_t port) {
    // Blocked here, before the server's threads exist, so every thread inherits the mask and only
    // sigwait below receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a shop that hangs up mid-notification must not end us

    std::unique_ptr<EmulatorServer> server;
    try {
        EmulatorListen listen;
        listen.host = host;
        listen.port = port;
        server = std::make_unique<EmulatorServer>(settings, listen);
    } catch (const std::exception& e) {
        spdlog::critical("wechatpay emulator: startup failed: {}", e.what());
        std::cerr << "gomall: wechatpay emulator failed to start: " << e.what() << "\n";
        return 1;
    }
    spdlog::info("wechatpay emulator listening on {} for merchant {}", server->base_url(), settings.mch_id);
    std::cout << "WeChat Pay emulator serving on " << server->base_url() << " (merchant " << settings.mch_id
              << "; scan pages at " << server->emulator().public_base_url() << "/pay/scan)  (Ctrl-C to stop)"
              << std::endl;

    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("wechatpay emulator: received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
    server->stop();
    spdlog::info("wechatpay emulator stopped cleanly");
    return 0;
}

}  // namespace gomall::emulator
