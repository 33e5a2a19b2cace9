// libFuzzer target: the multipart/form-data parser (http/multipart) as the upload routes use it.
// Input: a Content-Type line, then one byte that sets the chunk size, then the body. The body is
// parsed twice, whole and in chunks of that size (the parser is incremental and keeps state across
// chunks): both must agree on the outcome, the error and every part. Small limits, so the
// too-large and too-many paths are reached with short inputs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.hpp"

namespace {

using gomall::http::MultipartLimits;
using gomall::http::MultipartParser;
using gomall::http::MultipartPart;

bool same_parts(std::vector<MultipartPart>& a, std::vector<MultipartPart>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const MultipartPart& x, const MultipartPart& y) {
        return x.name == y.name && x.filename == y.filename && x.content_type == y.content_type && x.body == y.body;
    });
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos || newline + 1 >= input.size()) {
        return 0;
    }
    const auto boundary = gomall::http::multipart_boundary(input.substr(0, newline));
    if (!boundary || boundary->empty()) {
        return 0;
    }
    const std::size_t chunk = 1 + static_cast<unsigned char>(input[newline + 1]) % 97;
    const std::string_view body = input.substr(newline + 2);

    MultipartLimits limits;
    limits.max_parts = 4;
    limits.max_part_bytes = 300;
    limits.max_header_bytes = 200;
    limits.max_header_count = 4;

    MultipartParser whole(*boundary, limits);
    const bool whole_ok = whole.feed(body) && whole.finish();

    MultipartParser pieces(*boundary, limits);
    bool pieces_ok = true;
    for (std::size_t at = 0; at < body.size() && pieces_ok; at += chunk) {
        pieces_ok = pieces.feed(body.substr(at, chunk));
    }
    pieces_ok = pieces_ok && pieces.finish();

    if (whole_ok != pieces_ok || whole.error() != pieces.error()) {
        std::abort();
    }
    if (whole_ok && !same_parts(whole.parts(), pieces.parts())) {
        std::abort();
    }
    return 0;
}
