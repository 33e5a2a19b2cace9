// The broker objects the reservation queue relies on, declared by every connection that uses them.
#pragma once

#include <string>

#include "adapters/rabbitmq/amqp_connection.hpp"
#include "adapters/rabbitmq/rabbit_settings.hpp"

namespace gomall::adapters::rabbitmq {

/// Where rejected reservations end up: the queue's name + ".dead".
std::string dead_letter_queue_of(const std::string& queue);

/// The connection parameters in `settings`.
AmqpEndpoint endpoint_of(const RabbitSettings& settings);

/// Durable `settings.queue`, dead-lettering through the default exchange to the durable
/// dead-letter queue. Idempotent; throws AmqpError if a queue exists with other arguments.
void declare_reservation_topology(AmqpConnection& connection, const RabbitSettings& settings);

}  // namespace gomall::adapters::rabbitmq
