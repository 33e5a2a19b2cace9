#include "http/listen_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace gomall::http {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& host, std::uint16_t port, int error) {
    throw std::runtime_error(
        what + " " + host + ":" + std::to_string(port) + ": " + std::strerror(error)  // NOLINT(concurrency-mt-unsafe)
    );
}

}  // namespace

ListenSocket ListenSocket::bind(const std::string& host, std::uint16_t port) {
    sockaddr_storage address{};
    socklen_t length = 0;
    bool ipv6 = false;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);   // NOLINT: the sockets API's own casts
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);  // NOLINT
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
        ipv6 = true;
    } else {
        throw std::runtime_error("server.host: not an IPv4 or IPv6 address: " + host);
    }
    const int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("cannot create a socket for", host, port, errno);
    }
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {  // NOLINT
        const int error = errno;
        ::close(fd);
        fail("cannot listen on", host, port, error);
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    std::uint16_t bound_port = port;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) == 0) {  // NOLINT
        bound_port = ntohs(
            ipv6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port  // NOLINT
                 : reinterpret_cast<sockaddr_in*>(&bound)->sin_port
        );  // NOLINT
    }
    return ListenSocket(fd, ipv6, bound_port);
}

ListenSocket::~ListenSocket() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

ListenSocket::ListenSocket(ListenSocket&& other) noexcept : fd_(other.fd_), ipv6_(other.ipv6_), port_(other.port_) {
    other.fd_ = -1;
}

ListenSocket& ListenSocket::operator=(ListenSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = other.fd_;
        ipv6_ = other.ipv6_;
        port_ = other.port_;
        other.fd_ = -1;
    }
    return *this;
}

int ListenSocket::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

}  // namespace gomall::http
