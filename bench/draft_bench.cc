// draft_bench: BuildDraft time and peak RSS for incidents of 10k, 100k and 1M correlated
// events. Events come from an EventReader that *generates* them inside ForEachEvent (no
// storage, nothing held), so the figures are the summarizer's: correlation paging, the
// rules, rendering and the second (Source events) pass. Each size runs in a forked child so
// ru_maxrss is that run's own peak.
//
// Mix per incident (realistic repetition): ~78% log lines over 300 templates in 6 workloads
// (60% error, 20% warn, 20% info), ~22% Kubernetes events over 48 pods (BackOff, Unhealthy,
// OOMKilling warnings; Pulled/Started/Killing/ScalingReplicaSet/Scheduled normals), a few
// hundred Slack messages (10% edited, 5% deleted) and a dozen PagerDuty transitions.
// "1M one group" puts every log line in one template: memory per member stays 12 bytes.
//
// Columns: wall s / cpu s = BuildDraft's wall and process CPU time (both include generating
// the events, twice; on a shared, loaded machine the CPU figure is the meaningful one);
// source cpu = CPU to generate the same events twice with no consumer (subtract it for the
// summarizer's own share); peak RSS = the child's ru_maxrss (includes the outputs); md bytes =
// the Markdown draft (compact: the default citations).
//
// Usage: draft_bench [max_events]   (default 1000000)
//        NO_NODES=1 draft_bench …     (correlation without the node rule's pre-pass)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "store/model/reader.h"
#include "summarizer/draft.h"

namespace {

using timelined::Event;
using timelined::EventQuery;
using timelined::Incident;
using timelined::Nanos;
using timelined::Result;
using namespace timelined::summarizer;

constexpr Nanos kSec = timelined::kNanosPerSecond;
constexpr Nanos kT0 = 1773446400LL * kSec + 11 * 3600 * kSec;  // 2026-03-14 11:00 UTC
constexpr Nanos kTrigger = kT0 + 30 * 60 * kSec;
constexpr Nanos kResolve = kTrigger + 60 * 60 * kSec;
constexpr Nanos kSpanStart = kT0 + kSec;              // inside the lookback
constexpr Nanos kSpanEnd = kResolve + 9 * 60 * kSec;  // inside the grace
constexpr const char* kIncident = "QBENCH01";

// 16 chars of [a-z2-7] from a 64-bit value (a bijective mix keeps IDs unordered by index).
std::string FakeId(const char* prefix, uint64_t kind, uint64_t i) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ULL ^ (kind << 59);
  std::string id = std::string(prefix) + "_";
  for (int k = 0; k < 16; ++k) {
    id += kAlphabet[x & 31];
    x = (x >> 5) | (k == 11 ? kind << 40 : 0);
  }
  return id;
}

std::string FakeRaw(uint64_t i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(i * 2654435761ULL));
  return std::string(buf) + std::string(buf) + std::string(buf) + std::string(buf);
}

// One stream of generated events: event i happens at start + i * step.
struct Stream {
  size_t count = 0;
  Nanos Step() const { return count ? (kSpanEnd - kSpanStart) / static_cast<Nanos>(count) : 1; }
  Nanos At(size_t i) const { return kSpanStart + static_cast<Nanos>(i) * Step(); }
  size_t FirstAtOrAfter(Nanos from) const {
    if (from <= kSpanStart) return 0;
    return static_cast<size_t>((from - kSpanStart + Step() - 1) / Step());
  }
};

class GeneratingReader : public timelined::EventReader {
 public:
  GeneratingReader(size_t total, bool one_group) : one_group_(one_group) {
    named_.count = 12 + 400;  // PagerDuty + Slack
    size_t rest = total > named_.count ? total - named_.count : 0;
    k8s_.count = rest * 22 / 100;
    logs_.count = rest - k8s_.count;
  }

  Result<std::optional<Event>> GetEvent(const std::string&) const override {
    return std::optional<Event>();
  }
  Result<std::optional<Incident>> GetIncident(const std::string&) const override {
    return std::optional<Incident>();
  }

  Result<void> ForEachEvent(const EventQuery& q,
                            const std::function<bool(const Event&)>& fn) const override {
    const Stream* s = !q.incident_id.empty()              ? &named_
                      : q.scope_prefix == "k8s/payments/" ? &k8s_
                      : q.scope_prefix == "log/payments/" ? &logs_
                                                          : nullptr;
    if (s == nullptr) return {};
    Event e;
    size_t n = 0;
    for (size_t i = s->FirstAtOrAfter(q.from); i < s->count; ++i) {
      Nanos at = s->At(i);
      if (q.to != 0 && at > q.to) break;
      if (q.limit != 0 && n == q.limit) break;
      ++n;
      // One Event is reused and refilled in place, as a store reader would reuse its row
      // buffers: the bench should measure the summarizer, not allocation in the source.
      if (s == &named_) {
        Named(i, at, e);
      } else if (s == &k8s_) {
        Kube(i, at, e);
      } else {
        LogLine(i, at, e);
      }
      if (!fn(e)) break;
    }
    return {};
  }

  static Incident TheIncident() {
    Incident inc;
    inc.id = kIncident;
    inc.number = 9001;
    inc.title = "Bench: payments 5xx";
    inc.service_id = "PBENCH";
    inc.service_name = "payments";
    inc.urgency = "high";
    inc.priority = "P1";
    inc.status = "resolved";
    inc.triggered_at = kTrigger;
    inc.resolved_at = kResolve;
    return inc;
  }

 private:
  static void Base(const char* source, const char* prefix, uint64_t kind, uint64_t i, Nanos at,
                   Event& e) {
    e.source = source;
    e.source_ref = std::to_string(kind) + ":" + std::to_string(i);
    e.id = FakeId(prefix, kind, i);
    e.occurred_at = e.received_at = at;
    e.raw_sha256 = FakeRaw(i * 8 + kind);
  }

  void Named(size_t i, Nanos at, Event& e) const {
    static constexpr const char* kTransitions[] = {
        "triggered", "acknowledged", "escalated", "annotated", "status_update_published",
        "resolved"};
    e.attrs = nlohmann::json::object();
    e.incident_id = kIncident;
    if (i % 34 == 0 && i / 34 < 12) {  // 12 PagerDuty events: 6 transitions x (webhook, log entry)
      size_t k = i / 34;
      Base("pagerduty", "pd", 1, k, at, e);
      e.kind = std::string("incident.") + kTransitions[k / 2];
      e.actor = "Alice Ops";
      e.body = "Rolled back to v1.42";
      e.attrs["match_key"] = std::string(kIncident) + "|" + kTransitions[k / 2];
      return;
    }
    Base("slack", "sl", 2, i, at, e);
    e.actor = "user" + std::to_string(i % 17);
    bool edit = i % 10 == 3, del = i % 20 == 7;
    e.kind = edit ? "slack.message_changed" : del ? "slack.message_deleted" : "slack.message";
    static constexpr const char* kTexts[] = {"looking at the dashboards",   "rolling back now",
                                             "root cause is the pool size", "any update?",
                                             "restarting the proxy",        "all clear"};
    e.body = del ? "" : kTexts[i % 6];
    // team + user: every author is looked up by its slack.user event ID (none stored here).
    e.attrs = {{"team", "T0BENCH"},
               {"user", e.actor},
               {"channel", "C0PAY"},
               {"bot", false},
               {"pinned", i % 50 == 0}};
    if (edit || del) e.attrs["supersedes"] = FakeId("sl", 2, i - 1);
  }

  void Kube(size_t i, Nanos at, Event& e) const {
    static constexpr const char* kReasons[] = {"BackOff",    "Unhealthy", "BackOff",
                                               "OOMKilling", "Pulled",    "Started",
                                               "Killing",    "Scheduled", "ScalingReplicaSet"};
    const char* reason = kReasons[i % 9];
    bool warning = i % 9 < 4;
    std::string wl = "payments-" + std::to_string(i % 6);
    std::string pod = wl + "-7d9f8b6c4-p" + std::to_string(i % 48);
    Base("kubernetes", "k8", 3, i, at, e);
    e.kind = std::string("k8s.") + reason;
    e.scope = "k8s/payments/" + wl;
    e.severity = warning ? "warning" : "info";
    std::string message =
        warning      ? "Back-off restarting failed container api in pod " + pod
        : i % 9 == 8 ? "Scaled up replica set " + wl + "-7d9f8b6c4 to " + std::to_string(i % 4 + 1)
                     : std::string("Started container api");
    e.summary = std::string(reason) + " on pod " + pod + ": " + message;
    if (!e.attrs.contains("object")) {
      e.attrs = {{"namespace", "payments"}, {"object", {{"kind", ""}, {"name", ""}}}};
    }
    e.attrs["object"]["kind"] = i % 9 == 8 ? "Deployment" : "Pod";
    e.attrs["object"]["name"] = pod;
    e.attrs["workload"] = wl;
    e.attrs["reason"] = reason;
    e.attrs["type"] = warning ? "Warning" : "Normal";
    e.attrs["count"] = static_cast<int64_t>(i / 48 + 1);
    e.attrs["message"] = std::move(message);
  }

  void LogLine(size_t i, Nanos at, Event& e) const {
    Base("log", "lg", 4, i, at, e);
    size_t level = i % 5;  // 0-2 error, 3 warn, 4 info
    e.kind = level < 3 ? "log.error" : level == 3 ? "log.warn" : "log.info";
    e.severity = level < 3 ? "error" : level == 3 ? "warning" : "info";
    e.scope = "log/payments/svc-" + std::to_string(i % 6);
    size_t tmpl = one_group_ ? 0 : (i * 7919) % 300;
    e.body = "op" + std::to_string(tmpl) + " failed: upstream timeout after " +
             std::to_string(100 + i % 900) + "ms calling 10.0." + std::to_string(i % 250) + "." +
             std::to_string(i % 200) + ":5432 (order " + std::to_string(100000 + i) + ")";
    if (one_group_) {
      e.scope = "log/payments/svc-0";
      e.kind = "log.error";
      e.severity = "error";
    }
    if (!e.attrs.contains("labels")) e.attrs = {{"labels", {{"app", "payments"}}}};
  }

  bool one_group_;
  Stream named_, k8s_, logs_;
};

struct Row {
  double source_cpu = 0;   // CPU to generate the events twice with no consumer
  double seconds = 0;      // BuildDraft wall time
  double cpu_seconds = 0;  // BuildDraft CPU time
  long max_rss_kb = 0;
  size_t correlated = 0, lines = 0, cited = 0, md_bytes = 0, json_bytes = 0;
  bool ok = false;
};

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// What the source alone costs: both passes' worth of generated events, consumed by nothing.
double SourceOnlyCpuSeconds(const GeneratingReader& reader) {
  double start = CpuNow();
  size_t n = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (EventQuery q :
         {EventQuery{.incident_id = kIncident}, EventQuery{.scope_prefix = "k8s/payments/"},
          EventQuery{.scope_prefix = "log/payments/"}}) {
      auto r = reader.ForEachEvent(q, [&n](const Event& e) {
        n += e.id.size();
        return true;
      });
      if (!r) return -1;
    }
  }
  return n > 0 ? CpuNow() - start : 0;
}

Row RunOnce(size_t events, bool one_group) {
  GeneratingReader reader(events, one_group);
  double source_cpu = SourceOnlyCpuSeconds(reader);
  SummarizerConfig config;
  config.correlation.services["PBENCH"].scopes = {"k8s/payments/", "log/payments/"};
  if (std::getenv("NO_NODES") != nullptr) config.correlation.node_events = false;
  DraftMeta meta{.version = 1, .trigger = "api"};
  double cpu_start = CpuNow();
  auto start = std::chrono::steady_clock::now();
  auto d = BuildDraft(GeneratingReader::TheIncident(), config, reader, meta, kResolve);
  auto end = std::chrono::steady_clock::now();
  Row r;
  r.source_cpu = source_cpu;
  r.cpu_seconds = CpuNow() - cpu_start;
  r.seconds = std::chrono::duration<double>(end - start).count();
  if (!d) return r;
  r.ok = true;
  r.correlated = d->correlated_count;
  r.lines = d->timeline.lines.size();
  r.cited = d->cited_ids.size();
  r.md_bytes = d->markdown.size();
  r.json_bytes = d->json.size();
  return r;
}

// Runs in a child so the peak RSS is this run's alone; results come back through a pipe.
Row RunInChild(size_t events, bool one_group) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Row r = RunOnce(events, one_group);
    ssize_t w = write(fds[1], &r, sizeof r);
    _exit(w == static_cast<ssize_t>(sizeof r) ? 0 : 1);
  }
  close(fds[1]);
  Row r;
  ssize_t got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (got != static_cast<ssize_t>(sizeof r)) return {};
  r.max_rss_kb = ru.ru_maxrss;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  size_t max_events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  struct Size {
    size_t events;
    bool one_group;
    const char* label;
  } sizes[] = {{10000, false, "10k"},
               {100000, false, "100k"},
               {1000000, false, "1M"},
               {1000000, true, "1M one group"}};
  std::printf("%-14s %11s %9s %9s %10s %12s %6s %9s %10s %8s\n", "incident", "correlated", "wall s",
              "cpu s", "source cpu", "peak RSS MB", "lines", "cited", "md bytes", "json MB");
  for (const Size& s : sizes) {
    if (s.events > max_events) continue;
    Row r = RunInChild(s.events, s.one_group);
    if (!r.ok) {
      std::printf("%-14s failed\n", s.label);
      return 1;
    }
    std::printf("%-14s %11zu %9.3f %9.3f %10.3f %12.1f %6zu %9zu %10zu %8.1f\n", s.label,
                r.correlated, r.seconds, r.cpu_seconds, r.source_cpu, r.max_rss_kb / 1024.0,
                r.lines, r.cited, r.md_bytes, r.json_bytes / 1048576.0);
  }
  return 0;
}
