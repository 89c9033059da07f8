// store_bench: events/s through the store writer next to a raw SQLite baseline.
//
// Cases, each run first into a fresh database and then again into the same database once
// it holds --events rows ("onto N"):
//   raw        one thread, the store's schema and PRAGMAs, one prepared INSERT, 10 000-row
//              transactions; attrs serialized per row, a constant chain value. SQLite alone.
//   raw+chain  the same, also computing the hash chain as the store does.
//   store      SqliteEventStore: producer threads Submit batches (bounded in flight), the
//              writer validates, chains, inserts and group-commits.
// Events (~500 bytes: summary, body, attrs) are generated before the clock starts, so
// every case measures ready events to committed rows. Ratios are to `raw`.
//
// Columns: wall seconds, events/s and its ratio to raw; process CPU per event (all threads)
// and raw's over the case's; CPU per event of the one thread that writes SQLite (raw: the
// main thread; store: the writer) and raw's over the case's. On a machine busy with other
// work the wall figures mostly measure the scheduler; the thread column is the writer's
// capacity: 1e6 / (thread us) events/s on a core of its own.
//
// Usage: store_bench [--events N] [--dir PATH] [--producers P] [--batch B] [--cache-mib M]
//                    [--no-raw-chain]
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "store/model/hash.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/sqlite_store.h"

namespace {

using timelined::Event;
using timelined::Nanos;
namespace store = timelined::store;

struct Flags {
  size_t events = 1'000'000;
  std::string dir;
  int producers = 3;
  size_t batch = 100;
  int cache_mib = 64;
  bool raw_chain = true;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "store_bench: %s\nusage: store_bench [--events N] [--dir PATH] [--producers P] "
               "[--batch B] [--cache-mib M] [--no-raw-chain]\n",
               why);
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-raw-chain") {
      f.raw_chain = false;
      continue;
    }
    if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--events") {
      f.events = std::strtoull(v, nullptr, 10);
    } else if (a == "--dir") {
      f.dir = v;
    } else if (a == "--producers") {
      f.producers = std::atoi(v);
    } else if (a == "--batch") {
      f.batch = std::strtoull(v, nullptr, 10);
    } else if (a == "--cache-mib") {
      f.cache_mib = std::atoi(v);
    } else {
      Usage(("unknown flag " + a).c_str());
    }
  }
  if (f.events == 0 || f.producers < 1 || f.batch == 0 || f.cache_mib < 1) Usage("bad value");
  return f;
}

// A realistic event of about 500 bytes; deterministic in `i`.
Event MakeEvent(size_t i) {
  static constexpr const char* kSources[] = {"kubernetes", "log", "log", "slack", "kubernetes"};
  static constexpr const char* kReasons[] = {"BackOff", "Unhealthy", "FailedScheduling",
                                             "OOMKilling", "Pulled"};
  const size_t r = i * 2654435761u;  // cheap scatter
  Event e;
  e.source = kSources[i % 5];
  e.source_ref = "bench:" + std::to_string(i);
  e.id = timelined::MakeEventId(e.source, e.source_ref);
  const std::string reason = kReasons[r % 5];
  e.kind =
      e.source == "log" ? "log.error" : (e.source == "slack" ? "slack.message" : "k8s." + reason);
  e.occurred_at = 1'773'480'000LL * timelined::kNanosPerSecond + static_cast<Nanos>(i) * 1'000'000 +
                  static_cast<Nanos>(r % 977);
  e.received_at = e.occurred_at + 250'000'000;
  const std::string workload = "svc-" + std::to_string(r % 40);
  e.scope = "k8s/payments/" + workload;
  if (r % 10 == 0) e.incident_id = "Q" + std::to_string(1000 + r % 20);
  e.severity = r % 3 == 0 ? "error" : "warning";
  e.actor = "kubelet/node-" + std::to_string(r % 12);
  e.summary = reason + ": back-off restarting failed container api in pod " + workload +
              "-7c9f8d6b5-" + std::to_string(r % 100000) + " (restart count " +
              std::to_string(r % 37) + ")";
  e.body = "ERROR payment authorization failed upstream=card-gateway status=503 latency_ms=" +
           std::to_string(r % 5000) +
           " trace_id=4bf92f3577b34da6a3ce929d0e0e4736 msg=\"connection reset by peer\" "
           "request_id=" +
           std::to_string(i);
  e.url = "https://k8s.example/api/v1/namespaces/payments/events/" + std::to_string(i);
  e.attrs = {{"count", static_cast<int>(r % 37)},
             {"reason", reason},
             {"namespace", "payments"},
             {"pod", workload + "-7c9f8d6b5-" + std::to_string(r % 100000)},
             {"labels", {{"app", workload}, {"team", "payments"}}}};
  e.raw_sha256 = timelined::Sha256Hex(e.source_ref);
  return e;
}

std::vector<Event> MakeEvents(size_t begin, size_t n) {
  std::vector<Event> v;
  v.reserve(n);
  for (size_t i = begin; i < begin + n; ++i) v.push_back(MakeEvent(i));
  return v;
}

// Process CPU seconds (all threads): robust against other load on the machine.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// On-CPU seconds of one thread of this process, from /proc/self/task/TID/schedstat.
double ThreadCpuSeconds(const std::string& tid) {
  std::ifstream in("/proc/self/task/" + tid + "/schedstat");
  uint64_t ns = 0;
  in >> ns;
  return static_cast<double>(ns) * 1e-9;
}

// The id of this process's thread named `name`, or "" when there is none.
std::string ThreadNamed(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (std::getline(comm, line) && line == name) return task.path().filename().string();
  }
  return "";
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "store_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

// The raw baseline: the store's schema, PRAGMAs and INSERT, 10 000 rows per transaction.
class RawDb {
 public:
  RawDb(const std::string& path, int cache_mib, bool chain) : chain_(chain) {
    auto db = store::sql::Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    Check(db.has_value(), "open " + path);
    db_ = std::move(*db);
    Check(store::schema::ConfigureWriter(db_, {.cache_mib = cache_mib}).has_value(), "pragmas");
    Check(store::schema::Migrate(db_, store::schema::Migrations(), 1).has_value(), "migrate");
    auto st = store::sql::Stmt::Prepare(db_.get(), store::rows::kInsertEvent);
    Check(st.has_value(), "prepare");
    insert_ = std::move(*st);
  }

  void Insert(const std::vector<Event>& events) {
    static const std::string kConstantChain(64, '0');
    for (size_t i = 0; i < events.size(); ++i) {
      if (i % 10'000 == 0) Check(db_.Exec("BEGIN IMMEDIATE").has_value(), "begin");
      const Event& e = events[i];
      const std::string chain = chain_ ? timelined::ChainHash(last_chain_, e) : kConstantChain;
      const std::string attrs = store::rows::AttrsText(e);
      store::rows::BindEvent(insert_, e, ++seq_, chain, attrs);
      Check(insert_.Step() == SQLITE_DONE, "insert");
      insert_.Reset();
      if (chain_) last_chain_ = chain;
      if (i % 10'000 == 9'999 || i + 1 == events.size()) {
        Check(db_.Exec("COMMIT").has_value(), "commit");
      }
    }
  }

 private:
  bool chain_;
  store::sql::Db db_;
  store::sql::Stmt insert_;
  int64_t seq_ = 0;
  std::string last_chain_;
};

// Producers move batches of `batch` events into Submit, at most `max_in_flight` events
// outstanding in total; returns when every batch is committed.
void RunStore(store::SqliteEventStore& s, std::vector<Event>& events, const Flags& f) {
  constexpr std::ptrdiff_t kMaxInFlightBatches = 1024;
  const std::ptrdiff_t in_flight_batches =
      std::min<std::ptrdiff_t>(kMaxInFlightBatches, std::max<size_t>(1, 20'000 / f.batch));
  std::counting_semaphore<kMaxInFlightBatches> slots(in_flight_batches);
  std::atomic<size_t> next{0}, failed{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < f.producers; ++p) {
    producers.emplace_back([&] {
      for (;;) {
        const size_t begin = next.fetch_add(f.batch);
        if (begin >= events.size()) return;
        const size_t end = std::min(events.size(), begin + f.batch);
        std::vector<Event> batch(std::make_move_iterator(events.begin() + begin),
                                 std::make_move_iterator(events.begin() + end));
        slots.acquire();
        s.Submit(std::move(batch), [&](timelined::Result<store::WriteResult> r) {
          if (!r) failed.fetch_add(1);
          slots.release();
        });
      }
    });
  }
  for (auto& t : producers) t.join();
  for (std::ptrdiff_t i = 0; i < in_flight_batches; ++i) slots.acquire();  // drain
  for (std::ptrdiff_t i = 0; i < in_flight_batches; ++i) slots.release();
  Check(failed.load() == 0, "a Submit failed");
}

// The average stored payload (summary, body, attrs, url) and canonical JSON of a sample.
void PrintSizes(const std::vector<Event>& events) {
  const size_t n = std::min<size_t>(events.size(), 1000);
  double payload = 0, canonical = 0;
  for (size_t i = 0; i < n; ++i) {
    const Event& e = events[i];
    payload += static_cast<double>(e.summary.size() + e.body.size() + e.url.size() +
                                   store::rows::AttrsText(e).size());
    canonical += static_cast<double>(timelined::CanonicalJson(e).size());
  }
  std::printf(
      "(per event on average: %.0f bytes of summary+body+attrs+url, %.0f bytes of "
      "canonical JSON)\n",
      payload / static_cast<double>(n), canonical / static_cast<double>(n));
}

struct Measured {
  double wall = 0;    // seconds
  double cpu = 0;     // process CPU seconds, all threads
  double thread = 0;  // CPU seconds of the thread that writes SQLite
};

// Runs `fn`, timing it and the CPU of thread `tid` (the one doing the inserts).
template <typename Fn>
Measured Measure(const std::string& tid, Fn&& fn) {
  const double cpu0 = CpuSeconds();
  const double thread0 = ThreadCpuSeconds(tid);
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return {Seconds(t0), CpuSeconds() - cpu0, ThreadCpuSeconds(tid) - thread0};
}

void PrintHeader() {
  std::printf("%-24s %8s %7s %9s %6s | %9s %6s | %9s %6s\n", "case", "events", "seconds",
              "events/s", "vs raw", "cpu us/ev", "vs raw", "thread us", "vs raw");
}

void PrintRow(const std::string& name, size_t events, const Measured& m, const Measured& raw) {
  const double n = static_cast<double>(events);
  std::printf("%-24s %8zu %7.2f %9.0f %6.2f | %9.1f %6.2f | %9.1f %6.2f\n", name.c_str(), events,
              m.wall, n / m.wall, raw.wall / m.wall, 1e6 * m.cpu / n, raw.cpu / m.cpu,
              1e6 * m.thread / n, raw.thread / m.thread);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Flags f = ParseFlags(argc, argv);
  std::filesystem::path dir = f.dir;
  std::string made;
  if (dir.empty()) {
    made = (std::filesystem::temp_directory_path() / "store_bench.XXXXXX").string();
    Check(mkdtemp(made.data()) != nullptr, "mkdtemp");
    dir = made;
  }
  std::filesystem::create_directories(dir);
  for (const char* name : {"raw.db", "rawchain.db", "store.db"}) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(dir / (std::string(name) + suffix));
    }
  }
  std::printf(
      "store_bench: %zu events per case, %d producers x %zu events per Submit, "
      "cache %d MiB, dir %s\n\n",
      f.events, f.producers, f.batch, f.cache_mib, dir.c_str());
  PrintHeader();

  RawDb raw((dir / "raw.db").string(), f.cache_mib, false);
  RawDb raw_chain((dir / "rawchain.db").string(), f.cache_mib, true);
  store::StoreOptions options;
  options.path = (dir / "store.db").string();
  options.cache_mib = f.cache_mib;
  auto opened = store::SqliteEventStore::Open(options);
  Check(opened.has_value(), "open store");
  auto& s = **opened;
  const std::string self = std::to_string(gettid());
  const std::string writer = ThreadNamed("store-writer");
  Check(!writer.empty(), "no store-writer thread");

  for (int phase = 0; phase < 2; ++phase) {
    const std::string label = phase == 0 ? "fresh" : "onto " + std::to_string(f.events);
    std::vector<Event> events = MakeEvents(phase * f.events, f.events);
    if (phase == 0) PrintSizes(events);
    const Measured raw_m = Measure(self, [&] { raw.Insert(events); });
    PrintRow("raw, " + label, f.events, raw_m, raw_m);
    if (f.raw_chain) {
      PrintRow("raw+chain, " + label, f.events, Measure(self, [&] { raw_chain.Insert(events); }),
               raw_m);
    }
    const auto before = s.Stats();
    PrintRow("store, " + label, f.events, Measure(writer, [&] { RunStore(s, events, f); }), raw_m);
    const auto after = s.Stats();
    const uint64_t txns = after.transactions - before.transactions;
    std::printf("  store: %llu transactions, %.0f events each on average, %.1f ms per commit\n",
                static_cast<unsigned long long>(txns),
                static_cast<double>(after.batch_size_sum - before.batch_size_sum) /
                    static_cast<double>(txns),
                1000 * (after.commit_latency_sum_seconds - before.commit_latency_sum_seconds) /
                    static_cast<double>(txns));
  }
  auto count = s.CountEvents();
  Check(count.has_value() && *count == 2 * f.events, "store holds the wrong number of events");
  s.Close();
  if (!made.empty()) std::filesystem::remove_all(made);
  return 0;
}
