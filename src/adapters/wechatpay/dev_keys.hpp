// Keys for running against the local WeChat Pay emulator: generated once under a directory of the
// data dir (var/wechatpay by default), mode 0600, never in the repository. Real merchants configure
// their own key files instead (docs/operations.md).
#pragma once

#include <string>

namespace gomall::wechatpay {

struct DevKeyFiles {
    std::string merchant_private_key;  // PEM paths
    std::string merchant_public_key;
    std::string platform_private_key;
    std::string platform_public_key;
    std::string merchant_serial_no;  // 40 upper-case hex digits of sha256(public key DER)
    std::string platform_serial_no;
    std::string api_v3_key;  // 32 characters [A-Za-z0-9]
    std::string api_v2_key;  // 32 characters [A-Za-z0-9]
};

/// Creates the directory and any missing file (RSA 2048 pairs for merchant and platform, the two
/// symmetric keys), keeps existing ones, and returns paths and values. Safe against two processes
/// starting at once (files are written to a temporary name and linked into place). Throws
/// std::runtime_error on an I/O failure.
DevKeyFiles ensure_dev_keys(const std::string& directory);

}  // namespace gomall::wechatpay
