#include "connectors/common/http_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace timelined::connectors {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Endpoints = tcp::resolver::results_type;

// Runs the private io_context until the started operation completes. Every operation is
// bounded: tcp_stream operations by the stream's expiry, resolution by a timer.
void RunPending(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

template <typename Initiate>
beast::error_code Await(asio::io_context& ioc, Initiate&& initiate) {
  beast::error_code result = asio::error::would_block;
  initiate([&result](beast::error_code done, auto&&...) { result = done; });
  RunPending(ioc);
  return result;
}

std::unexpected<Error> Cancelled() {
  return MakeError(ErrorCode::kUnavailable, "cancelled", "stopped by StreamCancel");
}

std::unexpected<Error> NetError(std::string_view failure, std::string_view step,
                                const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    return MakeError(ErrorCode::kUnavailable, "timeout", std::string(step) + " timed out");
  }
  return MakeError(ErrorCode::kUnavailable, std::string(failure),
                   std::string(step) + ": " + ec.message());
}

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

Result<void> CheckHeaders(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
      return MakeError(ErrorCode::kInvalidInput, "bad_header", "header with a line break");
    }
  }
  return {};
}

// "host:port", the IPv6 literal in brackets (a CONNECT target, an absolute-form authority).
std::string Authority(const Url& url) {
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return host + ":" + url.port;
}

// Through a proxy, a plain-http request names the whole URL (absolute form, RFC 9112 3.2.2)
// and carries the proxy's credentials; an https one goes through a tunnel and carries neither.
http::request<http::string_body> BuildRequest(const Url& url, const HttpRequest& r,
                                              const HttpClientOptions& o,
                                              const std::optional<Proxy>& proxy) {
  http::request<http::string_body> req;
  req.method_string(r.method);
  const bool absolute = proxy && url.scheme == "http";
  req.target(absolute ? "http://" + Authority(url) + url.target : url.target);
  req.version(11);
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  bool default_port =
      (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
  if (!default_port) host += ":" + url.port;
  req.set(http::field::host, host);
  req.set(http::field::user_agent, o.user_agent);
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (absolute && !proxy->authorization.empty()) {
    req.set(http::field::proxy_authorization, proxy->authorization);
  }
  req.keep_alive(false);
  req.body() = r.body;
  if (!r.body.empty() || r.method != "GET") req.prepare_payload();
  return req;
}

template <typename Fields>
Headers ToHeaders(const Fields& fields) {
  Headers headers;
  for (const auto& field : fields) {
    std::string name = ToLowerAscii(field.name_string());
    auto [it, inserted] = headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second.append(", ").append(field.value());
  }
  return headers;
}

Result<Endpoints> Resolve(asio::io_context& ioc, const Url& url,
                          std::chrono::milliseconds timeout) {
  tcp::resolver resolver(ioc);
  asio::steady_timer timer(ioc);
  beast::error_code ec = asio::error::would_block;
  Endpoints endpoints;
  bool timed_out = false;
  timer.expires_after(timeout);
  timer.async_wait([&](beast::error_code waited) {
    if (!waited) {
      timed_out = true;
      resolver.cancel();
    }
  });
  resolver.async_resolve(url.host, url.port, [&](beast::error_code done, Endpoints found) {
    ec = done;
    endpoints = std::move(found);
    timer.cancel();
  });
  RunPending(ioc);
  if (timed_out) return MakeError(ErrorCode::kUnavailable, "timeout", "resolve timed out");
  if (ec) return NetError("connect_failed", "resolve", ec);
  return endpoints;
}

Result<void> Connect(asio::io_context& ioc, beast::tcp_stream& stream, const Endpoints& endpoints,
                     std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto ec = Await(ioc, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
  if (ec) return NetError("connect_failed", "connect", ec);
  return {};
}

// Opens a tunnel to `target` through the proxy `stream` is connected to (CONNECT, RFC 9110
// 9.3.6). The proxy's answer must be 2xx and must not be followed by bytes of its own: the
// target speaks first only after the TLS ClientHello.
Result<void> Tunnel(asio::io_context& ioc, beast::tcp_stream& stream, const Url& target,
                    const Proxy& proxy, const HttpClientOptions& o) {
  http::request<http::empty_body> req{http::verb::connect, Authority(target), 11};
  req.set(http::field::host, Authority(target));
  req.set(http::field::user_agent, o.user_agent);
  if (!proxy.authorization.empty()) req.set(http::field::proxy_authorization, proxy.authorization);
  stream.expires_after(o.connect_timeout);
  auto ec = Await(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  if (ec) return NetError("connect_failed", "proxy CONNECT", ec);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.header_limit(16 * 1024);
  parser.skip(true);  // a 2xx answer to CONNECT has no body, whatever its headers say
  ec = Await(ioc, [&](auto handler) {
    http::async_read_header(stream, buffer, parser, std::move(handler));
  });
  if (ec) return NetError("connect_failed", "proxy CONNECT answer", ec);
  const int status = static_cast<int>(parser.get().result_int());
  if (status < 200 || status > 299) {
    return MakeError(ErrorCode::kUnavailable, "proxy_refused",
                     "the proxy " + proxy.url.host + ":" + proxy.url.port +
                         " answered CONNECT with HTTP " + std::to_string(status));
  }
  if (buffer.size() != 0) {
    return MakeError(ErrorCode::kUnavailable, "proxy_refused",
                     "the proxy sent bytes after its CONNECT answer");
  }
  return {};
}

Result<void> Handshake(asio::io_context& ioc, TlsStream& stream, const Url& url,
                       const HttpClientOptions& o) {
  if (!IsIpLiteral(url.host) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return MakeError(ErrorCode::kUnavailable, "tls_failed", "cannot set SNI host name");
  }
  if (o.verify_peer) stream.set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(o.connect_timeout);
  auto ec = Await(ioc, [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, std::move(handler));
  });
  if (ec) return NetError("tls_failed", "TLS handshake", ec);
  return {};
}

template <typename Stream>
Result<void> WriteRequest(asio::io_context& ioc, Stream& stream,
                          http::request<http::string_body>& req, const HttpClientOptions& o) {
  beast::get_lowest_layer(stream).expires_after(o.request_timeout);
  auto ec = Await(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  if (ec) return NetError("io_failed", "write", ec);
  return {};
}

template <typename Stream>
Result<HttpResponse> ExchangeBuffered(asio::io_context& ioc, Stream& stream,
                                      http::request<http::string_body>& req,
                                      const HttpClientOptions& o) {
  if (auto written = WriteRequest(ioc, stream, req, o); !written) {
    return std::unexpected(written.error());
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(static_cast<std::uint64_t>(o.max_body_bytes));
  // Header first: Beast 1.74's eager parse (async_read) drops the Content-Length body_limit
  // error, so the limit is checked here; chunked and read-to-EOF bodies are checked by Beast.
  auto ec = Await(ioc, [&](auto handler) {
    http::async_read_header(stream, buffer, parser, std::move(handler));
  });
  auto too_large = [&] {
    return MakeError(ErrorCode::kTooLarge, "response_too_large",
                     "response body over " + std::to_string(o.max_body_bytes) + " bytes");
  };
  if (ec == http::error::body_limit) return too_large();
  if (ec) return NetError("io_failed", "read header", ec);
  if (auto length = parser.content_length(); length && *length > o.max_body_bytes) {
    return too_large();
  }
  ec = Await(ioc,
             [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec == http::error::body_limit) return too_large();
  if (ec) return NetError("io_failed", "read", ec);
  auto message = parser.release();
  return HttpResponse{static_cast<int>(message.result_int()), ToHeaders(message),
                      std::move(message.body())};
}

using HeadersFn = std::function<bool(int, const Headers&)>;
using DataFn = std::function<bool(std::string_view)>;

// Body pieces of a stream. Beast sizes each read by the buffer's free capacity (512 bytes for
// an empty one): without the reserve a busy watch stream arrives about one line per read, and
// so one sink call (one store transaction) per event.
constexpr size_t kStreamPiece = 64 * 1024;

template <typename Stream>
Result<int> ExchangeStreaming(asio::io_context& ioc, Stream& stream,
                              http::request<http::string_body>& req, const HttpClientOptions& o,
                              const HeadersFn& on_headers, const DataFn& on_data) {
  if (auto written = WriteRequest(ioc, stream, req, o); !written) {
    return std::unexpected(written.error());
  }
  beast::flat_buffer buffer;
  buffer.reserve(kStreamPiece);
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(64 * 1024);
  // boost::none trips a Boost 1.74 bug (optional comparison): use the maximum.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  auto ec = Await(ioc, [&](auto handler) {
    http::async_read_header(stream, buffer, parser, std::move(handler));
  });
  if (ec) return NetError("io_failed", "read header", ec);
  int status = static_cast<int>(parser.get().result_int());
  if (!on_headers(status, ToHeaders(parser.get()))) return status;
  std::vector<char> chunk(kStreamPiece);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    beast::get_lowest_layer(stream).expires_after(o.request_timeout);
    ec = Await(ioc, [&](auto handler) {
      http::async_read_some(stream, buffer, parser, std::move(handler));
    });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return NetError("io_failed", "read body", ec);
    size_t n = chunk.size() - parser.get().body().size;
    if (n > 0 && !on_data(std::string_view(chunk.data(), n))) return status;
  }
  return status;
}

}  // namespace

struct BeastHttpClient::Impl {
  HttpClientOptions options;
  ProxySettings proxy;
  ssl::context tls{ssl::context::tls_client};

  // Checks the request, picks the proxy, connects, then runs `exchange(ioc, stream, req)`.
  template <typename R, typename Fn>
  Result<R> Run(const HttpRequest& request, StreamCancel* cancel, Fn&& exchange) {
    auto url = ParseUrl(request.url);
    if (!url) return std::unexpected(url.error());
    if (auto ok = CheckHeaders(request.headers); !ok) return std::unexpected(ok.error());
    auto via = ProxyFor(*url, proxy);
    if (!via) return std::unexpected(via.error());
    auto req = BuildRequest(*url, request, options, *via);
    asio::io_context ioc;
    auto run = [&](auto& stream) {
      return WithConnection<R>(ioc, stream, *url, *via, cancel,
                               [&](auto& s) { return exchange(ioc, s, req); });
    };
    if (url->scheme == "https") {
      TlsStream stream(ioc, tls);
      return run(stream);
    }
    beast::tcp_stream stream(ioc);
    return run(stream);
  }

  // While alive, a StreamCancel's Cancel() posts a close of `socket` to `ioc` (the calling
  // thread runs it: asio objects are not shared between threads). Detaches before the
  // stream and the io_context go away; a close still queued then is destroyed, not run.
  class CancelScope {
   public:
    CancelScope(StreamCancel* cancel, asio::io_context& ioc, beast::tcp_stream& socket)
        : cancel_(cancel) {
      if (cancel_) {
        attached_ =
            cancel_->Attach([&ioc, &socket] { asio::post(ioc, [&socket] { socket.close(); }); });
      }
    }
    ~CancelScope() {
      if (cancel_ && attached_) cancel_->Detach();
    }
    CancelScope(const CancelScope&) = delete;
    CancelScope& operator=(const CancelScope&) = delete;
    bool cancelled() const { return cancel_ && cancel_->cancelled(); }

   private:
    StreamCancel* cancel_;
    bool attached_ = false;
  };

  // Connects (to the proxy when there is one; through its tunnel for https), handshakes for
  // https, then runs `exchange(stream)`. A cancel that lands before the socket is open (during
  // resolution) has nothing to close: hence the check after Resolve. Once the socket is open
  // a close fails whatever operation is pending or next.
  template <typename R, typename S, typename Fn>
  Result<R> WithConnection(asio::io_context& ioc, S& stream, const Url& url,
                           const std::optional<Proxy>& via, StreamCancel* cancel, Fn&& exchange) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    CancelScope scope(cancel, ioc, lowest);
    if (scope.cancelled()) return Cancelled();
    auto endpoints = Resolve(ioc, via ? via->url : url, options.connect_timeout);
    if (scope.cancelled()) return Cancelled();
    if (!endpoints) return std::unexpected(endpoints.error());
    auto ok = Connect(ioc, lowest, *endpoints, options.connect_timeout);
    beast::error_code ignored;
    if constexpr (std::is_same_v<S, TlsStream>) {
      if (ok && via) ok = Tunnel(ioc, lowest, url, *via, options);
      if (ok) ok = Handshake(ioc, stream, url, options);
    }
    Result<R> result = ok ? exchange(stream) : Result<R>(std::unexpected(ok.error()));
    if constexpr (std::is_same_v<S, TlsStream>) {
      // Connection: close and the whole response read: no TLS close_notify round trip.
      lowest.socket().close(ignored);
    } else {
      lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    if (scope.cancelled()) return Cancelled();
    return result;
  }
};

namespace {

std::unexpected<Error> TlsConfigError(std::string_view what, const beast::error_code& ec) {
  return MakeError(ErrorCode::kInvalidInput, "bad_tls_config",
                   std::string(what) + ": " + ec.message());
}

Result<void> ConfigureTls(ssl::context& tls, const HttpClientOptions& o) {
  beast::error_code ec;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  if (o.system_cas) {
    tls.set_default_verify_paths(ec);
    if (ec) return TlsConfigError("system CA store", ec);
  }
  if (!o.ca_file.empty()) {
    tls.load_verify_file(o.ca_file, ec);
    if (ec) return TlsConfigError("ca_file", ec);
  }
  if (!o.ca_pem.empty()) {
    tls.add_certificate_authority(asio::buffer(o.ca_pem), ec);
    if (ec) return TlsConfigError("ca_pem", ec);
  }
  if (!o.client_cert_pem.empty()) {
    tls.use_certificate_chain(asio::buffer(o.client_cert_pem), ec);
  } else if (!o.client_cert_file.empty()) {
    tls.use_certificate_chain_file(o.client_cert_file, ec);
  }
  if (ec) return TlsConfigError("client certificate", ec);
  if (!o.client_key_pem.empty()) {
    tls.use_private_key(asio::buffer(o.client_key_pem), ssl::context::pem, ec);
  } else if (!o.client_key_file.empty()) {
    tls.use_private_key_file(o.client_key_file, ssl::context::pem, ec);
  }
  if (ec) return TlsConfigError("client key", ec);
  tls.set_verify_mode(o.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return {};
}

}  // namespace

Result<std::unique_ptr<BeastHttpClient>> BeastHttpClient::Create(HttpClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->proxy = impl->options.proxy.value_or(ProxySettingsFromEnvironment());
  if (auto ok = ConfigureTls(impl->tls, impl->options); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<BeastHttpClient>(new BeastHttpClient(std::move(impl)));
}

BeastHttpClient::BeastHttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BeastHttpClient::~BeastHttpClient() = default;

Result<HttpResponse> BeastHttpClient::Send(const HttpRequest& request) {
  return impl_->Run<HttpResponse>(request, nullptr,
                                  [&](asio::io_context& ioc, auto& stream, auto& req) {
                                    return ExchangeBuffered(ioc, stream, req, impl_->options);
                                  });
}

Result<int> BeastHttpClient::Stream(const HttpRequest& request, const HeadersFn& on_headers,
                                    const DataFn& on_data, const StreamOptions& call) {
  HttpClientOptions options = impl_->options;
  if (call.read_timeout) options.request_timeout = *call.read_timeout;
  return impl_->Run<int>(request, call.cancel, [&](asio::io_context& ioc, auto& stream, auto& req) {
    return ExchangeStreaming(ioc, stream, req, options, on_headers, on_data);
  });
}

void StreamCancel::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return;
  cancelled_ = true;
  if (close_) close_();
}

bool StreamCancel::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool StreamCancel::Attach(std::function<void()> close) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  close_ = std::move(close);
  return true;
}

void StreamCancel::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  close_ = nullptr;
}

}  // namespace timelined::connectors
