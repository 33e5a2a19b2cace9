// call_blocking against a small recording service: what a blocking call carries (the thread's
// trace, the shopper, the secret) and how it treats an instance that cannot be reached.
#include "rpc/pooled_call.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "core/trace_context.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/user_client.hpp"
#include "rpc/user_stubs.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "pooled-call-test-secret";

/// Answers Profile with the user the call named, and remembers the call's metadata.
class RecordingUserService final : public v1::UserService::CallbackService {
public:
    grpc::ServerUnaryReactor* Profile(
        grpc::CallbackServerContext* context, const v1::ProfileRequest* /*request*/, v1::User* response
    ) override {
        auto* reactor = context->DefaultReactor();
        const Caller caller = caller_of(*context);
        {
            const std::lock_guard lock(mutex_);
            last_ = caller;
            ++calls_;
        }
        response->set_id(caller.user_id.value_or(0));
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }

    Caller last() const {
        const std::lock_guard lock(mutex_);
        return last_;
    }
    int calls() const {
        const std::lock_guard lock(mutex_);
        return calls_;
    }

private:
    mutable std::mutex mutex_;
    Caller last_;
    int calls_ = 0;
};

class PooledCallTest : public ::testing::Test {
protected:
    void SetUp() override {
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        builder.RegisterService(&service_);
        server_ = builder.BuildAndStart();
        ASSERT_NE(server_, nullptr);
    }
    void TearDown() override { server_->Shutdown(std::chrono::system_clock::now() + 1s); }

    Result<v1::User> profile(int attempts) {
        const BlockingCall call{OutgoingCall{2s, 42, {}}, kSecret, "the account service", attempts, {}};
        return call_blocking<UserStubs, v1::User>(pool_, call, [](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Profile(&context, v1::ProfileRequest{}, &response);
        });
    }

    RecordingUserService service_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
    adapters::memory::MemoryServiceRegistry registry_;
    ports::SystemClock clock_;
    ports::NullMetrics metrics_;
    InstancePool pool_{registry_, "user", services::BreakerSettings{}, clock_, metrics_, UserClient::make_stubs};
};

TEST_F(PooledCallTest, ABlockingCallCarriesTheShopperAndTheThreadsTrace) {
    pool_.update({ports::ServiceInstance{"user", "one", "127.0.0.1:" + std::to_string(port_), 1, {}}});
    const auto trace = parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    ASSERT_TRUE(trace.has_value());
    {
        const ActiveTrace::Scope scope(*trace);
        const auto answer = profile(1);
        ASSERT_TRUE(answer.ok()) << answer.error().message;
        EXPECT_EQ(answer->id(), 42);
    }
    const Caller seen = service_.last();
    EXPECT_EQ(seen.user_id, 42);
    ASSERT_TRUE(seen.trace.valid());
    EXPECT_EQ(format_traceparent(seen.trace), format_traceparent(*trace));

    ASSERT_TRUE(profile(1).ok());  // outside any request: no trace travels
    EXPECT_FALSE(service_.last().trace.valid());
}

TEST_F(PooledCallTest, AReadIsTriedOnAnotherInstanceWhenTheFirstCannotBeReached) {
    // "a" comes first in the pool's order and nothing listens there.
    pool_.update({
        ports::ServiceInstance{"user", "a", "127.0.0.1:1", 1, {}},
        ports::ServiceInstance{"user", "b", "127.0.0.1:" + std::to_string(port_), 1, {}},
    });
    const auto once = profile(1);
    ASSERT_FALSE(once.ok());
    EXPECT_EQ(once.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(once.error().retry_after, kTransportRetryAfter);
    EXPECT_EQ(service_.calls(), 0);

    const auto twice = profile(2);  // round robin moved on; whichever comes first, one answers
    ASSERT_TRUE(twice.ok()) << twice.error().message;
    EXPECT_EQ(service_.calls(), 1);
}

TEST_F(PooledCallTest, WithNoInstanceTheCallNamesTheServiceAndGoesNowhere) {
    const auto answer = profile(2);
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(answer.error().message, "the account service is unavailable, please try again");
    EXPECT_EQ(service_.calls(), 0);
}

}  // namespace
}  // namespace gomall::rpc
