#include "http/response_head.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "http/http_date.hpp"

namespace gomall::http {
namespace {

std::string head_of(const Response& res, bool keep_alive = true, std::string_view date = {}) {
    std::string out;
    append_response_head(out, res, ResponseHeadOptions{.keep_alive = keep_alive, .date = date});
    return out;
}

TEST(ResponseHead, WritesStatusLineFieldsLengthAndBlankLine) {
    Response res;
    res.body = R"({"code":0})";
    res.set_header("X-Frame-Options", "DENY");
    EXPECT_EQ(
        head_of(res, true, "Sun, 06 Nov 1994 08:49:37 GMT"),
        "HTTP/1.1 200 OK\r\nServer: gomall\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        "Content-Type: application/json\r\nX-Frame-Options: DENY\r\nContent-Length: 10\r\n\r\n"
    );
}

TEST(ResponseHead, SaysConnectionCloseOnlyWhenTheConnectionEnds) {
    Response res;
    EXPECT_EQ(head_of(res, true).find("Connection:"), std::string::npos);
    EXPECT_NE(head_of(res, false).find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(ResponseHead, GivesNoLengthToNoContent) {
    Response res;
    res.status = 204;
    res.content_type.clear();
    EXPECT_EQ(head_of(res), "HTTP/1.1 204 No Content\r\nServer: gomall\r\n\r\n");
}

TEST(ResponseHead, LeavesOutHeadersThatCouldSplitTheResponse) {
    Response res;
    res.headers.emplace_back("X-Echo", "a\r\nSet-Cookie: stolen=1");
    res.headers.emplace_back("X-Nul", std::string("a\0b", 3));
    res.headers.emplace_back("Bad Name", "x");
    res.headers.emplace_back("", "x");
    res.headers.emplace_back("X-Fine", "ok");
    std::string out;
    EXPECT_EQ(append_response_head(out, res, {}), 4U);
    EXPECT_EQ(out.find("stolen"), std::string::npos);
    EXPECT_EQ(out.find("X-Nul"), std::string::npos);
    EXPECT_EQ(out.find("Bad Name"), std::string::npos);
    EXPECT_NE(out.find("\r\nX-Fine: ok\r\n"), std::string::npos);
}

TEST(ResponseHead, KeepsFramingInTheServersHands) {
    Response res;
    res.body = "abc";
    res.headers.emplace_back("Content-Length", "999");
    res.headers.emplace_back("transfer-encoding", "chunked");
    res.headers.emplace_back("Connection", "keep-alive");
    res.headers.emplace_back("Content-Type", "text/html");
    const auto out = head_of(res);
    EXPECT_EQ(out.find("999"), std::string::npos);
    EXPECT_EQ(out.find("chunked"), std::string::npos);
    EXPECT_EQ(out.find("keep-alive"), std::string::npos);
    EXPECT_EQ(out.find("text/html"), std::string::npos);
    EXPECT_NE(out.find("\r\nContent-Length: 3\r\n"), std::string::npos);
}

TEST(ResponseHead, NamesEveryStatusTheShopAnswers) {
    for (int status : {200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 413, 414, 429, 431, 500, 503}) {
        EXPECT_NE(reason_phrase(status), "Unknown") << status;
    }
    EXPECT_EQ(reason_phrase(299), "Unknown");
}

TEST(ResponseHead, AnswersAnImpossibleStatusAs500) {
    Response res;
    res.status = 42;
    EXPECT_EQ(head_of(res).rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0U);
}

TEST(HttpDate, FormatsImfFixdate) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
    EXPECT_EQ(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDate, CacheChangesWithTheSecond) {
    HttpDateCache cache;
    const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
    cache.refresh(t);
    EXPECT_EQ(cache.value(), "Sun, 06 Nov 1994 08:49:37 GMT");
    cache.refresh(t + std::chrono::milliseconds(999));
    EXPECT_EQ(cache.value(), "Sun, 06 Nov 1994 08:49:37 GMT");
    cache.refresh(t + std::chrono::seconds(1));
    EXPECT_EQ(cache.value(), "Sun, 06 Nov 1994 08:49:38 GMT");
}

}  // namespace
}  // namespace gomall::http
