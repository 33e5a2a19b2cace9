// Contract tests of the account service over gRPC: UserClient (and the generated stub) against a
// real gRPC server on a loopback port, serving the real AuthService on SQLite in a temporary file.
// The "gateway" of these tests is what the gateway role builds: its own TokenRevocations over
// RemoteRevocationRecord and its own token verifier, so a test can check that what was revoked
// through the service is refused where tokens are verified.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/token_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "core/unavailable.hpp"
#include "gomall/v1/user.grpc.pb.h"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/remote_revocation_record.hpp"
#include "rpc/status_mapping.hpp"
#include "rpc/user_client.hpp"
#include "rpc/user_server.hpp"
#include "services/auth_service.hpp"
#include "unit/rpc/temp_sqlite_database.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "contract-test-secret-of-the-users";
constexpr const char* kJwtSecret = "contract-test-jwt-secret-0123456789";

services::AuthSettings auth_settings() {
    services::AuthSettings s;
    s.jwt_secret = kJwtSecret;
    return s;
}

/// What the user role runs: AuthService and its parts on the shared database.
struct AccountService {
    explicit AccountService(adapters::sql::Database& db, services::RateLimitSettings login_limit)
        : users(db), tokens(db), limiter(clock, login_limit) {}

    ports::SystemClock clock;
    adapters::sql::SqlUserRepository users;
    adapters::sql::SqlTokenRepository tokens;
    services::PasswordHasher hasher{4};
    services::TokenRevocations revocations{tokens, clock};
    services::KeyedRateLimiter limiter;
    services::LoginThrottle throttle{clock};
    services::AuthService auth{users, tokens, hasher, revocations, limiter, throttle, clock, auth_settings()};
};

/// What the gateway role runs: a pool of the service's instances, the revocations read through
/// it, a verifier over them (AuthService::verify, as the gateway's pipeline uses) and the client.
struct Gateway {
    Gateway(adapters::sql::Database& db, ports::ServiceRegistry& registry, int port, std::string secret)
        : users(db),
          tokens(db),
          pool(registry, "user", services::BreakerSettings{}, clock, metrics, UserClient::make_stubs),
          record(pool, secret, 5s),
          client(pool, revocations, UserClientSettings{secret, 5s}) {
        if (port > 0) {
            pool.update({ports::ServiceInstance{"user", "one", "127.0.0.1:" + std::to_string(port), 1, {}}});
        }
    }

    ports::SystemClock clock;
    ports::NullMetrics metrics;
    adapters::sql::SqlUserRepository users;  // only for the verifier's constructor: never called
    adapters::sql::SqlTokenRepository tokens;
    services::PasswordHasher hasher{4};
    InstancePool pool;
    RemoteRevocationRecord record;
    services::TokenRevocations revocations{record, clock};
    services::KeyedRateLimiter limiter{clock, services::RateLimitSettings{}};
    services::LoginThrottle throttle{clock};
    services::AuthService verifier{users, tokens, hasher, revocations, limiter, throttle, clock, auth_settings()};
    UserClient client;
};

class UserContractTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_support::TempSqliteDatabase>("gomall-user-rpc-test");
        service_ = std::make_unique<AccountService>(**db_, services::RateLimitSettings{10.0, 3.0, 1000});
        server_side_ = std::make_unique<UserServer>(
            service_->auth,
            service_->revocations,
            service_->tokens,
            UserServerSettings{kSecret, blocking_.get_executor()}
        );
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        server_side_->register_with(builder);
        server_ = builder.BuildAndStart();
        ASSERT_NE(server_, nullptr);
        gateway_ = make_gateway(kSecret);
        gateway_->revocations.load();
    }

    void TearDown() override {
        gateways_.clear();
        gateway_.reset();
        server_->Shutdown(std::chrono::system_clock::now() + 1s);
        server_.reset();
        blocking_.join();
        server_side_.reset();
        service_.reset();
        db_.reset();
    }

    std::unique_ptr<Gateway> make_gateway(const std::string& secret, bool with_instance = true) {
        return std::make_unique<Gateway>(**db_, registry_, with_instance ? port_ : 0, secret);
    }

    services::LoginResult register_alice() {
        auto registered = gateway_->client.register_user({"alice", "secret123", "alice@example.com", ""});
        EXPECT_TRUE(registered.ok()) << registered.error().message;
        return registered.value();
    }

    domain::AccessClaims verified(const std::string& token) {
        auto claims = gateway_->verifier.verify(token);
        EXPECT_TRUE(claims.ok()) << claims.error().message;
        return claims.value();
    }

    adapters::memory::MemoryServiceRegistry registry_;
    std::unique_ptr<test_support::TempSqliteDatabase> db_;
    std::unique_ptr<AccountService> service_;
    boost::asio::thread_pool blocking_{2};
    std::unique_ptr<UserServer> server_side_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
    std::unique_ptr<Gateway> gateway_;
    std::vector<std::unique_ptr<Gateway>> gateways_;
};

TEST_F(UserContractTest, AShopperRegistersSignsInAndReadsTheirProfileThroughTheClient) {
    const auto registered = register_alice();
    EXPECT_GT(registered.user.id, 0);
    EXPECT_EQ(registered.user.username, "alice");
    EXPECT_EQ(registered.user.email, "alice@example.com");
    EXPECT_TRUE(registered.user.password_hash.empty());  // never travels
    EXPECT_EQ(registered.expires_in, 900s);
    EXPECT_EQ(verified(registered.access_token).user_id, registered.user.id);

    const auto login = gateway_->client.login("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(login.result.ok()) << login.result.error().message;
    EXPECT_EQ(verified(login.result->access_token).username, "alice");

    const auto profile = gateway_->client.profile(registered.user.id);
    ASSERT_TRUE(profile.ok()) << profile.error().message;
    EXPECT_EQ(profile->username, "alice");
    EXPECT_EQ(profile->role, domain::Role::kShopper);

    const auto missing = gateway_->client.profile(registered.user.id + 100);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kUserNotFound);
}

TEST_F(UserContractTest, RefusalsKeepTheirCodeFieldAndWait) {
    register_alice();
    const auto taken = gateway_->client.register_user({"alice", "secret123", "other@example.com", ""});
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().code, ErrorCode::kUsernameTaken);
    EXPECT_EQ(taken.error().field, "username");

    const auto short_password = gateway_->client.register_user({"bob", "123", "bob@example.com", ""});
    ASSERT_FALSE(short_password.ok());
    EXPECT_EQ(short_password.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(short_password.error().field, "password");

    const auto wrong = gateway_->client.login("alice", "wrong-password", "10.0.0.2");
    ASSERT_FALSE(wrong.result.ok());
    EXPECT_EQ(wrong.result.error().code, ErrorCode::kInvalidCredentials);

    // The login limit of the test's service: a burst of 3 per client address.
    services::LoginOutcome limited = gateway_->client.login("alice", "secret123", "10.0.0.3");
    for (int i = 0; i < 5 && limited.result.ok(); ++i) {
        limited = gateway_->client.login("alice", "secret123", "10.0.0.3");
    }
    ASSERT_FALSE(limited.result.ok());
    EXPECT_EQ(limited.result.error().code, ErrorCode::kLoginRateLimited);
    EXPECT_GT(limited.retry_after.count(), 0);  // the HTTP layer's Retry-After
}

TEST_F(UserContractTest, ALogoutThroughTheServiceIsRefusedAtTheGatewayAtOnce) {
    const auto registered = register_alice();
    const auto claims = verified(registered.access_token);
    const auto second = gateway_->client.login("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(second.result.ok());

    ASSERT_TRUE(gateway_->client.logout(claims).ok());
    const auto after = gateway_->verifier.verify(registered.access_token);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, ErrorCode::kTokenInvalid);
    // Another login is another session: it lives on.
    EXPECT_TRUE(gateway_->verifier.verify(second.result->access_token).ok());
    // The refresh token of the ended session is dead on the service.
    const auto refreshed = gateway_->client.refresh(registered.refresh_token);
    ASSERT_FALSE(refreshed.ok());
    EXPECT_EQ(refreshed.error().code, ErrorCode::kRefreshTokenInvalid);
}

TEST_F(UserContractTest, APasswordChangeEndsTheOldTokensAtTheGatewayButNotTheNewOnes) {
    const auto registered = register_alice();
    const auto claims = verified(registered.access_token);

    const auto wrong = gateway_->client.change_password(claims, "not-the-password", "newsecret456");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kWrongOldPassword);
    EXPECT_EQ(wrong.error().field, "old_password");
    EXPECT_TRUE(gateway_->verifier.verify(registered.access_token).ok());

    ASSERT_TRUE(gateway_->client.change_password(claims, "secret123", "newsecret456").ok());
    EXPECT_FALSE(gateway_->verifier.verify(registered.access_token).ok());
    EXPECT_FALSE(gateway_->client.login("alice", "secret123", "10.0.0.4").result.ok());
    const auto fresh = gateway_->client.login("alice", "newsecret456", "10.0.0.4");
    ASSERT_TRUE(fresh.result.ok()) << fresh.result.error().message;
    EXPECT_TRUE(gateway_->verifier.verify(fresh.result->access_token).ok());
}

TEST_F(UserContractTest, AGatewayStartedLaterLoadsTheRevocationsFromTheService) {
    const auto registered = register_alice();
    const auto other = gateway_->client.login("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(other.result.ok());
    ASSERT_TRUE(gateway_->client.logout(verified(registered.access_token)).ok());
    ASSERT_TRUE(gateway_->client.change_password(verified(other.result->access_token), "secret123", "newsecret456").ok()
    );

    auto& later = *gateways_.emplace_back(make_gateway(kSecret));
    EXPECT_TRUE(later.verifier.verify(registered.access_token).ok()) << "nothing loaded yet";
    later.revocations.load();
    EXPECT_FALSE(later.verifier.verify(registered.access_token).ok());
    EXPECT_FALSE(later.verifier.verify(other.result->access_token).ok());
}

TEST_F(UserContractTest, ACallerWithoutThePeerSecretIsRefusedAndChangesNothing) {
    auto& stranger = *gateways_.emplace_back(make_gateway("not-the-secret-of-this-shop-at-all"));
    const auto refused = stranger.client.register_user({"mallory", "secret123", "m@example.com", ""});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInternal);  // a deployment mistake, not the shopper's
    EXPECT_FALSE(service_->users.find_by_username("mallory").has_value());
    EXPECT_THROW(stranger.revocations.load(), std::exception);

    // Straight through the stub, with the secret but without a user: the profile is refused.
    auto stub = v1::UserService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials())
    );
    grpc::ClientContext context;
    prepare_context(context, OutgoingCall{5s, std::nullopt, {}}, kSecret);
    v1::User user;
    const auto status = stub->Profile(&context, v1::ProfileRequest{}, &user);
    EXPECT_EQ(from_grpc_status(status).code, ErrorCode::kUnauthorized);
}

TEST_F(UserContractTest, WithNoInstanceCallsAreUnavailableWithARetryAfter) {
    auto& alone = *gateways_.emplace_back(make_gateway(kSecret, false));
    const auto login = alone.client.login("alice", "secret123", "10.0.0.1");
    ASSERT_FALSE(login.result.ok());
    EXPECT_EQ(login.result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(login.retry_after, kTransportRetryAfter);
    EXPECT_THROW(alone.revocations.load(), DependencyUnavailable);
}

}  // namespace
}  // namespace gomall::rpc
