// What the local WeChat Pay emulator needs to play WeChat for one merchant: the merchant's ids and
// public key (to check APIv3 requests), the platform's key pair (to sign answers and
// notifications), the two symmetric keys, and how notifications are retried.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gomall::emulator {

struct EmulatorSettings {
    std::string mch_id;                    // the one merchant this emulator serves
    std::string app_id;                    // the app id bound to that merchant
    std::string merchant_public_key_pem;   // verifies APIv3 request signatures
    std::string merchant_serial_no;        // the serial_no APIv3 requests must name
    std::string platform_private_key_pem;  // signs APIv3 answers and notifications
    std::string platform_serial_no;        // sent as Wechatpay-Serial
    std::string api_v3_key;                // exactly 32 bytes: encrypts notification resources
    std::string api_v2_key;                // APIv2 signatures (MD5 and HMAC-SHA256)

    // Notifications: the first retry after retry_base, each next one after twice the wait before,
    // never more than retry_max apart, at most max_deliveries attempts in all.
    std::chrono::milliseconds retry_base{1000};
    std::chrono::milliseconds retry_max{30000};
    int max_deliveries = 15;
    std::chrono::milliseconds notify_timeout{5000};  // one delivery attempt, connect included

    // Where a browser reaches the scan pages ("http://localhost:9090"); empty = the address the
    // emulator listens on.
    std::string public_base_url;

    // Memory stays bounded in a long-running dev shop: past these the oldest finished trades (paid
    // and notified, closed, refunded) are forgotten; when every trade held is still payable or
    // being notified, new orders (refunds) are refused as WeChat refuses under load.
    std::size_t max_trades = 10000;
    std::size_t max_refunds = 10000;
};

/// The listening side of EmulatorServer.
struct EmulatorListen {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0 = any free port (see EmulatorServer::port())
    int io_threads = 1;
    std::size_t blocking_threads = 4;
};

}  // namespace gomall::emulator
