// A TCP socket bound to the server's address but not yet accepting. The composition root binds it
// first, so a taken port stops startup before any database is opened, migrated or seeded.
#pragma once

#include <cstdint>
#include <string>

namespace gomall::http {

class ListenSocket {
public:
    /// Binds host:port (IPv4 or IPv6 literal; port 0 picks a free one) with SO_REUSEADDR.
    /// Throws std::runtime_error naming the address when it is taken or invalid.
    static ListenSocket bind(const std::string& host, std::uint16_t port);

    ~ListenSocket();
    ListenSocket(ListenSocket&& other) noexcept;
    ListenSocket& operator=(ListenSocket&& other) noexcept;
    ListenSocket(const ListenSocket&) = delete;
    ListenSocket& operator=(const ListenSocket&) = delete;

    /// Gives up ownership of the descriptor (the server's acceptor takes it).
    int release();
    bool ipv6() const { return ipv6_; }
    std::uint16_t port() const { return port_; }

private:
    ListenSocket(int fd, bool ipv6, std::uint16_t port) : fd_(fd), ipv6_(ipv6), port_(port) {}
    int fd_ = -1;
    bool ipv6_ = false;
    std::uint16_t port_ = 0;
};

}  // namespace gomall::http
