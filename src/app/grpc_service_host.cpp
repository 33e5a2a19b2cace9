// The gRPC server of a service role and its registration.
#include "app/grpc_service_host.hpp"

#include <chrono>
#include <stdexcept>
#include <unistd.h>

#include <grpcpp/security/server_credentials.h>
#include <spdlog/spdlog.h>

#include "services/jwt.hpp"

namespace gomall::app {

std::string instance_id_of(const ServicesConfig& config) {
    if (!config.instance_id.empty()) {
        return config.instance_id;
    }
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
        host[0] = 'h';
    }
    std::string id;
    for (const char* c = host; *c != '\0' && id.size() < 64; ++c) {
        const bool allowed = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                             *c == '-' || *c == '_' || *c == '.';
        id += allowed ? *c : '-';
    }
    // The pid tells a restarted process from the one before it on the same host; the suffix two
    // containers that both run as pid 1.
    return id + "-" + std::to_string(getpid()) + "-" + services::random_hex(3);
}

GrpcServiceHost::GrpcServiceHost(const ServicesConfig& config, int io_threads, ports::ServiceRegistry& registry)
    : config_(config), io_threads_(io_threads < 1 ? 1 : io_threads), registry_(registry), work_(io_.get_executor()) {}

GrpcServiceHost::~GrpcServiceHost() {
    stop(std::chrono::milliseconds(0));
}

void GrpcServiceHost::start(const std::string& role, const std::function<void(grpc::ServerBuilder&)>& add_services) {
    for (int i = 0; i < io_threads_; ++i) {
        threads_.emplace_back([this] { io_.run(); });
    }
    grpc::ServerBuilder builder;
    int bound = 0;
    const std::string listen = config_.grpc_host + ":" + std::to_string(config_.grpc_port);
    // The peer secret authenticates callers (rpc/call_metadata.hpp); services mode is meant for a
    // private network, or TLS in front of it.
    builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &bound);
    add_services(builder);
    server_ = builder.BuildAndStart();
    if (!server_ || bound == 0) {
        throw std::runtime_error("gRPC: cannot listen on " + listen);
    }
    port_ = static_cast<std::uint16_t>(bound);
    instance_.role = role;
    instance_.id = instance_id_of(config_);
    const std::string& host = config_.advertise_host.empty() ? config_.grpc_host : config_.advertise_host;
    instance_.address = host + ":" + std::to_string(port_);
    registry_.register_instance(instance_);
    published_ = true;
    spdlog::info("gRPC: {} instance {} serving on {} (published as {})", role, instance_.id, listen, instance_.address);
}

void GrpcServiceHost::stop(std::chrono::milliseconds grace) {
    if (published_) {
        published_ = false;
        try {
            registry_.deregister(instance_.role, instance_.id);
        } catch (const std::exception& e) {
            spdlog::warn("gRPC: withdrawing {} from the registry failed: {}", instance_.id, e.what());
        }
    }
    if (server_) {
        server_->Shutdown(std::chrono::system_clock::now() + grace);
        server_->Wait();
        server_.reset();
    }
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) {
        thread.join();
    }
    threads_.clear();
}

}  // namespace gomall::app
