#include "app/config.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace gomall::app {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("gomall-config-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        write(
            "config.yaml", "server:\n  port: 8080\n  cors_origins: [http://a, http://b]\ndatabase:\n  driver: sqlite\n"
        );
        write("config-dev.yaml", "server:\n  port: 9000\n");
    }
    void TearDown() override { fs::remove_all(dir_); }
    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

    Config load(std::string env, std::map<std::string, std::string> vars = {}) {
        ConfigOptions options;
        options.env = std::move(env);
        options.config_path = (dir_ / "config.yaml").string();
        options.environment = std::move(vars);
        options.use_process_environment = false;
        return load_config(options);
    }

    fs::path dir_;
};

TEST_F(ConfigTest, OverlayForTheEnvironmentOverridesTheBaseFile) {
    EXPECT_EQ(load("dev").server.port, 9000);
    EXPECT_EQ(load("staging").server.port, 8080);
    EXPECT_EQ(load("dev").server.cors_origins, (std::vector<std::string>{"http://a", "http://b"}));
}

TEST_F(ConfigTest, EnvironmentVariablesOverrideFiles) {
    auto c = load(
        "dev",
        {{"GOMALL_SERVER_PORT", "9100"},
         {"GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS", "3"},
         {"GOMALL_SERVER_CORS_ORIGINS", "http://x"}}
    );
    EXPECT_EQ(c.server.port, 9100);
    EXPECT_EQ(c.order.unpaid_timeout_seconds, 3);
    EXPECT_EQ(c.server.cors_origins, (std::vector<std::string>{"http://x"}));
}

TEST_F(ConfigTest, ProductCacheAndSeckillRetentionAreConfigurable) {
    const auto defaults = load("dev");
    EXPECT_EQ(defaults.product.cache_ttl_ms, 30000);
    EXPECT_EQ(defaults.seckill.keep_after_end_seconds, 3600);
    write(
        "config.yaml", "product:\n  cache_ttl_ms: 500\n  cache_capacity: 10\nseckill:\n  keep_after_end_seconds: 60\n"
    );
    auto c = load("staging", {{"GOMALL_PRODUCT_CACHE_TTL_MS", "0"}});
    EXPECT_EQ(c.product.cache_ttl_ms, 0);  // the cache off
    EXPECT_EQ(c.product.cache_capacity, 10);
    EXPECT_EQ(c.seckill.keep_after_end_seconds, 60);
    EXPECT_THROW(load("dev", {{"GOMALL_PRODUCT_CACHE_CAPACITY", "0"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_SECKILL_KEEP_AFTER_END_SECONDS", "-1"}}), ConfigError);
}

TEST_F(ConfigTest, LoginThrottlingIsConfigurableWithinItsRanges) {
    const auto defaults = load("dev");
    EXPECT_EQ(defaults.auth.login_free_failures, 5);
    EXPECT_EQ(defaults.auth.login_ip_free_failures, 30);
    EXPECT_EQ(defaults.auth.login_delay_base_ms, 1000);
    EXPECT_EQ(defaults.auth.login_delay_max_seconds, 900);
    write("config.yaml", "auth:\n  login_free_failures: 3\n  login_delay_max_seconds: 60\n");
    const auto c =
        load("staging", {{"GOMALL_AUTH_LOGIN_IP_FREE_FAILURES", "100"}, {"GOMALL_AUTH_LOGIN_DELAY_BASE_MS", "250"}});
    EXPECT_EQ(c.auth.login_free_failures, 3);
    EXPECT_EQ(c.auth.login_ip_free_failures, 100);
    EXPECT_EQ(c.auth.login_delay_base_ms, 250);
    EXPECT_EQ(c.auth.login_delay_max_seconds, 60);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_LOGIN_FREE_FAILURES", "0"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_LOGIN_IP_FREE_FAILURES", "0"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_LOGIN_DELAY_BASE_MS", "0"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_LOGIN_DELAY_MAX_SECONDS", "0"}}), ConfigError);
    // The longest wait cannot be shorter than the first one.
    EXPECT_THROW(
        load("dev", {{"GOMALL_AUTH_LOGIN_DELAY_BASE_MS", "5000"}, {"GOMALL_AUTH_LOGIN_DELAY_MAX_SECONDS", "4"}}),
        ConfigError
    );
    write("config.yaml", "auth:\n  lockout_attempts: 5\n");
    EXPECT_THROW(load("dev"), ConfigError) << "the lockout keys are gone; a file still naming them is refused";
}

TEST_F(ConfigTest, InvalidValuesStopWithOneLineNamingTheKey) {
    try {
        load("dev", {{"GOMALL_SERVER_PORT", "eighty"}});
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("server.port"), std::string::npos);
    }
    EXPECT_THROW(load("dev", {{"GOMALL_SERVER_PORT", "70000"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_DATABASE_DRIVER", "oracle"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_JWT_SECRET", "short"}}), ConfigError);
}

TEST_F(ConfigTest, UnknownKeysInFilesAreErrors) {
    write("config-typo.yaml", "server:\n  prot: 1\n");
    try {
        load("typo");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("server.prot"), std::string::npos);
    }
}

TEST_F(ConfigTest, ProdRefusesTheDefaultSecretAndDisablesDirectPay) {
    EXPECT_THROW(load("prod"), ConfigError);
    auto c = load("prod", {{"GOMALL_AUTH_JWT_SECRET", std::string(40, 'k')}});
    EXPECT_FALSE(c.order.direct_pay_enabled);
    EXPECT_EQ(c.log.format, "json");
}

TEST_F(ConfigTest, MissingExplicitConfigFileIsAnError) {
    ConfigOptions options;
    options.config_path = (dir_ / "nope.yaml").string();
    options.use_process_environment = false;
    EXPECT_THROW(load_config(options), ConfigError);
}

class UploadConfigTest : public ConfigTest {};

TEST_F(UploadConfigTest, UploadKeysHaveSafeDefaultsAndTakeValidValues) {
    const auto defaults = load("dev").upload;
    EXPECT_EQ(defaults.max_file_bytes, std::size_t{5} * 1024 * 1024);
    EXPECT_EQ(defaults.max_files, 9);
    EXPECT_GE(defaults.max_total_bytes, defaults.max_file_bytes);
    EXPECT_EQ(defaults.public_path, "/uploads");
    const auto set = load(
                         "dev",
                         {{"GOMALL_UPLOAD_DIR", "data/up"},
                          {"GOMALL_UPLOAD_MAX_FILE_BYTES", "1024"},
                          {"GOMALL_UPLOAD_MAX_FILES", "3"},
                          {"GOMALL_UPLOAD_MAX_TOTAL_BYTES", "4096"},
                          {"GOMALL_UPLOAD_MAX_IMAGE_DIMENSION", "640"},
                          {"GOMALL_UPLOAD_PUBLIC_PATH", "/media"}}
    ).upload;
    EXPECT_EQ(set.dir, "data/up");
    EXPECT_EQ(set.max_file_bytes, 1024U);
    EXPECT_EQ(set.max_files, 3);
    EXPECT_EQ(set.max_total_bytes, 4096U);
    EXPECT_EQ(set.max_image_dimension, 640);
    EXPECT_EQ(set.public_path, "/media");
}

TEST_F(UploadConfigTest, UploadKeysRefuseValuesOutOfRangeOrUnsafePaths) {
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_UPLOAD_DIR", ""},
             {"GOMALL_UPLOAD_MAX_FILE_BYTES", "0"},
             {"GOMALL_UPLOAD_MAX_FILES", "0"},
             {"GOMALL_UPLOAD_MAX_FILES", "101"},
             {"GOMALL_UPLOAD_MAX_TOTAL_BYTES", "10"},
             {"GOMALL_UPLOAD_MAX_IMAGE_DIMENSION", "0"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "/api"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "/assets"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "uploads"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "/a/b"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "/.hidden"},
             {"GOMALL_UPLOAD_PUBLIC_PATH", "/../x"},
         }) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
    // The total must hold at least one file of the largest size.
    EXPECT_THROW(
        load("dev", {{"GOMALL_UPLOAD_MAX_FILE_BYTES", "8192"}, {"GOMALL_UPLOAD_MAX_TOTAL_BYTES", "4096"}}), ConfigError
    );
}

}  // namespace
}  // namespace gomall::app
