// The broker objects the reservation queue relies on, declared by every connection that uses them.
#pragma once

#include <cstddef>
#include <string>

#include "adapters/rabbitmq/amqp_connection.hpp"
#include "adapters/rabbitmq/rabbit_settings.hpp"

namespace gomall::adapters::rabbitmq {

/// Where rejected reservations end up: the queue's name + ".dead".
std::string dead_letter_queue_of(const std::string& queue);

/// The connection parameters in `settings`; with cluster nodes, those of node `attempt` modulo
/// their number (so successive attempts go round the cluster).
AmqpEndpoint endpoint_of(const RabbitSettings& settings, std::size_t attempt = 0);

/// "host:port" of the broker, or "host:port,host:port,..." of the cluster, for messages.
std::string peer_of(const RabbitSettings& settings);

/// Durable `settings.queue`, dead-lettering through the default exchange to the durable
/// dead-letter queue. Idempotent; throws AmqpError if a queue exists with other arguments.
void declare_reservation_topology(AmqpConnection& connection, const RabbitSettings& settings);

}  // namespace gomall::adapters::rabbitmq
