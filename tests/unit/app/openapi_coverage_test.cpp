// Every route the router knows must be documented in docs/openapi.yaml.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "app/app.hpp"

namespace gomall::app {
namespace {

namespace fs = std::filesystem;

// path -> methods, read from the `paths:` section by indentation (2 spaces per level).
std::map<std::string, std::set<std::string>> documented_operations(const std::string& yaml) {
    std::map<std::string, std::set<std::string>> ops;
    std::istringstream in(yaml);
    std::string line;
    bool in_paths = false;
    std::string current;
    while (std::getline(in, line)) {
        if (line.rfind("paths:", 0) == 0) {
            in_paths = true;
            continue;
        }
        if (!in_paths)
            continue;
        if (!line.empty() && line[0] != ' ' && line[0] != '#')
            break;  // next top-level key
        if (line.rfind("  /", 0) == 0 && line.size() > 3 && line[2] == '/') {
            current = line.substr(2, line.find(':', 2) - 2);
            if (current.size() >= 2 && current.front() == '\'')
                current = current.substr(1, current.size() - 2);
            ops[current];
        } else if (line.rfind("    ", 0) == 0 && line.size() > 4 && line[4] != ' ' && !current.empty()) {
            ops[current].insert(line.substr(4, line.find(':', 4) - 4));
        }
    }
    return ops;
}

std::string openapi_path(const std::string& pattern) {
    std::string out;
    std::istringstream in(pattern);
    std::string seg;
    while (std::getline(in, seg, '/')) {
        if (seg.empty())
            continue;
        out += "/" + (seg[0] == ':' ? "{" + seg.substr(1) + "}" : seg);
    }
    return out.empty() ? "/" : out;
}

TEST(OpenApiDocument, DocumentsEveryRouteTheRouterKnows) {
    const fs::path dir = fs::temp_directory_path() / ("gomall-openapi-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    ConfigOptions options;
    options.config_path = std::string(GOMALL_SOURCE_DIR) + "/conf/config.yaml";
    options.env = "test";
    options.use_process_environment = false;
    options.environment = {
        {"GOMALL_DATABASE_SQLITE_PATH", (dir / "t.db").string()},
        {"GOMALL_SERVER_PORT", "0"},
        {"GOMALL_SERVER_HOST", "127.0.0.1"},
        {"GOMALL_ADMIN_PASSWORD", "Admin-12345"},
        {"GOMALL_LOG_LEVEL", "error"}};
    std::vector<std::pair<std::string, std::string>> routes;
    {
        App app(load_config(options));
        app.start();
        routes = app.routes();
        app.stop();
    }
    fs::remove_all(dir);
    ASSERT_GT(routes.size(), 20U);

    std::ifstream file(std::string(GOMALL_SOURCE_DIR) + "/docs/openapi.yaml");
    std::stringstream text;
    text << file.rdbuf();
    const auto ops = documented_operations(text.str());
    for (const auto& [method, pattern] : routes) {
        std::string lower = method;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto path = openapi_path(pattern);
        auto it = ops.find(path);
        ASSERT_NE(it, ops.end()) << "undocumented path " << path;
        EXPECT_TRUE(it->second.count(lower)) << "undocumented operation " << method << " " << path;
    }
}

}  // namespace
}  // namespace gomall::app
