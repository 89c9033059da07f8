// timelined: builds draft postmortem timelines from incident evidence. See README.md.
#include "daemon/cli.h"

int main(int argc, char** argv) { return timelined::daemon::RunCli(argc, argv); }
