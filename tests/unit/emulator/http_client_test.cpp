// The libcurl client the emulator delivers notifications with (and the shop calls WeChat with),
// against a local server: headers, bodies, the size cap, no redirects, refused schemes.
#include "adapters/wechatpay/http_client.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "http/blocking_pool.hpp"
#include "http/listen_socket.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "unit/emulator/emulator_harness.hpp"

namespace gomall::wechatpay {
namespace {

class HttpClientTest : public ::testing::Test {
protected:
    HttpClientTest() : blocking_(2) {
        spdlog::set_level(spdlog::level::warn);
        router_.add(http::Method::kPut, "/echo", [](http::Request& req) {
            http::Response res;
            res.content_type = "text/plain";
            res.body =
                std::string(http::method_name(req.method)) + " " + std::string(req.header("x-test")) + " " + req.body;
            res.set_header("X-Answer", "  Yes  ");
            return res;
        });
        router_.post("/echo", [](http::Request& req) {
            http::Response res;
            res.status = 201;
            res.content_type = "text/plain";
            res.body = "POST " + std::string(req.header("x-test")) + " " + req.body;
            return res;
        });
        router_.get("/big", [](http::Request&) {
            http::Response res;
            res.content_type = "text/plain";
            res.body = std::string(4096, 'x');
            return res;
        });
        router_.get("/moved", [](http::Request&) {
            http::Response res;
            res.status = 302;
            res.content_type = "text/plain";
            res.set_header("Location", "/big");
            return res;
        });
        http::PipelineSettings settings;
        settings.access_log = false;
        pipeline_ = std::make_unique<http::Pipeline>(router_, verifier_, nullptr, settings);
        auto socket = http::ListenSocket::bind("127.0.0.1", 0);
        http::ServerSettings server_settings;
        server_settings.host = "127.0.0.1";
        server_settings.port = socket.port();
        server_settings.io_threads = 1;
        server_settings.shutdown_timeout_seconds = 1;
        server_ = std::make_unique<http::Server>(*pipeline_, blocking_, server_settings);
        server_->start(std::move(socket));
    }
    ~HttpClientTest() override {
        server_->stop();
        blocking_.join();
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
    }

    static HttpResponse ok(const std::variant<HttpResponse, HttpFailure>& result) {
        if (const auto* failure = std::get_if<HttpFailure>(&result)) {
            ADD_FAILURE() << failure->message;
            return {};
        }
        return std::get<HttpResponse>(result);
    }

    emulator::test::RefuseTokens verifier_;
    http::Router router_;
    http::BlockingPool blocking_;
    std::unique_ptr<http::Pipeline> pipeline_;
    std::unique_ptr<http::Server> server_;
};

TEST_F(HttpClientTest, SendsMethodHeadersAndBodyAndReadsTheAnswer) {
    HttpClient client{HttpClientSettings{}};
    HttpRequest post;
    post.method = "POST";
    post.url = url("/echo");
    post.headers["X-Test"] = "hello";
    post.body = std::string(3000, 'b');  // large enough that curl would otherwise send Expect: 100-continue
    auto res = ok(client.send(post));
    EXPECT_EQ(res.status, 201);
    EXPECT_EQ(res.body, "POST hello " + std::string(3000, 'b'));
    EXPECT_EQ(res.headers["content-type"], "text/plain");

    HttpRequest put;
    put.method = "PUT";
    put.url = url("/echo");
    put.headers["X-Test"] = "t";
    auto echoed = ok(client.send(put));
    EXPECT_EQ(echoed.status, 200);
    EXPECT_EQ(echoed.body, "PUT t ");
    EXPECT_EQ(echoed.headers["x-answer"], "Yes") << "names lower-cased, values trimmed";
}

TEST_F(HttpClientTest, AnAnswerOverTheCapIsAFailure) {
    HttpClientSettings settings;
    settings.max_response_bytes = 1000;
    HttpClient client{settings};
    HttpRequest get;
    get.url = url("/big");
    auto result = client.send(get);
    ASSERT_TRUE(std::holds_alternative<HttpFailure>(result));
    EXPECT_NE(std::get<HttpFailure>(result).message.find("1000"), std::string::npos);

    settings.max_response_bytes = 4096;
    EXPECT_EQ(ok(HttpClient{settings}.send(get)).body.size(), 4096U) << "exactly the cap is fine";
}

TEST_F(HttpClientTest, RedirectsAreNotFollowed) {
    HttpClient client{HttpClientSettings{}};
    HttpRequest get;
    get.url = url("/moved");
    auto res = ok(client.send(get));
    EXPECT_EQ(res.status, 302);
    EXPECT_EQ(res.headers["location"], "/big");
}

TEST_F(HttpClientTest, OtherSchemesRefusedHostsAndBrokenHeadersAreFailures) {
    HttpClient client{HttpClientSettings{}};
    for (const std::string& target : {std::string("file:///etc/passwd"), std::string("ftp://127.0.0.1/x")}) {
        HttpRequest get;
        get.url = target;
        EXPECT_TRUE(std::holds_alternative<HttpFailure>(client.send(get))) << target;
    }

    HttpRequest refused;
    refused.url = "http://127.0.0.1:1/";
    auto result = client.send(refused);
    ASSERT_TRUE(std::holds_alternative<HttpFailure>(result));
    EXPECT_FALSE(std::get<HttpFailure>(result).message.empty());

    HttpRequest injected;
    injected.url = url("/echo");
    injected.method = "POST";
    injected.headers["X-Test"] = "a\r\nX-Evil: 1";
    EXPECT_TRUE(std::holds_alternative<HttpFailure>(client.send(injected)));
}

}  // namespace
}  // namespace gomall::wechatpay
