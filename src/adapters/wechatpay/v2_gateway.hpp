// PaymentGateway over WeChat Pay APIv2 (the original GoMall's protocol): flat XML documents signed
// with MD5 or HMAC-SHA256 and the API key; refunds go to /secapi/ with the merchant's client
// certificate (HttpClientSettings.client_cert_path).
#pragma once

#include <string>

#include "adapters/wechatpay/flat_xml.hpp"
#include "adapters/wechatpay/http_client.hpp"
#include "adapters/wechatpay/wechatpay_settings.hpp"
#include "ports/clock.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/tracer.hpp"

namespace gomall::wechatpay {

class V2Gateway final : public ports::PaymentGateway {
public:
    V2Gateway(WechatPaySettings settings, const ports::Clock& clock);

    /// A client span per call to the provider from now on (see ProviderCallSpan). Call before
    /// the first call; `tracer` must outlive the gateway.
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }

    std::string provider() const override { return "wechat_v2"; }
    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest& request) override;
    ports::GatewayResult<ports::Transaction> query(const std::string& out_trade_no) override;
    ports::GatewayResult<std::monostate> close(const std::string& out_trade_no) override;
    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest& request) override;
    ports::GatewayResult<ports::Refund> query_refund(const std::string& out_refund_no) override;
    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification& notification) override;
    ports::NotificationAnswer answer_notification(bool accepted, const std::string& reason) const override;

private:
    /// Adds appid, mch_id, nonce_str, sign_type and sign; posts; parses and verifies the answer
    /// (return_code, signature, ids). A result_code of FAIL becomes the mapped GatewayError.
    std::variant<FlatXml, ports::GatewayError> call(const std::string& path, FlatXml fields);
    /// Signature (with the document's own sign_type, else the configured one) and ids.
    std::string document_problem(const FlatXml& doc) const;

    WechatPaySettings settings_;
    const ports::Clock& clock_;
    HttpClient http_;
    ports::Tracer* tracer_ = nullptr;
};

}  // namespace gomall::wechatpay
