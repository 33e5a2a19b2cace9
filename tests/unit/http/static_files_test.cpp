#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("gomall-static-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "assets");
        write(root_ / "index.html", "<html>app</html>");
        write(root_ / "assets" / "app-1a2b.js", "console.log(1)");
        write(root_ / "assets" / "app-1a2b.js.gz", "GZ");
        write(root_ / "openapi.yaml", "openapi: 3.0.3");
    }
    void TearDown() override { fs::remove_all(root_); }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

    std::optional<Response> get(std::string path, std::string accept_encoding = "") {
        StaticFiles files(StaticSettings{root_.string(), (root_ / "openapi.yaml").string()});
        Request req;
        req.path = std::move(path);
        if (!accept_encoding.empty())
            req.headers.emplace_back("accept-encoding", accept_encoding);
        return files.serve(req);
    }

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

TEST_F(StaticFilesTest, FallsBackToIndexForClientRoutesButNotForApiOrMissingFiles) {
    auto route = get("/products/42");
    ASSERT_TRUE(route);
    EXPECT_EQ(route->body, "<html>app</html>");
    EXPECT_EQ(route->header("Cache-Control"), "no-cache");
    EXPECT_FALSE(get("/api/nothing"));
    EXPECT_FALSE(get("/assets/missing.js"));
}

TEST_F(StaticFilesTest, RefusesPathTraversal) {
    EXPECT_FALSE(get("/../etc/passwd"));
    EXPECT_FALSE(get("/assets/../../secret"));
}

TEST_F(StaticFilesTest, ServesTheOpenApiDocument) {
    auto doc = get("/swagger/openapi.yaml");
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->content_type, "application/yaml");
}

}  // namespace
}  // namespace gomall::http
