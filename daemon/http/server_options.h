#pragma once
// The HTTP server's options, apart from the server (daemon/http/server.h) so that the
// configuration (daemon/config/config.h) can embed them without the server's includes.
// The [server] keys fill these fields directly: each default is written once, here.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

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
  // Keep-alive between requests on a connection none of whose requests passed a
  // HeaderCheck (e.g. one anonymous /healthz): min(this, idle_timeout).
  std::chrono::milliseconds anonymous_idle_timeout{5'000};
  // Request bodies (declared Content-Length, or the route's limit when chunked) admitted and
  // not yet answered, summed over all connections. Over it: 503 server_busy.
  uint64_t max_inflight_body_bytes = 64ull * 1024 * 1024;
  // One info line per response (method, route, status, latency, bytes, peer, token name,
  // request id): see Session::CountResponse.
  bool access_log = false;
  // Per-route body limits that override max_body_bytes (pattern -> bytes).
  std::map<std::string, size_t> route_body_limits;
};

}  // namespace timelined::http
