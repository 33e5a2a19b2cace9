// The local WeChat Pay emulator as a running HTTP server on its own port, built from the shop's
// HTTP stack (Router, Pipeline, BlockingPool, Server): the shop reaches it only over HTTP, as it
// would reach WeChat.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "emulator/emulator_settings.hpp"
#include "emulator/wechatpay_emulator.hpp"
#include "ports/clock.hpp"

namespace gomall::emulator {

class EmulatorServer {
public:
    /// Binds listen.host:listen.port and starts serving before returning. `clock` (the system
    /// clock when null) must outlive the server; tests pass one they can move. Throws
    /// std::runtime_error when the address is taken, std::invalid_argument for unusable settings.
    EmulatorServer(EmulatorSettings settings, const EmulatorListen& listen, const ports::Clock* clock = nullptr);
    ~EmulatorServer();
    EmulatorServer(const EmulatorServer&) = delete;
    EmulatorServer& operator=(const EmulatorServer&) = delete;

    /// The bound port (useful when listen.port was 0).
    std::uint16_t port() const;
    /// "http://127.0.0.1:<port>": where the shop sends API calls (the wildcard address is given
    /// as loopback).
    std::string base_url() const;
    WechatPayEmulator& emulator();

    /// Stops the HTTP server (letting requests in flight finish), then notifications. Idempotent.
    void stop();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

/// `gomall wechatpay-emulator`: serves on host:port until SIGINT or SIGTERM, then stops cleanly.
/// Call it from the main thread before any other thread starts (it blocks both signals for the
/// whole process and waits for them with sigwait). Returns the process exit code: 0 after a
/// clean stop, 1 when the emulator could not start (the reason is logged and printed).
int run_wechatpay_emulator(const EmulatorSettings& settings, const std::string& host, std::uint16_t port);

}  // namespace gomall::emulator
