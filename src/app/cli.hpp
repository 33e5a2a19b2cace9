// The gomall command line: serve (default), migrate, seed, version, help.
#pragma once

namespace gomall::app {

/// Runs the command and returns the process exit code (0 ok, 1 runtime failure, 2 usage or config error).
int run_cli(int argc, char** argv);

}  // namespace gomall::app
