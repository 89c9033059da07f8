#pragma once
// The process around App: `timelined serve` (signals, drain, graceful stop) and the ready
// file that tells a supervisor or a test the bound port.
#include <cstdint>
#include <string>

#include "daemon/app.h"

namespace timelined::daemon {

// `timelined serve`: builds and starts App, then waits for SIGTERM/SIGINT (blocked in every
// thread, taken by sigwait on this one). The first signal starts the drain: /readyz answers
// 503 for [server] drain_ms while every request is still served; a second signal cuts it
// short. Then App::Stop. Returns the exit code: 1 when App cannot be built or started.
int Serve(config::Config config, Role role = Role::kAll);

// Writes "<port>\n" to `path` atomically (a temporary file renamed over it), so a reader
// never sees a partial file. Errors: kUnavailable "ready_file".
Result<void> WriteReadyFile(const std::string& path, uint16_t port);

}  // namespace timelined::daemon
