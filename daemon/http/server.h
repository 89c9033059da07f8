#pragma once
// HttpServer: an async Boost.Beast HTTP/1.1 server with keep-alive.
//
// Threads: `threads` threads run one io_context; each connection is on its own strand.
// A handler's Respond may be called from any thread; the write is posted to the strand.
//
// Limits (all configurable): body size (413 with a JSON reason), header size (431), bytes of
// request bodies held at once across all connections (503 + Retry-After, checked on the
// header), concurrent connections (at the limit the longest-idle connection is closed to
// admit a new one, connections that never authenticated first; with none idle the new one
// gets 503 and is closed), the time to read a whole request (the connection is closed, no
// answer) and idle keep-alive time (shorter for connections that never authenticated).
// Handlers are called on the connection's strand and must not block.
//
// Before reading a body the server matches the route (404/405), runs the route's
// HeaderCheck (see GatedHandler: credentials, 401/403), validates path parameters and the
// query string (400) and the body limits (413, 503); an answer then closes the connection
// without reading the body. `100 Continue` is sent only after all of these passed.
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
#include "daemon/http/server_options.h"
#include "store/model/error.h"

namespace timelined::http {

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
  // Keep-alive connections waiting for their next request: the ones max_connections may
  // close to admit a new connection. A connection becomes idle only once its last response
  // is written, which a client may see before the server does.
  size_t IdleConnections() const;
  size_t InFlightRequests() const;
  uint64_t InFlightBodyBytes() const;
  uint64_t EvictedConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::http
