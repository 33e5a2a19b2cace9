// PaymentGateway over WeChat Pay APIv3: JSON over HTTPS, requests signed with the merchant's RSA
// key, answers and notifications verified with the platform key, notification resources decrypted
// with AES-256-GCM and the APIv3 key.
#pragma once

#include <string>

#include "adapters/wechatpay/crypto.hpp"
#include "adapters/wechatpay/http_client.hpp"
#include "adapters/wechatpay/wechatpay_settings.hpp"
#include "ports/clock.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/tracer.hpp"

namespace gomall::wechatpay {

class V3Gateway final : public ports::PaymentGateway {
public:
    /// Throws std::runtime_error when a key does not load (the message names which, not its content).
    V3Gateway(WechatPaySettings settings, const ports::Clock& clock);

    /// A client span per call to the provider from now on (see ProviderCallSpan). Call before
    /// the first call; `tracer` must outlive the gateway.
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }

    std::string provider() const override { return "wechat_v3"; }
    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest& request) override;
    ports::GatewayResult<ports::Transaction> query(const std::string& out_trade_no) override;
    ports::GatewayResult<std::monostate> close(const std::string& out_trade_no) override;
    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest& request) override;
    ports::GatewayResult<ports::Refund> query_refund(const std::string& out_refund_no) override;
    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification& notification) override;
    ports::NotificationAnswer answer_notification(bool accepted, const std::string& reason) const override;

private:
    struct Answer;
    /// Signs and sends; verifies the answer's signature. Transport failures, 5xx and unsigned or
    /// badly signed answers come back as kUnavailable.
    std::variant<Answer, ports::GatewayError> call(
        const std::string& method, const std::string& path_and_query, const std::string& body
    );
    /// The refund in an answer, which must be about `out_refund_no`.
    static ports::GatewayResult<ports::Refund> refund_answer(
        std::variant<Answer, ports::GatewayError> result, const std::string& out_refund_no
    );
    /// Checks Wechatpay-Serial, -Timestamp (window), -Nonce and -Signature over the body.
    std::string signature_problem(const std::map<std::string, std::string>& headers, const std::string& body) const;

    WechatPaySettings settings_;
    const ports::Clock& clock_;
    RsaKey merchant_key_;
    RsaKey platform_key_;
    HttpClient http_;
    ports::Tracer* tracer_ = nullptr;
};

}  // namespace gomall::wechatpay
