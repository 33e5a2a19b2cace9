#include "app/payment_backend.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "adapters/wechatpay/dev_keys.hpp"
#include "adapters/wechatpay/v2_gateway.hpp"
#include "adapters/wechatpay/v3_gateway.hpp"
#include "app/breaker_settings.hpp"
#include "emulator/emulator_server.hpp"
#include "services/breaker_payment_gateway.hpp"

namespace gomall::app {
namespace {

// Demo ids for the emulator: the shape of real ones, owned by nobody.
constexpr const char* kEmulatorAppId = "wx8888888888888888";
constexpr const char* kEmulatorMchId = "1900000109";

std::string read_key_file(const std::string& path, const char* key) {
    if (path.empty()) {
        throw std::runtime_error(std::string("wechatpay.") + key + " is not set");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error(std::string("wechatpay.") + key + ": cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string loopback_host(const std::string& host) {
    // A wildcard listener is reachable on loopback; a specific IPv4 address is used as it is.
    if (host.empty() || host == "0.0.0.0" || host == "::" || host.find(':') != std::string::npos) {
        return "127.0.0.1";
    }
    return host;
}

}  // namespace

emulator::EmulatorSettings dev_emulator_settings(const WechatPayConfig& c) {
    const wechatpay::DevKeyFiles keys = wechatpay::ensure_dev_keys(c.dev_key_dir);
    emulator::EmulatorSettings es;
    es.mch_id = c.mch_id.empty() ? kEmulatorMchId : c.mch_id;
    es.app_id = c.app_id.empty() ? kEmulatorAppId : c.app_id;
    es.merchant_public_key_pem = read_key_file(keys.merchant_public_key, "dev merchant public key");
    es.merchant_serial_no = keys.merchant_serial_no;
    es.platform_private_key_pem = read_key_file(keys.platform_private_key, "dev platform private key");
    es.platform_serial_no = keys.platform_serial_no;
    es.api_v3_key = keys.api_v3_key;
    es.api_v2_key = keys.api_v2_key;
    es.retry_base = std::chrono::milliseconds(c.notify_retry_base_ms);
    es.retry_max = std::chrono::milliseconds(c.notify_retry_max_ms);
    es.max_trades = static_cast<std::size_t>(c.emulator_max_trades);
    es.max_refunds = static_cast<std::size_t>(c.emulator_max_refunds);
    return es;
}

struct PaymentBackend::Emulator {
    std::unique_ptr<emulator::EmulatorServer> server;
};

PaymentBackend::PaymentBackend(
    const Config& config,
    const ports::Clock& clock,
    ports::Metrics& metrics,
    std::uint16_t shop_port,
    ports::Tracer& tracer
) {
    const WechatPayConfig& c = config.wechatpay;
    if (!c.enabled) {
        description_ = "off (wechatpay.enabled is false)";
        return;
    }
    wechatpay::WechatPaySettings s;
    s.app_id = c.app_id;
    s.mch_id = c.mch_id;
    s.notify_url = c.notify_url;
    s.base_url = c.base_url;
    s.http.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
    s.http.total_timeout = std::chrono::milliseconds(c.timeout_ms);
    s.http.client_cert_path = c.client_cert_path;
    s.http.client_key_path = c.client_key_path;
    s.sign_type = wechatpay::parse_v2_sign_type(c.sign_type).value_or(wechatpay::V2SignType::kHmacSha256);

    if (c.emulator) {
        const wechatpay::DevKeyFiles keys = wechatpay::ensure_dev_keys(c.dev_key_dir);
        if (s.app_id.empty()) {
            s.app_id = kEmulatorAppId;
        }
        if (s.mch_id.empty()) {
            s.mch_id = kEmulatorMchId;
        }
        s.merchant_serial_no = keys.merchant_serial_no;
        s.merchant_private_key_pem = read_key_file(keys.merchant_private_key, "dev merchant key");
        s.platform_serial_no = keys.platform_serial_no;
        s.platform_public_key_pem = read_key_file(keys.platform_public_key, "dev platform key");
        s.api_v3_key = keys.api_v3_key;
        s.api_v2_key = keys.api_v2_key;
        if (s.notify_url.empty()) {
            s.notify_url = "http://" + loopback_host(config.server.host) + ":" + std::to_string(shop_port) +
                           "/api/pay/wechat/notify";
        }

        emulator::EmulatorListen listen;
        listen.host = c.emulator_host;
        listen.port = static_cast<unsigned short>(c.emulator_port);
        emulator_ = std::make_unique<Emulator>();
        emulator_->server = std::make_unique<emulator::EmulatorServer>(dev_emulator_settings(c), listen, &clock);
        s.base_url = emulator_->server->base_url();
    } else {
        if (c.protocol == "v3") {
            s.merchant_serial_no = c.merchant_serial_no;
            s.merchant_private_key_pem = read_key_file(c.merchant_private_key_path, "merchant_private_key_path");
            s.platform_serial_no = c.platform_serial_no;
            s.platform_public_key_pem = read_key_file(c.platform_public_key_path, "platform_public_key_path");
            s.api_v3_key = c.api_v3_key;
        } else {
            s.api_v2_key = c.api_v2_key;
        }
    }

    if (c.protocol == "v3") {
        auto v3 = std::make_unique<wechatpay::V3Gateway>(s, clock);
        v3->trace_with(tracer);
        gateway_ = std::move(v3);
    } else {
        auto v2 = std::make_unique<wechatpay::V2Gateway>(s, clock);
        v2->trace_with(tracer);
        gateway_ = std::move(v2);
    }
    if (config.breakers.enabled) {
        breaker_ =
            std::make_unique<services::CircuitBreaker>("payment", breaker_settings(config.breakers), clock, metrics);
        guarded_ = std::make_unique<services::BreakerPaymentGateway>(*gateway_, *breaker_);
    }
    description_ = "WeChat Pay " + c.protocol + " at " + s.base_url + (c.emulator ? " (local emulator)" : "") +
                   ", merchant " + s.mch_id + ", notify " + s.notify_url;
}

PaymentBackend::~PaymentBackend() {
    stop();
}

std::string PaymentBackend::scan_page_url() const {
    return emulator_ ? emulator_->server->base_url() + "/pay/scan" : std::string();
}

void PaymentBackend::stop() {
    if (emulator_ && emulator_->server) {
        emulator_->server->stop();
    }
}

}  // namespace gomall::app
