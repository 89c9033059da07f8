#include "connectors/kubernetes/watcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <typeinfo>

#include "connectors/common/headers.h"
#include "connectors/common/json_text.h"
#include "connectors/common/url.h"
#include "connectors/kubernetes/event_parser.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;
constexpr size_t kMaxErrorBody = 64 * 1024;
// HTTP 410 on a LIST page: the continue token outlived its snapshot.
constexpr Reason kListExpired{"list_expired", ErrorCode::kUnavailable};

std::shared_ptr<spdlog::logger> Log() {
  auto logger = spdlog::get("kubernetes");
  return logger ? logger : spdlog::default_logger();
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Child(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

// "HTTP 403 Forbidden: events is forbidden: …" from a Status body (bounded, no secrets:
// the API server's Status messages name resources and users, never credentials).
std::string StatusSummary(int status, std::string_view body) {
  std::string out = "HTTP " + std::to_string(status);
  const json j = ParseUntrustedJson(body).value_or(json());
  if (j.is_object()) {
    const std::string reason = Str(j, "reason");
    const std::string message = Str(j, "message");
    if (!reason.empty()) out += " " + reason;
    if (!message.empty()) out += ": " + TruncateUtf8(message, 200);
  }
  return out;
}

double DefaultRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string_view TrimLine(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

// Events and state changes from the lines of one read (or one LIST page); applied to the
// watcher's state only after the sink accepted the events.
struct Watcher::Batch {
  std::vector<Event> events;
  std::unordered_map<std::string, int64_t> overlay;  // uid -> count, -1 = deleted
  std::string rv;
  bool has_rv = false;

  int64_t Seen(const std::unordered_map<std::string, int64_t>& seen, const std::string& uid) const {
    if (auto it = overlay.find(uid); it != overlay.end()) return std::max<int64_t>(it->second, 0);
    auto it = seen.find(uid);
    return it == seen.end() ? 0 : it->second;
  }
};

Watcher::Watcher(KubeCredentials credentials, WatchOptions options, EventSink sink,
                 const Clock& clock)
    : credentials_(std::move(credentials)),
      options_(std::move(options)),
      sink_(std::move(sink)),
      clock_(clock) {}

Watcher::~Watcher() { Stop(); }

std::chrono::milliseconds Watcher::BackoffDelay(const WatchOptions& o, int attempt, double r) {
  const int shift = std::clamp(attempt - 1, 0, 30);
  const double full =
      std::min(static_cast<double>(o.backoff_cap.count()),
               static_cast<double>(o.backoff_base.count()) * std::ldexp(1.0, shift));
  const double jittered = full * (0.5 + 0.5 * std::clamp(r, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<int64_t>(jittered));
}

Result<void> Watcher::EnsureClient() {
  if (client_) return {};
  auto server = ParseServerUrl(credentials_.server);
  if (!server) return std::unexpected(server.error());
  HttpClientOptions http;
  http.connect_timeout = options_.connect_timeout;
  http.proxy = options_.proxy;
  auto client = MakeApiClient(credentials_, std::move(http));
  if (!client) return std::unexpected(client.error());
  server_ = std::move(*server);
  client_ = std::move(*client);
  return {};
}

Result<int> Watcher::Get(const std::string& target, std::chrono::milliseconds read_timeout,
                         const std::function<bool(int status, std::string_view piece)>& on_body) {
  HttpRequest request;
  request.url = server_.UrlOf(target);
  // Watch lines are split as they arrive: ask for the body as is (the API server compresses
  // large responses only when asked).
  request.headers = MakeHeaders({{"accept", "application/json"}, {"accept-encoding", "identity"}});
  if (const std::string token = Token(false); !token.empty()) {
    request.headers["authorization"] = "Bearer " + token;
  }
  bool compressed = false;
  int status = 0;
  auto on_headers = [&](int s, const Headers& headers) {
    const std::string encoding = ToLowerAscii(TrimAscii(HeaderValue(headers, "content-encoding")));
    compressed = !encoding.empty() && encoding != "identity";
    status = s;
    return !compressed && on_body(s, {});
  };
  auto on_data = [&](std::string_view piece) { return on_body(status, piece); };
  auto result = client_->Stream(request, on_headers, on_data, {read_timeout, &cancel_});
  if (result && compressed) {
    return MakeError(ErrorCode::kUnavailable, "k8s_http_failed",
                     "read header: unsupported Content-Encoding (asked for identity)");
  }
  return result;
}

Result<void> Watcher::Start() {
  if (thread_.joinable()) return MakeError(ErrorCode::kInternal, "already_started");
  if (auto r = EnsureClient(); !r) return r;
  thread_ = std::thread([this] { Run(); });
  return {};
}

void Watcher::Stop() {
  stopping_ = true;
  cancel_.Cancel();
  {
    // A Backoff() between its predicate check and its wait holds mu_: taking it here means
    // the notify below cannot fall into that gap.
    std::lock_guard<std::mutex> lock(mu_);
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Watcher::Backoff(int attempt) {
  const auto delay = BackoffDelay(options_, attempt, random_ ? random_() : DefaultRandom());
  if (sleeper_) {
    sleeper_(delay);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, delay, [this] { return stopping(); });
}

void Watcher::Run() {
  // No exception may end the thread (std::terminate would abort the daemon). Log the type
  // only: what() may quote a payload.
  int failures = 0;
  while (!stopping()) {
    const char* failure = nullptr;
    try {
      RunLoop();
      return;
    } catch (const std::exception& e) {
      failure = typeid(e).name();
    } catch (...) {
      failure = "unknown exception";
    }
    ++stats_.exceptions;
    ++stats_.errors;
    stats_.connected = false;
    Log()->error("[src=kubernetes] the watch loop caught an exception ({}); relisting", failure);
    Backoff(++failures);
  }
}

void Watcher::RunLoop() {
  if (auto r = EnsureClient(); !r) {
    Log()->error("[src=kubernetes] cannot start the watch: {}", r.error().detail);
    return;
  }
  int failures = 0;
  bool need_list = true;
  while (!stopping()) {
    if (need_list) {
      auto listed = ListAndReconcile();
      if (stopping()) break;
      if (!listed) {
        ++stats_.errors;
        Log()->warn("[src=kubernetes] list failed: {}", listed.error().detail);
        Backoff(++failures);
        continue;
      }
      need_list = false;
      failures = 0;
    }
    if (watched_once_) ++stats_.reconnects;
    watched_once_ = true;
    const WatchResult w = WatchOnce();
    stats_.connected = false;
    if (w.outcome == Outcome::kStopped || stopping()) break;
    if (w.progress) failures = 0;
    switch (w.outcome) {
      case Outcome::kEnded:
        if (!w.progress) Backoff(++failures);
        break;
      case Outcome::kExpired:
        need_list = true;
        if (!w.progress) Backoff(++failures);
        break;
      case Outcome::kUnauthorized:
        ++stats_.errors;
        Token(/*force_reread=*/true);
        Backoff(++failures);
        break;
      case Outcome::kFailedRelist:
        need_list = true;
        [[fallthrough]];
      case Outcome::kFailed:
        ++stats_.errors;
        Backoff(++failures);
        break;
      case Outcome::kStopped:
        break;
    }
  }
  stats_.connected = false;
}

std::string Watcher::CollectionPath() const {
  std::string path = options_.events_k8s_io ? "/apis/events.k8s.io/v1" : "/api/v1";
  if (!options_.namespace_name.empty()) {
    path += "/namespaces/" + UrlEncode(options_.namespace_name);
  }
  return path + "/events";
}

std::string Watcher::SelectorQuery() const {
  std::string q;
  if (!options_.label_selector.empty()) q += "&labelSelector=" + UrlEncode(options_.label_selector);
  if (!options_.field_selector.empty()) q += "&fieldSelector=" + UrlEncode(options_.field_selector);
  return q;
}

std::string Watcher::Token(bool force_reread) {
  const auto now = std::chrono::steady_clock::now();
  const bool stale = token_read_at_ == std::chrono::steady_clock::time_point{} ||
                     now - token_read_at_ >= options_.token_reread;
  if (force_reread || stale) {
    if (auto t = CurrentToken(credentials_)) {
      token_ = std::move(*t);
    } else {
      Log()->warn("[src=kubernetes] {}", t.error().detail);
    }
    token_read_at_ = now;
  }
  return token_;
}

void Watcher::SetResourceVersion(const std::string& rv) {
  resource_version_ = rv;
  stats_.set_last_rv(rv);
  stats_.last_rv_at_ns = clock_.Now();
}

Result<void> Watcher::Flush(Batch& batch) {
  if (!batch.events.empty()) {
    const size_t n = batch.events.size();
    std::vector<Event> events = std::move(batch.events);
    batch.events.clear();
    if (auto r = sink_(std::move(events)); !r) {
      batch.overlay.clear();
      batch.has_rv = false;
      return r;
    }
    stats_.events_emitted += n;
  }
  for (const auto& [uid, count] : batch.overlay) {
    if (count < 0) {
      seen_.erase(uid);
    } else {
      int64_t& seen = seen_[uid];
      seen = std::max(seen, count);
    }
  }
  batch.overlay.clear();
  if (batch.has_rv) SetResourceVersion(batch.rv);
  batch.has_rv = false;
  return {};
}

Result<void> Watcher::ListPage(const std::string& cont, std::string* rv, std::string* next,
                               std::unordered_map<std::string, int64_t>* listed) {
  std::string target =
      CollectionPath() + "?limit=" + std::to_string(options_.list_limit) + SelectorQuery();
  if (!cont.empty()) target += "&continue=" + UrlEncode(cont);
  std::string body;
  bool too_big = false;
  auto status = Get(target, options_.list_read_timeout, [&](int, std::string_view piece) {
    too_big = body.size() + piece.size() > options_.max_list_bytes;
    if (!too_big) body.append(piece);
    return !too_big;
  });
  if (!status) return std::unexpected(status.error());
  if (too_big) return MakeError(ErrorCode::kTooLarge, "list_too_large", "LIST page too large");
  if (*status == 401) {
    Token(/*force_reread=*/true);
    return MakeError(ErrorCode::kUnauthenticated, "list_unauthorized", "HTTP 401 on LIST");
  }
  if (*status == 410) return MakeError(kListExpired, "HTTP 410 on LIST");
  if (*status != 200) {
    return MakeError(ErrorCode::kUnavailable, "list_failed", StatusSummary(*status, body));
  }
  const json j = ParseUntrustedJson(body).value_or(json());
  if (!j.is_object()) {
    return MakeError(ErrorCode::kUnavailable, "list_failed",
                     JsonDepthWithin(body) ? "LIST: bad JSON" : "LIST: JSON nested too deeply");
  }
  *rv = Str(Child(j, "metadata"), "resourceVersion");
  *next = Str(Child(j, "metadata"), "continue");
  static const json kNoItems = json::array();
  const json& items = j.contains("items") && j["items"].is_array() ? j["items"] : kNoItems;
  std::vector<Span> spans;
  const size_t first = SkipJsonSpace(body, 0);
  const ScanResult top = ScanValue(body, first);
  if (top.status == ScanStatus::kOk) {
    if (auto m = ObjectMemberSpan(body, {first, top.end}, "items")) {
      spans = ArrayElementSpans(body, *m).value_or(std::vector<Span>{});
    }
  }
  Batch batch;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string uid = ObjectUid(items[i]);
    const int64_t count = OccurrenceCount(items[i]);
    if (uid.empty()) {
      ++stats_.invalid_objects;
      continue;
    }
    int64_t& listed_count = (*listed)[uid];
    listed_count = std::max(listed_count, count);
    if (batch.Seen(seen_, uid) >= count) continue;
    const std::string_view raw = spans.size() == items.size() ? spans[i].In(body) : "";
    auto events = ParseEventObject(items[i], raw, clock_.Now());
    if (!events) {
      ++stats_.invalid_objects;
      continue;
    }
    for (Event& e : *events) batch.events.push_back(std::move(e));
    batch.overlay[uid] = count;
  }
  return Flush(batch);
}

Result<void> Watcher::ListAndReconcile() {
  if (listed_once_) ++stats_.relists;
  listed_once_ = true;
  std::unordered_map<std::string, int64_t> listed;
  std::string rv;
  std::string cont;
  for (int restarts = 0;;) {
    std::string next;
    auto page = ListPage(cont, &rv, &next, &listed);
    if (!page) {
      // A continue token outlived its snapshot: start the list again (bounded).
      if (page.error().Is(kListExpired) && !cont.empty() && restarts++ < 3) {
        cont.clear();
        listed.clear();
        continue;
      }
      return page;
    }
    if (next.empty()) break;
    cont = std::move(next);
  }
  // Uids no longer listed have expired; forgetting them keeps the memory bounded.
  std::erase_if(seen_, [&listed](const auto& kv) { return !listed.contains(kv.first); });
  SetResourceVersion(rv);
  return {};
}

bool Watcher::HandleLine(std::string_view line, Batch& batch, Outcome* outcome) {
  line = TrimLine(line);
  if (line.empty()) return true;
  const json j = ParseUntrustedJson(line, kMaxJsonDepth, "watch line").value_or(json());
  const std::string type = Str(j, "type");
  if (!j.is_object() || !j.contains("object") || !j["object"].is_object()) {
    Log()->warn("[src=kubernetes] undecodable watch line ({} bytes); re-watching", line.size());
    *outcome = Outcome::kFailed;
    return false;
  }
  const json& obj = j["object"];
  if (type == "ERROR") {
    const bool gone = obj.contains("code") && obj["code"] == 410;
    if (!gone) {
      Log()->warn("[src=kubernetes] watch ERROR object: code {} {}: {}", obj.value("code", 0),
                  Str(obj, "reason"), TruncateUtf8(Str(obj, "message"), 200));
    }
    *outcome = gone ? Outcome::kExpired : Outcome::kFailedRelist;
    return false;
  }
  const std::string uid = ObjectUid(obj);
  if ((type == "ADDED" || type == "MODIFIED") && !uid.empty()) {
    const int64_t count = OccurrenceCount(obj);
    if (batch.Seen(seen_, uid) < count) {
      auto span = ObjectMemberSpan(line, {0, line.size()}, "object");
      auto events = ParseEventObject(obj, span ? span->In(line) : "", clock_.Now());
      if (events) {
        for (Event& e : *events) batch.events.push_back(std::move(e));
        batch.overlay[uid] = count;
      } else {
        ++stats_.invalid_objects;
      }
    }
  } else if (type == "DELETED" && !uid.empty()) {
    batch.overlay[uid] = -1;
  }
  const std::string rv = Str(Child(obj, "metadata"), "resourceVersion");
  if (!rv.empty()) {
    batch.rv = rv;
    batch.has_rv = true;
  }
  return true;
}

Watcher::WatchResult Watcher::WatchOnce() {
  std::string target = CollectionPath() + "?watch=1";
  if (!resource_version_.empty()) target += "&resourceVersion=" + UrlEncode(resource_version_);
  target += "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(options_.timeout_seconds) +
            SelectorQuery();
  const std::chrono::milliseconds read_timeout =
      std::chrono::seconds(options_.timeout_seconds) + options_.watch_grace;
  Batch batch;
  std::string pending;
  std::string error_body;
  std::optional<Outcome> decided;
  const uint64_t emitted_before = stats_.events_emitted;
  const std::string rv_before = resource_version_;
  auto on_body = [&](int status, std::string_view piece) {
    if (status != 200) {
      error_body.append(
          piece.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, error_body.size())));
      return true;
    }
    stats_.connected = true;
    pending.append(piece);
    size_t start = 0;
    Outcome outcome = Outcome::kEnded;
    for (size_t nl; !decided && (nl = pending.find('\n', start)) != std::string::npos;) {
      if (!HandleLine(std::string_view(pending).substr(start, nl - start), batch, &outcome)) {
        decided = outcome;
      }
      start = nl + 1;
    }
    pending.erase(0, start);
    if (!decided && pending.size() > options_.max_line_bytes) decided = Outcome::kFailed;
    if (auto f = Flush(batch); !f) {
      Log()->warn("[src=kubernetes] sink failed: {} {}", f.error().message, f.error().detail);
      decided = Outcome::kFailed;
    }
    return !decided && !stopping();
  };
  auto status = Get(target, read_timeout, on_body);
  WatchResult result;
  if (!stopping() && status && *status == 200 && !decided && !pending.empty()) {
    Outcome outcome = Outcome::kEnded;
    if (!HandleLine(pending, batch, &outcome)) decided = outcome;
    if (!Flush(batch)) decided = Outcome::kFailed;
  }
  result.progress = stats_.events_emitted != emitted_before || resource_version_ != rv_before;
  if (stopping()) {
    result.outcome = Outcome::kStopped;
  } else if (!status) {
    Log()->warn("[src=kubernetes] watch: {}", status.error().detail);
    result.outcome = Outcome::kFailed;
  } else if (*status == 410) {
    result.outcome = Outcome::kExpired;
  } else if (*status == 401) {
    result.outcome = Outcome::kUnauthorized;
  } else if (*status != 200) {
    Log()->warn("[src=kubernetes] watch: {}", StatusSummary(*status, error_body));
    result.outcome = Outcome::kFailed;
  } else {
    result.outcome = decided.value_or(Outcome::kEnded);
  }
  return result;
}

}  // namespace timelined::connectors::kubernetes
