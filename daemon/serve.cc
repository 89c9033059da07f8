#include "daemon/serve.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <utility>

namespace timelined::daemon {
namespace {

const char* SignalName(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

// Waits up to `timeout` for one of the (blocked) `signals`; true with `*sig` set if one came.
bool WaitForSignal(const sigset_t& signals, std::chrono::milliseconds timeout, int* sig) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
    int got = sigtimedwait(&signals, nullptr, &ts);
    if (got > 0) {
      *sig = got;
      return true;
    }
    if (errno != EINTR) return false;  // EAGAIN: the time is up
  }
}

// The start-up line: where it listens and what it runs.
void LogListening(const App& a, Role role, uint16_t port) {
  const config::Config& c = a.config();
  auto host = config::ParseListen(c.server.listen)->first;
  std::string what = std::string("role ") + RoleName(role);
  if (a.has_store()) what += ", store " + c.store.path;
  if (!c.kafka.brokers.empty())
    what += ", kafka topic " + c.kafka.topic + " via " + c.kafka.brokers;
  if (a.has_ingest() && c.kafka.brokers.empty()) what += ", feed local";
  spdlog::info("timelined {} listening on http://{}:{} ({})", kVersion,
               host.find(':') != std::string::npos ? "[" + host + "]" : host, port, what);
  if (c.tokens.empty()) {
    spdlog::warn("no [[auth.tokens]] configured: loopback clients are served without a token");
  }
}

// From the first stop signal to App::Stop: the drain, cut short by a second signal.
void Drain(App& app, const sigset_t& signals, int sig) {
  const config::Config& c = app.config();
  const int drain_ms = c.server.drain_ms;
  app.BeginDrain();
  if (drain_ms > 0) {
    // Still serving everything; only /readyz says 503, so balancers stop sending here before
    // the listener closes. A second signal cuts the drain short.
    spdlog::info("received {}: draining for {} ms (/readyz answers 503, requests still served)",
                 SignalName(sig), drain_ms);
    if (WaitForSignal(signals, std::chrono::milliseconds(drain_ms), &sig)) {
      spdlog::info("received {} while draining: stopping now", SignalName(sig));
    }
  } else {
    spdlog::info("received {} (server.drain_ms = 0)", SignalName(sig));
  }
  spdlog::info(
      "stopping: listener closed, finishing in-flight requests (up to {} ms) and "
      "flushing the writer",
      c.server.shutdown_grace_ms);
  app.Stop();
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAll:
      return "all";
    case Role::kIngest:
      return "ingest";
    case Role::kStore:
      return "store";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kAll, Role::kIngest, Role::kStore}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

Result<void> WriteReadyFile(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return MakeError(ErrorCode::kUnavailable, "ready_file", "cannot write " + tmp);
    out << std::to_string(port) + "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable, "ready_file",
                     "cannot rename to " + path + ": " + ec.message());
  return {};
}

int Serve(config::Config config, Role role) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = App::Create(std::move(config), role);
  if (!app) {
    spdlog::error("cannot start: {}: {}", app.error().message, app.error().detail);
    return 1;
  }
  auto port = (*app)->Start();
  if (!port) {
    spdlog::error("cannot start on {}: {}: {}", (*app)->config().server.listen,
                  port.error().message, port.error().detail);
    return 1;
  }
  LogListening(**app, role, *port);
  int sig = 0;
  sigwait(&signals, &sig);
  Drain(**app, signals, sig);
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace timelined::daemon
