#include "app/config.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "app/database_settings.hpp"
#include "app/replica_backend.hpp"

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

TEST_F(ConfigTest, TheTokenPurgeRunsHourlyByDefaultAndZeroTurnsItOff) {
    EXPECT_EQ(load("dev").auth.token_purge_interval_seconds, 3600);
    write("config.yaml", "auth:\n  token_purge_interval_seconds: 600\n");
    EXPECT_EQ(load("dev").auth.token_purge_interval_seconds, 600);
    EXPECT_EQ(load("dev", {{"GOMALL_AUTH_TOKEN_PURGE_INTERVAL_SECONDS", "0"}}).auth.token_purge_interval_seconds, 0);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_TOKEN_PURGE_INTERVAL_SECONDS", "-1"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_TOKEN_PURGE_INTERVAL_SECONDS", "604801"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_AUTH_TOKEN_PURGE_INTERVAL_SECONDS", "hourly"}}), ConfigError);
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

// Found with the config fuzzer (tests/fuzz/corpus/fuzz_config/key-*): a key that is a list or a
// mapping ended the process with yaml-cpp's exception instead of a ConfigError naming the file.
TEST_F(ConfigTest, KeysThatAreNotPlainNamesAreConfigErrors) {
    for (const std::string text : {"[a, b]:\n  port: 1\n", "server:\n  {x: 1}: 2\n", "? [s]\n: {port: 1}\n"}) {
        ConfigOptions options;
        options.env = "dev";
        options.config_text = text;
        options.use_process_environment = false;
        try {
            load_config(options);
            FAIL() << "expected ConfigError for " << text;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("keys must be plain names"), std::string::npos) << e.what();
        }
    }
}

// config_text stands in for the files: neither config_path nor the environment's overlay is read.
TEST_F(ConfigTest, ConfigTextReplacesTheFiles) {
    ConfigOptions options;
    options.env = "dev";
    options.config_path = (dir_ / "config.yaml").string();
    options.config_text = "server:\n  port: 7001\n";
    options.use_process_environment = false;
    const auto c = load_config(options);
    EXPECT_EQ(c.server.port, 7001);  // not 9000 from config-dev.yaml, nor 8080 from config.yaml
    EXPECT_TRUE(c.server.cors_origins.empty());
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

TEST_F(ConfigTest, ImageBaseUrlIsEmptyByDefaultAndTakesOnlyAnHttpUrlWithoutQuery) {
    EXPECT_EQ(load("dev").product.image_base_url, "");
    EXPECT_EQ(
        load("dev", {{"GOMALL_PRODUCT_IMAGE_BASE_URL", "https://cdn.example.com/shop"}}).product.image_base_url,
        "https://cdn.example.com/shop"
    );
    for (const char* bad :
         {"cdn.example.com",
          "ftp://cdn.example.com",
          "https://cdn.example.com/?v=2",
          "https://cdn.example.com/#x",
          "https://u:p@cdn.example.com",
          "https://"}) {
        try {
            load("dev", {{"GOMALL_PRODUCT_IMAGE_BASE_URL", bad}});
            ADD_FAILURE() << bad << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("product.image_base_url"), std::string::npos) << e.what();
        }
    }
}

class WechatPayConfigTest : public ConfigTest {
protected:
    // A merchant account's settings, complete for APIv3 (prod also needs its JWT secret).
    static std::map<std::string, std::string> merchant() {
        return {
            {"GOMALL_AUTH_JWT_SECRET", std::string(40, 'k')},
            {"GOMALL_ADMIN_PASSWORD", "Admin-pass-1"},
            {"GOMALL_WECHATPAY_ENABLED", "true"},
            {"GOMALL_WECHATPAY_EMULATOR", "false"},
            {"GOMALL_WECHATPAY_APP_ID", "wx0000000000000001"},
            {"GOMALL_WECHATPAY_MCH_ID", "1900000001"},
            {"GOMALL_WECHATPAY_NOTIFY_URL", "https://shop.example/api/pay/wechat/notify"},
            {"GOMALL_WECHATPAY_MERCHANT_SERIAL_NO", "ABC"},
            {"GOMALL_WECHATPAY_MERCHANT_PRIVATE_KEY_PATH", "/etc/gomall/apiclient_key.pem"},
            {"GOMALL_WECHATPAY_PLATFORM_SERIAL_NO", "DEF"},
            {"GOMALL_WECHATPAY_PLATFORM_PUBLIC_KEY_PATH", "/etc/gomall/wechatpay_public.pem"},
            {"GOMALL_WECHATPAY_API_V3_KEY", std::string(32, 'a')}};
    }
};

TEST_F(WechatPayConfigTest, DevRunsTheEmulatorAndProdStartsWithPaymentOff) {
    const auto dev = load("dev").wechatpay;
    EXPECT_TRUE(dev.enabled);
    EXPECT_TRUE(dev.emulator);
    EXPECT_EQ(dev.protocol, "v3");
    const auto prod = load("prod", {{"GOMALL_AUTH_JWT_SECRET", std::string(40, 'k')}}).wechatpay;
    EXPECT_FALSE(prod.enabled);
    EXPECT_FALSE(prod.emulator);
}

TEST_F(WechatPayConfigTest, TheEmulatorsMemoryIsBoundedAndConfigurable) {
    const auto defaults = load("dev").wechatpay;
    EXPECT_EQ(defaults.emulator_max_trades, 10000);
    EXPECT_EQ(defaults.emulator_max_refunds, 10000);
    const std::map<std::string, std::string> vars = {
        {"GOMALL_WECHATPAY_EMULATOR_MAX_TRADES", "500"}, {"GOMALL_WECHATPAY_EMULATOR_MAX_REFUNDS", "70"}};
    const auto set = load("dev", vars).wechatpay;
    EXPECT_EQ(set.emulator_max_trades, 500);
    EXPECT_EQ(set.emulator_max_refunds, 70);
}

TEST_F(WechatPayConfigTest, TheEmulatorIsRefusedInProd) {
    auto vars = merchant();
    vars["GOMALL_WECHATPAY_EMULATOR"] = "true";
    EXPECT_THROW(load("prod", vars), ConfigError);
}

TEST_F(WechatPayConfigTest, AMerchantAccountNeedsEveryIdAndKeyOfItsProtocol) {
    EXPECT_NO_THROW(load("prod", merchant()));
    for (const char* key :
         {"GOMALL_WECHATPAY_APP_ID",
          "GOMALL_WECHATPAY_MCH_ID",
          "GOMALL_WECHATPAY_NOTIFY_URL",
          "GOMALL_WECHATPAY_MERCHANT_SERIAL_NO",
          "GOMALL_WECHATPAY_MERCHANT_PRIVATE_KEY_PATH",
          "GOMALL_WECHATPAY_PLATFORM_SERIAL_NO",
          "GOMALL_WECHATPAY_PLATFORM_PUBLIC_KEY_PATH",
          "GOMALL_WECHATPAY_API_V3_KEY"}) {
        auto vars = merchant();
        vars.erase(key);
        EXPECT_THROW(load("prod", vars), ConfigError) << "without " << key;
    }
    auto v2 = merchant();
    v2["GOMALL_WECHATPAY_PROTOCOL"] = "v2";
    EXPECT_THROW(load("prod", v2), ConfigError) << "APIv2 without its key";
    v2["GOMALL_WECHATPAY_API_V2_KEY"] = std::string(32, 'b');
    EXPECT_NO_THROW(load("prod", v2));
}

TEST_F(WechatPayConfigTest, ProdTalksToWeChatOnlyOverHttps) {
    auto vars = merchant();
    vars["GOMALL_WECHATPAY_NOTIFY_URL"] = "http://shop.example/api/pay/wechat/notify";
    EXPECT_THROW(load("prod", vars), ConfigError);
    vars = merchant();
    vars["GOMALL_WECHATPAY_BASE_URL"] = "http://api.mch.weixin.qq.com";
    EXPECT_THROW(load("prod", vars), ConfigError);
}

TEST_F(WechatPayConfigTest, BadValuesAreRefusedWithTheKeyNamed) {
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_WECHATPAY_PROTOCOL", "v4"},
             {"GOMALL_WECHATPAY_SIGN_TYPE", "SHA1"},
             {"GOMALL_WECHATPAY_API_V3_KEY", "short"},
             {"GOMALL_WECHATPAY_API_V2_KEY", std::string(33, 'x')},
             {"GOMALL_WECHATPAY_BASE_URL", "ftp://x"},
             {"GOMALL_WECHATPAY_NOTIFY_URL", "javascript:alert(1)"},
             {"GOMALL_WECHATPAY_EMULATOR_PORT", "70000"},
             {"GOMALL_WECHATPAY_MAX_ATTEMPTS", "0"},
             {"GOMALL_WECHATPAY_TIMEOUT_MS", "5"},
             {"GOMALL_WECHATPAY_EMULATOR_MAX_TRADES", "0"},
             {"GOMALL_WECHATPAY_EMULATOR_MAX_TRADES", "-1"},
             {"GOMALL_WECHATPAY_EMULATOR_MAX_TRADES", "ten"},
             {"GOMALL_WECHATPAY_EMULATOR_MAX_REFUNDS", "99999999999"},
             {"GOMALL_WECHATPAY_EMULATOR_MAX_REFUNDS", "1e4"},
         }) {
        try {
            load("dev", {{key, value}});
            ADD_FAILURE() << key << "=" << value << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("wechatpay."), std::string::npos) << e.what();
        }
    }
}

TEST_F(ConfigTest, MetricsPathIsOneFreeSegmentAndATokenIsLongEnough) {
    EXPECT_EQ(load("dev").metrics.path, "/metrics");
    EXPECT_EQ(load("dev", {{"GOMALL_METRICS_PATH", "/prom"}}).metrics.path, "/prom");
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_METRICS_PATH", "metrics"},
             {"GOMALL_METRICS_PATH", "/api"},
             {"GOMALL_METRICS_PATH", "/health"},
             {"GOMALL_METRICS_PATH", "/a/b"},
             {"GOMALL_METRICS_PATH", "/.x"},
             {"GOMALL_METRICS_TOKEN", "short"},
             {"GOMALL_METRICS_ENABLED", "maybe"},
         }) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
    EXPECT_EQ(load("dev", {{"GOMALL_METRICS_TOKEN", std::string(16, 't')}}).metrics.token, std::string(16, 't'));
}

TEST_F(ConfigTest, DashboardSettingsHaveDefaultsAndBounds) {
    const auto defaults = load("dev");
    EXPECT_TRUE(defaults.metrics.dashboard);
    EXPECT_EQ(defaults.metrics.dashboard_history_seconds, 300);
    EXPECT_EQ(defaults.metrics.dashboard_max_streams, 8);
    EXPECT_FALSE(load("dev", {{"GOMALL_METRICS_DASHBOARD", "false"}}).metrics.dashboard);
    EXPECT_EQ(load("dev", {{"GOMALL_METRICS_DASHBOARD_HISTORY_SECONDS", "60"}}).metrics.dashboard_history_seconds, 60);
    EXPECT_EQ(load("dev", {{"GOMALL_METRICS_DASHBOARD_MAX_STREAMS", "1"}}).metrics.dashboard_max_streams, 1);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_METRICS_DASHBOARD", "sometimes"},
             {"GOMALL_METRICS_DASHBOARD_HISTORY_SECONDS", "9"},
             {"GOMALL_METRICS_DASHBOARD_HISTORY_SECONDS", "3601"},
             {"GOMALL_METRICS_DASHBOARD_HISTORY_SECONDS", "5m"},
             {"GOMALL_METRICS_DASHBOARD_MAX_STREAMS", "0"},
             {"GOMALL_METRICS_DASHBOARD_MAX_STREAMS", "1001"},
             {"GOMALL_METRICS_DASHBOARD_MAX_STREAMS", "-1"},
         }) {
        try {
            load("dev", {{key, value}});
            ADD_FAILURE() << key << "=" << value << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("metrics.dashboard"), std::string::npos) << e.what();
        }
    }
}

// The original's four limits: global 1000/s burst 2000, API 100/s burst 200 per address, flash sale
// 5/s burst 10 per shopper, login 10/s burst 20 per address; in the built-in defaults and the shipped file.
TEST_F(ConfigTest, RateLimitsDefaultToTheOriginalsTable) {
    auto expect_table = [](const Config& c, const std::string& where) {
        EXPECT_EQ(c.rate_limit.global_rate_per_second, 1000) << where;
        EXPECT_EQ(c.rate_limit.global_burst, 2000) << where;
        EXPECT_EQ(c.rate_limit.api_rate_per_second, 100) << where;
        EXPECT_EQ(c.rate_limit.api_burst, 200) << where;
        EXPECT_EQ(c.seckill.rate_per_second, 5) << where;
        EXPECT_EQ(c.seckill.burst, 10) << where;
        EXPECT_EQ(c.auth.login_rate_per_second, 10) << where;
        EXPECT_EQ(c.auth.login_burst, 20) << where;
        EXPECT_TRUE(c.server.trusted_proxies.empty()) << where;
    };
    expect_table(load("staging"), "built-in defaults");
    ConfigOptions shipped;
    shipped.env = "staging";  // no overlay file: conf/config.yaml alone
    shipped.config_path = std::string(GOMALL_SOURCE_DIR) + "/conf/config.yaml";
    shipped.use_process_environment = false;
    expect_table(load_config(shipped), "conf/config.yaml");
}

TEST_F(ConfigTest, RateLimitsAreConfigurableAndZeroTurnsOneOff) {
    const auto c = load(
        "dev",
        {{"GOMALL_RATE_LIMIT_GLOBAL_RATE_PER_SECOND", "0"},
         {"GOMALL_RATE_LIMIT_API_RATE_PER_SECOND", "3"},
         {"GOMALL_RATE_LIMIT_API_BURST", "4"},
         {"GOMALL_RATE_LIMIT_API_MAX_KEYS", "50"}}
    );
    EXPECT_EQ(c.rate_limit.global_rate_per_second, 0);
    EXPECT_EQ(c.rate_limit.api_rate_per_second, 3);
    EXPECT_EQ(c.rate_limit.api_burst, 4);
    EXPECT_EQ(c.rate_limit.api_max_keys, 50);
    for (const auto& [key, value] : std::map<std::string, std::string>{
             {"GOMALL_RATE_LIMIT_GLOBAL_RATE_PER_SECOND", "-1"},
             {"GOMALL_RATE_LIMIT_GLOBAL_BURST", "0"},
             {"GOMALL_RATE_LIMIT_API_RATE_PER_SECOND", "1.5"},
             {"GOMALL_RATE_LIMIT_API_BURST", "0"},
             {"GOMALL_RATE_LIMIT_API_MAX_KEYS", "0"},
             {"GOMALL_SECKILL_BURST", "0"},
             {"GOMALL_AUTH_LOGIN_BURST", "0"}}) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
}

TEST_F(ConfigTest, TrustedProxiesAreAddressesOrNetworks) {
    const auto c = load("dev", {{"GOMALL_SERVER_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,fd00::/8"}});
    EXPECT_EQ(c.server.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "fd00::/8"}));
    write("config-yaml.yaml", "server:\n  trusted_proxies: [192.168.0.0/16, \"::1\"]\n");
    EXPECT_EQ(load("yaml").server.trusted_proxies, (std::vector<std::string>{"192.168.0.0/16", "::1"}));
    try {
        load("dev", {{"GOMALL_SERVER_TRUSTED_PROXIES", "10.0.0.1,nginx"}});
        FAIL() << "a host name was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("server.trusted_proxies"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("nginx"), std::string::npos) << e.what();
    }
    EXPECT_THROW(load("dev", {{"GOMALL_SERVER_TRUSTED_PROXIES", "0.0.0.0/0"}}), ConfigError);
    EXPECT_THROW(load("dev", {{"GOMALL_SERVER_TRUSTED_PROXIES", "10.0.0.0/40"}}), ConfigError);
}

TEST_F(ConfigTest, TheOldTrustProxySwitchIsRefusedWhenOn) {
    EXPECT_NO_THROW(load("dev", {{"GOMALL_SERVER_TRUST_PROXY", "false"}}));
    try {
        load("dev", {{"GOMALL_SERVER_TRUST_PROXY", "true"}});
        FAIL() << "trust_proxy: true was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("server.trusted_proxies"), std::string::npos) << e.what();
    }
}

TEST_F(ConfigTest, BreakersHaveWorkingDefaultsAndRefuseValuesThatCannotWork) {
    const auto defaults = load("dev");
    EXPECT_TRUE(defaults.breakers.enabled);
    EXPECT_EQ(defaults.breakers.failure_threshold, 5);
    EXPECT_EQ(defaults.breakers.open_seconds, 10);
    EXPECT_EQ(defaults.breakers.half_open_probes, 1);
    EXPECT_EQ(defaults.rabbitmq.connect_timeout_ms, 3000);
    const auto set = load(
        "dev",
        {{"GOMALL_BREAKERS_ENABLED", "false"},
         {"GOMALL_BREAKERS_FAILURE_THRESHOLD", "2"},
         {"GOMALL_BREAKERS_OPEN_SECONDS", "1"},
         {"GOMALL_BREAKERS_HALF_OPEN_PROBES", "3"},
         {"GOMALL_RABBITMQ_CONNECT_TIMEOUT_MS", "500"}}
    );
    EXPECT_FALSE(set.breakers.enabled);
    EXPECT_EQ(set.breakers.failure_threshold, 2);
    EXPECT_EQ(set.breakers.open_seconds, 1);
    EXPECT_EQ(set.breakers.half_open_probes, 3);
    EXPECT_EQ(set.rabbitmq.connect_timeout_ms, 500);
    for (const auto& [key, value] : std::map<std::string, std::string>{
             {"GOMALL_BREAKERS_FAILURE_THRESHOLD", "0"},
             {"GOMALL_BREAKERS_OPEN_SECONDS", "0"},
             {"GOMALL_BREAKERS_OPEN_SECONDS", "3601"},
             {"GOMALL_BREAKERS_HALF_OPEN_PROBES", "-1"},
             {"GOMALL_BREAKERS_ENABLED", "sometimes"},
             {"GOMALL_RABBITMQ_CONNECT_TIMEOUT_MS", "99"},
         }) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
    for (const auto& value : {"1e3", "5 ", "0x10", "99999999999999999999", "five"}) {
        EXPECT_THROW(load("dev", {{"GOMALL_BREAKERS_FAILURE_THRESHOLD", value}}), ConfigError) << value;
    }
    try {
        load("dev", {{"GOMALL_BREAKERS_HALF_OPEN_PROBES", "0"}});
        FAIL() << "half_open_probes 0 accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("breakers.half_open_probes"), std::string::npos) << e.what();
    }
}

TEST_F(ConfigTest, RabbitBatchingHasDefaultsAndRefusesValuesOutOfRange) {
    const auto defaults = load("dev");
    EXPECT_EQ(defaults.rabbitmq.publish_batch, 64);
    EXPECT_EQ(defaults.rabbitmq.consumer_batch, 256);
    EXPECT_EQ(defaults.rabbitmq.consumer_linger_ms, 2);
    const auto set = load(
        "dev",
        {{"GOMALL_RABBITMQ_PUBLISH_BATCH", "1"},
         {"GOMALL_RABBITMQ_CONSUMER_BATCH", "5000"},
         {"GOMALL_RABBITMQ_CONSUMER_LINGER_MS", "0"}}
    );
    EXPECT_EQ(set.rabbitmq.publish_batch, 1);
    EXPECT_EQ(set.rabbitmq.consumer_batch, 5000);
    EXPECT_EQ(set.rabbitmq.consumer_linger_ms, 0);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_RABBITMQ_PUBLISH_BATCH", "0"},
             {"GOMALL_RABBITMQ_PUBLISH_BATCH", "1001"},
             {"GOMALL_RABBITMQ_PUBLISH_BATCH", "-1"},
             {"GOMALL_RABBITMQ_PUBLISH_BATCH", "many"},
             {"GOMALL_RABBITMQ_CONSUMER_BATCH", "0"},
             {"GOMALL_RABBITMQ_CONSUMER_BATCH", "5001"},
             {"GOMALL_RABBITMQ_CONSUMER_BATCH", "99999999999999999999"},
             {"GOMALL_RABBITMQ_CONSUMER_LINGER_MS", "-1"},
             {"GOMALL_RABBITMQ_CONSUMER_LINGER_MS", "1001"},
             {"GOMALL_RABBITMQ_CONSUMER_LINGER_MS", "2 "},
         }) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
}

TEST_F(ConfigTest, RabbitQueueTypeIsClassicByDefaultAndOnlyClassicOrQuorum) {
    EXPECT_EQ(load("dev").rabbitmq.queue_type, "classic");
    EXPECT_EQ(load("dev", {{"GOMALL_RABBITMQ_QUEUE_TYPE", "quorum"}}).rabbitmq.queue_type, "quorum");
    for (const std::string value : {"", "Quorum", "stream", "quorum "}) {
        EXPECT_THROW(load("dev", {{"GOMALL_RABBITMQ_QUEUE_TYPE", value}}), ConfigError) << value;
    }
}

TEST_F(ConfigTest, ClusterNodeListsAreHostPortPairsAndRedisClusterRefusesADatabaseNumber) {
    const auto defaults = load("dev");
    EXPECT_TRUE(defaults.redis.cluster_nodes.empty());
    EXPECT_TRUE(defaults.rabbitmq.nodes.empty());
    const auto set = load(
        "dev",
        {{"GOMALL_REDIS_CLUSTER_NODES", "127.0.0.1:7000, redis-2.internal:7001 ,10.0.0.3:7002"},
         {"GOMALL_RABBITMQ_NODES", "rabbit-1:5672,rabbit-2:5672"}}
    );
    EXPECT_EQ(
        set.redis.cluster_nodes, (std::vector<std::string>{"127.0.0.1:7000", "redis-2.internal:7001", "10.0.0.3:7002"})
    );
    EXPECT_EQ(set.rabbitmq.nodes, (std::vector<std::string>{"rabbit-1:5672", "rabbit-2:5672"}));
    EXPECT_TRUE(load("dev", {{"GOMALL_REDIS_CLUSTER_NODES", ""}}).redis.cluster_nodes.empty());
    for (const std::string value :
         {"h", "h:", ":1", "h:0", "h:65536", "a,b:1", "h:1,,h:2", "h:1,", "a b:1", "u@h:1", "a:b:1", "h:1x"}) {
        EXPECT_THROW(load("dev", {{"GOMALL_REDIS_CLUSTER_NODES", value}}), ConfigError) << value;
        EXPECT_THROW(load("dev", {{"GOMALL_RABBITMQ_NODES", value}}), ConfigError) << value;
    }
    EXPECT_THROW(
        load("dev", {{"GOMALL_REDIS_CLUSTER_NODES", "127.0.0.1:7000"}, {"GOMALL_REDIS_DB", "2"}}), ConfigError
    );
}

TEST_F(ConfigTest, ADatabasePerServiceKeepsEachRolesOwnTables) {
    // The whole schema by default, in every mode.
    EXPECT_EQ(load("dev").database.schema, "shared");
    EXPECT_TRUE(schema_scope(load("dev")).is_whole());

    std::map<std::string, std::string> service = {
        {"GOMALL_DATABASE_DRIVER", "mysql"},
        {"GOMALL_DATABASE_SCHEMA", "own"},
        {"GOMALL_SECKILL_MODE", "full"},
        {"GOMALL_REGISTRY_ETCD_ENDPOINTS", "http://127.0.0.1:2379"},
        {"GOMALL_SERVICES_PEER_SECRET", std::string(40, 'p')}};
    const std::map<std::string, std::string> expected = {
        {"user", "own tables: accounts"},
        {"catalog", "own tables: catalogue"},
        {"order", "own tables: orders"},
        {"seckill", "own tables: flash sale"},
        {"gateway", "own tables: none (the ledger only)"},
        {"all", "whole schema"}};
    for (const auto& [role, description] : expected) {
        service["GOMALL_SERVICES_ROLE"] = role;
        const auto c = load("dev", service);
        EXPECT_EQ(schema_scope(c).description(), description) << role;
    }
    // A seeding command fills one service's tables: only those in a database of their own.
    service["GOMALL_SERVICES_ROLE"] = "all";
    EXPECT_EQ(
        schema_scope_for(load("dev", service), adapters::sql::TableOwner::kAccounts).description(),
        "own tables: accounts"
    );
    EXPECT_TRUE(schema_scope_for(load("dev"), adapters::sql::TableOwner::kAccounts).is_whole());

    EXPECT_THROW(load("dev", {{"GOMALL_DATABASE_SCHEMA", "own"}}), ConfigError);  // SQLite keeps it whole
    EXPECT_THROW(load("dev", {{"GOMALL_DATABASE_SCHEMA", "mine"}}), ConfigError);
}

TEST_F(ConfigTest, NoReadReplicaByDefault) {
    const auto c = load("dev");
    EXPECT_TRUE(c.database.mysql_replica_host.empty());
    EXPECT_EQ(c.database.mysql_replica_port, 3306);
    EXPECT_EQ(c.database.replica_max_lag_ms, 2000);
    EXPECT_FALSE(replica_database_settings(c.database));
}

TEST_F(ConfigTest, AReadReplicaTakesThePrimarysCredentialsAndPoolUnlessGivenItsOwn) {
    const std::map<std::string, std::string> mysql = {
        {"GOMALL_DATABASE_DRIVER", "mysql"},
        {"GOMALL_DATABASE_MYSQL_USER", "shop"},
        {"GOMALL_DATABASE_MYSQL_PASSWORD", "primary-secret"},
        {"GOMALL_DATABASE_POOL_SIZE", "12"},
        {"GOMALL_DATABASE_MYSQL_REPLICA_HOST", "10.0.0.2"}};
    auto inherited = replica_database_settings(load("dev", mysql).database);
    ASSERT_TRUE(inherited);
    EXPECT_EQ(inherited->mysql_host, "10.0.0.2");
    EXPECT_EQ(inherited->mysql_port, 3306);
    EXPECT_EQ(inherited->mysql_user, "shop");
    EXPECT_EQ(inherited->mysql_password, "primary-secret");
    EXPECT_EQ(inherited->mysql_database, "gomall");
    EXPECT_EQ(inherited->pool_size, 12);

    auto own = mysql;
    own["GOMALL_DATABASE_MYSQL_REPLICA_PORT"] = "3307";
    own["GOMALL_DATABASE_MYSQL_REPLICA_USER"] = "gomall_ro";
    own["GOMALL_DATABASE_MYSQL_REPLICA_PASSWORD"] = "";  // an empty password is a password
    own["GOMALL_DATABASE_REPLICA_POOL_SIZE"] = "4";
    own["GOMALL_DATABASE_REPLICA_MAX_LAG_MS"] = "500";
    const auto c = load("dev", own);
    EXPECT_EQ(c.database.replica_max_lag_ms, 500);
    auto s = replica_database_settings(c.database);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->mysql_port, 3307);
    EXPECT_EQ(s->mysql_user, "gomall_ro");
    EXPECT_EQ(s->mysql_password, "");
    EXPECT_EQ(s->pool_size, 4);
}

TEST_F(ConfigTest, ReadReplicaValuesOutOfRangeAreRefused) {
    const std::map<std::string, std::string> mysql = {
        {"GOMALL_DATABASE_DRIVER", "mysql"}, {"GOMALL_DATABASE_MYSQL_REPLICA_HOST", "127.0.0.1"}};
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_DATABASE_REPLICA_MAX_LAG_MS", "99"},
             {"GOMALL_DATABASE_REPLICA_MAX_LAG_MS", "600001"},
             {"GOMALL_DATABASE_REPLICA_POOL_SIZE", "0"},
             {"GOMALL_DATABASE_MYSQL_REPLICA_PORT", "0"},
             {"GOMALL_DATABASE_MYSQL_REPLICA_PORT", "x"}}) {
        auto vars = mysql;
        vars[key] = value;
        EXPECT_THROW(load("dev", vars), ConfigError) << key << "=" << value;
    }
    auto bounds = mysql;
    bounds["GOMALL_DATABASE_REPLICA_MAX_LAG_MS"] = "100";
    EXPECT_EQ(load("dev", bounds).database.replica_max_lag_ms, 100);
    bounds["GOMALL_DATABASE_REPLICA_MAX_LAG_MS"] = "600000";
    EXPECT_EQ(load("dev", bounds).database.replica_max_lag_ms, 600000);
}

TEST_F(ConfigTest, AReadReplicaIsRefusedOnSqlite) {
    try {
        load("dev", {{"GOMALL_DATABASE_MYSQL_REPLICA_HOST", "127.0.0.1"}});
        FAIL() << "a replica with driver sqlite was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("database.mysql_replica_host"), std::string::npos) << e.what();
    }
}

TEST_F(ConfigTest, TheRegistryIsOffByDefaultAndTakesEtcdEndpointsFromTheEnvironment) {
    const auto defaults = load("dev");
    EXPECT_TRUE(defaults.registry.etcd_endpoints.empty());
    EXPECT_EQ(defaults.registry.lease_ttl_seconds, 5);
    EXPECT_EQ(defaults.registry.request_timeout_ms, 1000);

    const auto c = load(
        "dev",
        {{"GOMALL_REGISTRY_ETCD_ENDPOINTS", "http://127.0.0.1:2379, http://127.0.0.1:22379"},
         {"GOMALL_REGISTRY_LEASE_TTL_SECONDS", "9"},
         {"GOMALL_REGISTRY_REQUEST_TIMEOUT_MS", "500"}}
    );
    EXPECT_EQ(c.registry.etcd_endpoints, (std::vector<std::string>{"http://127.0.0.1:2379", "http://127.0.0.1:22379"}));
    EXPECT_EQ(c.registry.lease_ttl_seconds, 9);
    EXPECT_EQ(c.registry.request_timeout_ms, 500);

    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_REGISTRY_ETCD_ENDPOINTS", "127.0.0.1:2379"},
             {"GOMALL_REGISTRY_LEASE_TTL_SECONDS", "1"},
             {"GOMALL_REGISTRY_LEASE_TTL_SECONDS", "301"},
             {"GOMALL_REGISTRY_REQUEST_TIMEOUT_MS", "2000"}}) {  // a third of the 5 s TTL or more
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }

    ConfigOptions shipped;
    shipped.env = "staging";
    shipped.config_path = std::string(GOMALL_SOURCE_DIR) + "/conf/config.yaml";
    shipped.use_process_environment = false;
    const auto from_file = load_config(shipped);
    EXPECT_TRUE(from_file.registry.etcd_endpoints.empty());
    EXPECT_EQ(from_file.registry.lease_ttl_seconds, 5);
}

TEST_F(ConfigTest, ServicesModeNeedsARegistryAPeerSecretAndTheFullFlashSale) {
    const auto defaults = load("dev");
    EXPECT_EQ(defaults.services.role, "all");
    EXPECT_EQ(defaults.services.grpc_port, 0);

    const std::map<std::string, std::string> gateway{
        {"GOMALL_SERVICES_ROLE", "gateway"},
        {"GOMALL_REGISTRY_ETCD_ENDPOINTS", "http://127.0.0.1:2379"},
        {"GOMALL_SERVICES_PEER_SECRET", std::string(32, 'p')},
        {"GOMALL_SECKILL_MODE", "full"}};
    EXPECT_EQ(load("dev", gateway).services.role, "gateway");

    auto without = [&](const std::string& key) {
        auto vars = gateway;
        vars.erase(key);
        return vars;
    };
    EXPECT_THROW(load("dev", without("GOMALL_REGISTRY_ETCD_ENDPOINTS")), ConfigError);
    EXPECT_THROW(load("dev", without("GOMALL_SERVICES_PEER_SECRET")), ConfigError);
    auto short_secret = gateway;
    short_secret["GOMALL_SERVICES_PEER_SECRET"] = std::string(31, 'p');
    EXPECT_THROW(load("dev", short_secret), ConfigError);
    auto same_as_jwt = gateway;
    same_as_jwt["GOMALL_SERVICES_PEER_SECRET"] = std::string(40, 'j');
    same_as_jwt["GOMALL_AUTH_JWT_SECRET"] = std::string(40, 'j');
    EXPECT_THROW(load("dev", same_as_jwt), ConfigError);
    // Revoked tokens reach the gateways on Redis, which full mode has.
    EXPECT_THROW(load("dev", without("GOMALL_SECKILL_MODE")), ConfigError);

    auto user = gateway;
    user["GOMALL_SERVICES_ROLE"] = "user";
    EXPECT_EQ(load("dev", user).services.role, "user");
    user["GOMALL_SERVICES_GRPC_HOST"] = "0.0.0.0";
    EXPECT_THROW(load("dev", user), ConfigError);  // peers cannot dial 0.0.0.0

    auto catalog = gateway;
    catalog["GOMALL_SERVICES_ROLE"] = "catalog";
    EXPECT_EQ(load("dev", catalog).services.role, "catalog");
    catalog["GOMALL_SERVICES_GRPC_HOST"] = "::";
    EXPECT_THROW(load("dev", catalog), ConfigError);  // peers cannot dial ::
    auto order = gateway;
    order["GOMALL_SERVICES_ROLE"] = "order";
    EXPECT_EQ(load("dev", order).services.role, "order");

    auto seckill = without("GOMALL_SECKILL_MODE");
    seckill["GOMALL_SERVICES_ROLE"] = "seckill";
    EXPECT_THROW(load("dev", seckill), ConfigError);  // the embedded flash sale cannot be shared
    seckill["GOMALL_SECKILL_MODE"] = "full";
    EXPECT_EQ(load("dev", seckill).services.role, "seckill");
    seckill["GOMALL_SERVICES_GRPC_HOST"] = "0.0.0.0";
    EXPECT_THROW(load("dev", seckill), ConfigError);  // peers cannot dial 0.0.0.0
    seckill["GOMALL_SERVICES_ADVERTISE_HOST"] = "10.0.0.7";
    EXPECT_EQ(load("dev", seckill).services.advertise_host, "10.0.0.7");

    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"GOMALL_SERVICES_ROLE", "orders"},
             {"GOMALL_SERVICES_GRPC_PORT", "65536"},
             {"GOMALL_SERVICES_INSTANCE_ID", "a/b"},
             {"GOMALL_SERVICES_GRPC_HOST", "a b"},
             {"GOMALL_SERVICES_CALL_TIMEOUT_MS", "10"}}) {
        EXPECT_THROW(load("dev", {{key, value}}), ConfigError) << key << "=" << value;
    }
}

}  // namespace
}  // namespace gomall::app
