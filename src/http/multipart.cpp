#include "http/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace gomall::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// Whitespace allowed between a boundary and its CRLF ("transport padding") is bounded so that a
// line that never ends cannot grow the buffer.
constexpr std::size_t kMaxPaddingBytes = 256;
constexpr std::size_t kMaxBoundaryLength = 70;

bool is_tchar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

using Params = std::vector<std::pair<std::string, std::string>>;

// `value` is `type *( OWS ";" OWS name "=" ( token / quoted-string ) )`. Returns the lower-cased
// type and the parameters (names lower-cased); nullopt when malformed or a parameter is named
// twice (two readers could pick different copies).
std::optional<std::pair<std::string, Params>> parse_header_value(std::string_view value) {
    value = trim(value);
    const auto semi = value.find(';');
    const auto type = trim(value.substr(0, semi));
    if (type.empty()) {
        return std::nullopt;
    }
    Params params;
    std::string_view rest = semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
    while (true) {
        rest = trim(rest);
        if (rest.empty()) {
            break;
        }
        if (rest.front() != ';') {
            return std::nullopt;
        }
        rest = trim(rest.substr(1));
        if (rest.empty()) {
            break;  // a trailing ";" is harmless
        }
        std::size_t n = 0;
        while (n < rest.size() && is_tchar(rest[n])) {
            ++n;
        }
        if (n == 0 || n >= rest.size() || rest[n] != '=') {
            return std::nullopt;
        }
        std::string name = lower(rest.substr(0, n));
        rest.remove_prefix(n + 1);
        std::string param_value;
        if (!rest.empty() && rest.front() == '"') {
            std::size_t i = 1;
            bool closed = false;
            for (; i < rest.size(); ++i) {
                if (rest[i] == '\\' && i + 1 < rest.size()) {
                    param_value += rest[++i];
                } else if (rest[i] == '"') {
                    closed = true;
                    break;
                } else {
                    param_value += rest[i];
                }
            }
            if (!closed) {
                return std::nullopt;
            }
            rest.remove_prefix(i + 1);
        } else {
            std::size_t m = 0;
            while (m < rest.size() && rest[m] != ';' && !is_ows(rest[m])) {
                ++m;
            }
            if (m == 0) {
                return std::nullopt;
            }
            param_value = std::string(rest.substr(0, m));
            rest.remove_prefix(m);
        }
        const bool repeated = std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
        if (repeated) {
            return std::nullopt;
        }
        params.emplace_back(std::move(name), std::move(param_value));
    }
    return std::make_pair(lower(type), std::move(params));
}

const std::string* find_param(const Params& params, std::string_view name) {
    for (const auto& [key, value] : params) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

bool valid_boundary(std::string_view b) {
    // RFC 2046 bchars: DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?" / " "
    if (b.empty() || b.size() > kMaxBoundaryLength || b.back() == ' ') {
        return false;
    }
    return std::all_of(b.begin(), b.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
    });
}

bool has_control_character(std::string_view line) {
    return std::any_of(line.begin(), line.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    const auto parsed = parse_header_value(content_type);
    if (!parsed) {
        // The type may still be multipart/form-data with broken parameters: that is a bad
        // multipart request, not another media type.
        const auto type = lower(trim(content_type.substr(0, content_type.find(';'))));
        return type == "multipart/form-data" ? std::optional<std::string>(std::string()) : std::nullopt;
    }
    if (parsed->first != "multipart/form-data") {
        return std::nullopt;
    }
    const auto* boundary = find_param(parsed->second, "boundary");
    if (boundary == nullptr || !valid_boundary(*boundary)) {
        return std::string();
    }
    return *boundary;
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartLimits limits)
    : delimiter_("\r\n--" + std::string(boundary)), limits_(limits) {}

bool MultipartParser::fail(MultipartError error, std::string detail) {
    state_ = State::kFailed;
    error_ = error;
    detail_ = std::move(detail);
    buffer_.clear();
    buffer_.shrink_to_fit();
    current_ = {};
    return false;
}

std::string MultipartParser::part_label() const {
    return "part " + std::to_string(parts_.size() + 1);
}

bool MultipartParser::feed(std::string_view chunk) {
    if (state_ == State::kFailed) {
        return false;
    }
    if (state_ == State::kEpilogue) {
        return true;
    }
    // The input is read in place when nothing is left over from the previous chunk, so a body fed
    // in one call is not copied once more; only an unfinished tail is kept in buffer_.
    const bool in_place = buffer_.empty();
    if (!in_place) {
        buffer_.append(chunk);
    }
    in_ = in_place ? chunk : std::string_view(buffer_);
    while (step()) {
    }
    if (state_ == State::kFailed) {
        return false;
    }
    if (state_ == State::kEpilogue) {
        buffer_.clear();
    } else if (in_place) {
        buffer_.assign(in_);
    } else {
        buffer_.erase(0, buffer_.size() - in_.size());
    }
    in_ = {};
    return true;
}

bool MultipartParser::finish() {
    if (state_ == State::kFailed) {
        return false;
    }
    if (state_ == State::kEpilogue) {
        return true;
    }
    if (state_ == State::kPreamble) {
        return fail(MultipartError::kMalformed, "no part starts with the boundary given in Content-Type");
    }
    return fail(MultipartError::kMalformed, "the body ends before the closing boundary");
}

bool MultipartParser::step() {
    switch (state_) {
        case State::kPreamble:
            return read_preamble();
        case State::kAfterDelimiter:
            return read_after_delimiter();
        case State::kHeaders:
            return read_header_line();
        case State::kBody:
            return read_body();
        case State::kEpilogue:
            in_ = {};  // ignored
            return false;
        case State::kFailed:
            return false;
    }
    return false;
}

bool MultipartParser::read_preamble() {
    // The first boundary may open the body without the CRLF that precedes every later one.
    const std::string_view dash_boundary = std::string_view(delimiter_).substr(kCrlf.size());
    if (at_start_) {
        if (in_.size() < dash_boundary.size()) {
            if (dash_boundary.substr(0, in_.size()) == in_) {
                return false;  // could still become the boundary
            }
            at_start_ = false;
        } else {
            at_start_ = false;
            if (in_.substr(0, dash_boundary.size()) == dash_boundary) {
                in_.remove_prefix(dash_boundary.size());
                state_ = State::kAfterDelimiter;
                return true;
            }
        }
    }
    const auto pos = in_.find(delimiter_);
    if (pos == std::string_view::npos) {
        // The preamble is discarded; keep only what may be the start of the delimiter.
        const std::size_t keep = std::min(in_.size(), delimiter_.size() - 1);
        in_.remove_prefix(in_.size() - keep);
        return false;
    }
    in_.remove_prefix(pos + delimiter_.size());
    state_ = State::kAfterDelimiter;
    return true;
}

bool MultipartParser::read_after_delimiter() {
    if (in_.size() < 2) {
        return false;
    }
    if (in_.substr(0, 2) == "--") {
        state_ = State::kEpilogue;
        in_ = {};
        return false;
    }
    const auto eol = in_.find(kCrlf);
    if (eol == std::string_view::npos) {
        if (in_.size() > kMaxPaddingBytes) {
            return fail(MultipartError::kMalformed, "a boundary line does not end");
        }
        return false;
    }
    const auto padding = in_.substr(0, eol);
    if (!std::all_of(padding.begin(), padding.end(), is_ows)) {
        return fail(MultipartError::kMalformed, "text follows a boundary on its line");
    }
    in_.remove_prefix(eol + kCrlf.size());
    if (parts_.size() >= limits_.max_parts) {
        return fail(
            MultipartError::kTooManyParts, "more than " + std::to_string(limits_.max_parts) + " parts in one request"
        );
    }
    current_ = {};
    has_disposition_ = false;
    has_content_type_ = false;
    header_bytes_ = 0;
    header_count_ = 0;
    state_ = State::kHeaders;
    return true;
}

bool MultipartParser::read_header_line() {
    const auto eol = in_.find(kCrlf);
    const std::size_t line_bytes = eol == std::string_view::npos ? in_.size() : eol + kCrlf.size();
    if (header_bytes_ + line_bytes > limits_.max_header_bytes) {
        return fail(
            MultipartError::kHeaderTooLarge,
            part_label() + ": headers over " + std::to_string(limits_.max_header_bytes) + " bytes"
        );
    }
    if (eol == std::string_view::npos) {
        return false;
    }
    header_bytes_ += line_bytes;
    const auto line = in_.substr(0, eol);
    in_.remove_prefix(line_bytes);
    if (line.empty()) {
        return begin_body();
    }
    return add_header(line);
}

bool MultipartParser::add_header(std::string_view line) {
    if (++header_count_ > limits_.max_header_count) {
        return fail(
            MultipartError::kTooManyHeaders,
            part_label() + ": more than " + std::to_string(limits_.max_header_count) + " header lines"
        );
    }
    if (has_control_character(line)) {
        return fail(MultipartError::kMalformed, part_label() + ": a control character in a header");
    }
    const auto colon = line.find(':');
    const auto name_view = line.substr(0, colon);
    // No leading whitespace (obsolete line folding) and a plain token as the name.
    if (colon == std::string_view::npos || name_view.empty() ||
        !std::all_of(name_view.begin(), name_view.end(), is_tchar)) {
        return fail(MultipartError::kMalformed, part_label() + ": a header line is not 'Name: value'");
    }
    const std::string name = lower(name_view);
    const auto value = trim(line.substr(colon + 1));
    if (name == "content-type") {
        if (has_content_type_) {
            return fail(MultipartError::kMalformed, part_label() + ": Content-Type given twice");
        }
        has_content_type_ = true;
        current_.content_type = std::string(value);
        return true;
    }
    if (name != "content-disposition") {
        return true;  // other part headers mean nothing to a form
    }
    if (has_disposition_) {
        return fail(MultipartError::kMalformed, part_label() + ": Content-Disposition given twice");
    }
    has_disposition_ = true;
    const auto parsed = parse_header_value(value);
    if (!parsed || parsed->first != "form-data") {
        return fail(
            MultipartError::kMalformed, part_label() + ": Content-Disposition is not form-data with parameters"
        );
    }
    if (const auto* field = find_param(parsed->second, "name")) {
        current_.name = *field;
    }
    if (const auto* filename = find_param(parsed->second, "filename")) {
        current_.filename = *filename;
    }
    return true;
}

bool MultipartParser::begin_body() {
    if (!has_disposition_ || current_.name.empty()) {
        return fail(
            MultipartError::kMalformed, part_label() + ": no field name (Content-Disposition: form-data; name=...)"
        );
    }
    state_ = State::kBody;
    return true;
}

bool MultipartParser::read_body() {
    const auto pos = in_.find(delimiter_);
    // Without a delimiter in sight, everything but a possible start of one is content.
    const std::size_t content =
        pos != std::string_view::npos ? pos : in_.size() - std::min(in_.size(), delimiter_.size() - 1);
    if (current_.body.size() + content > limits_.max_part_bytes) {
        return fail(
            MultipartError::kPartTooLarge,
            part_label() + " (" + current_.name + "): over " + std::to_string(limits_.max_part_bytes) + " bytes"
        );
    }
    current_.body.append(in_.substr(0, content));
    in_.remove_prefix(content);
    if (pos == std::string_view::npos) {
        return false;
    }
    in_.remove_prefix(delimiter_.size());
    parts_.push_back(std::move(current_));
    current_ = {};
    state_ = State::kAfterDelimiter;
    return true;
}

}  // namespace gomall::http
