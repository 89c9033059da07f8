#pragma once
// Internals of HttpServer shared by server.cc (listener, lifecycle) and server_session.cc
// (one connection). Not part of the module's interface.
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "daemon/http/server.h"
#include "daemon/http/types.h"

namespace timelined::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// The "http" logger: the registered one if the daemon set it up, else a clone of the default.
// Never log bodies, tokens or header values here.
spdlog::logger& Log();

inline constexpr const char* kRequestsTotal = "timelined_http_requests_total";
inline constexpr const char* kRequestDuration = "timelined_http_request_duration_seconds";

class Session;

// State shared by the server and its sessions. Sessions hold it by shared_ptr, so it (and
// the io_context its sockets belong to) outlives a session kept alive by a late Respond.
struct ServerCore {
  ServerCore(ServerOptions o, const Router& r, MetricsRegistry& m);

  ServerOptions options;
  const Router& router;      // must outlive the server's threads
  MetricsRegistry& metrics;  // idem
  net::io_context ioc;
  uint64_t largest_body_limit = 0;  // max over options and route limits

  std::atomic<size_t> active_connections{0};     // admitted (not rejected) sessions alive
  std::atomic<size_t> in_flight{0};              // dispatched, response not yet written
  std::atomic<bool> draining{false};             // Stop began: no new requests
  std::atomic<uint64_t> inflight_body_bytes{0};  // reserved by admitted requests (ReserveBody)
  std::atomic<uint64_t> evicted{0};              // idle connections closed to admit new ones

  std::mutex mu;
  std::condition_variable cv;  // notified when in_flight drops
  bool stopped = false;        // guarded by mu: after it, nothing is posted to sessions
  uint64_t next_session_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;  // guarded by mu

  void BeginRequest();
  void EndRequest();
  // Registers a session; false when the server already stopped (close it at once).
  bool Register(const std::shared_ptr<Session>& s, uint64_t* id);
  void Unregister(uint64_t id);
  std::vector<std::shared_ptr<Session>> Snapshot();
  size_t IdleCount();  // sessions waiting for their next request
  uint64_t BodyLimitFor(const std::string& route) const;
  // Reserves `n` bytes of options.max_inflight_body_bytes; false when they do not fit.
  bool ReserveBody(uint64_t n);
  void ReleaseBody(uint64_t n);
  // At max_connections: closes the idle connection to sacrifice (never authenticated first,
  // then idle longest) and returns true; false when no connection is idle.
  bool EvictOneIdle();
};

// One connection. Every member runs on the connection's strand except the posting entry
// points (Start, Reject, Drain, Close, PostResponse), which may be called from any thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `counted`: the session holds one of max_connections (rejected ones do not).
  Session(std::shared_ptr<ServerCore> core, tcp::socket socket, bool counted);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();   // reads requests until close
  void Reject();  // over the connection limit: 503, Connection: close
  void Drain();   // Stop began: close if no request is being handled
  void Close();   // Stop's grace is over: close now

  // Any thread. When the session waits for a request's first byte: since when (steady
  // clock ns); 0 when it is busy or closed.
  int64_t IdleSince() const { return idle_since_.load(); }
  // Whether a request on this connection passed its route's HeaderCheck.
  bool Trusted() const { return trusted_.load(); }
  // Any thread: claims the session for eviction if it is still idle since `since`, and
  // closes it; false when it got busy (or was claimed) meanwhile.
  bool Evict(int64_t since);

 private:
  enum class State { kReading, kHandling, kWriting, kClosing, kClosed };

  void ReadRequest();
  void OnFirstBytes(beast::error_code ec, size_t n);
  void ReadHeader();
  void OnHeader(beast::error_code ec, size_t n);
  void OnContinueWritten(beast::error_code ec, size_t n);
  void ReadBody();
  void OnBody(beast::error_code ec, size_t n);
  void OnReadError(beast::error_code ec);
  // BuildRequest, match the route, pick its body limit; an answer on a malformed target.
  std::optional<Response> Classify();
  std::optional<Response> BuildRequest();
  // 404, or 405 with Allow, for a request no route takes.
  Response NoRoute() const;
  // Checks on the header alone (route, HeaderCheck, parameters, body limits); an answer
  // when the request is refused before its body is read.
  std::optional<Response> CheckBeforeBody();
  void RefuseBeforeBody(Response r);  // answers; closes when a body is left unread
  void Dispatch();
  void CallHandler(const Handler& handler);
  void PostResponse(Response r);
  void SendError(Response r);  // a server-made answer, then close
  void WriteResponse(Response r);
  // Metrics of the response, and its access-log line when options.access_log.
  void CountResponse(int status, size_t body_bytes);
  void OnWrite(beast::error_code ec, size_t n);
  void LingeringClose();
  void OnLinger(beast::error_code ec, size_t n);
  void CloseNow();

  std::shared_ptr<ServerCore> core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  bhttp::response<bhttp::empty_body> continue_;
  Request request_;
  const Handler* handler_ = nullptr;
  const GatedHandler* gated_ = nullptr;  // handler_'s target when it is a GatedHandler
  std::string query_error_;              // why the query string is refused ("" when fine)
  uint64_t body_reserved_ = 0;           // this request's share of inflight_body_bytes
  int match_status_ = 0;
  uint64_t body_limit_ = 0;  // of the current request's route
  std::string remote_address_;
  std::chrono::steady_clock::time_point started_;
  State state_ = State::kReading;
  bool counted_;
  bool first_request_ = true;
  bool in_flight_ = false;  // holds one of core_->in_flight
  bool close_after_ = false;
  bool keep_alive_ = false;
  size_t lingered_bytes_ = 0;
  uint64_t id_ = 0;
  bool registered_ = false;
  char discard_[4096];
  static constexpr int64_t kEvicted = -1;
  std::atomic<int64_t> idle_since_{0};  // see IdleSince; kEvicted once claimed by Evict
  std::atomic<bool> trusted_{false};
};

}  // namespace timelined::http::internal
