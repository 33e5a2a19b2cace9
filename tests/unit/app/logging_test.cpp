// Whatever a message was built from, each log record is exactly one line: text lines escape
// control characters, JSON lines are valid JSON even for bytes that are not UTF-8.
#include "app/logging.hpp"

#include <sstream>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace gomall::app {
namespace {

using namespace std::string_literals;

std::string logged(const std::string& format, const std::string& message) {
    setup_logging("info", format);
    testing::internal::CaptureStdout();
    spdlog::info("{}", message);
    spdlog::default_logger()->flush();
    return testing::internal::GetCapturedStdout();
}

TEST(LoggingTest, TextLinesEscapeControlCharactersSoNoMessageForgesALine) {
    const auto out = logged("text", "access path=/a\n2026-01-01 00:00:00.000 info  access path=/forged\r\0\x1b[2J"s);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
    EXPECT_EQ(out.find('\r'), std::string::npos);
    EXPECT_EQ(out.find('\0'), std::string::npos);
    EXPECT_EQ(out.find('\x1b'), std::string::npos);
    EXPECT_NE(out.find("/a\\x0a2026-01-01"), std::string::npos) << out;
}

TEST(LoggingTest, JsonLinesStayValidJsonForControlCharactersAndBrokenUtf8) {
    const auto message = "path=/a\n\"quoted\"\0\x7f \xff\xfe \xc0\xaf \xed\xa0\x80 ok \xe4\xb8\xad"s;
    const auto out = logged("json", message);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
    const auto parsed = boost::json::parse(out);
    const std::string msg(parsed.at("msg").as_string());
    EXPECT_EQ(msg.substr(0, 18), "path=/a\n\"quoted\"\0\x7f"s);
    EXPECT_NE(msg.find("\xef\xbf\xbd\xef\xbf\xbd"), std::string::npos);  // U+FFFD for each stray byte
    EXPECT_NE(msg.find("ok \xe4\xb8\xad"), std::string::npos);           // valid UTF-8 kept as is
}

}  // namespace
}  // namespace gomall::app
