// Entry point of the gomall binary: parses the command line and hands over to the composition root.
#include "app/cli.hpp"

int main(int argc, char** argv) {
    return gomall::app::run_cli(argc, argv);
}
