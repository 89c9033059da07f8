#pragma once
// Watcher: pulls Kubernetes Events from the API server with the list-then-watch protocol
// (client-go's reflector) and hands them to a sink, which makes them durable (the daemon
// publishes them through the Feed and waits for the result).
//
//   1. LIST  GET {server}/api/v1[/namespaces/{ns}]/events?limit=500[&labelSelector=…]
//            [&fieldSelector=…], following metadata.continue (a 410 on a continue token
//            restarts the list); the list's metadata.resourceVersion is remembered.
//            Reconcile by uid: an unseen uid or a higher count is emitted, the rest is not.
//   2. WATCH GET …/events?watch=1&resourceVersion=RV&allowWatchBookmarks=true
//            &timeoutSeconds=N, one JSON object per line:
//            ADDED/MODIFIED -> ParseEventObject -> sink, only when the uid's count is new
//                              (a MODIFIED with the same count is skipped locally);
//            DELETED        -> forget the uid (expiry, not recovery; no event);
//            BOOKMARK       -> resourceVersion only;
//            ERROR code 410 -> re-LIST and reconcile, then watch from the new RV;
//            other ERROR    -> back off, re-LIST.
//      The resourceVersion advances only after the sink accepted the batch holding the line
//      (lines arriving in one read are one batch), so a sink failure re-watches from the
//      last durable RV and nothing is lost (events are idempotent by ID).
//   3. Clean end of stream -> watch again from the last RV at once (after a back-off if the
//      stream carried nothing). HTTP 410 on the watch -> re-LIST. HTTP 401 -> re-read the
//      token file, back off, retry. Connection/TLS failures, timeouts, other HTTP errors and
//      sink failures -> back off, watch again from the last RV.
// Back-off: delay = min(cap, base * 2^(n-1)) * (0.5 + 0.5 * rand), n = consecutive failures.
//
// HTTP: the shared BeastHttpClient (MakeApiClient in credentials.h: the credentials' CA,
// client certificate and checks; HTTPS_PROXY / NO_PROXY unless WatchOptions::proxy is set;
// loopback always direct), one connection per LIST page and per watch, Accept-Encoding:
// identity. connect_timeout bounds resolve + connect (+ CONNECT) + TLS handshake; the read
// timeout (list_read_timeout, or timeout_seconds + watch_grace for a watch) bounds the
// request write, the wait for the headers and every silence while reading the body.
//
// Threading: Start() runs Run() on a thread of its own; the sink and every hook are called
// on that thread. Stop() (any thread, idempotent) wakes a back-off sleep, closes the socket
// (through a StreamCancel) and joins; a sink call in progress is waited for. stats() may be
// read from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "connectors/common/http_client.h"
#include "connectors/kubernetes/credentials.h"
#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::kubernetes {

struct WatchOptions {
  std::string namespace_name;  // "" = all namespaces (needs a ClusterRole)
  std::string label_selector;
  std::string field_selector;  // e.g. "type=Warning"
  bool events_k8s_io = false;  // watch /apis/events.k8s.io/v1 instead of /api/v1
  int timeout_seconds = 300;   // server-side watch timeout
  int list_limit = 500;
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30'000};
  std::chrono::seconds token_reread{60};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds list_read_timeout{60'000};
  // Silence tolerated on a watch beyond timeout_seconds before it is considered dead.
  std::chrono::milliseconds watch_grace{30'000};
  size_t max_line_bytes = 4 << 20;    // a longer watch line is an error (re-watch)
  size_t max_list_bytes = 256 << 20;  // per LIST page
  // nullopt = HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment at Start().
  std::optional<ProxySettings> proxy;
};

// Counters for /metrics. Atomics; last_rv behind a mutex.
struct WatchStats {
  std::atomic<bool> connected{false};   // a watch stream is open (HTTP 200 received)
  std::atomic<uint64_t> reconnects{0};  // watch streams opened after the first
  std::atomic<uint64_t> relists{0};     // LISTs after the first (410, ERROR, …)
  std::atomic<uint64_t> events_emitted{0};
  std::atomic<uint64_t> errors{0};           // failed requests, ERROR objects, sink failures
  std::atomic<uint64_t> invalid_objects{0};  // Event objects the parser rejected (skipped)
  std::atomic<int64_t> last_rv_at_ns{0};     // wall time the RV last advanced
  std::atomic<uint64_t> exceptions{0};       // caught on the watcher thread (then relisted)

  std::string last_rv() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_rv_;
  }
  void set_last_rv(std::string rv) {
    std::lock_guard<std::mutex> lock(mu_);
    last_rv_ = std::move(rv);
  }

 private:
  mutable std::mutex mu_;
  std::string last_rv_;
};

// Makes a batch durable; called on the watcher thread, may block. An error means "not
// durable": the watcher backs off and gets the same items again.
using EventSink = std::function<Result<void>(std::vector<Event>)>;
// Test hooks: a sleeper that replaces the back-off wait, a uniform [0, 1) source.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
using RandomSource = std::function<double()>;

class Watcher {
 public:
  Watcher(KubeCredentials credentials, WatchOptions options, EventSink sink,
          const Clock& clock = SystemClock::Instance());
  ~Watcher();  // Stop()
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void SetSleeperForTesting(Sleeper sleeper) { sleeper_ = std::move(sleeper); }
  void SetRandomForTesting(RandomSource random) { random_ = std::move(random); }

  // Checks the server URL and TLS material, then runs Run() on a new thread.
  // Errors: kInvalidInput (bad URL/CA/cert), kInternal when already started.
  Result<void> Start();
  // Idempotent; returns after the thread has ended.
  void Stop();
  // The loop, on the calling thread, until Stop(). Start() is the usual entry point.
  void Run();  // RunLoop; an exception is logged, counted, backed off, and the loop resumes
  void RunLoop();

  const WatchStats& stats() const { return stats_; }
  // The back-off delay before retry number `attempt` (1-based) for a random value r in [0,1).
  static std::chrono::milliseconds BackoffDelay(const WatchOptions& o, int attempt, double r);

 private:
  enum class Outcome { kEnded, kExpired, kUnauthorized, kFailed, kFailedRelist, kStopped };
  struct WatchResult {
    Outcome outcome = Outcome::kEnded;
    bool progress = false;  // at least one line was handled
  };
  struct Batch;

  Result<void> EnsureClient();
  // GET `target` (below the server's base path) with the current token; body pieces to
  // `on_body(status, piece)`, which returns false to stop. kUnavailable "cancelled" after
  // Stop(), kUnavailable "k8s_http_failed" for a compressed body.
  Result<int> Get(const std::string& target, std::chrono::milliseconds read_timeout,
                  const std::function<bool(int status, std::string_view piece)>& on_body);
  std::string CollectionPath() const;
  std::string SelectorQuery() const;
  std::string Token(bool force_reread);
  Result<void> ListAndReconcile();
  Result<void> ListPage(const std::string& cont, std::string* rv, std::string* next,
                        std::unordered_map<std::string, int64_t>* listed);
  WatchResult WatchOnce();
  bool HandleLine(std::string_view line, Batch& batch, Outcome* outcome);
  Result<void> Flush(Batch& batch);
  void SetResourceVersion(const std::string& rv);
  void Backoff(int attempt);
  bool stopping() const { return stopping_.load(); }

  KubeCredentials credentials_;
  WatchOptions options_;
  EventSink sink_;
  const Clock& clock_;
  Sleeper sleeper_;
  RandomSource random_;
  WatchStats stats_;

  ServerUrl server_;                               // set with client_
  std::unique_ptr<BeastHttpClient> client_;        // watcher thread only
  StreamCancel cancel_;                            // Stop() triggers it (any thread)
  std::string resource_version_;                   // watcher thread only
  std::unordered_map<std::string, int64_t> seen_;  // uid -> highest count emitted
  std::string token_;
  std::chrono::steady_clock::time_point token_read_at_{};
  bool listed_once_ = false;
  bool watched_once_ = false;

  std::mutex mu_;  // guards the wake-up below
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace timelined::connectors::kubernetes
