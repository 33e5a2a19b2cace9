#include "http/multipart.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

using namespace std::string_literals;

const std::string kBoundary = "----b0undary";

std::string part(const std::string& disposition, const std::string& body, const std::string& extra = "") {
    return "--" + kBoundary + "\r\nContent-Disposition: " + disposition + "\r\n" + extra + "\r\n" + body + "\r\n";
}

std::string close() {
    return "--" + kBoundary + "--\r\n";
}

// Binary content that looks like framing: CRLFs, dashes, a boundary without its leading CRLF, a
// boundary prefix, NUL bytes.
const std::string kTricky = "a\r\n--\r\n--" + kBoundary.substr(0, 6) + "\r\n\0\xff--"s + kBoundary + "x\r\n-";

struct Outcome {
    bool ok = false;
    MultipartError error = MultipartError::kNone;
    std::vector<MultipartPart> parts;
};

Outcome parse_chunks(const std::vector<std::string>& chunks, MultipartLimits limits = {}) {
    MultipartParser parser(kBoundary, limits);
    Outcome out;
    bool fed = true;
    for (const auto& c : chunks) {
        fed = parser.feed(c) && fed;
    }
    out.ok = fed && parser.finish();
    out.error = parser.error();
    out.parts = parser.parts();
    return out;
}

Outcome parse(const std::string& body, MultipartLimits limits = {}) {
    return parse_chunks({body}, limits);
}

TEST(MultipartBoundary, ReadsPlainAndQuotedBoundaries) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
    EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b'()+_,-./:=?\""), "a b'()+_,-./:=?");
    EXPECT_EQ(multipart_boundary("multipart/form-data ; charset=utf-8; boundary=x ;"), "x");
}

TEST(MultipartBoundary, OtherMediaTypesAreNotMultipart) {
    EXPECT_FALSE(multipart_boundary("application/json"));
    EXPECT_FALSE(multipart_boundary(""));
    EXPECT_FALSE(multipart_boundary("multipart/mixed; boundary=x"));
    EXPECT_FALSE(multipart_boundary("image/png"));
}

TEST(MultipartBoundary, MissingOrInvalidBoundaryIsEmpty) {
    EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\""), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"ends with space \""), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a;b"), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"unterminated"), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a; boundary=b"), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a\x01"), "");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'a')), std::string(70, 'a'));
}

TEST(MultipartParser, ReadsPartsWithNamesFileNamesAndTypes) {
    const auto body = part("form-data; name=\"file\"; filename=\"a.png\"", "PNGDATA", "Content-Type: image/png\r\n") +
                      part("form-data; name=note", "hello") + close();
    const auto out = parse(body);
    ASSERT_TRUE(out.ok);
    ASSERT_EQ(out.parts.size(), 2U);
    EXPECT_EQ(out.parts[0].name, "file");
    EXPECT_EQ(out.parts[0].filename, "a.png");
    EXPECT_EQ(out.parts[0].content_type, "image/png");
    EXPECT_EQ(out.parts[0].body, "PNGDATA");
    EXPECT_EQ(out.parts[1].name, "note");
    EXPECT_FALSE(out.parts[1].filename);
    EXPECT_EQ(out.parts[1].body, "hello");
}

TEST(MultipartParser, IgnoresPreambleAndEpilogueAndPadding) {
    const auto body = "this is a preamble\r\n--" + kBoundary +
                      " \t\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n" + "--" + kBoundary +
                      "--\r\nepilogue with --" + kBoundary + " inside";
    const auto out = parse(body);
    ASSERT_TRUE(out.ok);
    ASSERT_EQ(out.parts.size(), 1U);
    EXPECT_EQ(out.parts[0].body, "A");
}

TEST(MultipartParser, CrlfBelongsToTheDelimiterNotTheContent) {
    const auto out = parse(part("form-data; name=a", "\r\nline\r\n\r\n") + part("form-data; name=b", "") + close());
    ASSERT_TRUE(out.ok);
    EXPECT_EQ(out.parts[0].body, "\r\nline\r\n\r\n");
    EXPECT_EQ(out.parts[1].body, "");
}

TEST(MultipartParser, BinaryContentWithDashesAndCrlfSurvives) {
    const auto out = parse(part("form-data; name=\"f\"", kTricky) + close());
    ASSERT_TRUE(out.ok);
    ASSERT_EQ(out.parts.size(), 1U);
    EXPECT_EQ(out.parts[0].body, kTricky);
}

TEST(MultipartParser, EverySplitIntoTwoChunksGivesTheSameParts) {
    const auto body = "pre\r\n" + part("form-data; name=\"file\"; filename=\"x\"", kTricky, "Content-Type: a/b\r\n") +
                      part("form-data; name=second", "2") + close() + "epi";
    const auto whole = parse(body);
    ASSERT_TRUE(whole.ok);
    for (std::size_t i = 0; i <= body.size(); ++i) {
        const auto out = parse_chunks({body.substr(0, i), body.substr(i)});
        ASSERT_TRUE(out.ok) << "split at " << i;
        ASSERT_EQ(out.parts.size(), 2U) << "split at " << i;
        EXPECT_EQ(out.parts[0].body, kTricky) << "split at " << i;
        EXPECT_EQ(out.parts[0].filename, "x") << "split at " << i;
        EXPECT_EQ(out.parts[0].content_type, "a/b") << "split at " << i;
        EXPECT_EQ(out.parts[1].body, "2") << "split at " << i;
    }
}

TEST(MultipartParser, OneByteAtATime) {
    const auto body = part("form-data; name=f", kTricky) + close();
    std::vector<std::string> chunks;
    for (char c : body) {
        chunks.emplace_back(1, c);
    }
    const auto out = parse_chunks(chunks);
    ASSERT_TRUE(out.ok);
    EXPECT_EQ(out.parts.at(0).body, kTricky);
}

TEST(MultipartParser, EveryTruncationIsMalformed) {
    const auto body = part("form-data; name=f", "data") + close();
    // Without the final "--\r\n" the body has not ended; "--b0undary--" alone is enough.
    const auto complete = body.size() - 2;
    for (std::size_t i = 0; i < complete; ++i) {
        const auto out = parse(body.substr(0, i));
        EXPECT_FALSE(out.ok) << "truncated at " << i;
        EXPECT_EQ(out.error, MultipartError::kMalformed) << "truncated at " << i;
    }
    EXPECT_TRUE(parse(body.substr(0, complete)).ok);
}

TEST(MultipartParser, WrongBoundaryIsMalformed) {
    MultipartParser parser("other", {});
    EXPECT_TRUE(parser.feed(part("form-data; name=f", "x") + close()));
    EXPECT_FALSE(parser.finish());
    EXPECT_EQ(parser.error(), MultipartError::kMalformed);
    EXPECT_NE(parser.error_detail().find("boundary"), std::string::npos);
}

TEST(MultipartParser, EmptyBodyIsMalformedAndCloseOnlyHasNoParts) {
    EXPECT_EQ(parse("").error, MultipartError::kMalformed);
    const auto out = parse(close());
    EXPECT_TRUE(out.ok);
    EXPECT_TRUE(out.parts.empty());
}

TEST(MultipartParser, PartWithoutANameIsMalformed) {
    EXPECT_EQ(parse(part("form-data", "x") + close()).error, MultipartError::kMalformed);
    EXPECT_EQ(parse(part("form-data; name=\"\"", "x") + close()).error, MultipartError::kMalformed);
    EXPECT_EQ(parse(part("form-data; filename=\"a.png\"", "x") + close()).error, MultipartError::kMalformed);
    const auto no_disposition = "--" + kBoundary + "\r\nContent-Type: image/png\r\n\r\nx\r\n" + close();
    EXPECT_EQ(parse(no_disposition).error, MultipartError::kMalformed);
}

TEST(MultipartParser, BrokenHeadersAreMalformed) {
    EXPECT_EQ(parse(part("attachment; name=f", "x") + close()).error, MultipartError::kMalformed);
    EXPECT_EQ(parse(part("form-data; name=f; name=g", "x") + close()).error, MultipartError::kMalformed);
    EXPECT_EQ(parse(part("form-data; name=f", "x", "no colon\r\n") + close()).error, MultipartError::kMalformed);
    EXPECT_EQ(parse(part("form-data; name=f", "x", " folded: yes\r\n") + close()).error, MultipartError::kMalformed);
    const auto nul = part("form-data; name=f; filename=\"a\0.png\""s, "x");
    EXPECT_EQ(parse(nul + close()).error, MultipartError::kMalformed);
    const auto twice = part("form-data; name=f", "x", "Content-Disposition: form-data; name=g\r\n");
    EXPECT_EQ(parse(twice + close()).error, MultipartError::kMalformed);
    const auto text_after_boundary = "--" + kBoundary + "junk\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n";
    EXPECT_EQ(parse(text_after_boundary + close()).error, MultipartError::kMalformed);
}

TEST(MultipartParser, FileNameIsKeptVerbatimButNeverInterpreted) {
    const auto out = parse(part("form-data; name=f; filename=\"../../etc/passwd\"", "x") + close());
    ASSERT_TRUE(out.ok);
    EXPECT_EQ(out.parts[0].filename, "../../etc/passwd");
}

TEST(MultipartParser, LimitsPartCount) {
    MultipartLimits limits;
    limits.max_parts = 2;
    const auto two = part("form-data; name=a", "1") + part("form-data; name=a", "2");
    EXPECT_TRUE(parse(two + close(), limits).ok);
    const auto out = parse(two + part("form-data; name=a", "3") + close(), limits);
    EXPECT_EQ(out.error, MultipartError::kTooManyParts);
}

TEST(MultipartParser, LimitsPartSizeAtEverySplit) {
    MultipartLimits limits;
    limits.max_part_bytes = 4;
    EXPECT_TRUE(parse(part("form-data; name=a", "1234") + close(), limits).ok);
    const auto body = part("form-data; name=a", "12345") + close();
    for (std::size_t i = 0; i <= body.size(); ++i) {
        EXPECT_EQ(parse_chunks({body.substr(0, i), body.substr(i)}, limits).error, MultipartError::kPartTooLarge)
            << "split at " << i;
    }
}

TEST(MultipartParser, LimitsHeaderBytesAndLines) {
    MultipartLimits limits;
    limits.max_header_bytes = 100;
    limits.max_header_count = 3;
    EXPECT_TRUE(parse(part("form-data; name=a", "x", "A: 1\r\nB: 2\r\n") + close(), limits).ok);
    EXPECT_EQ(
        parse(part("form-data; name=a", "x", "A: 1\r\nB: 2\r\nC: 3\r\n") + close(), limits).error,
        MultipartError::kTooManyHeaders
    );
    EXPECT_EQ(
        parse(part("form-data; name=a; filename=\"" + std::string(100, 'n') + "\"", "x") + close(), limits).error,
        MultipartError::kHeaderTooLarge
    );
    // A header line that never ends is refused as soon as it passes the limit.
    MultipartParser parser(kBoundary, limits);
    EXPECT_TRUE(parser.feed("--" + kBoundary + "\r\nX-Long: "));
    EXPECT_FALSE(parser.feed(std::string(200, 'x')));
    EXPECT_EQ(parser.error(), MultipartError::kHeaderTooLarge);
}

TEST(MultipartParser, AfterAnErrorFurtherInputIsRefused) {
    MultipartLimits limits;
    limits.max_parts = 1;
    MultipartParser parser(kBoundary, limits);
    EXPECT_FALSE(parser.feed(part("form-data; name=a", "1") + part("form-data; name=b", "2")));
    EXPECT_FALSE(parser.feed(close()));
    EXPECT_FALSE(parser.finish());
    EXPECT_EQ(parser.error(), MultipartError::kTooManyParts);
}

}  // namespace
}  // namespace gomall::http
