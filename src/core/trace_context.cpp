// W3C traceparent parsing and formatting, and random trace and span ids.
#include "core/trace_context.hpp"

#include <algorithm>
#include <random>

namespace gomall {
namespace {

constexpr std::string_view kDigits = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;  // upper case is invalid in traceparent
}

template <std::size_t N>
bool read_hex(std::string_view text, std::array<std::uint8_t, N>& out) {
    if (text.size() != N * 2) {
        return false;
    }
    for (std::size_t i = 0; i < N; ++i) {
        const int high = hex_value(text[2 * i]);
        const int low = hex_value(text[(2 * i) + 1]);
        if (high < 0 || low < 0) {
            return false;
        }
        out[i] = static_cast<std::uint8_t>((high << 4) | low);
    }
    return true;
}

template <std::size_t N>
bool all_zero(const std::array<std::uint8_t, N>& id) {
    return std::all_of(id.begin(), id.end(), [](std::uint8_t b) { return b == 0; });
}

std::mt19937_64& engine() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return generator;
}

template <std::size_t N>
std::array<std::uint8_t, N> random_id() {
    std::array<std::uint8_t, N> id{};
    do {
        for (std::size_t i = 0; i < N; i += 8) {
            auto word = engine()();
            for (std::size_t j = i; j < std::min(N, i + 8); ++j) {
                id[j] = static_cast<std::uint8_t>(word & 0xffU);
                word >>= 8U;
            }
        }
    } while (all_zero(id));
    return id;
}

}  // namespace

bool TraceContext::valid() const {
    return !all_zero(trace_id) && !all_zero(span_id);
}

std::optional<TraceContext> parse_traceparent(std::string_view header) {
    // version(2)-trace(32)-parent(16)-flags(2)[-future fields]
    constexpr std::size_t kLength = 55;
    if (header.size() < kLength || header[2] != '-' || header[35] != '-' || header[52] != '-') {
        return std::nullopt;
    }
    std::array<std::uint8_t, 1> version{};
    std::array<std::uint8_t, 1> flags{};
    TraceContext context;
    if (!read_hex(header.substr(0, 2), version) || version[0] == 0xff ||
        !read_hex(header.substr(3, 32), context.trace_id) || !read_hex(header.substr(36, 16), context.span_id) ||
        !read_hex(header.substr(53, 2), flags) || !context.valid()) {
        return std::nullopt;
    }
    if (header.size() > kLength && (version[0] == 0 || header[kLength] != '-')) {
        return std::nullopt;
    }
    context.sampled = (flags[0] & 0x01U) != 0;
    return context;
}

std::string format_traceparent(const TraceContext& context) {
    return "00-" + to_hex(context.trace_id) + "-" + to_hex(context.span_id) + (context.sampled ? "-01" : "-00");
}

std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4U];
        out[(2 * i) + 1] = kDigits[bytes[i] & 0xfU];
    }
    return out;
}

TraceId random_trace_id() {
    return random_id<16>();
}

SpanId random_span_id() {
    return random_id<8>();
}

}  // namespace gomall
