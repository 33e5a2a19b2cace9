// Unit tests of the error <-> grpc::Status mapping: every ErrorCode survives the round trip, the
// gRPC codes follow the HTTP classes, and statuses without our detail (the transport's, the peer
// check's) map to kUnavailable with a retry-after or to kInternal.
#include "rpc/status_mapping.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "core/unavailable.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/error_code_names.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

// Every number that names an ErrorCode (the name table's switch covers each enumerator).
std::vector<ErrorCode> every_error_code() {
    std::vector<ErrorCode> codes;
    for (int number = 1; number < 100'000; ++number) {
        if (auto code = error_code_from_number(number)) {
            codes.push_back(*code);
        }
    }
    return codes;
}

TEST(StatusMappingTest, EveryErrorCodeSurvivesTheRoundTripThroughAStatus) {
    const auto codes = every_error_code();
    EXPECT_EQ(codes.size(), 54U);  // ErrorCode's enumerators, kOk aside
    for (const ErrorCode code : codes) {
        Error error = make_error(code, "sentence for " + std::to_string(static_cast<int>(code)), "some_field");
        error.retry_after = 7s;
        const grpc::Status status = to_grpc_status(error);
        EXPECT_FALSE(status.ok());
        EXPECT_EQ(status.error_code(), grpc_code_for(code));
        EXPECT_EQ(status.error_message(), error.message);

        const Error back = from_grpc_status(status);
        EXPECT_EQ(back.code, code) << error_code_name(code);
        EXPECT_EQ(back.message, error.message);
        EXPECT_EQ(back.field, "some_field");
        EXPECT_EQ(back.retry_after, 7s);
    }
}

TEST(StatusMappingTest, EveryErrorCodeHasAnUpperCaseWireName) {
    for (const ErrorCode code : every_error_code()) {
        const auto name = error_code_name(code);
        ASSERT_FALSE(name.empty());
        EXPECT_EQ(name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), std::string_view::npos) << name;
    }
    EXPECT_EQ(error_code_name(ErrorCode::kSoldOut), "SOLD_OUT");
    EXPECT_EQ(error_code_name(ErrorCode::kSeckillTokenRequired), "SECKILL_TOKEN_REQUIRED");
    EXPECT_FALSE(error_code_from_number(12345).has_value());
}

TEST(StatusMappingTest, GrpcCodesFollowTheHttpClassesOfTheErrors) {
    EXPECT_EQ(grpc_code_for(ErrorCode::kBadRequest), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(grpc_code_for(ErrorCode::kInvalidActivityWindow), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(grpc_code_for(ErrorCode::kUnauthorized), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(grpc_code_for(ErrorCode::kForbidden), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(grpc_code_for(ErrorCode::kActivityNotFound), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(grpc_code_for(ErrorCode::kUsernameTaken), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_EQ(grpc_code_for(ErrorCode::kSoldOut), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(grpc_code_for(ErrorCode::kLimitReached), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(grpc_code_for(ErrorCode::kSeckillRateLimited), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(grpc_code_for(ErrorCode::kSeckillBusy), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(grpc_code_for(ErrorCode::kUnavailable), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(grpc_code_for(ErrorCode::kInternal), grpc::StatusCode::INTERNAL);
}

TEST(StatusMappingTest, TransportFailuresBecomeUnavailableWithARetryAfter) {
    for (const auto code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED}) {
        const Error error = from_grpc_status(grpc::Status(code, "connection refused"));
        EXPECT_EQ(error.code, ErrorCode::kUnavailable);
        EXPECT_EQ(error.retry_after, kTransportRetryAfter);
        EXPECT_FALSE(error.message.empty());
    }
}

TEST(StatusMappingTest, AStatusWithoutOurDetailFromThePeerCheckIsAnInternalError) {
    const Error error =
        from_grpc_status(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or wrong peer secret"));
    EXPECT_EQ(error.code, ErrorCode::kInternal);
    EXPECT_EQ(error.retry_after, 0s);
}

TEST(StatusMappingTest, ACodeFromANewerPeerFallsBackToTheClassOfItsStatus) {
    v1::StatusDetails details;
    v1::ErrorDetail detail;
    detail.set_code(99'999);
    detail.set_message("something new");
    details.add_details()->PackFrom(detail);
    const grpc::Status status(grpc::StatusCode::UNAVAILABLE, "something new", details.SerializeAsString());
    EXPECT_EQ(from_grpc_status(status).code, ErrorCode::kUnavailable);
}

TEST(StatusMappingTest, AHandlerThatThrowsIsAnsweredWithUnavailableOrInternal) {
    const auto unavailable =
        from_grpc_status(status_of_exception(std::make_exception_ptr(DependencyUnavailable("database down", 5s))));
    EXPECT_EQ(unavailable.code, ErrorCode::kUnavailable);
    EXPECT_EQ(unavailable.retry_after, 5s);

    const grpc::Status broken = status_of_exception(std::make_exception_ptr(std::logic_error("secret internals")));
    EXPECT_EQ(broken.error_code(), grpc::StatusCode::INTERNAL);
    const auto internal = from_grpc_status(broken);
    EXPECT_EQ(internal.code, ErrorCode::kInternal);
    EXPECT_EQ(internal.message.find("secret internals"), std::string::npos);
}

TEST(PeerSecretTest, ComparesWholeStringsOfAnyLength) {
    EXPECT_TRUE(equal_in_constant_time("s3cret", "s3cret"));
    EXPECT_TRUE(equal_in_constant_time("", ""));
    EXPECT_FALSE(equal_in_constant_time("s3cret", "s3creT"));
    EXPECT_FALSE(equal_in_constant_time("s3cret", "s3cret-and-more"));
    EXPECT_FALSE(equal_in_constant_time("s3cret", ""));
    EXPECT_THROW(PeerSecret(""), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::rpc
