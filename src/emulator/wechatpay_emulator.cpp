#include "emulator/wechatpay_emulator.hpp"

#include <algorithm>
#include <stdexcept>

namespace gomall::emulator {
namespace {

constexpr std::size_t kApiV3KeyBytes = 32;
constexpr std::size_t kMaxResponseBytes = std::size_t{64} * 1024;

EmulatorSettings checked(EmulatorSettings settings) {
    if (settings.mch_id.empty() || settings.app_id.empty()) {
        throw std::invalid_argument("wechatpay emulator: mch_id and app_id are required");
    }
    if (settings.api_v3_key.size() != kApiV3KeyBytes) {
        throw std::invalid_argument("wechatpay emulator: the APIv3 key must be exactly 32 bytes");
    }
    if (settings.api_v2_key.empty()) {
        throw std::invalid_argument("wechatpay emulator: the APIv2 key is required");
    }
    if (settings.max_trades < 1 || settings.max_refunds < 1) {
        throw std::invalid_argument("wechatpay emulator: max_trades and max_refunds must be at least 1");
    }
    if (settings.max_deliveries < 1 || settings.retry_base.count() <= 0 || settings.retry_max < settings.retry_base) {
        throw std::invalid_argument(
            "wechatpay emulator: the retry schedule needs max_deliveries >= 1 and 0 < base <= max"
        );
    }
    return settings;
}

wechatpay::HttpClientSettings notify_client(const EmulatorSettings& settings) {
    wechatpay::HttpClientSettings client;
    client.connect_timeout = std::min(settings.notify_timeout, std::chrono::milliseconds{2000});
    client.total_timeout = settings.notify_timeout;
    client.max_response_bytes = kMaxResponseBytes;
    return client;
}

TradeStoreLimits store_limits(const EmulatorSettings& settings) {
    TradeStoreLimits limits;
    limits.max_trades = settings.max_trades;
    limits.max_refunds = settings.max_refunds;
    return limits;
}

}  // namespace

WechatPayEmulator::WechatPayEmulator(EmulatorSettings settings, std::string public_base_url, const ports::Clock& clock)
    : settings_(checked(std::move(settings))),
      public_base_url_(std::move(public_base_url)),
      clock_(clock),
      merchant_key_(wechatpay::RsaKey::public_from_pem(settings_.merchant_public_key_pem)),
      platform_key_(wechatpay::RsaKey::private_from_pem(settings_.platform_private_key_pem)),
      trades_(store_limits(settings_)),
      notifications_(settings_, platform_key_, clock_),
      notifier_(
          wechatpay::HttpClient(notify_client(settings_)),
          RetrySchedule{settings_.retry_base, settings_.retry_max},
          [this](const AttemptReport& report) { record(report); }
      ) {}

WechatPayEmulator::~WechatPayEmulator() {
    stop();
}

std::string WechatPayEmulator::code_url(const Trade& trade) {
    return "weixin://wxpay/bizpayurl?pr=" + trade.code_token;
}

std::string WechatPayEmulator::scan_url(const Trade& trade) const {
    return public_base_url_ + "/pay/scan?pr=" + trade.code_token;
}

Outcome<Trade> WechatPayEmulator::pay(
    std::string_view out_trade_no, const PayOptions& options, Tamper tamper, bool duplicate
) {
    PayOptions counted = options;
    counted.notifications = duplicate ? 2 : 1;  // counted by the store before any can finish
    auto outcome = trades_.pay(out_trade_no, now(), counted);
    if (const auto* trade = std::get_if<Trade>(&outcome)) {
        auto notification = notifications_.payment(*trade, tamper, options.amount);
        notification.holds_trade = true;
        if (duplicate) {
            notifier_.enqueue(notification);  // the very same event (same id) twice, as WeChat may
        }
        notifier_.enqueue(std::move(notification));
    }
    return outcome;
}

void WechatPayEmulator::refunded(const RefundRecord& refund) {
    if (!refund.notify_url.empty()) {
        auto notification = notifications_.refund(refund);
        notification.holds_trade = true;  // the store counted it when it made the refund
        notifier_.enqueue(std::move(notification));
    }
}

void WechatPayEmulator::notify(const Trade& trade, Tamper tamper) {
    notifier_.enqueue(notifications_.payment(trade, tamper, std::nullopt));
}

void WechatPayEmulator::record(const AttemptReport& report) {
    DeliveryRecord record;
    record.attempt = report.attempt;
    record.status = report.status;
    record.answer = report.answer;
    record.at = now();
    record.event = report.event;
    record.delivered = report.delivered;
    trades_.record_delivery(report.log_key, std::move(record));
    if (report.last && report.holds_trade) {
        trades_.notification_finished(report.log_key);
    }
}

}  // namespace gomall::emulator
