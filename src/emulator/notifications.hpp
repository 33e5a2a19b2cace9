// The notifications WeChat sends the merchant, in both protocols, ready for the Notifier: APIv3's
// signed JSON with an AES-256-GCM resource, APIv2's signed XML. The test API can spoil one
// aspect of a notification on purpose (Tamper) to check that the shop refuses it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/wechatpay/crypto.hpp"
#include "core/money.hpp"
#include "emulator/emulator_settings.hpp"
#include "emulator/notifier.hpp"
#include "emulator/trade_store.hpp"
#include "ports/clock.hpp"

namespace gomall::emulator {

enum class Tamper {
    kNone,
    kBadSignature,         // the signature does not match the body
    kWrongMchid,           // signed correctly, for another merchant
    kWrongAppid,           // signed correctly, for another app
    kStaleTimestamp,       // APIv3: signed correctly ten minutes ago
    kTruncatedCiphertext,  // APIv3: the resource's ciphertext lost its last bytes
    kWrongCurrency,        // signed correctly, in USD
};

/// "bad_signature", "wrong_mchid"...; "" is kNone; nullopt for an unknown name.
std::optional<Tamper> parse_tamper(std::string_view name);
/// Whether a protocol has the thing `tamper` spoils (APIv2 has neither timestamp nor ciphertext).
bool tamper_applies(Tamper tamper, Protocol protocol);

/// The Wechatpay-* headers of a signed APIv3 answer or notification, signed over
/// "timestamp\nnonce\nbody\n" with the platform key.
std::map<std::string, std::string> v3_signature_headers(
    const wechatpay::RsaKey& platform_key, const std::string& serial_no, std::int64_t timestamp, const std::string& body
);

class NotificationFactory {
public:
    /// `platform_key` and `clock` must outlive every notification built here (they are used at
    /// each delivery attempt).
    NotificationFactory(
        const EmulatorSettings& settings, const wechatpay::RsaKey& platform_key, const ports::Clock& clock
    );

    /// The payment notification for `trade` in the protocol that created it, to trade.notify_url.
    /// `amount` replaces the amount it reports (total and payer_total). A tampered one is
    /// attempted once; others follow the retry schedule.
    Notification payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const;
    /// APIv3 REFUND.SUCCESS, to refund.notify_url.
    Notification refund(const RefundRecord& refund) const;

private:
    Notification v3_payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const;
    Notification v2_payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const;
    Notification v3_event(
        const std::string& log_key,
        const std::string& url,
        std::string_view event_type,
        std::string_view summary,
        std::string_view resource_type,
        const std::string& plaintext,
        Tamper tamper
    ) const;

    std::string mch_id_;
    std::string app_id_;
    std::string platform_serial_no_;
    std::string api_v3_key_;
    std::string api_v2_key_;
    int max_deliveries_;
    const wechatpay::RsaKey& platform_key_;
    const ports::Clock& clock_;
};

}  // namespace gomall::emulator
