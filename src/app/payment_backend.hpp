// The payment provider the shop talks to, chosen by the wechatpay config: WeChat Pay APIv3 or
// APIv2 on a merchant account, or the same protocols against the local emulator, which this class
// then starts in-process (dev keys generated on first start). The service sees only the port.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "emulator/emulator_settings.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/tracer.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::app {

/// The emulator's side of the dev keys under wechatpay.dev_key_dir (generated when missing), with
/// the config's ids or the demo ones: what `gomall wechatpay-emulator` and the in-process emulator run with.
emulator::EmulatorSettings dev_emulator_settings(const WechatPayConfig& config);

class PaymentBackend {
public:
    /// Loads keys and, with the emulator on, starts it. `shop_port` is this server's bound port, for
    /// the default notify URL. Throws std::runtime_error (a key file missing or unreadable, the
    /// emulator's port taken) with a message that names the file or key, never its content.
    /// With breakers.enabled the gateway is behind the "payment" circuit breaker (its figures in `metrics`).
    /// Every call to the provider is a client span from `tracer`, which must outlive this object.
    PaymentBackend(
        const Config& config,
        const ports::Clock& clock,
        ports::Metrics& metrics,
        std::uint16_t shop_port,
        ports::Tracer& tracer
    );
    ~PaymentBackend();
    PaymentBackend(const PaymentBackend&) = delete;
    PaymentBackend& operator=(const PaymentBackend&) = delete;

    /// Null when wechatpay.enabled is false.
    ports::PaymentGateway* gateway() { return guarded_ ? guarded_.get() : gateway_.get(); }
    /// The gateway's circuit breaker; null when payment or the breakers are off.
    services::CircuitBreaker* breaker() { return breaker_.get(); }
    /// The emulator's scan page ("http://127.0.0.1:port/pay/scan"), empty without the emulator.
    std::string scan_page_url() const;
    /// One line for the startup log (no secrets).
    std::string description() const { return description_; }

    /// Stops the emulator (its notification worker first). Idempotent.
    void stop();

private:
    struct Emulator;
    std::unique_ptr<Emulator> emulator_;
    std::unique_ptr<ports::PaymentGateway> gateway_;
    std::unique_ptr<services::CircuitBreaker> breaker_;
    std::unique_ptr<ports::PaymentGateway> guarded_;  // gateway_ behind breaker_
    std::string description_;
};

}  // namespace gomall::app
