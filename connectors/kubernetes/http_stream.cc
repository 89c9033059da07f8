#include "connectors/kubernetes/http_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace timelined::connectors::kubernetes {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr size_t kBodyPiece = 64 * 1024;
constexpr uint32_t kHeaderLimit = 64 * 1024;

bool IsIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

auto BadUrl(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_server_url", std::move(detail));
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<void> LoadTls(ssl::context& ctx, const KubeCredentials& c) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  error_code ec;
  auto failed = [&ec](const char* what) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_tls_config",
                     std::string(what) + ": " + ec.message());
  };
  if (c.insecure_skip_verify) {
    ctx.set_verify_mode(ssl::verify_none);
  } else {
    ctx.set_verify_mode(ssl::verify_peer);
    if (!c.ca_data.empty()) {
      ctx.add_certificate_authority(asio::buffer(c.ca_data), ec);
    } else if (!c.ca_file.empty()) {
      ctx.load_verify_file(c.ca_file, ec);
    } else {
      ctx.set_default_verify_paths(ec);
    }
    if (ec) return failed("cannot load the CA");
  }
  if (!c.client_cert_data.empty()) {
    ctx.use_certificate_chain(asio::buffer(c.client_cert_data), ec);
  } else if (!c.client_cert_file.empty()) {
    ctx.use_certificate_chain_file(c.client_cert_file, ec);
  }
  if (ec) return failed("cannot load the client certificate");
  if (!c.client_key_data.empty()) {
    ctx.use_private_key(asio::buffer(c.client_key_data), ssl::context::pem, ec);
  } else if (!c.client_key_file.empty()) {
    ctx.use_private_key_file(c.client_key_file, ssl::context::pem, ec);
  }
  if (ec) return failed("cannot load the client key");
  return {};
}

}  // namespace

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    url.remove_prefix(7);
  } else {
    return BadUrl("server must start with https:// or http://");
  }
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (authority.find('@') != std::string_view::npos) return BadUrl("user info is not supported");
  std::string_view port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadUrl("bad port");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return BadUrl("missing host");
  if (!port.empty() && !AllDigits(port)) return BadUrl("bad port");
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  out.base_path = std::string(path);
  return out;
}

struct StreamingHttpClient::Impl {
  ServerUrl url;
  asio::io_context ioc;
  std::unique_ptr<ssl::context> ssl_ctx;  // set when url.tls
  bool verify = true;
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }

  template <class Fn>
  void WithStream(Fn&& fn) {
    if (tls) {
      fn(*tls);
    } else {
      fn(*tcp);
    }
  }

  // Starts one asynchronous operation via start(handler) and drives the io_context on this
  // thread until that handler has run. Other queued handlers (a Cancel's close) run too.
  template <class Start>
  error_code Run(Start&& start) {
    bool done = false;
    error_code result;
    start([&done, &result](error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    while (!done) {
      if (ioc.run_one() == 0) return asio::error::operation_aborted;
    }
    return result;
  }

  void Close() {
    if (tcp || tls) {
      error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Lowest().close();
    }
  }

  void Reset() {
    Close();
    tls.reset();
    tcp.reset();
  }

  error_code Connect(const StreamingHttpClient::Timeouts& t);
};

error_code StreamingHttpClient::Impl::Connect(const StreamingHttpClient::Timeouts& t) {
  tcp::resolver resolver(ioc);
  tcp::resolver::results_type endpoints;
  error_code ec = Run([&](auto h) {
    resolver.async_resolve(url.host, url.port,
                           [h, &endpoints](error_code e, tcp::resolver::results_type r) mutable {
                             endpoints = std::move(r);
                             h(e);
                           });
  });
  if (ec) return ec;
  if (url.tls) {
    tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *ssl_ctx);
    if (!IsIpAddress(url.host)) SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str());
    if (verify) tls->set_verify_callback(ssl::host_name_verification(url.host));
  } else {
    tcp = std::make_unique<beast::tcp_stream>(ioc);
  }
  Lowest().expires_after(t.connect);
  ec = Run([&](auto h) { Lowest().async_connect(endpoints, h); });
  if (ec || !url.tls) return ec;
  Lowest().expires_after(t.connect);
  return Run([&](auto h) { tls->async_handshake(ssl::stream_base::client, h); });
}

StreamingHttpClient::StreamingHttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamingHttpClient::~StreamingHttpClient() = default;

Result<std::unique_ptr<StreamingHttpClient>> StreamingHttpClient::Create(
    const KubeCredentials& creds) {
  auto url = ParseServerUrl(creds.server);
  if (!url) return std::unexpected(url.error());
  auto impl = std::make_unique<Impl>();
  impl->url = *url;
  impl->verify = !creds.insecure_skip_verify;
  if (url->tls) {
    impl->ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    if (auto r = LoadTls(*impl->ssl_ctx, creds); !r) return std::unexpected(r.error());
  }
  return std::unique_ptr<StreamingHttpClient>(new StreamingHttpClient(std::move(impl)));
}

void StreamingHttpClient::Cancel() {
  if (cancelled_.exchange(true)) return;
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] { impl->Close(); });
}

Result<int> StreamingHttpClient::Get(const std::string& target, const std::string& token,
                                     const Timeouts& timeouts, const BodyCallback& on_body) {
  Impl& d = *impl_;
  auto fail = [this, &d](const char* step, error_code ec) -> Result<int> {
    d.Reset();
    if (cancelled_) return MakeError(ErrorCode::kUnavailable, "cancelled", step);
    return MakeError(ErrorCode::kUnavailable, "k8s_http_failed",
                     std::string(step) + ": " + ec.message());
  };
  if (cancelled_) return fail("start", asio::error::operation_aborted);
  if (error_code ec = d.Connect(timeouts); ec || cancelled_) return fail("connect", ec);

  http::request<http::empty_body> req{http::verb::get, d.url.base_path + target, 11};
  const bool v6 = d.url.host.find(':') != std::string::npos;
  req.set(http::field::host, (v6 ? "[" + d.url.host + "]" : d.url.host) + ":" + d.url.port);
  req.set(http::field::user_agent, "timelined");
  req.set(http::field::accept, "application/json");
  // Watch lines are split as they arrive: ask for the body as is (the API server compresses
  // large responses only when asked).
  req.set(http::field::accept_encoding, "identity");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  d.Lowest().expires_after(timeouts.connect);
  error_code ec =
      d.Run([&](auto h) { d.WithStream([&](auto& s) { http::async_write(s, req, h); }); });
  if (ec || cancelled_) return fail("write", ec);

  beast::flat_buffer buffer;
  // Beast sizes each read by the buffer's free capacity (512 bytes for an empty one): without
  // this a busy watch stream arrives ~one line per read, and so one sink call (one store
  // transaction) per event.
  buffer.reserve(kBodyPiece);
  http::response_parser<http::buffer_body> parser;
  // No parser limit: the caller bounds what it keeps (max_list_bytes) and a watch body is
  // endless. Not boost::none: Boost 1.74 compares a Content-Length against the empty
  // optional and fails every non-chunked response with "body limit exceeded".
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.header_limit(kHeaderLimit);
  d.Lowest().expires_after(timeouts.read);
  ec = d.Run([&](auto h) {
    d.WithStream([&](auto& s) { http::async_read_header(s, buffer, parser, h); });
  });
  if (ec || cancelled_) return fail("read header", ec);
  if (const auto enc = parser.get()[http::field::content_encoding];
      !enc.empty() && !beast::iequals(enc, "identity")) {
    d.Reset();
    return MakeError(ErrorCode::kUnavailable, "k8s_http_failed",
                     "read header: unsupported Content-Encoding (asked for identity)");
  }
  const int status = static_cast<int>(parser.get().result_int());
  if (!on_body(status, {})) {
    d.Reset();
    return status;
  }
  std::vector<char> piece(kBodyPiece);
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    d.Lowest().expires_after(timeouts.read);
    ec = d.Run([&](auto h) {
      d.WithStream([&](auto& s) { http::async_read_some(s, buffer, parser, h); });
    });
    if (ec == http::error::need_buffer) ec = {};
    if (ec || cancelled_) return fail("read body", ec);
    const size_t n = piece.size() - parser.get().body().size;
    if (n > 0 && !on_body(status, std::string_view(piece.data(), n))) break;
  }
  d.Reset();
  return status;
}

}  // namespace timelined::connectors::kubernetes
