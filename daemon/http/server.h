#pragma once
// HttpServer: an async Boost.Beast HTTP/1.1 server with keep-alive.
//
// Threads: `threads` threads run one io_context; each connection is on its own strand.
// A handler's Respond may be called from any thread; the write is posted to the strand.
//
// Limits (all configurable): body size (413 with a JSON reason), header size (431),
// concurrent connections (new connections beyond the limit get 503 and are closed), the
// time to read a whole request (the connection is closed, no answer) and idle keep-alive
// time. Handlers are called on the connection's strand and must not block.
//
// Every response is counted in the metrics registry by route pattern and status.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "store/model/error.h"

namespace timelined::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (see BoundPort)
  int threads = 2;
  size_t max_body_bytes = 10 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  size_t max_connections = 1024;
  std::chrono::milliseconds read_timeout{10'000};  // whole request
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive between requests
  // Per-route body limits that override max_body_bytes (pattern -> bytes).
  std::map<std::string, size_t> route_body_limits;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, MetricsRegistry& metrics);
  ~HttpServer();

  // Binds and listens; returns the bound port. Fails with kUnavailable if the address is in use.
  Result<uint16_t> Start();
  uint16_t BoundPort() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish (up to
  // `grace`; their responses carry Connection: close), then closes everything and joins the
  // threads. A Respond arriving later is dropped. Idempotent. Must not be called from a
  // handler or any other server thread (it joins them).
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));
  size_t ActiveConnections() const;
  size_t InFlightRequests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::http
