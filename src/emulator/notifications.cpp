#include "emulator/notifications.hpp"

#include <boost/json/serialize.hpp>

#include "adapters/wechatpay/flat_xml.hpp"
#include "adapters/wechatpay/v2_sign.hpp"
#include "adapters/wechatpay/v3_sign.hpp"
#include "emulator/trade_views.hpp"
#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

constexpr std::size_t kResourceNonceLength = 12;  // WeChat's resource nonces are 12 characters
constexpr std::size_t kHeaderNonceLength = 32;
constexpr std::int64_t kStaleSeconds = 600;  // twice the five minutes a receiver may accept
constexpr std::size_t kTruncatedBytes = 5;
constexpr const char* kOtherMchid = "1900000000";
constexpr const char* kOtherAppid = "wx00000000000000ff";
constexpr const char* kOtherCurrency = "USD";

bool v3_accepted(const wechatpay::HttpResponse& response) {
    return response.status == 200 || response.status == 204;
}

bool v2_accepted(const wechatpay::HttpResponse& response) {
    if (response.status != 200) {
        return false;
    }
    auto answer = wechatpay::parse_flat_xml(response.body);
    if (!answer.ok()) {
        return false;
    }
    auto code = answer->find("return_code");
    return code != answer->end() && code->second == "SUCCESS";
}

/// The ciphertext with its last bytes cut (still valid base64, so only authentication fails).
std::string truncated(const std::string& ciphertext_base64) {
    auto bytes = wechatpay::base64_decode(ciphertext_base64);
    if (!bytes || bytes->size() <= kTruncatedBytes) {
        return ciphertext_base64.substr(0, ciphertext_base64.size() / 2);
    }
    bytes->resize(bytes->size() - kTruncatedBytes);
    return wechatpay::base64_encode(*bytes);
}

}  // namespace

std::optional<Tamper> parse_tamper(std::string_view name) {
    if (name.empty()) {
        return Tamper::kNone;
    }
    if (name == "bad_signature") {
        return Tamper::kBadSignature;
    }
    if (name == "wrong_mchid") {
        return Tamper::kWrongMchid;
    }
    if (name == "wrong_appid") {
        return Tamper::kWrongAppid;
    }
    if (name == "stale_timestamp") {
        return Tamper::kStaleTimestamp;
    }
    if (name == "truncated_ciphertext") {
        return Tamper::kTruncatedCiphertext;
    }
    if (name == "wrong_currency") {
        return Tamper::kWrongCurrency;
    }
    return std::nullopt;
}

bool tamper_applies(Tamper tamper, Protocol protocol) {
    return protocol == Protocol::kV3 || (tamper != Tamper::kStaleTimestamp && tamper != Tamper::kTruncatedCiphertext);
}

std::map<std::string, std::string> v3_signature_headers(
    const wechatpay::RsaKey& platform_key, const std::string& serial_no, std::int64_t timestamp, const std::string& body
) {
    const std::string ts = std::to_string(timestamp);
    const std::string nonce = wechatpay::random_nonce(kHeaderNonceLength);
    return {
        {"Wechatpay-Nonce", nonce},
        {"Wechatpay-Serial", serial_no},
        {"Wechatpay-Signature", platform_key.sign_sha256(wechatpay::v3_response_message(ts, nonce, body))},
        {"Wechatpay-Timestamp", ts},
    };
}

NotificationFactory::NotificationFactory(
    const EmulatorSettings& settings, const wechatpay::RsaKey& platform_key, const ports::Clock& clock
)
    : mch_id_(settings.mch_id),
      app_id_(settings.app_id),
      platform_serial_no_(settings.platform_serial_no),
      api_v3_key_(settings.api_v3_key),
      api_v2_key_(settings.api_v2_key),
      max_deliveries_(settings.max_deliveries),
      platform_key_(platform_key),
      clock_(clock) {}

Notification NotificationFactory::payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const {
    return trade.protocol == Protocol::kV3 ? v3_payment(trade, tamper, amount) : v2_payment(trade, tamper, amount);
}

Notification NotificationFactory::refund(const RefundRecord& refund) const {
    const auto plaintext = boost::json::serialize(v3_refund_notification_json(refund, mch_id_));
    return v3_event(
        refund.out_trade_no, refund.notify_url, "REFUND.SUCCESS", "退款成功", "refund", plaintext, Tamper::kNone
    );
}

Notification NotificationFactory::v3_payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const {
    auto transaction = v3_transaction_json(trade);
    auto& money = transaction["amount"].as_object();
    if (amount) {
        money["total"] = *amount;
        money["payer_total"] = *amount;
    }
    if (tamper == Tamper::kWrongMchid) {
        transaction["mchid"] = kOtherMchid;
    } else if (tamper == Tamper::kWrongAppid) {
        transaction["appid"] = kOtherAppid;
    } else if (tamper == Tamper::kWrongCurrency) {
        money["currency"] = kOtherCurrency;
        money["payer_currency"] = kOtherCurrency;
    }
    return v3_event(
        trade.out_trade_no,
        trade.notify_url,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        boost::json::serialize(transaction),
        tamper
    );
}

Notification NotificationFactory::v3_event(
    const std::string& log_key,
    const std::string& url,
    std::string_view event_type,
    std::string_view summary,
    std::string_view resource_type,
    const std::string& plaintext,
    Tamper tamper
) const {
    const std::string nonce = wechatpay::random_nonce(kResourceNonceLength);
    std::string ciphertext = wechatpay::aes256gcm_encrypt_base64(api_v3_key_, nonce, resource_type, plaintext);
    if (tamper == Tamper::kTruncatedCiphertext) {
        ciphertext = truncated(ciphertext);
    }
    const boost::json::object envelope{
        {"id", random_uuid()},
        {"create_time", format_rfc3339_china(clock_.now())},
        {"resource_type", "encrypt-resource"},
        {"event_type", event_type},
        {"summary", summary},
        {"resource",
         boost::json::object{
             {"original_type", resource_type},
             {"algorithm", "AEAD_AES_256_GCM"},
             {"ciphertext", ciphertext},
             {"associated_data", resource_type},
             {"nonce", nonce},
         }},
    };
    Notification n;
    n.log_key = log_key;
    n.event = std::string(event_type);
    n.max_attempts = tamper == Tamper::kNone ? max_deliveries_ : 1;
    n.accepted = v3_accepted;
    n.build = [url,
               body = boost::json::serialize(envelope),
               tamper,
               serial = platform_serial_no_,
               &key = platform_key_,
               &clock = clock_] {
        std::int64_t timestamp = to_unix_seconds(clock.now());
        if (tamper == Tamper::kStaleTimestamp) {
            timestamp -= kStaleSeconds;
        }
        wechatpay::HttpRequest request;
        request.method = "POST";
        request.url = url;
        request.body = body;
        for (auto& [name, value] : v3_signature_headers(key, serial, timestamp, body)) {
            request.headers[name] = value;
        }
        if (tamper == Tamper::kBadSignature) {
            // A genuine signature of other content: valid base64 and length, wrong for this body.
            request.headers["Wechatpay-Signature"] = key.sign_sha256("tampered\n" + body);
        }
        request.headers["Content-Type"] = "application/json";
        request.headers["User-Agent"] = "Mozilla/4.0 (gomall wechatpay emulator)";
        return request;
    };
    return n;
}

Notification NotificationFactory::v2_payment(const Trade& trade, Tamper tamper, std::optional<Cents> amount) const {
    const Cents paid = amount.value_or(trade.payer_total);
    wechatpay::FlatXml fields;
    fields["return_code"] = "SUCCESS";
    fields["result_code"] = "SUCCESS";
    fields["appid"] = tamper == Tamper::kWrongAppid ? kOtherAppid : trade.app_id;
    fields["mch_id"] = tamper == Tamper::kWrongMchid ? kOtherMchid : trade.mch_id;
    fields["nonce_str"] = wechatpay::random_nonce(kHeaderNonceLength);
    fields["openid"] = trade.openid;
    fields["is_subscribe"] = "N";
    fields["trade_type"] = "NATIVE";
    fields["bank_type"] = "OTHERS";
    fields["total_fee"] = std::to_string(amount.value_or(trade.total));
    fields["cash_fee"] = std::to_string(paid);
    fields["fee_type"] = tamper == Tamper::kWrongCurrency ? kOtherCurrency : trade.currency;
    fields["transaction_id"] = trade.transaction_id;
    fields["out_trade_no"] = trade.out_trade_no;
    fields["time_end"] = format_compact_china(trade.success_time.value_or(clock_.now()));
    if (trade.sign_type == wechatpay::V2SignType::kHmacSha256) {
        fields["sign_type"] = "HMAC-SHA256";
    }
    const std::string key = tamper == Tamper::kBadSignature ? api_v2_key_ + "tampered" : api_v2_key_;
    fields["sign"] = wechatpay::v2_sign(fields, key, trade.sign_type);

    Notification n;
    n.log_key = trade.out_trade_no;
    n.event = "TRANSACTION.SUCCESS";
    n.max_attempts = tamper == Tamper::kNone ? max_deliveries_ : 1;
    n.accepted = v2_accepted;
    n.build = [url = trade.notify_url, body = wechatpay::write_flat_xml(fields)] {
        wechatpay::HttpRequest request;
        request.method = "POST";
        request.url = url;
        request.body = body;
        request.headers["Content-Type"] = "text/xml";
        request.headers["User-Agent"] = "Mozilla/4.0 (gomall wechatpay emulator)";
        return request;
    };
    return n;
}

}  // namespace gomall::emulator
