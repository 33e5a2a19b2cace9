// What a merchant configures to talk to WeChat Pay (or the local emulator, which speaks the same
// protocols): ids, keys, URLs and timeouts. Key material is held in memory only, read from files
// named in the config; it is never logged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/wechatpay/http_client.hpp"
#include "adapters/wechatpay/v2_sign.hpp"

namespace gomall::wechatpay {

struct WechatPaySettings {
    std::string base_url;    // "https://api.mch.weixin.qq.com", no trailing slash
    std::string app_id;      // appid of the official account / app bound to the merchant
    std::string mch_id;      // merchant id
    std::string notify_url;  // where the provider sends payment results (the shop's notify route)

    // APIv3
    std::string merchant_serial_no;        // serial number of the merchant's API certificate
    std::string merchant_private_key_pem;  // signs requests
    std::string platform_serial_no;        // the WeChat Pay platform certificate/public key id
    std::string platform_public_key_pem;   // verifies answers and notifications
    std::string api_v3_key;                // 32 bytes: decrypts notification resources

    // APIv2
    std::string api_v2_key;  // 32 bytes: MD5 / HMAC-SHA256 signatures
    V2SignType sign_type = V2SignType::kHmacSha256;

    HttpClientSettings http;
    std::int64_t max_clock_skew_seconds = 300;  // answers and notifications older or newer are refused
    std::size_t max_notification_bytes = std::size_t{64} * 1024;
};

}  // namespace gomall::wechatpay
