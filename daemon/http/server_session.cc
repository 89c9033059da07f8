// One HTTP/1.1 connection: read a request (header, then body under the route's limit),
// dispatch it, wait for the handler's Respond, write, repeat while keep-alive.
#include <algorithm>
#include <typeinfo>

#include "daemon/http/request_head.h"
#include "daemon/http/server_internal.h"
#include "daemon/logging.h"

namespace timelined::http::internal {
namespace {

constexpr size_t kFirstReadChunk = 4096;
// After a final "Connection: close" answer, keep reading (and discarding) what the client
// still sends for a while: closing with unread data makes the kernel send an RST, which can
// destroy our answer (a 413 or 503) before the client reads it.
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr std::chrono::milliseconds kMaxLinger{2'000};

// Metric label values must stay bounded: clients can send any token as a method.
std::string BoundedMethod(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  if (method.empty()) return "unknown";
  for (std::string_view k : kKnown) {
    if (k == method) return std::string(method);
  }
  return "other";
}

// Header names and values from handlers must not smuggle in new lines (response splitting).
bool SafeHeaderText(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos;
}

bool ExpectsContinue(const bhttp::request<bhttp::string_body>& req) {
  return req.version() >= 11 && beast::iequals(req[bhttp::field::expect], "100-continue");
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(bhttp::error::bad_method).category();
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Response TooLarge(uint64_t limit) {
  return Response::JsonError(413, "body_too_large",
                             "request body exceeds limit " + std::to_string(limit) + " bytes");
}

}  // namespace

Session::Session(std::shared_ptr<ServerCore> core, tcp::socket socket, bool counted)
    : core_(std::move(core)), stream_(std::move(socket)), counted_(counted) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = ep.address().to_string();
  started_ = std::chrono::steady_clock::now();
}

Session::~Session() {
  if (body_reserved_ > 0) core_->ReleaseBody(body_reserved_);
  if (in_flight_) core_->EndRequest();
  if (counted_) --core_->active_connections;
  if (registered_) core_->Unregister(id_);
}

void Session::Start() {
  auto self = shared_from_this();
  if (!core_->Register(self, &id_)) return;  // stopped: the socket closes with us
  registered_ = true;
  net::dispatch(stream_.get_executor(), [self] { self->ReadRequest(); });
}

void Session::Reject() {
  auto self = shared_from_this();
  if (!core_->Register(self, &id_)) return;
  registered_ = true;
  net::dispatch(stream_.get_executor(), [self] {
    Response r =
        Response::JsonError(503, "too_many_connections", "the server is at its connection limit");
    r.SetRetryAfter(1);
    self->SendError(std::move(r));
  });
}

void Session::Drain() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ == State::kReading) self->CloseNow();
  });
}

void Session::Close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseNow(); });
}

bool Session::Evict(int64_t since) {
  if (since <= 0 || !idle_since_.compare_exchange_strong(since, kEvicted)) return false;
  Log().info("closing a connection idle for {} ms to admit a new one (at max_connections)",
             (NowNanos() - since) / 1'000'000);
  Close();
  return true;
}

void Session::ReadRequest() {
  if (core_->draining) return CloseNow();
  state_ = State::kReading;
  request_ = Request{};
  handler_ = nullptr;
  gated_ = nullptr;
  query_error_.clear();
  close_after_ = false;
  parser_.emplace();
  parser_->header_limit(
      static_cast<uint32_t>(std::min<size_t>(core_->options.max_header_bytes, UINT32_MAX)));
  // Beast checks Content-Length against body_limit while parsing the header, before the
  // route is known: start from the largest limit, narrow it once the route is matched.
  // (boost::none does not work in 1.74: it compares as smaller than any length.)
  body_limit_ = core_->largest_body_limit;
  parser_->body_limit(body_limit_);
  if (buffer_.size() > 0) return ReadHeader();
  // Wait for the first byte (idle timeout between keep-alive requests, read timeout on a
  // new connection); the whole-request deadline starts with it.
  // A connection that never authenticated (e.g. an anonymous /healthz) gets a short idle time:
  // many of them must not hold connection slots that authenticated clients need.
  auto idle = core_->options.idle_timeout;
  if (!trusted_) idle = std::min(idle, core_->options.anonymous_idle_timeout);
  stream_.expires_after(first_request_ ? core_->options.read_timeout : idle);
  idle_since_.store(std::max<int64_t>(NowNanos(), 1));
  stream_.async_read_some(buffer_.prepare(kFirstReadChunk),
                          beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
}

void Session::OnFirstBytes(beast::error_code ec, size_t n) {
  // Evicted (at max_connections) while idle: the bytes that raced in are not served.
  if (idle_since_.exchange(0) == kEvicted) return CloseNow();
  if (ec) return CloseNow();  // idle timeout, the client closed, or Stop
  buffer_.commit(n);
  ReadHeader();
}

void Session::ReadHeader() {
  started_ = std::chrono::steady_clock::now();
  stream_.expires_after(core_->options.read_timeout);  // the whole request, body included
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  if (auto refused = CheckBeforeBody()) return RefuseBeforeBody(std::move(*refused));
  parser_->body_limit(body_limit_);  // enforced while reading a chunked body
  if (parser_->is_done()) return Dispatch();
  if (ExpectsContinue(parser_->get())) {
    continue_ = bhttp::response<bhttp::empty_body>(bhttp::status::continue_, 11);
    return bhttp::async_write(
        stream_, continue_,
        beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
  }
  ReadBody();
}

std::optional<Response> Session::CheckBeforeBody() {
  if (auto bad_target = Classify()) return bad_target;
  if (handler_ == nullptr) return NoRoute();
  // Credentials first: an unauthenticated client learns nothing more, and sends no body.
  gated_ = handler_->target<GatedHandler>();
  if (gated_ != nullptr && gated_->check) {
    if (auto denied = gated_->check(request_)) return denied;
    trusted_ = true;
  }
  if (auto bad = CheckPathParams(request_)) return bad;
  if (!query_error_.empty()) return Response::JsonError(400, "bad_query", query_error_);
  auto length = parser_->content_length();
  if (length && *length > body_limit_) return TooLarge(body_limit_);
  // The body's memory, reserved before it is read: the declared length, or the route's limit
  // for a chunked body.
  uint64_t need = length ? *length : (parser_->chunked() ? body_limit_ : 0);
  if (need > 0) {
    if (!core_->ReserveBody(need)) {
      Response r = Response::JsonError(503, "server_busy",
                                       "too many request bodies are being received at once");
      r.SetRetryAfter(1);
      return r;
    }
    body_reserved_ = need;
  }
  return std::nullopt;
}

void Session::RefuseBeforeBody(Response r) {
  // The body is left unread: the connection cannot carry another request.
  if (!parser_->is_done()) close_after_ = true;
  WriteResponse(std::move(r));
}

void Session::OnContinueWritten(beast::error_code ec, size_t) {
  if (ec) return CloseNow();
  ReadBody();
}

void Session::ReadBody() {
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  request_.body = std::move(parser_->get().body());
  Dispatch();
}

void Session::OnReadError(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    return SendError(Response::JsonError(431, "header_too_large",
                                         "request header exceeds limit " +
                                             std::to_string(core_->options.max_header_bytes) +
                                             " bytes"));
  }
  if (ec == bhttp::error::body_limit) {
    // Over the largest limit while parsing the header: name the route's own limit.
    if (!parser_->is_header_done()) Classify();
    return SendError(TooLarge(body_limit_));
  }
  // The client went away (end_of_stream, partial_message), the deadline passed (the stream
  // is already closed) or Stop closed us: nobody to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      !IsHttpParseError(ec)) {
    return CloseNow();
  }
  SendError(Response::JsonError(400, "bad_request", "malformed HTTP request"));
}

std::optional<Response> Session::Classify() {
  if (auto bad = BuildRequest()) return bad;
  handler_ = core_->router.Match(request_, &match_status_);
  body_limit_ =
      handler_ != nullptr ? core_->BodyLimitFor(request_.route) : core_->options.max_body_bytes;
  return std::nullopt;
}

Response Session::NoRoute() const {
  if (match_status_ != 405) return Response::JsonError(404, "not_found", "no route for this path");
  Response r = Response::JsonError(405, "method_not_allowed",
                                   "method " + request_.method + " is not allowed here");
  std::string allow;
  for (const auto& m : core_->router.AllowedMethods(request_)) {
    allow += allow.empty() ? m : ", " + m;
  }
  r.headers.emplace_back("Allow", allow);
  return r;
}

std::optional<Response> Session::BuildRequest() {
  // Query problems are refused after the route's HeaderCheck (CheckBeforeBody), so the
  // reason goes only to clients that may use the route.
  if (!FillRequestHead(parser_->get(), request_, &query_error_)) {
    return Response::JsonError(400, "bad_request", "malformed percent-encoding in the target");
  }
  request_.remote_address = remote_address_;
  return std::nullopt;
}

void Session::Dispatch() {
  if (core_->draining) return CloseNow();  // Stop began: take no new work
  if (handler_ == nullptr) return WriteResponse(NoRoute());
  in_flight_ = true;
  core_->BeginRequest();
  state_ = State::kHandling;
  stream_.expires_never();  // the handler may take its time (e.g. a store commit)
  // A gated handler's check already passed on the header.
  CallHandler(gated_ != nullptr ? gated_->handler : *handler_);
}

void Session::CallHandler(const Handler& handler) {
  auto self = shared_from_this();
  auto called = std::make_shared<std::atomic<bool>>(false);
  std::string route = request_.route;
  Respond respond = [self, called, route](Response r) {
    if (called->exchange(true)) {
      Log().warn("[route={}] Respond called twice; the second response is dropped", route);
      return;
    }
    self->PostResponse(std::move(r));
  };
  const char* failure = nullptr;
  try {
    handler(request_, respond);
  } catch (const std::exception& e) {
    failure = typeid(e).name();  // not what(): it may quote the request body
  } catch (...) {
    failure = "unknown exception";
  }
  if (failure == nullptr) return;
  Log().error("[route={}] [method={}] handler threw ({}); answered 500", route,
              BoundedMethod(request_.method), failure);
  if (!called->exchange(true)) {
    PostResponse(Response::JsonError(500, "internal", "the request handler failed"));
  }
}

void Session::PostResponse(Response r) {
  std::lock_guard lock(core_->mu);
  if (core_->stopped) return;  // Stop closed this connection; the answer has nowhere to go
  net::post(stream_.get_executor(), [self = shared_from_this(), r = std::move(r)]() mutable {
    self->WriteResponse(std::move(r));
  });
}

void Session::SendError(Response r) {
  close_after_ = true;
  WriteResponse(std::move(r));
}

void Session::WriteResponse(Response r) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  if (r.status < 200 || r.status > 599) {
    Log().error("[route={}] handler answered invalid status {}; sent 500", request_.route,
                r.status);
    r = Response::JsonError(500, "internal", "the request handler failed");
  }
  bool header_done = parser_ && parser_->is_header_done();
  auto& res = response_.emplace(static_cast<bhttp::status>(r.status),
                                header_done ? parser_->get().version() : 11);
  res.set(bhttp::field::server, "timelined");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  bool retry_after = false;
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value)) {
      Log().warn("[route={}] dropped a response header with a line break", request_.route);
      continue;
    }
    // Exactly one Retry-After (Response::SetRetryAfter replaces; this guards the rest).
    if (beast::iequals(name, "retry-after")) {
      if (retry_after) {
        Log().warn("[route={}] dropped a second Retry-After header", request_.route);
        continue;
      }
      retry_after = true;
    }
    res.insert(name, value);
  }
  res.body() = std::move(r.body);
  keep_alive_ = header_done && !close_after_ && !core_->draining && parser_->get().keep_alive();
  res.keep_alive(keep_alive_);
  res.prepare_payload();
  CountResponse(r.status, res.body().size());
  state_ = State::kWriting;
  stream_.expires_after(core_->options.read_timeout);
  bhttp::async_write(stream_, res,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
}

void Session::CountResponse(int status, size_t body_bytes) {
  const std::string& route = request_.route.empty() ? std::string("unmatched") : request_.route;
  const std::string method = BoundedMethod(request_.method);
  core_->metrics.Add(kRequestsTotal,
                     {{"route", route}, {"method", method}, {"status", std::to_string(status)}});
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
  core_->metrics.Observe(kRequestDuration, {{"route", route}}, elapsed.count());
  if (!core_->options.access_log) return;
  // The route pattern, not the path: paths and query strings carry IDs and sometimes
  // credentials (a log shipper's ?token=); everything from the request is made log-safe.
  Log().info(
      "[log=access] [method={}] [route={}] [status={}] [ms={:.3f}] [bytes_in={}] [bytes_out={}] "
      "[peer={}] [token={}] [request_id={}] {} {} {}",
      method, route, status, elapsed.count() * 1e3, request_.body.size(), body_bytes,
      daemon::LogTagValue(request_.remote_address), daemon::LogTagValue(request_.principal),
      daemon::LogTagValue(request_.Header("x-request-id")), method, route, status);
}

void Session::OnWrite(beast::error_code ec, size_t) {
  response_.reset();
  if (body_reserved_ > 0) {
    core_->ReleaseBody(body_reserved_);
    body_reserved_ = 0;
  }
  if (in_flight_) {
    in_flight_ = false;
    core_->EndRequest();
  }
  if (ec) return CloseNow();
  if (!keep_alive_) return LingeringClose();
  first_request_ = false;
  ReadRequest();
}

void Session::LingeringClose() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return CloseNow();
  stream_.expires_after(std::min(core_->options.read_timeout, kMaxLinger));
  stream_.async_read_some(net::buffer(discard_),
                          beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
}

void Session::OnLinger(beast::error_code ec, size_t n) {
  lingered_bytes_ += n;
  if (ec || lingered_bytes_ > kMaxLingerBytes) return CloseNow();
  stream_.async_read_some(net::buffer(discard_),
                          beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
}

void Session::CloseNow() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace timelined::http::internal
