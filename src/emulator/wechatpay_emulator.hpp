// The emulated WeChat Pay service behind the routes: the merchant's settings and keys, the
// payments it knows, and the notifications it owes the shop. The routes (APIv3, APIv2, the
// payer's page, the test API) are thin translations onto this.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/wechatpay/crypto.hpp"
#include "emulator/emulator_settings.hpp"
#include "emulator/notifications.hpp"
#include "emulator/notifier.hpp"
#include "emulator/trade_store.hpp"
#include "ports/clock.hpp"

namespace gomall::emulator {

class WechatPayEmulator {
public:
    /// `public_base_url` is where a browser reaches the scan pages ("http://127.0.0.1:9090", no
    /// trailing slash). `clock` must outlive the emulator. Throws std::invalid_argument for
    /// settings that cannot work (an APIv3 key that is not 32 bytes, a key that does not parse).
    WechatPayEmulator(EmulatorSettings settings, std::string public_base_url, const ports::Clock& clock);
    ~WechatPayEmulator();
    WechatPayEmulator(const WechatPayEmulator&) = delete;
    WechatPayEmulator& operator=(const WechatPayEmulator&) = delete;

    const EmulatorSettings& settings() const { return settings_; }
    TimePoint now() const { return clock_.now(); }
    TradeStore& trades() { return trades_; }
    const TradeStore& trades() const { return trades_; }
    const wechatpay::RsaKey& merchant_key() const { return merchant_key_; }
    const wechatpay::RsaKey& platform_key() const { return platform_key_; }
    const std::string& public_base_url() const { return public_base_url_; }

    /// "weixin://wxpay/bizpayurl?pr=<token>": what WeChat puts in the QR code.
    static std::string code_url(const Trade& trade);
    /// The payer's page for that code on this emulator.
    std::string scan_url(const Trade& trade) const;

    /// Pays as the payer would, then queues the payment notification (twice with `duplicate`).
    Outcome<Trade> pay(std::string_view out_trade_no, const PayOptions& options, Tamper tamper, bool duplicate);
    /// Queues the REFUND.SUCCESS notification when the refund named a notify_url.
    void refunded(const RefundRecord& refund);
    /// Queues a payment notification for `trade` as given (it need not be stored: tests of
    /// notifications about unknown orders).
    void notify(const Trade& trade, Tamper tamper);
    /// Notifications not yet finished (queued or in flight).
    std::size_t pending_notifications() const { return notifier_.pending(); }

    /// Stops delivering notifications. Idempotent; the destructor calls it.
    void stop() { notifier_.stop(); }

private:
    void record(const AttemptReport& report);

    EmulatorSettings settings_;
    std::string public_base_url_;
    const ports::Clock& clock_;
    wechatpay::RsaKey merchant_key_;
    wechatpay::RsaKey platform_key_;
    TradeStore trades_;
    NotificationFactory notifications_;
    Notifier notifier_;  // last: its worker thread uses everything above until stopped
};

}  // namespace gomall::emulator
