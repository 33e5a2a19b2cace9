#include "http/envelope.hpp"

#include <string>
#include <utility>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace gomall::http {
namespace {

Request traced() {
    Request req;
    req.trace_id = "0af7651916cd43dd8448eb211c80319c";
    return req;
}

TEST(Envelope, WrapsDataWithCodeMessageAndTraceId) {
    auto res = ok(traced(), boost::json::object{{"id", 7}});
    EXPECT_EQ(res.status, 200);
    auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("code").as_int64(), 0);
    EXPECT_EQ(body.at("message").as_string(), "success");
    EXPECT_EQ(body.at("data").at("id").as_int64(), 7);
    EXPECT_EQ(body.at("trace_id").as_string(), "0af7651916cd43dd8448eb211c80319c");
}

TEST(Envelope, ErrorsCarryTheStatusOfTheirClassAndTheField) {
    auto res = error_response(traced(), ErrorCode::kBadRequest, "username: is required", "username");
    EXPECT_EQ(res.status, 400);
    auto body = boost::json::parse(res.body).as_object();
    EXPECT_EQ(body.at("code").as_int64(), 400);
    EXPECT_EQ(body.at("data").at("field").as_string(), "username");
}

TEST(Envelope, AnErrorThatKnowsWhenToRetrySaysSoInRetryAfter) {
    Error busy = make_error(ErrorCode::kSeckillBusy, "the flash sale is busy, please try again");
    EXPECT_EQ(error_response(traced(), busy).header("Retry-After"), "") << "no hint, no header";
    busy.retry_after = std::chrono::seconds(7);
    const auto res = error_response(traced(), busy);
    EXPECT_EQ(res.status, 503);
    EXPECT_EQ(res.header("Retry-After"), "7");
    busy.retry_after = std::chrono::seconds(-3);
    EXPECT_EQ(error_response(traced(), busy).header("Retry-After"), "") << "a negative wait is no hint";
}

TEST(Envelope, MapsBusinessCodesToHttpStatuses) {
    EXPECT_EQ(http_status_for(ErrorCode::kUsernameTaken), 409);
    EXPECT_EQ(http_status_for(ErrorCode::kInvalidCredentials), 401);
    EXPECT_EQ(http_status_for(ErrorCode::kAccountLocked), 429);
    EXPECT_EQ(http_status_for(ErrorCode::kOrderNotFound), 404);
    EXPECT_EQ(http_status_for(ErrorCode::kDirectPayDisabled), 403);
    EXPECT_EQ(http_status_for(ErrorCode::kInsufficientStock), 409);
    EXPECT_EQ(http_status_for(ErrorCode::kPayloadTooLarge), 413);
    EXPECT_EQ(http_status_for(ErrorCode::kUnsupportedMediaType), 415);
    EXPECT_EQ(http_status_for(ErrorCode::kUnavailable), 503);
}

TEST(Envelope, WritesMoneyAsExactTwoDecimalNumbers) {
    auto res =
        ok(traced(), boost::json::object{{"price", money_json(599900)}, {"small", money_json(5)}, {"name", "a"}});
    EXPECT_NE(res.body.find("\"price\":5999.00"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("\"small\":0.05"), std::string::npos) << res.body;
    auto body = boost::json::parse(res.body);
    EXPECT_DOUBLE_EQ(body.at("data").at("price").as_double(), 5999.0);
}

TEST(Envelope, PagesReportTotalPages) {
    auto page = page_object(boost::json::array{1, 2}, 41, 2, 20);
    EXPECT_EQ(page.at("total_page").as_int64(), 3);
    EXPECT_EQ(page.at("list").as_array().size(), 2U);
}

// Found by the HTTP fuzzer (tests/fuzz/corpus/fuzz_http_request/not-found-bad-utf8): the 404 for
// GET /api/%ff%fe quoted the decoded path, and its bytes made the envelope invalid JSON.
TEST(Envelope, ErrorMessagesAreValidUtf8WhateverTheyQuote) {
    const std::string replacement = "\xEF\xBF\xBD";
    const std::pair<std::string, std::string> cases[] = {
        {"path /api/\xff\xfe", "path /api/" + replacement + replacement},
        {"cut \xe4\xb8", "cut " + replacement + replacement},            // truncated 3-byte sequence
        {"overlong \xc0\xaf", "overlong " + replacement + replacement},  // '/' in two bytes
        {"surrogate \xed\xa0\x80", "surrogate " + replacement + replacement + replacement},
        {"past U+10FFFF \xf4\x90\x80\x80", "past U+10FFFF " + replacement + replacement + replacement + replacement},
        {"kept \xe4\xb8\xad\xf0\x9f\x9b\x92 \xc3\xa9", "kept \xe4\xb8\xad\xf0\x9f\x9b\x92 \xc3\xa9"},
    };
    for (const auto& [message, shown] : cases) {
        const auto res = error_response(traced(), ErrorCode::kNotFound, message);
        boost::system::error_code ec;
        const auto body = boost::json::parse(res.body, ec);  // Boost.JSON refuses invalid UTF-8
        ASSERT_FALSE(ec) << message;
        EXPECT_EQ(body.at("message").as_string(), shown);
    }
}

TEST(Envelope, ErrorTextWithQuotesBackslashesAndControlsStaysOneJsonString) {
    const std::string message = "no \"such\" route: /a\\b\n\t\x01\x1f end";
    const auto res = error_response(traced(), ErrorCode::kNotFound, message, "a\"field");
    boost::system::error_code ec;
    const auto body = boost::json::parse(res.body, ec);
    ASSERT_FALSE(ec) << res.body;
    const auto& object = body.as_object();
    EXPECT_EQ(object.size(), 4U);
    EXPECT_EQ(object.at("code").as_int64(), static_cast<int>(ErrorCode::kNotFound));
    EXPECT_EQ(object.at("message").as_string(), message);
    EXPECT_EQ(object.at("data").at("field").as_string(), "a\"field");
    EXPECT_EQ(object.at("trace_id").as_string(), "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(res.body.rfind(R"({"code":)", 0), 0U);  // the contract's field order
}

TEST(Envelope, ErrorWithoutAFieldHasNullData) {
    const auto res = error_response(traced(), ErrorCode::kSoldOut, "sold out");
    EXPECT_EQ(
        res.body, R"({"code":60002,"message":"sold out","data":null,"trace_id":"0af7651916cd43dd8448eb211c80319c"})"
    );
    EXPECT_EQ(res.status, 409);
}

}  // namespace
}  // namespace gomall::http
