// A service role's gRPC side: the server on services.grpc_host:grpc_port, the I/O threads its
// coroutine handlers run on, and the instance's entry in the registry (published once serving,
// withdrawn first at shutdown, so callers stop sending before the server stops answering).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "app/config.hpp"
#include "ports/service_registry.hpp"

namespace gomall::app {

class GrpcServiceHost {
public:
    /// `registry` must outlive the host. Nothing listens yet.
    GrpcServiceHost(const ServicesConfig& config, int io_threads, ports::ServiceRegistry& registry);
    ~GrpcServiceHost();
    GrpcServiceHost(const GrpcServiceHost&) = delete;
    GrpcServiceHost& operator=(const GrpcServiceHost&) = delete;

    /// Where coroutine handlers run (never blocked by them).
    boost::asio::any_io_executor io_executor() { return io_.get_executor(); }

    /// Starts the I/O threads, builds the server with what `add_services` registers, listens, and
    /// publishes this instance under `role`. Throws std::runtime_error when the port cannot be bound.
    void start(const std::string& role, const std::function<void(grpc::ServerBuilder&)>& add_services);
    /// The bound port (after start()).
    std::uint16_t port() const { return port_; }
    /// The instance as published.
    const ports::ServiceInstance& instance() const { return instance_; }

    /// Withdraws the instance, lets calls in flight finish until `grace`, stops the threads. Idempotent.
    void stop(std::chrono::milliseconds grace);

private:
    const ServicesConfig config_;
    const int io_threads_;
    ports::ServiceRegistry& registry_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
    std::unique_ptr<grpc::Server> server_;
    std::uint16_t port_ = 0;
    ports::ServiceInstance instance_;
    bool published_ = false;
};

/// services.instance_id, or one made of the host name, the process id and a random suffix.
std::string instance_id_of(const ServicesConfig& config);

}  // namespace gomall::app
