#pragma once
// A small synchronous HTTP/1.1 client over Boost.Beast for the outbound connector calls
// (PagerDuty and Slack backfill, the Kubernetes API). http:// and https:// (OpenSSL 3,
// peer verification against the system CAs by default, SNI, host name check; optional
// extra CA and client certificate for kubeconfig-style mTLS).
//
// One connection per request (Connection: close); no redirects, no compression. Through the
// proxy HTTPS_PROXY / HTTP_PROXY name unless NO_PROXY matches (see url.h): an https:// target
// is reached by a CONNECT tunnel (TLS and certificate checks end to end with the target), an
// http:// target by an absolute-form request to the proxy.
// Every network step is bounded by a timeout. Send/Stream may be called concurrently from
// several threads: each call runs on its own io_context; the TLS context is shared
// read-only. A Stream can be stopped from another thread through a StreamCancel.
// No exceptions: failures come back as Error values:
//   kInvalidInput   bad URL (message "bad_url")
//   kInvalidInput   a proxy setting that cannot be used ("bad_proxy")
//   kUnavailable    resolve/connect/TLS/read/write failure or timeout ("connect_failed",
//                   "tls_failed", "timeout", "io_failed"; "proxy_refused" when the proxy
//                   answers CONNECT with a non-2xx) -> retry with backoff
//   kUnavailable    "cancelled": the Stream's StreamCancel was triggered
//   kTooLarge       response body over max_body_bytes ("response_too_large")
// Non-2xx statuses are NOT errors here: callers decide what a status means.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/common/headers.h"
#include "connectors/common/url.h"
#include "store/model/error.h"

namespace timelined::connectors {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http(s) URL
  Headers headers;  // sent as given (plus Host, User-Agent unless set, Connection: close)
  std::string body;
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // lower-case names; repeated headers joined with ", "
  std::string body;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};   // resolve + connect + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // Send: write + whole response;
                                                      // Stream: write + headers, then per read
  size_t max_body_bytes = 16 * 1024 * 1024;           // Send only
  bool verify_peer = true;                            // https: verify chain and host name
  std::string ca_file;           // extra trusted CAs (PEM file), added to the system store
  std::string ca_pem;            // extra trusted CAs (PEM text)
  bool system_cas = true;        // false: trust only ca_file / ca_pem (a cluster's own CA)
  std::string client_cert_pem;   // client certificate chain (PEM text) for mTLS
  std::string client_key_pem;    // its private key (PEM text)
  std::string client_cert_file;  // the same from files (used when the *_pem field is empty)
  std::string client_key_file;
  std::string user_agent = "timelined/0.1";
  // The proxy settings; nullopt = read HTTPS_PROXY / HTTP_PROXY / NO_PROXY at Create.
  std::optional<ProxySettings> proxy;
};

// Stops a Stream from another thread (the watcher's Stop()). Cancel() closes the socket of
// the Stream call using this token (on that call's own thread, through its io_context) and
// makes that call, and every later Stream given this token, fail with kUnavailable
// "cancelled". Thread-safe and idempotent; there is no un-cancel. The token must outlive the
// Stream calls that use it; one call at a time per token.
class StreamCancel {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class BeastHttpClient;
  // The running call registers how to close its socket; false when already cancelled.
  bool Attach(std::function<void()> close);
  void Detach();

  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::function<void()> close_;  // posts the close to the running call's io_context
};

// Per-call settings of Stream.
struct StreamOptions {
  // Replaces request_timeout for this call: write + headers, then each read (idle timeout).
  std::optional<std::chrono::milliseconds> read_timeout;
  StreamCancel* cancel = nullptr;  // not owned; nullptr = cannot be cancelled
};

// The interface backfill clients depend on, so tests and other transports can stand in.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends the request and reads the whole response (body bounded by max_body_bytes).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

class BeastHttpClient final : public HttpClient {
 public:
  // Fails (kInvalidInput "bad_tls_config") when a CA or client certificate does not load.
  static Result<std::unique_ptr<BeastHttpClient>> Create(HttpClientOptions options = {});
  ~BeastHttpClient() override;

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // Streams the response body (e.g. a Kubernetes watch): `on_headers(status, headers)` is
  // called once; returning false stops before the body. Then `on_data(chunk)` is called
  // for each piece of body as it arrives (chunk boundaries are arbitrary); returning false
  // stops reading. request_timeout (or call.read_timeout) bounds the wait for each piece (an
  // idle timeout). Returns the status on a clean end of body or on a stop requested by a
  // callback; "cancelled" when call.cancel was triggered (callbacks may already have run).
  Result<int> Stream(const HttpRequest& request,
                     const std::function<bool(int status, const Headers& headers)>& on_headers,
                     const std::function<bool(std::string_view chunk)>& on_data,
                     const StreamOptions& call = {});

 private:
  struct Impl;
  explicit BeastHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::connectors
