// The path rules of the static mounts, fed the way the server feeds them: a raw request target,
// percent-decoded once by parse_target, then StaticPath::parse.
#include "http/static_path.hpp"

#include <gtest/gtest.h>

#include "http/request.hpp"

namespace gomall::http {
namespace {

// What the static mounts see for a raw request target: nullopt when the path rules refuse it.
std::optional<StaticPath> from_target(const std::string& target) {
    Request req;
    req.target = target;
    if (!parse_target(req)) {
        return std::nullopt;
    }
    return StaticPath::parse(req.path);
}

TEST(StaticPathTest, AcceptsPlainFileNamesAndTheRoot) {
    const auto root = from_target("/");
    ASSERT_TRUE(root);
    EXPECT_TRUE(root->is_root());
    const auto asset = from_target("/assets/index-B1x_9-z.js?v=1");
    ASSERT_TRUE(asset);
    EXPECT_EQ(asset->relative(), "assets/index-B1x_9-z.js");
    EXPECT_EQ(asset->file_name(), "index-B1x_9-z.js");
    EXPECT_TRUE(from_target("/images/products/k87-keyboard.svg"));
    EXPECT_TRUE(from_target("/swagger/favicon-32x32.png"));
    EXPECT_TRUE(from_target("/products/42"));
}

TEST(StaticPathTest, RefusesEmptySegmentsSoNoPathIsAbsolute) {
    for (const char* target : {"//etc/passwd", "//proc/self/environ", "/assets//app.js", "/assets/", "///", "//"}) {
        EXPECT_FALSE(from_target(target)) << target;
    }
}

TEST(StaticPathTest, RefusesDotSegmentsHiddenFilesAndTrailingDots) {
    for (const char* target :
         {"/.",
          "/..",
          "/../etc/passwd",
          "/assets/../../etc/passwd",
          "/./index.html",
          "/assets/./app.js",
          "/.env",
          "/.git/config",
          "/index.html.",
          "/index.html..",
          "/assets/..."}) {
        EXPECT_FALSE(from_target(target)) << target;
    }
}

TEST(StaticPathTest, RefusesEncodedSeparatorsAndDotsInEveryForm) {
    for (const char* target : {
             "/%2fetc%2fpasswd",                  // encoded slash: decodes to an empty first segment
             "/%2Fetc%2Fpasswd",                  // upper-case hex
             "/..%2f..%2fetc%2fpasswd",           // encoded slash after dot-dot
             "/assets/%2e%2e/%2e%2e/etc/passwd",  // encoded dots
             "/assets/%2e%2e%2fetc",              // both
             "/%252fetc%252fpasswd",              // double encoding: a literal '%' is refused
             "/assets/%252e%252e/x",              // double-encoded dots
             "/..%5c..%5cetc%5cpasswd",           // encoded backslash
             "/..\\..\\etc\\passwd",              // raw backslash (not origin-form for Boost.URL, or refused)
             "/%c0%af",                           // overlong UTF-8 '/'
             "/%c0%ae%c0%ae/etc",                 // overlong UTF-8 '.'
             "/%e0%80%af",                        // three-byte overlong '/'
             "/index.html%00.png",                // NUL
             "/a%0ab",                            // control character
             "/a%20b",                            // space
             "/%e4%b8%ad",                        // any non-ASCII byte
             "/c:/windows",                       // drive letters
         }) {
        EXPECT_FALSE(from_target(target)) << target;
    }
}

TEST(StaticPathTest, RefusesTargetsThatAreNotOriginForm) {
    EXPECT_FALSE(from_target("http://evil.example/etc/passwd"));
    EXPECT_FALSE(from_target("*"));
    EXPECT_FALSE(from_target("etc/passwd"));
    EXPECT_FALSE(StaticPath::parse(""));
    EXPECT_FALSE(StaticPath::parse("etc/passwd"));
}

TEST(StaticPathTest, BoundsLengthDepthAndSegmentSize) {
    std::string deep;
    for (std::size_t i = 0; i < StaticPath::kMaxDepth; ++i) {
        deep += "/d";
    }
    EXPECT_TRUE(StaticPath::parse(deep));
    EXPECT_FALSE(StaticPath::parse(deep + "/d"));
    EXPECT_TRUE(StaticPath::parse("/" + std::string(StaticPath::kMaxSegmentLength, 'a')));
    EXPECT_FALSE(StaticPath::parse("/" + std::string(StaticPath::kMaxSegmentLength + 1, 'a')));
    EXPECT_FALSE(StaticPath::parse("/" + std::string(StaticPath::kMaxLength, 'a')));
}

TEST(StaticPathTest, SuffixAndFirstSegmentHelpersKeepTheRules) {
    const auto path = StaticPath::parse("/uploads/a/b.png");
    ASSERT_TRUE(path);
    EXPECT_EQ(path->with_suffix(".gz")->relative(), "uploads/a/b.png.gz");
    EXPECT_FALSE(path->with_suffix("/../x"));
    EXPECT_FALSE(path->with_suffix("."));
    EXPECT_EQ(path->below_first().relative(), "a/b.png");
    EXPECT_FALSE(StaticPath::parse("/")->with_suffix(".gz"));
}

}  // namespace
}  // namespace gomall::http
