// Writes the OTLP JSON by hand: the format is fixed and small, and this keeps it one pass with
// no intermediate document.
#include "adapters/otlp/otlp_json.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <variant>

namespace gomall::adapters::otlp {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

/// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80U) {
        return 1;
    }
    std::size_t n = 0;
    unsigned char low = 0x80U;
    unsigned char high = 0xBFU;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        n = 2;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        n = 3;
        low = b0 == 0xE0U ? 0xA0U : 0x80U;   // no overlong forms
        high = b0 == 0xEDU ? 0x9FU : 0xBFU;  // no surrogates
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        n = 4;
        low = b0 == 0xF0U ? 0x90U : 0x80U;
        high = b0 == 0xF4U ? 0x8FU : 0xBFU;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < n) {
        return 0;
    }
    const auto b1 = static_cast<unsigned char>(s[1]);
    if (b1 < low || b1 > high) {
        return 0;
    }
    for (std::size_t i = 2; i < n; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80U || b > 0xBFU) {
            return 0;
        }
    }
    return n;
}

void append_key(std::string& out, std::string_view key) {
    append_json_string(out, key);
    out += ':';
}

void append_quoted_number(std::string& out, std::int64_t value) {
    out += '"';
    out += std::to_string(value);
    out += '"';
}

void append_value(std::string& out, const ports::AttributeValue& value) {
    out += '{';
    if (const auto* s = std::get_if<std::string>(&value)) {
        append_key(out, "stringValue");
        append_json_string(out, *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
        append_key(out, "intValue");
        append_quoted_number(out, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
        append_key(out, "doubleValue");
        if (std::isnan(*d)) {
            out += "\"NaN\"";
        } else if (std::isinf(*d)) {
            out += *d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        } else {
            std::array<char, 32> buffer{};
            const auto written = std::snprintf(buffer.data(), buffer.size(), "%.17g", *d);
            out.append(buffer.data(), static_cast<std::size_t>(written));
        }
    } else {
        append_key(out, "boolValue");
        out += std::get<bool>(value) ? "true" : "false";
    }
    out += '}';
}

void append_attribute(std::string& out, std::string_view key, const ports::AttributeValue& value) {
    out += '{';
    append_key(out, "key");
    append_json_string(out, key);
    out += ',';
    append_key(out, "value");
    append_value(out, value);
    out += '}';
}

void append_span(std::string& out, const ports::SpanRecord& span) {
    out += '{';
    append_key(out, "traceId");
    out += '"' + to_hex(span.context.trace_id) + "\",";
    append_key(out, "spanId");
    out += '"' + to_hex(span.context.span_id) + "\",";
    if (std::any_of(span.parent_span_id.begin(), span.parent_span_id.end(), [](std::uint8_t b) { return b != 0; })) {
        append_key(out, "parentSpanId");
        out += '"' + to_hex(span.parent_span_id) + "\",";
    }
    append_key(out, "name");
    append_json_string(out, span.name);
    out += ',';
    append_key(out, "kind");
    out += std::to_string(static_cast<int>(span.kind));
    out += ',';
    append_key(out, "startTimeUnixNano");
    append_quoted_number(out, span.start_unix_nanos);
    out += ',';
    append_key(out, "endTimeUnixNano");
    append_quoted_number(out, span.end_unix_nanos);
    out += ',';
    append_key(out, "attributes");
    out += '[';
    for (std::size_t i = 0; i < span.attributes.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_attribute(out, span.attributes[i].first, span.attributes[i].second);
    }
    out += "],";
    append_key(out, "status");
    out += '{';
    append_key(out, "code");
    out += std::to_string(static_cast<int>(span.status));
    if (!span.status_message.empty()) {
        out += ',';
        append_key(out, "message");
        append_json_string(out, span.status_message);
    }
    out += "}}";
}

}  // namespace

void append_json_string(std::string& out, std::string_view text, std::size_t max_bytes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    out += '"';
    std::size_t used = 0;
    while (!text.empty()) {
        const auto n = utf8_sequence(text);
        if (used + std::max<std::size_t>(n, 1) > max_bytes) {
            break;
        }
        if (n == 0) {
            out += kReplacement;
            text.remove_prefix(1);
            ++used;
            continue;
        }
        const char c = text[0];
        if (n == 1 && (c == '"' || c == '\\')) {
            out += '\\';
            out += c;
        } else if (n == 1 && static_cast<unsigned char>(c) < 0x20U) {
            out += "\\u00";
            out += kDigits[static_cast<unsigned char>(c) >> 4U];
            out += kDigits[static_cast<unsigned char>(c) & 0xfU];
        } else {
            out.append(text.substr(0, n));
        }
        text.remove_prefix(n);
        used += n;
    }
    out += '"';
}

std::string encode_otlp_json(
    const Resource& resource, std::string_view scope_name, const std::vector<std::unique_ptr<ports::SpanRecord>>& spans
) {
    std::string out;
    out.reserve(256 + spans.size() * 512);
    out += R"({"resourceSpans":[{"resource":{"attributes":[)";
    append_attribute(out, "service.name", resource.service_name);
    out += ',';
    append_attribute(out, "service.version", resource.service_version);
    out += ',';
    append_attribute(out, "service.instance.id", resource.instance_id);
    out += R"(]},"scopeSpans":[{"scope":{"name":)";
    append_json_string(out, scope_name);
    out += R"(},"spans":[)";
    bool first = true;
    for (const auto& span : spans) {
        if (!span) {
            continue;
        }
        if (!first) {
            out += ',';
        }
        first = false;
        append_span(out, *span);
    }
    out += "]}]}]}";
    return out;
}

}  // namespace gomall::adapters::otlp
