// Declares the reservation queue and its dead-letter queue.
#include "adapters/rabbitmq/reservation_topology.hpp"

namespace gomall::adapters::rabbitmq {

std::string dead_letter_queue_of(const std::string& queue) {
    return queue + ".dead";
}

AmqpEndpoint endpoint_of(const RabbitSettings& settings, std::size_t attempt) {
    AmqpEndpoint endpoint;
    endpoint.host = settings.host;
    endpoint.port = settings.port;
    if (!settings.nodes.empty()) {
        const auto& [host, port] = settings.nodes[attempt % settings.nodes.size()];
        endpoint.host = host;
        endpoint.port = port;
    }
    endpoint.user = settings.user;
    endpoint.password = settings.password;
    endpoint.vhost = settings.vhost;
    endpoint.timeout = settings.connect_timeout;
    return endpoint;
}

std::string peer_of(const RabbitSettings& settings) {
    if (settings.nodes.empty()) {
        return settings.host + ":" + std::to_string(settings.port);
    }
    std::string peer;
    for (const auto& [host, port] : settings.nodes) {
        peer += (peer.empty() ? "" : ",") + host + ":" + std::to_string(port);
    }
    return peer;
}

void declare_reservation_topology(AmqpConnection& connection, const RabbitSettings& settings) {
    const std::string dead = dead_letter_queue_of(settings.queue);
    // The dead-letter queue first, so a rejection never finds its destination missing.
    const bool quorum = settings.queue_type == QueueType::kQuorum;
    connection.declare_durable_queue(dead, quorum);
    connection.declare_durable_queue(settings.queue, quorum, dead);
}

}  // namespace gomall::adapters::rabbitmq
