#pragma once
// The command line: `timelined <subcommand> [options]`. Returns the process exit code.
// Subcommands: serve, check-config, import, export, verify, verify-store, version, help;
// each rejects options and arguments it does not take (exit 2) and has --help (exit 0).
namespace timelined::daemon {

int RunCli(int argc, char** argv);

}  // namespace timelined::daemon
