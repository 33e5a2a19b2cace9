// Writing and reading the call metadata, and the constant-time secret check.
#include "rpc/call_metadata.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace gomall::rpc {
namespace {

std::optional<std::string_view> metadata_value(const grpc::ServerContextBase& context, std::string_view key) {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
    if (it == metadata.end()) {
        return std::nullopt;
    }
    return std::string_view(it->second.data(), it->second.size());
}

}  // namespace

void prepare_context(grpc::ClientContext& context, const OutgoingCall& call, std::string_view peer_secret) {
    context.set_deadline(std::chrono::system_clock::now() + call.timeout);
    context.AddMetadata(std::string(kPeerSecretKey), std::string(peer_secret));
    if (call.user_id) {
        context.AddMetadata(std::string(kUserIdKey), std::to_string(*call.user_id));
    }
    if (call.trace.valid()) {
        context.AddMetadata(std::string(kTraceparentKey), format_traceparent(call.trace));
    }
}

Caller caller_of(const grpc::ServerContextBase& context) {
    Caller caller;
    if (const auto user = metadata_value(context, kUserIdKey)) {
        std::int64_t id = 0;
        const auto* end = user->data() + user->size();
        const auto [last, error] = std::from_chars(user->data(), end, id);
        if (error == std::errc() && last == end && id > 0) {
            caller.user_id = id;
        }
    }
    if (const auto traceparent = metadata_value(context, kTraceparentKey)) {
        if (auto parsed = parse_traceparent(*traceparent)) {
            caller.trace = *parsed;
        }
    }
    return caller;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    // Every byte of the longer string is looked at whatever the contents; a length difference
    // only sets a bit, it does not end the loop early.
    const std::size_t length = std::max(a.size(), b.size());
    unsigned difference = a.size() == b.size() ? 0U : 1U;
    for (std::size_t i = 0; i < length; ++i) {
        const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0U;
        const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0U;
        difference |= x ^ y;
    }
    return difference == 0;
}

PeerSecret::PeerSecret(std::string secret) : secret_(std::move(secret)) {
    if (secret_.empty()) {
        throw std::invalid_argument("the rpc peer secret must not be empty");
    }
}

std::optional<grpc::Status> PeerSecret::refuse(const grpc::ServerContextBase& context) const {
    const auto presented = metadata_value(context, kPeerSecretKey);
    if (presented && equal_in_constant_time(*presented, secret_)) {
        return std::nullopt;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or wrong peer secret");
}

}  // namespace gomall::rpc
