#include "app/logging.hpp"

#include <chrono>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/log_context.hpp"
#include "core/log_escape.hpp"
#include "core/time.hpp"

namespace gomall::app {
namespace {

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 if it is not one (stray
// continuation bytes, overlong forms, surrogates, truncation).
std::size_t utf8_sequence_length(std::string_view s) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t length = 0;
    unsigned min = 0;
    unsigned code = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        length = 2, min = 0x80, code = b0 & 0x1fU;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        length = 3, min = 0x800, code = b0 & 0x0fU;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        length = 4, min = 0x10000, code = b0 & 0x07U;
    } else {
        return 0;
    }
    if (s.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xc0U) != 0x80U) {
            return 0;
        }
        code = (code << 6U) | (b & 0x3fU);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return 0;
    }
    return length;
}

// A JSON string; bytes that are not valid UTF-8 become U+FFFD so every line stays valid JSON.
void append_json_string(spdlog::memory_buf_t& out, std::string_view s) {
    out.push_back('"');
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const std::size_t length = utf8_sequence_length(s.substr(i));
            if (length == 0) {
                out.append(std::string_view("\\ufffd"));
            } else {
                out.append(s.substr(i, length));
                i += length - 1;
            }
            continue;
        }
        switch (c) {
            case '"':
                out.append(std::string_view("\\\""));
                break;
            case '\\':
                out.append(std::string_view("\\\\"));
                break;
            case '\n':
                out.append(std::string_view("\\n"));
                break;
            case '\r':
                out.append(std::string_view("\\r"));
                break;
            case '\t':
                out.append(std::string_view("\\t"));
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    const auto u = static_cast<unsigned char>(c);
                    const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4U], kHex[u & 0xfU]};
                    out.append(esc, esc + 6);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

// {"time":"...","level":"info","msg":"...","trace_id":"..."} per line.
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto millis =
            std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
        std::string time = format_iso8601(std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time));
        time.insert(time.size() - 1, fmt::format(".{:03d}", millis));
        dest.append(std::string_view("{\"time\":"));
        append_json_string(dest, time);
        dest.append(std::string_view(",\"level\":"));
        const auto level = spdlog::level::to_string_view(msg.level);
        append_json_string(dest, std::string_view(level.data(), level.size()));
        dest.append(std::string_view(",\"msg\":"));
        append_json_string(dest, std::string_view(msg.payload.data(), msg.payload.size()));
        const auto trace = LogContext::trace_id();
        if (!trace.empty()) {
            dest.append(std::string_view(",\"trace_id\":"));
            append_json_string(dest, trace);
        }
        dest.append(std::string_view("}\n"));
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// The message with control characters escaped, so no message can end its line or forge the next.
class EscapedMessageFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string text;
        append_without_control_chars(text, std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(text);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessageFlag>(); }
};

// Adds " trace_id=..." to text lines when a request is being served.
class TraceFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
        const auto trace = LogContext::trace_id();
        if (!trace.empty()) {
            dest.append(std::string_view(" trace_id="));
            dest.append(trace);
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<TraceFlag>(); }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("gomall", sink);
    if (format == "json") {
        logger->set_formatter(std::make_unique<JsonFormatter>());
    } else {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<TraceFlag>('*').add_flag<EscapedMessageFlag>('V').set_pattern(
            "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %V%*"
        );
        logger->set_formatter(std::move(formatter));
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace gomall::app
