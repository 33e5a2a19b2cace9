// A multipart/form-data parser (RFC 7578 over RFC 2046) of our own. It is incremental: feed() takes
// the body in chunks of any size and keeps its state between them, so the same code could read a
// body from the socket; today the upload handler feeds the whole body, already in memory, at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gomall::http {

struct MultipartLimits {
    std::size_t max_parts = 9;
    std::size_t max_part_bytes = std::size_t{5} * 1024 * 1024;  // one part's content
    std::size_t max_header_bytes = 4096;                        // one part's header block
    std::size_t max_header_count = 8;                           // header lines of one part
};

struct MultipartPart {
    std::string name;                     // Content-Disposition name=
    std::optional<std::string> filename;  // Content-Disposition filename=, when present (never trusted)
    std::string content_type;             // as sent, or "" (the client's claim, never trusted)
    std::string body;
};

enum class MultipartError {
    kNone,
    kMalformed,       // framing, headers or Content-Disposition broken; body ends early
    kPartTooLarge,    // a part's content over max_part_bytes
    kTooManyParts,    // more than max_parts parts
    kHeaderTooLarge,  // a part's header block over max_header_bytes
    kTooManyHeaders,  // a part with more than max_header_count header lines
};

class MultipartParser {
public:
    /// `boundary` as returned by multipart_boundary() (without the leading "--").
    MultipartParser(std::string_view boundary, MultipartLimits limits);

    /// Consumes the next chunk. False once the body is known to be bad (see error()); later calls
    /// do nothing. Bytes after the closing boundary (the epilogue) are ignored.
    bool feed(std::string_view chunk);
    /// Call after the last chunk: true when the closing boundary was seen and nothing went wrong.
    bool finish();

    MultipartError error() const { return error_; }
    /// A sentence saying what was wrong, for the client ("part 2: header line without a colon").
    const std::string& error_detail() const { return detail_; }
    /// The complete parts, in order.
    std::vector<MultipartPart>& parts() { return parts_; }

private:
    enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kEpilogue, kFailed };

    bool fail(MultipartError error, std::string detail);
    bool step();  // one transition on buffered input; false when it needs more input or failed
    bool read_preamble();
    bool read_after_delimiter();
    bool read_header_line();
    bool read_body();
    bool begin_body();
    bool add_header(std::string_view line);
    std::string part_label() const;

    std::string delimiter_;  // "\r\n--" + boundary
    MultipartLimits limits_;
    State state_ = State::kPreamble;
    MultipartError error_ = MultipartError::kNone;
    std::string detail_;
    std::string buffer_;    // input left over from earlier chunks
    std::string_view in_;   // the input being read during feed(): buffer_ or the chunk itself
    bool at_start_ = true;  // nothing of the body consumed yet
    std::vector<MultipartPart> parts_;
    MultipartPart current_;
    bool has_disposition_ = false;
    bool has_content_type_ = false;
    std::size_t header_bytes_ = 0;
    std::size_t header_count_ = 0;
};

/// The boundary parameter of a multipart/form-data Content-Type: nullopt when the media type is
/// something else. An empty string when the type is right but the boundary is missing or not a
/// valid RFC 2046 boundary (1-70 characters of the allowed set, not ending in a space).
std::optional<std::string> multipart_boundary(std::string_view content_type);

}  // namespace gomall::http
