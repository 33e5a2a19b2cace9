// The public image base: which stored values get it, and which bases the config accepts.
#include "http/image_urls.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

TEST(ImageUrls, WithoutABaseEveryValueIsAnsweredAsStored) {
    const ImageUrls none;
    EXPECT_EQ(none.public_url("/images/a.png"), "/images/a.png");
    EXPECT_EQ(none.public_url(""), "");
    EXPECT_EQ(ImageUrls("").public_url("/images/a.png"), "/images/a.png");
}

TEST(ImageUrls, PutsTheBaseInFrontOfRootRelativePathsOnly) {
    const ImageUrls cdn("https://cdn.example.com");
    EXPECT_EQ(cdn.public_url("/images/a.png"), "https://cdn.example.com/images/a.png");
    EXPECT_EQ(cdn.public_url("/uploads/ab.jpg"), "https://cdn.example.com/uploads/ab.jpg");
    EXPECT_EQ(cdn.public_url("/"), "https://cdn.example.com/");
    EXPECT_EQ(cdn.public_url(""), "") << "no image stays no image";
    EXPECT_EQ(cdn.public_url("https://img.example.org/a.png"), "https://img.example.org/a.png");
    EXPECT_EQ(cdn.public_url("//img.example.org/a.png"), "//img.example.org/a.png") << "protocol-relative";
    EXPECT_EQ(cdn.public_url("images/a.png"), "images/a.png");
}

TEST(ImageUrls, OneTrailingSlashOfTheBaseIsDroppedAndAPathKept) {
    EXPECT_EQ(ImageUrls("https://cdn.example.com/").public_url("/a.png"), "https://cdn.example.com/a.png");
    EXPECT_EQ(ImageUrls("https://cdn.example.com/shop/").base(), "https://cdn.example.com/shop");
    EXPECT_EQ(ImageUrls("http://localhost:8080/shop").public_url("/a.png"), "http://localhost:8080/shop/a.png");
}

TEST(ImageUrls, AcceptsHttpAndHttpsBases) {
    for (const char* ok :
         {"",
          "https://cdn.example.com",
          "http://localhost:8080",
          "https://cdn.example.com/shop/",
          "https://[::1]:8443/img",
          "https://xn--fiqs8s.example/a%20b"}) {
        EXPECT_EQ(ImageUrls::base_url_problem(ok), std::nullopt) << ok;
    }
}

TEST(ImageUrls, RefusesBasesThatCannotBeAPublicImageBase) {
    const std::string long_base = "https://cdn.example.com/" + std::string(ImageUrls::kMaxBaseLength, 'a');
    for (const std::string& bad : {
             std::string("cdn.example.com"),
             std::string("ftp://cdn.example.com"),
             std::string("HTTPS://cdn.example.com"),
             std::string("javascript:alert(1)"),
             std::string("//cdn.example.com"),
             std::string("/images"),
             std::string("https://"),
             std::string("https:///path"),
             std::string("https://:443"),
             std::string("https://cdn.example.com/?v=1"),
             std::string("https://cdn.example.com/#top"),
             std::string("https://user:secret@cdn.example.com"),
             std::string("https://cdn.example.com/a b"),
             std::string("https://cdn.example.com/\t"),
             std::string("https://cdn.example.com/\n"),
             std::string("https://cdn.example.com\0x", 25),
             std::string("https://cdn.example.com/\"><script>"),
             std::string("https://cdn.example.com/'x"),
             std::string("https://cdn.example.com\\x"),
             std::string("https://例子.com"),
             std::string("https://cdn.example.com/\xff"),
             long_base,
         }) {
        EXPECT_NE(ImageUrls::base_url_problem(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace gomall::http
