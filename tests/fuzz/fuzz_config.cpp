// libFuzzer target: the config loader (app/config) on YAML text as an operator might write it. The
// first byte picks the environment (dev, test or prod rules). load_config() promises one thing for
// a bad file: a ConfigError naming the problem, which the CLI prints. Any other exception (which
// would end the process with std::terminate and no useful line), a crash or undefined behaviour
// is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.hpp"

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const char* const kEnvs[] = {"dev", "test", "prod"};
    gomall::app::ConfigOptions options;
    options.env = kEnvs[data[0] % 3];
    options.config_text = std::string(reinterpret_cast<const char*>(data + 1), size - 1);
    options.use_process_environment = false;
    try {
        (void)gomall::app::load_config(options);
    } catch (const gomall::app::ConfigError&) {  // NOLINT(bugprone-empty-catch): the promised answer
    }
    return 0;
}
