#include "app/cli.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/payment_backend.hpp"
#include "app/product_seeding.hpp"
#include "emulator/emulator_server.hpp"

#ifndef GOMALL_VERSION
#define GOMALL_VERSION "0.0.0"
#endif

namespace gomall::app {
namespace {

constexpr const char* kUsage = R"(usage: gomall [command] [--env NAME] [--config PATH]

commands:
  serve     run the shop: API and web UI (default)
  migrate   apply pending database migrations and exit
  seed      migrate, then fill an empty catalogue with the demo data
  seed-shoppers N [PREFIX]
            make N load-test shoppers (password from GOMALL_BENCH_PASSWORD or "Bench-12345")
            and print one access token per line
  seed-products N
            migrate, then add N generated products (1 to 1000000; Chinese and English
            names from word lists, with their search index rows), printing progress
  wechatpay-emulator [PORT]
            run the local WeChat Pay emulator alone on wechatpay.emulator_host:PORT
            (default 8090) with the dev keys of wechatpay.dev_key_dir; stops on SIGINT/SIGTERM
  version   print the version
  help      print this text

options:
  --env NAME     config overlay conf/config-NAME.yaml (dev, test, prod; default $GOMALL_ENV or dev)
  --config PATH  base config file (default conf/config.yaml); the overlay is looked up beside it
  --role NAME    serve: which part of the shop this process is (services.role): all (default: the
                 whole shop), gateway (HTTP; calls the services over gRPC), user (accounts
                 and sign-in), catalog (products, carts, stock), order (orders and payment),
                 seckill (the flash sale; run several), each a gRPC service. migrate: with
                 database.schema own, migrate that role's own tables
Every key can be overridden with GOMALL_<SECTION>_<KEY>, e.g. GOMALL_SERVER_PORT=9090.
)";

struct Arguments {
    std::string command = "serve";
    std::vector<std::string> operands;  // after the command, e.g. seed-shoppers 1000 bench
    ConfigOptions config;
};

bool parse_arguments(int argc, char** argv, Arguments& out, std::string& problem) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool have_command = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&](const std::string& flag) -> std::string {
            if (i + 1 >= args.size()) {
                problem = flag + " needs a value";
                return {};
            }
            return args[++i];
        };
        if (a == "--env") {
            out.config.env = value(a);
        } else if (a.rfind("--env=", 0) == 0) {
            out.config.env = a.substr(6);
        } else if (a == "--role" || a.rfind("--role=", 0) == 0) {
            // The flag wins over GOMALL_SERVICES_ROLE and the files; load_config checks the name.
            out.config.environment["GOMALL_SERVICES_ROLE"] = a == "--role" ? value(a) : a.substr(7);
        } else if (a == "--config") {
            out.config.config_path = value(a);
        } else if (a.rfind("--config=", 0) == 0) {
            out.config.config_path = a.substr(9);
        } else if (a == "-h" || a == "--help") {
            out.command = "help";
            have_command = true;
        } else if (a == "--version") {
            out.command = "version";
            have_command = true;
        } else if (!a.empty() && a[0] == '-') {
            problem = "unknown option " + a;
        } else if (!have_command) {
            out.command = a;
            have_command = true;
        } else if ((out.command == "seed-shoppers" && out.operands.size() < 2) ||
                   ((out.command == "wechatpay-emulator" || out.command == "seed-products") && out.operands.empty())) {
            out.operands.push_back(a);
        } else {
            problem = "unexpected argument " + a;
        }
        if (!problem.empty()) {
            return false;
        }
    }
    return true;
}

/// A whole decimal number from 1 to `max` (no sign, no spaces, no trailing text), or nullopt.
std::optional<long long> parse_count(const std::string& text, long long max) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    const long long value = std::stoll(text);
    if (value < 1 || value > max) {
        return std::nullopt;
    }
    return value;
}

int serve(const Config& config) {
    // Signals are taken by this thread with sigwait; every thread started later inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    App app(config);
    std::optional<std::string> generated;
    try {
        generated = app.start();
    } catch (const std::exception& e) {
        spdlog::critical("startup failed: {}", e.what());
        std::cerr << "gomall: startup failed: " << e.what() << "\n";
        return 1;
    }
    // With JSON logs stdout is a stream of JSON lines for a collector: words for people go to stderr.
    std::ostream& human = config.log.format == "json" ? std::cerr : std::cout;
    if (generated) {
        // Printed once, to the terminal only, never to the log.
        human << "\n  Admin account created.  username: " << config.admin.username << "  password: " << *generated
              << "\n  (shown only now; set admin.password or GOMALL_ADMIN_PASSWORD to choose it)\n\n";
    }
    human << "GoMall " << GOMALL_VERSION << " (" << config.env << ") serving on http://localhost:" << app.port()
          << "  (Ctrl-C to stop)" << std::endl;

    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
    app.stop();
    spdlog::info("stopped cleanly");
    spdlog::default_logger()->flush();
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    Arguments args;
    std::string problem;
    if (!parse_arguments(argc, argv, args, problem)) {
        std::cerr << "gomall: " << problem << "\n" << kUsage;
        return 2;
    }
    if (args.command == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (args.command == "version") {
        std::cout << "gomall " << GOMALL_VERSION << "\n";
        return 0;
    }
    if (args.command != "serve" && args.command != "migrate" && args.command != "seed" &&
        args.command != "seed-shoppers" && args.command != "seed-products" && args.command != "wechatpay-emulator") {
        std::cerr << "gomall: unknown command " << args.command << "\n" << kUsage;
        return 2;
    }
    Config config;
    try {
        config = load_config(args.config);
    } catch (const ConfigError& e) {
        std::cerr << "gomall: " << e.what() << "\n";
        return 2;
    }
    setup_logging(config.log.level, config.log.format);
    try {
        if (args.command == "migrate") {
            const int applied = migrate_database(config);
            std::cout << "applied " << applied << " migration(s)\n";
            return 0;
        }
        if (args.command == "seed-shoppers") {
            int count = 0;
            if (args.operands.empty() || (count = std::atoi(args.operands[0].c_str())) <= 0 || count > 1000000) {
                std::cerr << "gomall: seed-shoppers needs a count between 1 and 1000000\n";
                return 2;
            }
            const std::string prefix = args.operands.size() > 1 ? args.operands[1] : "bench";
            // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread starts
            const char* password = std::getenv("GOMALL_BENCH_PASSWORD");
            const int created =
                seed_shoppers(config, count, prefix, password != nullptr ? password : "Bench-12345", std::cout);
            std::cerr << "created " << created << " shopper(s), printed " << count << " token(s)\n";
            return 0;
        }
        if (args.command == "seed-products") {
            const auto count = args.operands.empty() ? std::nullopt : parse_count(args.operands[0], kMaxSeededProducts);
            if (!count) {
                std::cerr << "gomall: seed-products needs a count between 1 and " << kMaxSeededProducts << "\n";
                return 2;
            }
            if (config.env == "prod") {
                std::cerr
                    << "gomall: seed-products is refused in prod (it fills the catalogue with made-up products)\n";
                return 2;
            }
            const long long added = seed_products(config, *count, std::cout);
            std::cout << "added " << added << " generated product(s)\n";
            return 0;
        }
        if (args.command == "wechatpay-emulator") {
            if (config.env == "prod") {
                std::cerr << "gomall: the WeChat Pay emulator is refused in prod\n";
                return 2;
            }
            const int port = args.operands.empty() ? 8090 : std::atoi(args.operands[0].c_str());
            if (port < 1 || port > 65535) {
                std::cerr << "gomall: wechatpay-emulator needs a port between 1 and 65535\n";
                return 2;
            }
            return emulator::run_wechatpay_emulator(
                dev_emulator_settings(config.wechatpay),
                config.wechatpay.emulator_host,
                static_cast<std::uint16_t>(port)
            );
        }
        if (args.command == "seed") {
            std::cout
                << (seed_database(config) ? "seeded the demo catalogue\n" : "catalogue not empty; nothing seeded\n");
            return 0;
        }
        return serve(config);
    } catch (const std::exception& e) {
        std::cerr << "gomall: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace gomall::app
