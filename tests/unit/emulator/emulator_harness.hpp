// What the emulator tests share: generated merchant and platform keys, a clock the test can move,
// the emulator running in-process on a free port, clients that sign like the shop would (APIv3
// and APIv2), and a small HTTP server playing the shop's notify endpoint.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "adapters/wechatpay/crypto.hpp"
#include "adapters/wechatpay/flat_xml.hpp"
#include "adapters/wechatpay/http_client.hpp"
#include "adapters/wechatpay/v2_sign.hpp"
#include "adapters/wechatpay/v3_sign.hpp"
#include "emulator/emulator_server.hpp"
#include "http/blocking_pool.hpp"
#include "http/listen_socket.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace gomall::emulator::test {

inline constexpr const char* kMchId = "1900000109";
inline constexpr const char* kAppId = "wxd678efh567hg6787";
inline constexpr const char* kMerchantSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
inline constexpr const char* kPlatformSerial = "3775B6A45ACD588826D15E583A95F5DD1C4F2D26";
inline constexpr const char* kApiV3Key = "0123456789abcdefghijklmnopqrstuv";  // 32 bytes
inline constexpr const char* kApiV2Key = "192006250b4c09247ec02edce69f6a2d";

/// RSA pairs made once per test binary: generating them for every test would dominate its time.
struct TestKeys {
    wechatpay::RsaKey merchant = wechatpay::RsaKey::generate();
    wechatpay::RsaKey platform = wechatpay::RsaKey::generate();
    wechatpay::RsaKey platform_public = wechatpay::RsaKey::public_from_pem(platform.public_pem());
    wechatpay::RsaKey stranger = wechatpay::RsaKey::generate();  // signs as nobody we know
};

inline const TestKeys& keys() {
    static const TestKeys kKeys;
    return kKeys;
}

/// The system clock plus an offset the test moves forward.
class MovableClock final : public ports::Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now() + std::chrono::seconds(offset_.load()); }
    void advance(std::chrono::seconds by) { offset_ += by.count(); }

private:
    std::atomic<std::int64_t> offset_{0};
};

class RefuseTokens final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view /*token*/) const override {
        return make_error(ErrorCode::kTokenInvalid, "no tokens here");
    }
};

/// The shop's notify endpoint: POST /notify, recorded; answered by `answer(n)` for the n-th
/// request (0-based), 200 with an empty body unless the test says otherwise.
class NotifyReceiver {
public:
    struct Received {
        std::map<std::string, std::string> headers;  // lower-case names
        std::string body;
    };
    struct Answer {
        int status = 200;
        std::string body;
        std::string content_type = "text/plain";
    };

    explicit NotifyReceiver(std::function<Answer(int)> answer = {}) : answer_(std::move(answer)), blocking_(2) {
        router_.post("/notify", [this](http::Request& req) {
            Received received;
            for (const auto& [name, value] : req.headers) {
                received.headers[name] = value;
            }
            received.body = req.body;
            int index = 0;
            {
                const std::lock_guard lock(mutex_);
                index = static_cast<int>(received_.size());
                received_.push_back(std::move(received));
            }
            Answer a = answer_ ? answer_(index) : Answer{};
            http::Response res;
            res.status = a.status;
            res.content_type = a.content_type;
            res.body = a.body;
            return res;
        });
        http::PipelineSettings pipeline_settings;
        pipeline_settings.access_log = false;
        pipeline_ = std::make_unique<http::Pipeline>(router_, verifier_, nullptr, pipeline_settings);
        auto socket = http::ListenSocket::bind("127.0.0.1", 0);
        http::ServerSettings settings;
        settings.host = "127.0.0.1";
        settings.port = socket.port();
        settings.io_threads = 1;
        settings.shutdown_timeout_seconds = 1;
        server_ = std::make_unique<http::Server>(*pipeline_, blocking_, settings);
        server_->start(std::move(socket));
    }
    ~NotifyReceiver() {
        server_->stop();
        blocking_.join();
    }
    NotifyReceiver(const NotifyReceiver&) = delete;
    NotifyReceiver& operator=(const NotifyReceiver&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/notify"; }
    std::vector<Received> received() const {
        const std::lock_guard lock(mutex_);
        return received_;
    }
    std::size_t count() const {
        const std::lock_guard lock(mutex_);
        return received_.size();
    }

private:
    std::function<Answer(int)> answer_;
    mutable std::mutex mutex_;
    std::vector<Received> received_;
    RefuseTokens verifier_;
    http::Router router_;
    http::BlockingPool blocking_;
    std::unique_ptr<http::Pipeline> pipeline_;
    std::unique_ptr<http::Server> server_;
};

/// Polls `done` every 10 ms for up to `limit`; true once it holds.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

inline boost::json::object json_of(const wechatpay::HttpResponse& res) {
    return boost::json::parse(res.body).as_object();
}

inline std::string str(const boost::json::value& v) {
    return std::string(v.as_string());
}

/// How a test request is signed: the shop's way unless a test spoils one part.
struct Signing {
    const wechatpay::RsaKey* key = &keys().merchant;
    std::string mchid = kMchId;
    std::string serial = kMerchantSerial;
    std::int64_t skew_seconds = 0;
};

class EmulatorTest : public ::testing::Test {
protected:
    EmulatorTest() {
        spdlog::set_level(spdlog::level::warn);  // the access log of every request would drown the output
    }

    void SetUp() override { start(settings()); }

    static EmulatorSettings settings() {
        EmulatorSettings s;
        s.mch_id = kMchId;
        s.app_id = kAppId;
        s.merchant_public_key_pem = keys().merchant.public_pem();
        s.merchant_serial_no = kMerchantSerial;
        s.platform_private_key_pem = keys().platform.private_pem();
        s.platform_serial_no = kPlatformSerial;
        s.api_v3_key = kApiV3Key;
        s.api_v2_key = kApiV2Key;
        s.retry_base = std::chrono::milliseconds(50);
        s.retry_max = std::chrono::milliseconds(200);
        s.max_deliveries = 4;
        s.notify_timeout = std::chrono::milliseconds(2000);
        return s;
    }

    void start(EmulatorSettings s) {
        server_.reset();
        EmulatorListen listen;
        server_ = std::make_unique<EmulatorServer>(std::move(s), listen, &clock_);
    }

    std::string url(const std::string& path) const { return server_->base_url() + path; }

    wechatpay::HttpResponse send(wechatpay::HttpRequest request) const {
        auto result = client_.send(request);
        if (const auto* failure = std::get_if<wechatpay::HttpFailure>(&result)) {
            ADD_FAILURE() << "HTTP failure: " << failure->message;
            return {};
        }
        return std::get<wechatpay::HttpResponse>(result);
    }

    static std::string authorization(
        const std::string& method, const std::string& target, const std::string& body, const Signing& signing
    ) {
        wechatpay::V3Authorization auth;
        auth.mchid = signing.mchid;
        auth.nonce_str = wechatpay::random_nonce(32);
        auth.timestamp = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count() +
            signing.skew_seconds
        );
        auth.serial_no = signing.serial;
        auth.signature =
            signing.key->sign_sha256(wechatpay::v3_request_message(method, target, auth.timestamp, auth.nonce_str, body)
            );
        return wechatpay::format_v3_authorization(auth);
    }

    wechatpay::HttpResponse v3(
        const std::string& method, const std::string& target, const std::string& body = {}, const Signing& signing = {}
    ) const {
        wechatpay::HttpRequest req;
        req.method = method;
        req.url = url(target);
        req.body = body;
        req.headers["Authorization"] = authorization(method, target, body, signing);
        req.headers["Accept"] = "application/json";
        if (!body.empty()) {
            req.headers["Content-Type"] = "application/json";
        }
        return send(req);
    }

    /// True when the answer carries a valid platform signature over its body.
    static bool platform_signed(const wechatpay::HttpResponse& res) {
        auto header = [&res](const char* name) {
            auto it = res.headers.find(name);
            return it == res.headers.end() ? std::string{} : it->second;
        };
        if (header("wechatpay-serial") != kPlatformSerial) {
            return false;
        }
        return keys().platform_public.verify_sha256(
            wechatpay::v3_response_message(header("wechatpay-timestamp"), header("wechatpay-nonce"), res.body),
            header("wechatpay-signature")
        );
    }

    static std::string native_body(const std::string& out_trade_no, std::int64_t total, const std::string& notify_url) {
        boost::json::object body{
            {"appid", kAppId},
            {"mchid", kMchId},
            {"description", "GoMall order " + out_trade_no},
            {"out_trade_no", out_trade_no},
            {"notify_url", notify_url},
            {"amount", boost::json::object{{"total", total}, {"currency", "CNY"}}},
        };
        return boost::json::serialize(body);
    }

    /// Creates an APIv3 Native payment and returns its code_url ("" on failure).
    std::string create_v3(
        const std::string& out_trade_no, std::int64_t total, const std::string& notify_url = "http://127.0.0.1:9/notify"
    ) const {
        auto res = v3("POST", "/v3/pay/transactions/native", native_body(out_trade_no, total, notify_url));
        EXPECT_EQ(res.status, 200) << res.body;
        return res.status == 200 ? str(json_of(res).at("code_url")) : std::string{};
    }

    /// Posts APIv2 XML: adds appid, mch_id, nonce_str (unless present), sign_type for HMAC, sign.
    wechatpay::HttpResponse v2(
        const std::string& path,
        wechatpay::FlatXml fields,
        wechatpay::V2SignType type = wechatpay::V2SignType::kMd5,
        const std::string& key = kApiV2Key
    ) const {
        fields.emplace("appid", kAppId);
        fields.emplace("mch_id", kMchId);
        fields.emplace("nonce_str", wechatpay::random_nonce(32));
        if (type == wechatpay::V2SignType::kHmacSha256) {
            fields["sign_type"] = "HMAC-SHA256";
        }
        fields["sign"] = wechatpay::v2_sign(fields, key, type);
        return post(path, wechatpay::write_flat_xml(fields), "text/xml");
    }

    static wechatpay::FlatXml xml_of(const wechatpay::HttpResponse& res) {
        auto parsed = wechatpay::parse_flat_xml(res.body);
        EXPECT_TRUE(parsed.ok()) << res.body;
        return parsed.ok() ? parsed.value() : wechatpay::FlatXml{};
    }

    wechatpay::HttpResponse get(const std::string& path) const {
        wechatpay::HttpRequest req;
        req.url = url(path);
        return send(req);
    }

    wechatpay::HttpResponse post(const std::string& path, const std::string& body, const std::string& type) const {
        wechatpay::HttpRequest req;
        req.method = "POST";
        req.url = url(path);
        req.body = body;
        req.headers["Content-Type"] = type;
        return send(req);
    }

    wechatpay::HttpResponse post_json(const std::string& path, const boost::json::object& body) const {
        return post(path, boost::json::serialize(body), "application/json");
    }

    /// Pays through the test API (no tamper); the answer's status.
    int pay(const std::string& out_trade_no) const {
        return post_json("/emulator/pay", {{"out_trade_no", out_trade_no}}).status;
    }

    boost::json::object transaction_log(const std::string& out_trade_no) const {
        return json_of(get("/emulator/transactions/" + out_trade_no));
    }

    MovableClock clock_;
    wechatpay::HttpClient client_{wechatpay::HttpClientSettings{}};
    std::unique_ptr<EmulatorServer> server_;
};

}  // namespace gomall::emulator::test
