#include "app/logging.hpp"

#include <chrono>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/log_context.hpp"
#include "core/time.hpp"

namespace gomall::app {
namespace {

void append_json_string(spdlog::memory_buf_t& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
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
                if (static_cast<unsigned char>(c) < 0x20) {
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
        formatter->add_flag<TraceFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v%*");
        logger->set_formatter(std::move(formatter));
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace gomall::app
