#include "http/response_head.hpp"

#include <algorithm>
#include <charconv>

namespace gomall::http {
namespace {

// RFC 9110 5.6.2: tchar.
bool token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return kSymbols.find(c) != std::string_view::npos;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
               };
               return lower(x) == lower(y);
           });
}

// Fields the server frames itself: a handler's copy would contradict the real framing.
bool framing_field(std::string_view name) {
    return iequals_ascii(name, "content-length") || iequals_ascii(name, "transfer-encoding") ||
           iequals_ascii(name, "connection") || iequals_ascii(name, "server") || iequals_ascii(name, "date");
}

void append_number(std::string& out, std::size_t n) {
    char digits[24];
    const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), n);
    out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

}  // namespace

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 206:
            return "Partial Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 402:
            return "Payment Required";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Payload Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Range Not Satisfiable";
        case 417:
            return "Expectation Failed";
        case 422:
            return "Unprocessable Entity";
        case 426:
            return "Upgrade Required";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

bool safe_header_field(std::string_view name, std::string_view value) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), token_char)) {
        return false;
    }
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::size_t append_response_head(std::string& out, const Response& res, const ResponseHeadOptions& options) {
    const int status = res.status >= 100 && res.status <= 999 ? res.status : 500;
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<std::size_t>(status));
    out.push_back(' ');
    out.append(reason_phrase(status));
    out.append("\r\nServer: gomall\r\n");
    if (!options.date.empty()) {
        append_field(out, "Date", options.date);
    }
    std::size_t skipped = 0;
    if (!res.content_type.empty()) {
        if (safe_header_field("Content-Type", res.content_type)) {
            append_field(out, "Content-Type", res.content_type);
        } else {
            ++skipped;
        }
    }
    for (const auto& [name, value] : res.headers) {
        if (framing_field(name) || (!res.content_type.empty() && iequals_ascii(name, "content-type")) ||
            !safe_header_field(name, value)) {
            ++skipped;
            continue;
        }
        append_field(out, name, value);
    }
    // RFC 9110 8.6: no Content-Length on 1xx and 204.
    if (status >= 200 && status != 204) {
        out.append("Content-Length: ");
        append_number(out, res.body.size());
        out.append("\r\n");
    }
    if (!options.keep_alive) {
        out.append("Connection: close\r\n");
    }
    out.append("\r\n");
    return skipped;
}

}  // namespace gomall::http
