// HttpServer: the listener (accept loop, connection limit) and the lifecycle (Start, the
// graceful Stop). Connections live in server_session.cc.
#include "daemon/http/server.h"

#include <algorithm>
#include <thread>
#include <typeinfo>
#include <vector>

#include "daemon/http/server_internal.h"

namespace timelined::http {
namespace internal {

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    if (auto registered = spdlog::get("http")) return registered;
    return spdlog::default_logger()->clone("http");
  }();
  return *kLogger;
}

ServerCore::ServerCore(ServerOptions o, const Router& r, MetricsRegistry& m)
    : options(std::move(o)), router(r), metrics(m) {
  largest_body_limit = options.max_body_bytes;
  for (const auto& [route, limit] : options.route_body_limits) {
    largest_body_limit = std::max<uint64_t>(largest_body_limit, limit);
  }
}

void ServerCore::BeginRequest() {
  std::lock_guard lock(mu);
  ++in_flight;
}

void ServerCore::EndRequest() {
  {
    std::lock_guard lock(mu);
    --in_flight;
  }
  cv.notify_all();
}

bool ServerCore::Register(const std::shared_ptr<Session>& s, uint64_t* id) {
  std::lock_guard lock(mu);
  if (stopped) return false;
  *id = next_session_id++;
  sessions.emplace(*id, s);
  return true;
}

void ServerCore::Unregister(uint64_t id) {
  std::lock_guard lock(mu);
  sessions.erase(id);
}

std::vector<std::shared_ptr<Session>> ServerCore::Snapshot() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mu);
  for (auto& [id, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

uint64_t ServerCore::BodyLimitFor(const std::string& route) const {
  auto it = options.route_body_limits.find(route);
  return it != options.route_body_limits.end() ? it->second : options.max_body_bytes;
}

bool ServerCore::ReserveBody(uint64_t n) {
  uint64_t cur = inflight_body_bytes.load();
  do {
    if (n > options.max_inflight_body_bytes || cur > options.max_inflight_body_bytes - n) {
      return false;
    }
  } while (!inflight_body_bytes.compare_exchange_weak(cur, cur + n));
  return true;
}

void ServerCore::ReleaseBody(uint64_t n) { inflight_body_bytes -= n; }

size_t ServerCore::IdleCount() {
  size_t n = 0;
  for (const auto& s : Snapshot()) n += s->IdleSince() > 0 ? 1 : 0;
  return n;
}

bool ServerCore::EvictOneIdle() {
  // Snapshot outside the lock's scope of the choice: a session released here may be the last
  // reference, and its destructor takes `mu`.
  auto sessions = Snapshot();
  for (int attempt = 0; attempt < 3; ++attempt) {
    Session* victim = nullptr;
    int64_t victim_since = 0;
    bool victim_trusted = true;
    for (const auto& s : sessions) {
      int64_t since = s->IdleSince();
      if (since <= 0) continue;
      bool trusted = s->Trusted();
      if (victim == nullptr || (victim_trusted && !trusted) ||
          (victim_trusted == trusted && since < victim_since)) {
        victim = s.get();
        victim_since = since;
        victim_trusted = trusted;
      }
    }
    if (victim == nullptr) return false;
    if (victim->Evict(victim_since)) {
      ++evicted;
      return true;
    }
  }
  return false;
}

namespace {

constexpr std::chrono::milliseconds kMinAcceptBackoff{10};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{1'000};
// How long Stop waits for the threads to run out of work after closing every socket.
constexpr std::chrono::seconds kJoinBound{5};

bool IsResourceExhaustion(const beast::error_code& ec) {
  return ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == boost::system::errc::no_buffer_space || ec == boost::system::errc::not_enough_memory;
}

// Accepts connections on its own strand; admits up to max_connections sessions.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  explicit Listener(std::shared_ptr<ServerCore> core)
      : core_(std::move(core)),
        acceptor_(net::make_strand(core_->ioc)),
        backoff_timer_(acceptor_.get_executor()) {}

  Result<uint16_t> Open(const std::string& address, uint16_t port) {
    auto endpoint = Resolve(address, port);
    if (!endpoint) return std::unexpected(endpoint.error());
    beast::error_code ec;
    acceptor_.open(endpoint->protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(*endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    std::string where = address + ":" + std::to_string(port);
    if (ec == net::error::address_in_use) {
      return MakeError(ErrorCode::kUnavailable, "address_in_use",
                       where + " is already in use by another process");
    }
    if (ec) {
      return MakeError(ErrorCode::kUnavailable, "listen_failed",
                       "cannot listen on " + where + ": " + ec.message());
    }
    return acceptor_.local_endpoint().port();
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(core_->ioc),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  // Any thread: closes the acceptor on its strand.
  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->backoff_timer_.cancel();
    });
  }

 private:
  static Result<tcp::endpoint> Resolve(const std::string& address, uint16_t port) {
    beast::error_code ec;
    auto ip = net::ip::make_address(address, ec);
    if (!ec) return tcp::endpoint(ip, port);
    tcp::resolver resolver(net::system_executor{});
    auto results = resolver.resolve(address, std::to_string(port), ec);
    if (ec || results.empty()) {
      return MakeError(ErrorCode::kInvalidInput, "bad_listen_address",
                       "cannot resolve listen address '" + address + "'");
    }
    return results.begin()->endpoint();
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (core_->draining || !acceptor_.is_open()) return;
    if (ec) {
      Log().warn("accept failed: {}", ec.message());
      if (IsResourceExhaustion(ec)) return Backoff();
      return Accept();
    }
    backoff_ = kMinAcceptBackoff;
    // At the limit, an idle connection makes room (it is closing; the count drops when it is
    // gone); with none idle, the newcomer is refused.
    if (core_->active_connections >= core_->options.max_connections && !core_->EvictOneIdle()) {
      std::make_shared<Session>(core_, std::move(socket), false)->Reject();
    } else {
      ++core_->active_connections;
      std::make_shared<Session>(core_, std::move(socket), true)->Start();
    }
    Accept();
  }

  // Out of descriptors: accepting again at once would spin; wait, doubling up to a second.
  void Backoff() {
    backoff_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxAcceptBackoff);
    backoff_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->core_->draining) self->Accept();
    });
  }

  std::shared_ptr<ServerCore> core_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_ = kMinAcceptBackoff;
};

}  // namespace
}  // namespace internal

using namespace internal;  // NOLINT(google-build-using-namespace): this file's own internals

struct HttpServer::Impl {
  std::shared_ptr<ServerCore> core;
  std::shared_ptr<Listener> listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  std::mutex lifecycle_mu;  // serializes Start and Stop
  bool started = false;
  bool stop_called = false;

  std::mutex exit_mu;
  std::condition_variable exit_cv;
  int running = 0;  // threads still inside io_context::run

  void RunThread() {
    for (;;) {
      try {
        core->ioc.run();
        break;
      } catch (const std::exception& e) {
        Log().error("io thread caught {}; continuing", typeid(e).name());
      }
    }
    {
      std::lock_guard lock(exit_mu);
      --running;
    }
    exit_cv.notify_all();
  }

  void WaitInFlight(std::chrono::milliseconds grace) {
    std::unique_lock lock(core->mu);
    if (!core->cv.wait_for(lock, grace, [&] { return core->in_flight == 0; })) {
      Log().warn("shutdown grace over with {} request(s) in flight; closing them",
                 core->in_flight.load());
    }
    core->stopped = true;
  }

  void JoinThreads() {
    work.reset();
    {
      std::unique_lock lock(exit_mu);
      if (!exit_cv.wait_for(lock, kJoinBound, [&] { return running == 0; })) {
        Log().warn("io threads still busy {}s after closing every connection; stopping",
                   kJoinBound.count());
        core->ioc.stop();
      }
    }
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

HttpServer::HttpServer(ServerOptions options, const Router& router, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>()) {
  options.threads = std::max(options.threads, 1);
  impl_->core = std::make_shared<ServerCore>(std::move(options), router, metrics);
  metrics.DeclareCounter(kRequestsTotal, "HTTP responses by route pattern, method and status.");
  metrics.DeclareHistogram(kRequestDuration,
                           "Time from a request's first byte to its response, by route.",
                           {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  metrics.DeclareGauge("timelined_http_active_connections", "Open HTTP connections.");
  metrics.DeclareGauge("timelined_http_idle_connections",
                       "Keep-alive connections waiting for their next request.");
  metrics.DeclareGauge("timelined_http_in_flight_requests",
                       "HTTP requests dispatched and not yet answered.");
  metrics.DeclareGauge("timelined_http_in_flight_body_bytes",
                       "Request body bytes admitted and not yet answered, all connections "
                       "(bounded by server.max_inflight_body_bytes).");
  metrics.DeclareCounter("timelined_http_connections_evicted_total",
                         "Idle connections closed to admit a new one at max_connections.");
  // The collector may outlive this server (the registry is the caller's): hold it weakly.
  metrics.AddCollector([weak = std::weak_ptr<ServerCore>(impl_->core)](MetricsRegistry& m) {
    auto core = weak.lock();
    if (!core) return;
    m.Set("timelined_http_active_connections", {},
          static_cast<double>(core->active_connections.load()));
    m.Set("timelined_http_idle_connections", {}, static_cast<double>(core->IdleCount()));
    m.Set("timelined_http_in_flight_requests", {}, static_cast<double>(core->in_flight.load()));
    m.Set("timelined_http_in_flight_body_bytes", {},
          static_cast<double>(core->inflight_body_bytes.load()));
    m.Set("timelined_http_connections_evicted_total", {},
          static_cast<double>(core->evicted.load()));
  });
}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Start() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->started || impl_->stop_called) {
    return MakeError(ErrorCode::kInternal, "already_started", "HttpServer::Start called twice");
  }
  const ServerOptions& o = impl_->core->options;
  auto listener = std::make_shared<Listener>(impl_->core);
  auto port = listener->Open(o.address, o.port);
  if (!port) return port;
  impl_->listener = listener;
  impl_->port = *port;
  impl_->work.emplace(net::make_work_guard(impl_->core->ioc));
  listener->Accept();
  impl_->running = o.threads;
  for (int i = 0; i < o.threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->RunThread(); });
  }
  impl_->started = true;
  Log().info("listening on {}:{} with {} thread(s)", o.address, impl_->port, o.threads);
  return impl_->port;
}

uint16_t HttpServer::BoundPort() const { return impl_->port; }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->stop_called) return;
  impl_->stop_called = true;
  if (!impl_->started) return;
  ServerCore& core = *impl_->core;
  core.draining = true;
  impl_->listener->Close();
  for (auto& s : core.Snapshot()) s->Drain();  // idle keep-alive connections close now
  impl_->WaitInFlight(grace);
  for (auto& s : core.Snapshot()) s->Close();
  impl_->JoinThreads();
  Log().info("stopped");
}

size_t HttpServer::ActiveConnections() const { return impl_->core->active_connections; }

size_t HttpServer::IdleConnections() const { return impl_->core->IdleCount(); }

size_t HttpServer::InFlightRequests() const { return impl_->core->in_flight; }

uint64_t HttpServer::InFlightBodyBytes() const { return impl_->core->inflight_body_bytes; }

uint64_t HttpServer::EvictedConnections() const { return impl_->core->evicted; }

}  // namespace timelined::http
