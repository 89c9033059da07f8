#pragma once
// A small streaming HTTP/1.1 GET client for the Kubernetes API (list pages and watch
// streams), over Boost.Beast with optional TLS. The response body is handed to a callback
// piece by piece as it arrives, whatever the transfer encoding (chunked, Content-Length or
// close-delimited), so an endless watch stream is processed line by line.
//
// Threading: one StreamingHttpClient is used by one thread at a time (the watcher thread):
// Get() runs its own io_context on the calling thread. Cancel() may be called from any
// thread; it closes the current socket promptly and makes every later Get() fail with
// kUnavailable "cancelled". One connection per Get() (list pages are few; a watch is long).
//
// TLS: verification is on unless credentials.insecure_skip_verify; the CA comes from
// ca_data, else ca_file, else the system store; the peer name is checked against the
// server's host (DNS name or IP SAN); SNI is sent for DNS names. A client certificate is
// used when given. Minimum TLS 1.2.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/common/url.h"  // UrlEncode, for the targets callers build
#include "connectors/kubernetes/credentials.h"
#include "store/model/error.h"

namespace timelined::connectors::kubernetes {

struct ServerUrl {
  bool tls = true;
  std::string host;       // without brackets
  std::string port;       // "443" / "80" when absent
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

// "https://host[:port][/prefix]" or "http://…"; IPv6 hosts in brackets.
// Errors: kInvalidInput "invalid_server_url".
Result<ServerUrl> ParseServerUrl(std::string_view url);

// Receives the status and each body piece; returns false to stop reading (the connection is
// then closed). Called once with an empty piece right after the header.
using BodyCallback = std::function<bool(int status, std::string_view piece)>;

class StreamingHttpClient {
 public:
  struct Timeouts {
    std::chrono::milliseconds connect{10'000};  // resolve + connect + TLS handshake + write
    std::chrono::milliseconds read{60'000};     // longest silence while reading
  };

  // Errors: kInvalidInput (bad server URL, unreadable CA/client cert/key).
  static Result<std::unique_ptr<StreamingHttpClient>> Create(const KubeCredentials& creds);
  ~StreamingHttpClient();
  StreamingHttpClient(const StreamingHttpClient&) = delete;
  StreamingHttpClient& operator=(const StreamingHttpClient&) = delete;

  // GET base_path + target (target starts with '/'), "Authorization: Bearer <token>" when
  // token is not empty. Returns the HTTP status once the body has ended or the callback
  // stopped it. Errors: kUnavailable for network/TLS/protocol failures, timeouts and
  // cancellation (details name the step, never the token).
  Result<int> Get(const std::string& target, const std::string& token, const Timeouts& timeouts,
                  const BodyCallback& on_body);

  // Thread-safe; idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

 private:
  struct Impl;
  explicit StreamingHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace timelined::connectors::kubernetes
