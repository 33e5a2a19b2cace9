// Process-wide log setup: readable text in dev, one JSON object per line in prod, each line
// carrying the trace id of the request being served.
#pragma once

#include <string>

namespace gomall::app {

/// Configures spdlog's default logger. `format` is "text" or "json".
void setup_logging(const std::string& level, const std::string& format);

}  // namespace gomall::app
