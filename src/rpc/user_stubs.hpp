// The stubs the user service's callers keep per instance (InstancePool::Target::stubs).
#pragma once

#include <memory>

#include <grpcpp/channel.h>

#include "gomall/v1/user.grpc.pb.h"

namespace gomall::rpc {

struct UserStubs {
    explicit UserStubs(const std::shared_ptr<grpc::Channel>& channel) : users(v1::UserService::NewStub(channel)) {}
    const std::unique_ptr<v1::UserService::Stub> users;
};

}  // namespace gomall::rpc
