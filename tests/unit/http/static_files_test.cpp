#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() / ("gomall-static-" + std::to_string(::getpid()));
        root_ = base_ / "dist";
        fs::create_directories(root_ / "assets");
        fs::create_directories(root_ / "swagger");
        fs::create_directories(base_ / "outside");
        fs::create_directories(base_ / "uploads");
        write(root_ / "index.html", "<html>app</html>");
        write(root_ / "assets" / "app-1a2b.js", "console.log(1)");
        write(root_ / "assets" / "app-1a2b.js.gz", "GZ");
        write(root_ / "swagger" / "index.html", "<html>swagger</html>");
        write(base_ / "openapi.yaml", "openapi: 3.0.3");
        write(base_ / "outside" / "secret.txt", "SECRET");
        write(base_ / "uploads" / "ab12.png", "PNG");
    }
    void TearDown() override { fs::remove_all(base_); }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

    StaticSettings settings() const {
        StaticSettings s;
        s.root = root_.string();
        s.openapi_path = (base_ / "openapi.yaml").string();
        s.mounts.push_back(StaticMount{"uploads", (base_ / "uploads").string(), "public, max-age=3600"});
        return s;
    }

    std::optional<Response> get(std::string path, std::string accept_encoding = "", std::string accept = "") {
        const StaticFiles files(settings());
        Request req;
        req.path = std::move(path);
        if (!accept_encoding.empty())
            req.headers.emplace_back("accept-encoding", accept_encoding);
        if (!accept.empty())
            req.headers.emplace_back("accept", accept);
        return files.serve(req);
    }

    fs::path base_;
    fs::path root_;
};

TEST_F(StaticFilesTest, ServesHashedAssetsWithLongCacheAndPrecompressedVariants) {
    auto plain = get("/assets/app-1a2b.js");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->body, "console.log(1)");
    EXPECT_NE(plain->header("Cache-Control").find("immutable"), std::string_view::npos);
    auto gz = get("/assets/app-1a2b.js", "gzip, deflate");
    ASSERT_TRUE(gz);
    EXPECT_EQ(gz->body, "GZ");
    EXPECT_EQ(gz->header("Content-Encoding"), "gzip");
}

TEST_F(StaticFilesTest, FallsBackToIndexForTheAppsRoutesOnly) {
    auto route = get("/products/42");
    ASSERT_TRUE(route);
    EXPECT_EQ(route->status, 200);
    EXPECT_EQ(route->body, "<html>app</html>");
    EXPECT_EQ(route->header("Cache-Control"), "no-cache");
    auto root = get("/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->body, "<html>app</html>");
    EXPECT_FALSE(get("/api/nothing"));
    EXPECT_FALSE(get("/assets/missing.js"));
    // Unknown paths are not the app's: 404 (the JSON envelope), or the app's not-found page with a
    // 404 status for a browser.
    EXPECT_FALSE(get("/etc/passwd"));
    EXPECT_FALSE(get("/proc/self/environ"));
    auto browser = get("/no-such-page", "", "text/html,application/xhtml+xml");
    ASSERT_TRUE(browser);
    EXPECT_EQ(browser->status, 404);
    EXPECT_EQ(browser->body, "<html>app</html>");
}

TEST_F(StaticFilesTest, ServesSwaggerUiAndTheOpenApiDocument) {
    auto doc = get("/swagger/openapi.yaml");
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->content_type, "application/yaml");
    auto ui = get("/swagger/index.html");
    ASSERT_TRUE(ui);
    EXPECT_EQ(ui->body, "<html>swagger</html>");
    auto redirect = get("/swagger/");
    ASSERT_TRUE(redirect);
    EXPECT_EQ(redirect->status, 302);
}

TEST_F(StaticFilesTest, RefusesEveryPathOutsideTheRoot) {
    const std::string outside = (base_ / "outside" / "secret.txt").string();
    for (const std::string& path :
         {std::string("/../etc/passwd"),
          std::string("/assets/../../secret"),
          "/" + outside,
          "//" + outside,
          std::string("//etc/passwd"),
          std::string("/../outside/secret.txt"),
          std::string("/assets/../index.html"),
          std::string("/swagger/../../outside/secret.txt"),
          std::string("/uploads/../dist/index.html"),
          std::string("/uploads//etc/passwd")}) {
        EXPECT_FALSE(get(path)) << path;
        EXPECT_FALSE(get(path, "gzip", "text/html")) << path;
    }
}

TEST_F(StaticFilesTest, RefusesSymlinksPlantedInsideTheRoot) {
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "assets" / "leak.js");
    fs::create_symlink(base_ / "outside", root_ / "linked");
    fs::create_symlink("/etc/passwd", root_ / "passwd.txt");
    fs::create_symlink(root_ / "index.html", root_ / "assets" / "inside-link.js");
    EXPECT_FALSE(get("/assets/leak.js"));
    EXPECT_FALSE(get("/linked/secret.txt"));
    EXPECT_FALSE(get("/passwd.txt"));
    // Even a link that stays inside is refused: the rule is simple and needs no resolving.
    EXPECT_FALSE(get("/assets/inside-link.js"));
    // A .gz sibling that is a link is not served in place of the real file.
    fs::remove(root_ / "assets" / "app-1a2b.js.gz");
    fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "assets" / "app-1a2b.js.gz");
    auto res = get("/assets/app-1a2b.js", "gzip");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "console.log(1)");
}

TEST_F(StaticFilesTest, ServesOnlyRegularFilesNeverDirectoriesOrFifos) {
    EXPECT_FALSE(get("/assets"));
    ASSERT_EQ(::mkfifo((root_ / "pipe.txt").c_str(), 0600), 0);
    EXPECT_FALSE(get("/pipe.txt"));  // must not block waiting for a writer
}

TEST_F(StaticFilesTest, RedirectsATrailingSlashOnlyToAPathOfThisSite) {
    auto res = get("/products/");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 301);
    EXPECT_EQ(res->header("Location"), "/products");
    for (const char* path : {"//evil.example/", "///", "/a//", "/../", "/%2e%2e/", "/.hidden/"}) {
        EXPECT_FALSE(get(path)) << path;
    }
}

TEST_F(StaticFilesTest, MountsServeTheirOwnDirectoryWithoutTheAppFallback) {
    auto file = get("/uploads/ab12.png");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->body, "PNG");
    EXPECT_EQ(file->content_type, "image/png");
    EXPECT_EQ(file->header("Cache-Control"), "public, max-age=3600");
    EXPECT_FALSE(get("/uploads/missing"));
    EXPECT_FALSE(get("/uploads/missing", "", "text/html"));
    EXPECT_FALSE(get("/uploads"));
}

TEST(StaticRootTest, RefusesFilesOverItsSizeLimit) {
    const auto dir = fs::temp_directory_path() / ("gomall-static-limit-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "big.bin") << std::string(2048, 'x');
    const StaticRoot small(dir.string(), 1024);
    const StaticRoot large(dir.string(), 4096);
    EXPECT_FALSE(small.read(*StaticPath::parse("/big.bin")));
    EXPECT_EQ(large.read(*StaticPath::parse("/big.bin"))->size(), 2048U);
    EXPECT_FALSE(large.read(*StaticPath::parse("/")));
    const StaticRoot missing((dir / "none").string());
    EXPECT_FALSE(missing.read(*StaticPath::parse("/big.bin")));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace gomall::http
