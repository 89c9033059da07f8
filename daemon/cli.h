#pragma once
// The command line: `timelined <subcommand> [options]`. Returns the process exit code.
// Subcommands: serve, check-config, verify-store, version, help.
namespace timelined::daemon {

int RunCli(int argc, char** argv);

}  // namespace timelined::daemon
