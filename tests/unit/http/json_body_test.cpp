#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include "http/json_duplicate_keys.hpp"

namespace gomall::http {
namespace {

Request json_request(std::string body, std::string content_type = "application/json") {
    Request req;
    req.headers.emplace_back("content-type", std::move(content_type));
    req.body = std::move(body);
    return req;
}

TEST(JsonBody, RejectsWrongContentTypeWith415) {
    auto r = JsonBody::parse(json_request("{}", "text/plain"), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType);
}

TEST(JsonBody, AcceptsJsonWithCharsetParameter) {
    EXPECT_TRUE(JsonBody::parse(json_request("{}", "application/json; charset=utf-8"), {}).ok());
}

TEST(JsonBody, RejectsMalformedJsonAndNonObjects) {
    EXPECT_EQ(JsonBody::parse(json_request("{\"a\":"), {"a"}).error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(JsonBody::parse(json_request("[1]"), {}).error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(JsonBody::parse(json_request(""), {}).error().code, ErrorCode::kBadRequest);
    EXPECT_FALSE(JsonBody::parse(json_request(std::string(100, '[') + std::string(100, ']')), {}).ok());
}

TEST(JsonBody, RefusesAFieldNamedTwiceAtAnyDepthAndInAnySpelling) {
    for (const char* body : {
             R"({"quantity":1,"quantity":99})",
             R"({"a":1,"b":{"x":1,"x":2}})",
             R"({"a":[{"x":1},{"y":1,"y":1}]})",
             R"({"quantity":1,"quantity":99})",  // the same key once unescaped
         }) {
        const auto r = JsonBody::parse(json_request(body), {"quantity", "a", "b"});
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << body;
    }
    // The same name in different objects is no duplicate.
    EXPECT_TRUE(JsonBody::parse(json_request(R"({"a":[{"x":1},{"x":2}],"b":{"a":1}})"), {"a", "b"}).ok());
}

TEST(JsonBody, DuplicateKeyCheckHandlesFiftyThousandKeys) {
    std::string body = "{";
    for (int i = 0; i < 50000; ++i) {
        body += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    }
    const std::string repeated = ",\"k7\":1}";
    body += repeated;
    EXPECT_TRUE(has_duplicate_keys(body));
    body.replace(body.size() - repeated.size(), repeated.size(), "}");
    EXPECT_FALSE(has_duplicate_keys(body));
}

TEST(JsonBody, NamesUnknownFields) {
    auto r = JsonBody::parse(json_request(R"({"username":"a","admin":true})"), {"username"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "admin");
}

TEST(JsonBody, ValidatesStringsByTypeLengthAndPresence) {
    auto body = JsonBody::parse(json_request(R"({"a":"ab","b":5,"c":"中文字"})"), {"a", "b", "c", "d"}).value();
    EXPECT_EQ(body.required_string("a", 2, 5).value(), "ab");
    EXPECT_EQ(body.required_string("a", 3, 5).error().field, "a");
    EXPECT_EQ(body.required_string("b", 1, 5).error().message, "b: must be a string");
    EXPECT_EQ(body.required_string("c", 3, 3).value(), "中文字");  // counted in characters, not bytes
    EXPECT_EQ(body.required_string("d", 1, 5).error().message, "d: is required");
    EXPECT_FALSE(body.optional_string("d", 1, 5).value().has_value());
}

TEST(JsonBody, RejectsControlCharactersInStrings) {
    auto body = JsonBody::parse(json_request(R"({"a":"x\u0001y"})"), {"a"}).value();
    EXPECT_FALSE(body.required_string("a", 1, 10).ok());
}

TEST(JsonBody, ValidatesIntegersStrictly) {
    auto body = JsonBody::parse(
                    json_request(R"({"n":5,"f":1.5,"s":"5","big":1e30,"whole":3.0})"), {"n", "f", "s", "big", "whole"}
    )
                    .value();
    EXPECT_EQ(body.required_int("n", 1, 99).value(), 5);
    EXPECT_FALSE(body.required_int("n", 6, 99).ok());
    EXPECT_FALSE(body.required_int("f", 1, 99).ok());
    EXPECT_FALSE(body.required_int("s", 1, 99).ok());
    EXPECT_FALSE(body.required_int("big", 1, 99).ok());
    EXPECT_EQ(body.required_int("whole", 1, 99).value(), 3);
}

TEST(JsonBody, ConvertsMoneyExactlyToCents) {
    auto body =
        JsonBody::parse(
            json_request(R"({"a":5999,"b":0.1,"c":"12.34","d":1.234,"e":true,"f":-1})"), {"a", "b", "c", "d", "e", "f"}
        )
            .value();
    EXPECT_EQ(body.required_money("a", 1, 1'000'000'000).value(), 599900);
    EXPECT_EQ(body.required_money("b", 1, 1'000'000'000).value(), 10);
    EXPECT_EQ(body.required_money("c", 1, 1'000'000'000).value(), 1234);
    EXPECT_FALSE(body.required_money("d", 1, 1'000'000'000).ok());
    EXPECT_FALSE(body.required_money("e", 1, 1'000'000'000).ok());
    EXPECT_FALSE(body.required_money("f", 1, 1'000'000'000).ok());
}

TEST(QueryParams, ParseIntegersWithinRange) {
    Request req;
    req.query = {{"page", "2"}, {"page_size", "101"}, {"bad", "x1"}};
    EXPECT_EQ(query_int(req, "page", 1, 1, 1000).value(), 2);
    EXPECT_EQ(query_int(req, "missing", 7, 1, 1000).value(), 7);
    EXPECT_EQ(query_int(req, "page_size", 20, 1, 100).error().field, "page_size");
    EXPECT_FALSE(query_int(req, "bad", 1, 1, 100).ok());
}

TEST(PathId, AcceptsOnlyPositiveIntegers) {
    Request req;
    req.path_params = {{"id", "42"}, {"neg", "-1"}, {"abc", "abc"}, {"huge", "99999999999999999999"}};
    EXPECT_EQ(path_id(req, "id").value(), 42);
    EXPECT_FALSE(path_id(req, "neg").ok());
    EXPECT_FALSE(path_id(req, "abc").ok());
    EXPECT_FALSE(path_id(req, "huge").ok());
}

}  // namespace
}  // namespace gomall::http
